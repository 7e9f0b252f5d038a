// Memory as NDIS describes it: MDLs over the machine's buffers, NET_BUFFERs over MDL chains,
// NdisGetDataBuffer, the data start moving across MDLs, copies between NET_BUFFERs, NBL pools with
// their parameters, the NBL context and reserved areas. Then the attacks on them (a forged MDL, an
// MDL rewritten in memory, a context view pushed past its NBL), and an ndisprot-style send: a
// driver's buffer wrapped in an MDL, sent through the stack, seen on the wire.

import { describe, it, expect, beforeAll } from 'vitest';
import { NdisRuntime, type DriverRecord } from './runtime.ts';
import { createNdisApi } from './api.ts';
import { protectMachineMemory } from '../memory/protect.ts';
import { MDL_BYTE_COUNT, MDL_ADDRESS, MDL_NEXT, NBL_CONTEXT_OFFSET } from '../memory/nbl-pool.ts';
import type { MDL } from './mdl.ts';
import type { NET_BUFFER, NET_BUFFER_LIST } from './net-buffer-list.ts';
import { echoProtocol, countingFilter, twoNics as echoOverTwoNics, send, type EchoModule, UNUSED_COMPLETE_HANDLERS, OPENS_AND_CLOSES_AT_ONCE } from './test-drivers.ts';

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

/** What the engine installs before any driver runs: views of machine memory keep their buffer to themselves. */
beforeAll(() => protectMachineMemory());

const POOL_PARAMETERS = `{ Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 },
  ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 16, PoolTag: 0x4c424e4d, DataSize: 0 }`;

/**
 * A protocol that binds to every adapter and sets a packet filter; `body` is more code at module
 * level (its exports are what a test calls, from a task of the driver's own).
 */
function protocol(body: string): string {
  return `
import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisOidRequest, NdisSendNetBufferLists, NdisReturnNetBufferLists,
  NdisAllocateNetBufferListPool, NdisFreeNetBufferListPool, NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
  NdisAllocateMemoryWithTagPriority, NdisFreeMemory, NdisAllocateMdl, NdisFreeMdl, NdisGetDataBuffer,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NetEventRestart, NetEventPause, NdisRequestSetInformation,
  OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED, NDIS_RECEIVE_FLAGS_RESOURCES, NormalPoolPriority,
  NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
} from "ndis";

interface Binding { handle: any; mac: Uint8Array; running: boolean; }
export const bindings: Binding[] = [];
export const received: number[][] = [];
let protocolHandle: any = null;
${body}

export function DriverEntry(): number {
  const r = NdisRegisterProtocolDriver(null, {
    Header: { Type: 0x95, Revision: 1, Size: 120 }, // NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, revision 1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1
    MajorNdisVersion: 6, MinorNdisVersion: 0,
    Name: "mdl",
    BindAdapterHandlerEx(_ctx: unknown, bindContext: unknown, params: { AdapterName: string; CurrentMacAddress: Uint8Array; MacAddressLength: number }) {
      const b: Binding = { handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), running: false };
      const open = NdisOpenAdapterEx(protocolHandle, b, { Header: { Type: 0x87, Revision: 1, Size: 52 }, AdapterName: params.AdapterName, MediumArray: [0], MediumArraySize: 1, SelectedMediumIndex: null, FrameTypeArray: null, FrameTypeArraySize: 0 }, bindContext);
      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;
      b.handle = open.NdisBindingHandle;
      bindings.push(b);
      const filter = new Uint8Array([NDIS_PACKET_TYPE_DIRECTED, 0, 0, 0]);
      NdisOidRequest(b.handle, { Header: { Type: 0x96, Revision: 1, Size: 236 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } });
      return NDIS_STATUS_SUCCESS;
    },
    UnbindAdapterHandlerEx(_u: unknown, b: Binding) { NdisCloseAdapterEx(b.handle); return NDIS_STATUS_SUCCESS; },
    OidRequestCompleteHandler() {},
    ${UNUSED_COMPLETE_HANDLERS}
    NetPnPEventHandler(b: Binding, event: { NetPnPEvent: { NetEvent: number } }) {
      if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;
      if (event.NetPnPEvent.NetEvent === NetEventPause) b.running = false;
      return NDIS_STATUS_SUCCESS;
    },
    SendNetBufferListsCompleteHandler(_b: Binding, nbls: any, _flags: number) {
      for (let nbl = nbls; nbl; ) { const next = NET_BUFFER_LIST_NEXT_NBL(nbl); nbl.Next = null; sendComplete(nbl); nbl = next; }
    },
    ReceiveNetBufferListsHandler(b: Binding, nbls: any, _port: number, _count: number, flags: number) {
      for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) received.push(Array.from(NET_BUFFER_LIST_FIRST_NB(nbl)!.Data));
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle, nbls, 0);
    },
  });
  protocolHandle = r.NdisProtocolHandle;
  return r.Status;
}
`;
}

async function twoNics(source: string) {
  const rt = await NdisRuntime.create({ nics: 2, seed: 7, rxRingEntries: 32, txRingEntries: 32, decisions: OPENS_AND_CLOSES_AT_ONCE });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const driver = await rt.loadDriver(source, 'mdl.ts');
  rt.startStack();
  rt.run();
  return { rt, driver, exports: driver.exports as Record<string, (...args: unknown[]) => unknown> };
}

/** Runs `body` as a task of the driver's own (an application's request, say). */
function inDriver(rt: NdisRuntime, driver: DriverRecord, body: () => void): void {
  rt.post('application', () => rt.invoke(driver, 'application', undefined, false, body));
  rt.run();
}

/** A runtime with one driver, and the "ndis" module bound to it, for calling NDIS directly. */
async function direct() {
  const rt = await NdisRuntime.create({ nics: 1, seed: 1, decisions: OPENS_AND_CLOSES_AT_ONCE });
  const driver = await rt.loadDriver(protocol('function sendComplete(_nbl: any) {}'), 'mdl.ts');
  const ndis = createNdisApi(rt, driver) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const pool = ndis['NdisAllocateNetBufferListPool'](null, {
    Header: { Type: 0x80, Revision: 1, Size: 16 }, ProtocolId: 0, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0,
  });
  expect(pool).not.toBeNull();
  return { rt, driver, ndis, pool };
}

/**
 * Three buffers of NDIS memory, 10, 20 and 30 bytes of them in three chained MDLs (bytes 0..59 of
 * the chain hold 100..159), and a NET_BUFFER of 40 bytes starting 15 bytes in: in the second MDL.
 */
function threeMdls(ndis: Record<string, any>, pool: unknown) {
  const sizes = [10, 20, 30];
  const memory = sizes.map((n) => ndis['NdisAllocateMemoryWithTagPriority'](null, 64, 0, 16) as Uint8Array);
  let value = 100;
  const mdls = sizes.map((n, i) => {
    for (let j = 0; j < n; j++) memory[i]![4 + j] = value++;
    return ndis['NdisAllocateMdl'](null, memory[i]!.subarray(4), n) as MDL;
  });
  mdls[0]!.Next = mdls[1]!;
  mdls[1]!.Next = mdls[2]!;
  const nbl = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, mdls[0], 15, 40) as NET_BUFFER_LIST;
  return { memory, mdls, nbl, nb: nbl.FirstNetBuffer! };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('MDLs and NET_BUFFERs over MDL chains', () => {
  it('a NET_BUFFER whose data starts in the second of three MDLs: MdlChain, CurrentMdl, CurrentMdlOffset, and NdisQueryMdl', async () => {
    const { rt, ndis, pool } = await direct();
    const { mdls, nb } = threeMdls(ndis, pool);
    expect(nb.MdlChain).toBe(mdls[0]);
    expect(nb.CurrentMdl).toBe(mdls[1]);
    expect(nb.CurrentMdlOffset).toBe(5);
    expect(ndis['NET_BUFFER_CURRENT_MDL'](nb)).toBe(mdls[1]);
    expect(ndis['NdisGetNextMdl'](mdls[0]).NextMdl).toBe(mdls[1]);
    expect(ndis['NDIS_MDL_LINKAGE'](mdls[2])).toBeNull();
    const { VirtualAddress, Length } = ndis['NdisQueryMdl'](mdls[1], 16);
    expect(Length).toBe(20);
    expect(Array.from(VirtualAddress as Uint8Array)).toEqual(range(110, 130));
    expect(ndis['MmGetSystemAddressForMdlSafe'](mdls[1], 16)).toBe(VirtualAddress); // the same view: nothing allocated
    expect(ndis['NdisQueryMdlOffset'](mdls[1]).Length).toBe(20);
    expect(() => (VirtualAddress as Uint8Array).buffer).toThrow(/does not give out its buffer/);
    expect(rules(rt)).toEqual([]);
  });

  it('NdisGetDataBuffer: a view when the bytes lie in one MDL, a copy into Storage when they do not, null without Storage or bytes', async () => {
    const { ndis, pool } = await direct();
    const { mdls, nb } = threeMdls(ndis, pool);
    const inOne = ndis['NdisGetDataBuffer'](nb, 10, null, 1, 0) as Uint8Array;
    expect(Array.from(inOne)).toEqual(range(115, 125));
    inOne[0] = 7; // a view: writing it writes the MDL's memory
    expect((ndis['MmGetSystemAddressForMdlSafe'](mdls[1], 16) as Uint8Array)[5]).toBe(7);
    inOne[0] = 115;
    expect(ndis['NdisGetDataBuffer'](nb, 10, null, 1, 0)).toBe(inOne); // asked again: the same view
    expect(ndis['NdisGetDataBuffer'](nb, 20, null, 1, 0)).toBeNull();
    const storage = new Uint8Array(32);
    expect(ndis['NdisGetDataBuffer'](nb, 20, storage, 1, 0)).toBe(storage);
    expect(Array.from(storage.subarray(0, 20))).toEqual(range(115, 135));
    expect(ndis['NdisGetDataBuffer'](nb, 41, storage, 1, 0)).toBeNull();
    expect(() => nb.Data).toThrow(/span more than one MDL.*NdisGetDataBuffer/);
  });

  it('advance and retreat across MDL boundaries; a retreat past the chain adds an MDL that the advance with FreeMdl frees', async () => {
    const { rt, ndis, pool } = await direct();
    const { mdls, nb } = threeMdls(ndis, pool);
    const mdlsLeft = rt.pool.mdlsAvailable;
    const memoryLeft = rt.pool.available;
    ndis['NdisAdvanceNetBufferDataStart'](nb, 15, false, null);
    expect([nb.DataOffset, nb.DataLength, nb.CurrentMdl, nb.CurrentMdlOffset]).toEqual([30, 25, mdls[2], 0]);
    expect(Array.from(nb.Data)).toEqual(range(130, 155)); // now in one MDL: Data is a view again
    expect(ndis['NdisRetreatNetBufferDataStart'](nb, 20, 0, null)).toBe(0);
    expect([nb.DataOffset, nb.DataLength, nb.CurrentMdl, nb.CurrentMdlOffset]).toEqual([10, 45, mdls[1], 0]);
    // 15 more than the 10 unused bytes before the data: a 5-byte MDL (and 8 of backfill) goes in front.
    expect(ndis['NdisRetreatNetBufferDataStart'](nb, 15, 8, null)).toBe(0);
    expect([nb.DataOffset, nb.DataLength, nb.MdlChain!.ByteCount, nb.MdlChain!.Next]).toEqual([8, 60, 13, mdls[0]]);
    expect(rt.pool.mdlsAvailable).toBe(mdlsLeft - 1);
    const storage = new Uint8Array(60);
    ndis['NdisGetDataBuffer'](nb, 60, storage, 1, 0);
    expect(Array.from(storage.subarray(5))).toEqual(range(100, 155));
    ndis['NdisAdvanceNetBufferDataStart'](nb, 15, true, null);
    expect([nb.MdlChain, nb.DataOffset, nb.DataLength, nb.CurrentMdl, nb.CurrentMdlOffset]).toEqual([mdls[0], 10, 45, mdls[1], 0]);
    expect([rt.pool.mdlsAvailable, rt.pool.available]).toEqual([mdlsLeft, memoryLeft]);
    expect(rules(rt)).toEqual([]);
  });

  it('retreat on a NET_BUFFER over its own buffer makes room for a header, and the advance gives the buffer back as it was', async () => {
    const { rt, ndis, pool } = await direct();
    const nbl = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST;
    const nb = nbl.FirstNetBuffer!;
    nb.Data.set(range(0, 60));
    expect(ndis['NdisRetreatNetBufferDataStart'](nb, 14, 16, null)).toBe(0);
    expect([nb.DataOffset, nb.DataLength, nb.BufferLength, nb.MdlChain!.ByteCount]).toEqual([16, 74, 0, 30]);
    const header = ndis['NdisGetDataBuffer'](nb, 14, null, 1, 0) as Uint8Array; // in the new MDL: a view to write the header into
    header.set(range(200, 214));
    const frame = ndis['NdisGetDataBuffer'](nb, 74, new Uint8Array(74), 1, 0) as Uint8Array;
    expect(Array.from(frame)).toEqual([...range(200, 214), ...range(0, 60)]);
    ndis['NdisAdvanceNetBufferDataStart'](nb, 14, true, null);
    expect([nb.MdlChain!.index, nb.DataOffset, nb.DataLength, nb.BufferLength]).toEqual([nb.index, 0, 60, 2048]);
    expect(Array.from(nb.Data)).toEqual(range(0, 60));
    expect(rules(rt)).toEqual([]);
  });

  it('NdisCopyFromNetBufferToNetBuffer copies across both chains and says how much it copied', async () => {
    const { ndis, pool } = await direct();
    const { nb: source } = threeMdls(ndis, pool);
    const destination = (ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST).FirstNetBuffer!;
    expect(ndis['NdisCopyFromNetBufferToNetBuffer'](destination, 2, 30, source, 3)).toEqual({ Status: 0, BytesCopied: 30 });
    expect(Array.from(destination.Data.subarray(0, 34))).toEqual([0, 0, ...range(118, 148), 0, 0]);
    // Into a chain, and more than the source holds: as many as there are.
    const back = ndis['NdisCopyFromNetBufferToNetBuffer'](source, 30, 20, destination, 0);
    expect(back).toEqual({ Status: 0, BytesCopied: 10 });
    const storage = new Uint8Array(40);
    ndis['NdisGetDataBuffer'](source, 40, storage, 1, 0);
    expect(Array.from(storage.subarray(30))).toEqual([0, 0, ...range(118, 126)]);
  });
});

describe('NBL pools, contexts and reserved areas', () => {
  it('NdisAllocateNetBufferListPool checks NET_BUFFER_LIST_POOL_PARAMETERS as NDIS does: NULL for bad ones, and the trace says why', async () => {
    const { rt, ndis } = await direct();
    const good = { Header: { Type: 0x80, Revision: 1, Size: 16 }, ProtocolId: 0, fAllocateNetBuffer: true, ContextSize: 16, PoolTag: 1, DataSize: 0 };
    const bad: [Record<string, unknown>, RegExp][] = [
      [{}, /Header is missing/],
      [{ ...good, Header: { Type: 0x95, Revision: 1, Size: 16 } }, /Header.Type .* NDIS_OBJECT_TYPE_DEFAULT/],
      [{ ...good, Header: { Type: 0x80, Revision: 1, Size: 12 } }, /Header.Size .* at least NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 \(16\)/],
      [{ ...good, ContextSize: 12 }, /ContextSize 12 must be a multiple of MEMORY_ALLOCATION_ALIGNMENT/],
      [{ ...good, fAllocateNetBuffer: false, DataSize: 100 }, /DataSize must be 0 when fAllocateNetBuffer is FALSE/],
      [{ ...good, ProtocolId: 0x10 }, /ProtocolId/],
    ];
    for (const [parameters, why] of bad) {
      expect(ndis['NdisAllocateNetBufferListPool'](null, parameters), JSON.stringify(parameters)).toBeNull();
      expect(String(rt.trace.events.filter((e) => e.kind === 'ndis-refused').at(-1)?.['reason'])).toMatch(why);
    }
    const nblOnly = ndis['NdisAllocateNetBufferListPool'](null, { ...good, fAllocateNetBuffer: false });
    const nbl = ndis['NdisAllocateNetBufferList'](nblOnly, 0, 0) as NET_BUFFER_LIST;
    expect(nbl.FirstNetBuffer).toBeNull();
    expect(rules(rt)).toEqual([]);
  });

  it('the NBL context: allocated in front of the layer below\'s, zeroed, and freed back; ProtocolReserved is the NBL\'s own', async () => {
    const { rt, ndis } = await direct();
    const pool = ndis['NdisAllocateNetBufferListPool'](null, { Header: { Type: 0x80, Revision: 1, Size: 16 }, ProtocolId: 0, fAllocateNetBuffer: true, ContextSize: 16, PoolTag: 1, DataSize: 0 });
    const nbl = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 16, 0, null, 0, 60) as NET_BUFFER_LIST;
    expect(ndis['NET_BUFFER_LIST_CONTEXT_DATA_SIZE'](nbl)).toBe(16);
    const mine = ndis['NET_BUFFER_LIST_CONTEXT_DATA_START'](nbl) as Uint8Array;
    mine.fill(0xaa);
    // A filter above adds 8 bytes of its own: they start zeroed, in front of the protocol's.
    expect(ndis['NdisAllocateNetBufferListContext'](nbl, 8, 0, 0)).toBe(0);
    const theirs = ndis['NET_BUFFER_LIST_CONTEXT_DATA_START'](nbl) as Uint8Array;
    expect(Array.from(theirs)).toEqual([...Array(8).fill(0), ...Array(16).fill(0xaa)]);
    expect(ndis['NdisAllocateNetBufferListContext'](nbl, 48, 0, 0)).toBe(0xc000009a); // NDIS_STATUS_RESOURCES: the area is full
    ndis['NdisFreeNetBufferListContext'](nbl, 8);
    expect(ndis['NET_BUFFER_LIST_CONTEXT_DATA_START'](nbl)).toBe(mine); // one view per offset, kept
    expect(nbl.ProtocolReserved.length).toBe(32);
    expect(nbl.MiniportReserved.length).toBe(16);
    expect(nbl.FirstNetBuffer!.ProtocolReserved.length).toBe(48);
    expect(nbl.FirstNetBuffer!.MiniportReserved.length).toBe(32);
    nbl.ProtocolReserved[0] = 9;
    ndis['NdisFreeNetBufferList'](nbl);
    const again = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST;
    expect(again).toBe(nbl); // the same record, handed out again: nothing of its last use is left
    expect(again.ProtocolReserved[0]).toBe(0);
    expect(ndis['NET_BUFFER_LIST_CONTEXT_DATA_SIZE'](again)).toBe(0);
    expect(rules(rt)).toEqual([]);
  });

  const poolDriver = (freeNblsFirst: boolean) => protocol(`
export const state: { pool: any; held: any[] } = { pool: null, held: [] };
function sendComplete(_nbl: any) {}
export function allocate() {
  state.pool = NdisAllocateNetBufferListPool(null, ${POOL_PARAMETERS});
  for (let i = 0; i < 3; i++) state.held.push(NdisAllocateNetBufferAndNetBufferList(state.pool, 0, 0, null, 0, 60));
}
export function release() {
  ${freeNblsFirst ? 'for (const nbl of state.held) NdisFreeNetBufferList(nbl);' : 'NdisFreeNetBufferList(state.held[0]);'}
  NdisFreeNetBufferListPool(state.pool);
}`);

  it('NblPoolFreedWithNblsOutstanding: NdisFreeNetBufferListPool with NBLs from the pool still allocated', async () => {
    const { rt, driver, exports } = await twoNics(poolDriver(false));
    inDriver(rt, driver, () => exports['allocate']!());
    inDriver(rt, driver, () => exports['release']!());
    expect(rt.verifier.findings.map((f) => [f.rule, f.driver, f.message])).toEqual([
      ['NblPoolFreedWithNblsOutstanding', 'mdl', 'NdisFreeNetBufferListPool with 2 NBL(s) from the pool not yet freed (free each with NdisFreeNetBufferList first, after its send completes)'],
    ]);
  });

  it('a driver that frees its NBLs before their pool is reported for nothing', async () => {
    const { rt, driver, exports } = await twoNics(poolDriver(true));
    inDriver(rt, driver, () => exports['allocate']!());
    inDriver(rt, driver, () => exports['release']!());
    expect(rules(rt)).toEqual([]);
  });
});

describe('NET_BUFFER pools, and MDLs from the driver\'s own handlers', () => {
  it('NdisAllocateNetBuffer over an MDL, chained into an NBL from NdisAllocateNetBufferList; the NET_BUFFER pool freed with one outstanding is NetBufferPoolFreedWithNetBuffersOutstanding', async () => {
    const { rt, ndis } = await direct();
    expect(ndis['NdisAllocateNetBufferPool'](null, { Header: { Type: 0x80, Revision: 1, Size: 8 }, PoolTag: 0, DataSize: 0 })).toBeNull();
    const nbPool = ndis['NdisAllocateNetBufferPool'](null, { Header: { Type: 0x80, Revision: 1, Size: 12 }, PoolTag: 0, DataSize: 0 });
    const nblPool = ndis['NdisAllocateNetBufferListPool'](null, { Header: { Type: 0x80, Revision: 1, Size: 16 }, ProtocolId: 0, fAllocateNetBuffer: false, ContextSize: 0, PoolTag: 0, DataSize: 0 });
    const memory = ndis['NdisAllocateMemoryWithTagPriority'](null, 100, 0, 16) as Uint8Array;
    memory.set(range(0, 100));
    const mdl = ndis['NdisAllocateMdl'](null, memory, 100) as MDL;
    const nb = ndis['NdisAllocateNetBuffer'](nbPool, mdl, 10, 50) as NET_BUFFER;
    const second = ndis['NdisAllocateNetBuffer'](nbPool, null, 0, 60) as NET_BUFFER;
    expect(Array.from(nb.Data)).toEqual(range(10, 60));
    const nbl = ndis['NdisAllocateNetBufferList'](nblPool, 0, 0) as NET_BUFFER_LIST;
    nbl.FirstNetBuffer = nb;
    expect(rt.pool.checkChain(nbl.index)).toEqual({ nbls: 1, netBuffers: 1, bytes: 50 });
    nbl.FirstNetBuffer = null;
    ndis['NdisFreeNetBufferList'](nbl);
    ndis['NdisFreeNetBufferListPool'](nblPool);
    ndis['NdisFreeNetBuffer'](nb);
    expect(rules(rt)).toEqual([]);
    expect(() => ndis['NdisFreeNetBufferPool'](nbPool)).toThrow();
    expect(rt.verifier.findings.map((f) => [f.rule, f.message])).toEqual([
      ['NetBufferPoolFreedWithNetBuffersOutstanding', 'NdisFreeNetBufferPool with 1 NET_BUFFER(s) from the pool not yet freed (free each with NdisFreeNetBuffer first, after its send completes)'],
    ]);
    expect(second.DataLength).toBe(60);
  });

  it('a retreat takes its MDL from AllocateMdlHandler when the driver gives one, and the advance hands it to FreeMdlHandler', async () => {
    const { rt, ndis, pool } = await direct();
    const nb = (ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST).FirstNetBuffer!;
    const header = ndis['NdisAllocateMemoryWithTagPriority'](null, 64, 0, 16) as Uint8Array;
    const asked: number[] = [];
    const given: MDL[] = [];
    const allocate = (size: number) => { asked.push(size); const m = ndis['NdisAllocateMdl'](null, header, size) as MDL; given.push(m); return m; };
    expect(ndis['NdisRetreatNetBufferDataStart'](nb, 14, 2, allocate)).toBe(0);
    expect(asked).toEqual([16]);
    expect([nb.MdlChain, nb.DataOffset, nb.DataLength]).toEqual([given[0], 2, 74]);
    const freed: MDL[] = [];
    ndis['NdisAdvanceNetBufferDataStart'](nb, 14, true, (m: MDL) => { freed.push(m); ndis['NdisFreeMdl'](m); });
    expect(freed).toEqual(given);
    expect([nb.MdlChain!.index, nb.DataOffset, nb.DataLength]).toEqual([nb.index, 0, 60]);
    expect(ndis['NdisRetreatNetBufferDataStart'](nb, 14, 0, () => null)).toBe(0xc000009a); // the handler had none: NDIS_STATUS_RESOURCES
    expect([nb.DataOffset, nb.DataLength]).toEqual([0, 60]);
    expect(rules(rt)).toEqual([]);
  });
});

describe('attacks on MDLs and contexts', () => {
  it('a forged MDL, or a copy of a real one, is not an MDL: NDIS refuses it and no view comes of it', async () => {
    const { rt, ndis, pool } = await direct();
    const { mdls } = threeMdls(ndis, pool);
    const real = mdls[0]!;
    const forgeries = [{ index: real.index, Next: null, ByteCount: 2048 }, { ...real }, Object.create(Object.getPrototypeOf(real))];
    for (const forged of forgeries) {
      expect(() => ndis['MmGetSystemAddressForMdlSafe'](forged, 16)).toThrow(/not an MDL/);
      expect(() => { real.Next = forged; }).toThrow(/must be an MDL from NdisAllocateMdl/);
    }
    expect(() => ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, forgeries[0], 0, 10)).toThrow();
    expect(rt.verifier.findings.map((f) => f.rule)).toEqual(['InvalidParameter']);
    expect(rt.verifier.findings[0]!.message).toMatch(/MdlChain must be a chain of MDLs the driver allocated with NdisAllocateMdl/);
  });

  it('no MDL over a driver\'s own array, past the view it holds, or over a buffer that is not its own; none may link to a NET_BUFFER\'s own buffer', async () => {
    const attempts: [(ndis: Record<string, any>, rt: NdisRuntime) => unknown, RegExp][] = [
      [(ndis) => ndis['NdisAllocateMdl'](null, new Uint8Array(64), 64), /VirtualAddress must be a view of the machine's memory/],
      [(ndis) => ndis['NdisAllocateMdl'](null, (ndis['NdisAllocateMemoryWithTagPriority'](null, 64, 0, 16) as Uint8Array).subarray(0, 8), 4096), /Length 4096 must be 1 to the view's 8 bytes/],
      [(_ndis, rt) => createNdisApi(rt, rt.drivers[0]!)['NdisAllocateMdl'] && (createNdisApi(rt, rt.drivers[0]!) as Record<string, any>)['NdisAllocateMdl'](null, rt.pool.bytes.subarray(rt.pool.bufferAddress(5), rt.pool.bufferAddress(5) + 64), 64), /is not the driver's/],
    ];
    for (const [attempt, why] of attempts) {
      const { rt, ndis } = await direct();
      expect(() => attempt(ndis, rt)).toThrow();
      expect(rt.verifier.findings.map((f) => [f.rule, f.message])).toEqual([['InvalidParameter', expect.stringMatching(why)]]);
    }
    const { ndis, pool } = await direct();
    const own = (ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST).FirstNetBuffer!;
    const mine = ndis['NdisAllocateMdl'](null, own.Data, 60) as MDL;
    expect(() => { mine.Next = own.MdlChain; }).toThrow(/belongs to NDIS: no MDL can link to it/);
  });

  it('an MDL links only to MDLs of its own driver: one shown to it (another driver\'s) cannot be chained to its own, and a chain rewritten so is refused', async () => {
    const { rt, ndis, pool } = await direct();
    const { mdls, nbl } = threeMdls(ndis, pool);
    const slot = rt.pool.allocateMemory(500);
    const theirs = rt.views.mdl(rt.pool.allocateMdl(500, rt.pool.bufferAddress(slot), 64)); // as a filter would see it in an NBL passing by
    expect(() => { mdls[2]!.Next = theirs; }).toThrow(/made for another driver/);
    expect(() => { theirs.Next = mdls[0]!; }).toThrow(/made for another driver/);
    rt.pool.setMdlField(mdls[2]!.index, MDL_NEXT, theirs.index + 1); // the link written into memory instead
    expect(() => rt.pool.checkChain(nbl.index)).toThrow(/joins MDLs of two drivers/);
  });

  it('an MDL whose length or address is rewritten in shared memory gives no view past its buffer, and a send over it fails', async () => {
    const { rt, ndis, pool } = await direct();
    const { mdls, nbl, nb } = threeMdls(ndis, pool);
    const m = mdls[2]!;
    const view = ndis['MmGetSystemAddressForMdlSafe'](m, 16) as Uint8Array;
    expect(view.length).toBe(30);
    rt.pool.setMdlField(m.index, MDL_BYTE_COUNT, 4096); // into the buffers after it
    expect(() => ndis['MmGetSystemAddressForMdlSafe'](m, 16)).toThrow(/are not inside one buffer of the pool/);
    expect(() => ndis['NdisGetDataBuffer'](nb, 40, new Uint8Array(40), 1, 0)).toThrow(/not inside one buffer/);
    rt.pool.setMdlField(m.index, MDL_BYTE_COUNT, 30);
    const elsewhere = rt.pool.bufferAddress(3); // the same length, in a buffer the driver was never given
    rt.pool.setMdlField(m.index, MDL_ADDRESS, elsewhere);
    expect(() => ndis['MmGetSystemAddressForMdlSafe'](m, 16)).toThrow(/was rewritten: it now points into buffer 3/);
    expect(() => rt.pool.checkChain(nbl.index)).toThrow(/was rewritten/);
  });

  it('nothing a driver is handed leads to the pool: NET_BUFFER, NET_BUFFER_LIST and MDL have no static members', async () => {
    const { ndis, pool } = await direct();
    const { mdls, nbl, nb } = threeMdls(ndis, pool);
    for (const object of [nbl, nb, mdls[0]!]) {
      const Class = (object as object).constructor as unknown as Record<string, unknown>;
      expect(Object.getOwnPropertyNames(Class).sort(), Class['name'] as string).toEqual(['length', 'name', 'prototype']);
    }
  });

  it('an MDL kept after its memory was freed and given out again yields no view of the new owner\'s bytes', async () => {
    const { rt, ndis } = await direct();
    const memory = ndis['NdisAllocateMemoryWithTagPriority'](null, 64, 0, 16) as Uint8Array;
    const mdl = ndis['NdisAllocateMdl'](null, memory, 64) as MDL;
    ndis['NdisFreeMemory'](memory, 64, 0);
    expect(() => ndis['MmGetSystemAddressForMdlSafe'](mdl, 16)).toThrow(/describes memory that was freed/);
    const someoneElses = rt.pool.allocate(500, 60); // the same slot, now another owner's frame
    expect(rt.pool.bufferAddress(someoneElses)).toBe(rt.pool.mdlField(mdl.index, MDL_ADDRESS));
    expect(() => ndis['MmGetSystemAddressForMdlSafe'](mdl, 16)).toThrow(/freed and has been allocated again/);
  });

  it('a send over an MDL freed before it is SharedMemoryCorrupted, and nothing of it reaches the wire', async () => {
    const { rt, driver, exports } = await twoNics(protocol(`
function sendComplete(_nbl: any) {}
export function sendFreed() {
  const b = bindings[0]!;
  const pool = NdisAllocateNetBufferListPool(b.handle, ${POOL_PARAMETERS});
  const memory = NdisAllocateMemoryWithTagPriority(b.handle, 60, 0, NormalPoolPriority)!;
  const mdl = NdisAllocateMdl(b.handle, memory, 60)!;
  const nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdl, 0, 60)!;
  NdisFreeMdl(mdl);
  nbl.SourceHandle = b.handle;
  NdisSendNetBufferLists(b.handle, nbl, 0, 0);
}`));
    inDriver(rt, driver, () => exports['sendFreed']!());
    expect(rt.verifier.findings.map((f) => [f.rule, f.message])).toEqual([['SharedMemoryCorrupted', expect.stringMatching(/NdisSendNetBufferLists: MDL \d+ was freed/)]]);
    expect(rt.frames).toEqual([]);
  });

  it('a context view reaches nothing past its NBL, and a context offset rewritten in memory is refused', async () => {
    const { rt, ndis, pool } = await direct();
    const nbl = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 16, 0, null, 0, 60) as NET_BUFFER_LIST;
    const next = ndis['NdisAllocateNetBufferAndNetBufferList'](pool, 0, 0, null, 0, 60) as NET_BUFFER_LIST;
    const before = rt.pool.bytes.slice(rt.pool.nblAddress(next.index), rt.pool.nblAddress(next.index) + 160);
    const context = ndis['NET_BUFFER_LIST_CONTEXT_DATA_START'](nbl) as Uint8Array;
    expect(context.length).toBe(16);
    context[16] = 1; // past its end: a typed array ignores it
    context.set([1, 2, 3], 13 as number); // would run past: throws, writes nothing
    expect(context.subarray(-1000).length).toBe(16); // subarray is relative to the view
    expect(() => context.buffer).toThrow(/does not give out its buffer/);
    expect(Array.from(rt.pool.bytes.slice(rt.pool.nblAddress(next.index), rt.pool.nblAddress(next.index) + 160))).toEqual(Array.from(before));
    rt.pool.setNblField(nbl.index, NBL_CONTEXT_OFFSET, 4096);
    expect(() => ndis['NET_BUFFER_LIST_CONTEXT_DATA_START'](nbl)).toThrow(/context offset 4096 was rewritten/);
  });
});

describe('an ndisprot-style send: the driver\'s buffer in an MDL, sent through the stack', () => {
  const sender = protocol(`
export const freed: string[] = [];
const pools: any[] = [];
/** The frame in memory NDIS allocated, wrapped in MDLs (one, or a header and a payload), sent, freed on completion. */
export function sendFrame(toMac: string, split: boolean) {
  const b = bindings[0]!;
  if (pools.length === 0) pools.push(NdisAllocateNetBufferListPool(b.handle, ${POOL_PARAMETERS}));
  const memory = NdisAllocateMemoryWithTagPriority(b.handle, 60, 0x4f49754e, NormalPoolPriority)!;
  memory.set(toMac.split(":").map((h) => parseInt(h, 16)), 0);
  memory.set([2, 0, 0, 0, 0, 1, 0x88, 0xb5], 6);
  for (let i = 14; i < 60; i++) memory[i] = i;
  const first = NdisAllocateMdl(b.handle, memory, split ? 14 : 60)!;
  if (split) first.Next = NdisAllocateMdl(b.handle, memory.subarray(14), 46);
  const nbl = NdisAllocateNetBufferAndNetBufferList(pools[0], 0, 0, first, 0, 60)!;
  (nbl as any).ProtocolReserved[0] = split ? 2 : 1;
  pending.set(nbl, { memory, first });
  nbl.SourceHandle = b.handle;
  NdisSendNetBufferLists(b.handle, nbl, 0, 0);
}
const pending = new Map<any, { memory: Uint8Array; first: any }>();
function sendComplete(nbl: any) {
  const { memory, first } = pending.get(nbl)!;
  pending.delete(nbl);
  freed.push("status " + nbl.Status + " mdls " + nbl.ProtocolReserved[0]);
  NdisFreeNetBufferList(nbl);
  for (let m = first; m; ) { const next = m.Next; NdisFreeMdl(m); m = next; }
  NdisFreeMemory(memory, 60, 0);
}
export function shutdown() { NdisFreeNetBufferListPool(pools[0]); }
`);

  it('sends frames over one MDL and over two (the NIC gathers them): they are on the wire and arrive whole, and everything comes back', async () => {
    const { rt, driver, exports } = await twoNics(sender);
    const free = rt.pool.available;
    const mdls = rt.pool.mdlsAvailable;
    const to = rt.machine.nic(1).permanentAddress;
    inDriver(rt, driver, () => exports['sendFrame']!(to, false));
    inDriver(rt, driver, () => exports['sendFrame']!(to, true));
    inDriver(rt, driver, () => exports['shutdown']!());
    expect(rules(rt)).toEqual([]);
    const mac = to.split(':').map((h) => parseInt(h, 16));
    const frame = [...mac, 2, 0, 0, 0, 0, 1, 0x88, 0xb5, ...range(14, 60)];
    const onWire = rt.frames.filter((f) => f.nic === 0 && f.direction === 'tx').map((f) => Array.from(f.bytes.subarray(0, 60)));
    expect(onWire).toEqual([frame, frame]);
    expect((exports as unknown as { received: number[][] }).received).toEqual([frame, frame]);
    expect((exports as unknown as { freed: string[] }).freed).toEqual(['status 0 mdls 1', 'status 0 mdls 2']);
    expect([rt.pool.available, rt.pool.mdlsAvailable]).toEqual([free, mdls]);
  });

  it('runs the same in a driver\'s own worker thread: MDLs and memory views cross to NDIS and back', async () => {
    const rt = await NdisRuntime.create({ nics: 2, seed: 7, rxRingEntries: 32, txRingEntries: 32, host: 'worker', decisions: OPENS_AND_CLOSES_AT_ONCE });
    try {
      rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
      const driver = await rt.loadDriver(sender, 'mdl.ts');
      rt.startStack();
      rt.run();
      const exports = driver.exports as Record<string, (...args: unknown[]) => unknown>;
      const to = rt.machine.nic(1).permanentAddress;
      inDriver(rt, driver, () => exports['sendFrame']!(to, true));
      expect(rules(rt)).toEqual([]);
      const onWire = rt.frames.filter((f) => f.nic === 0 && f.direction === 'tx').map((f) => f.bytes.length);
      expect(onWire).toEqual([64]);
    } finally {
      await rt.close();
    }
  });
});

/**
 * A filter that wraps every frame sent down in an outer Ethernet header (the inner one's addresses,
 * EtherType 0x88b6) with NdisRetreatNetBufferDataStart: the NET_BUFFER's own buffer has no room
 * before the frame, so NDIS adds an MDL and the miniport gathers the two. It takes the header off
 * again on completion, strips it from frames received (NdisAdvanceNetBufferDataStart) before it
 * indicates them, and puts it back before it returns them. Per-packet state: its NBL context.
 */
const wrappingFilter = `
import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisRetreatNetBufferDataStart, NdisAdvanceNetBufferDataStart,
  NdisGetDataBuffer, NdisAllocateNetBufferListContext, NdisFreeNetBufferListContext, NET_BUFFER_LIST_CONTEXT_DATA_START,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NDIS_RECEIVE_FLAGS_RESOURCES,
} from "ndis";
interface Module { handle: any; }
export const tagsSeen: number[] = [];
export function DriverEntry(): number {
  return NdisFRegisterFilterDriver(null, null, {
    Header: { Type: 0x8b, Revision: 1, Size: 200 }, // NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, revision 1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1
    MajorNdisVersion: 6, MinorNdisVersion: 0,
    FriendlyName: "tagger",
    AttachHandler(handle: any) { const m: Module = { handle }; NdisFSetAttributes(handle, m, { Header: { Type: 0x8d, Revision: 1, Size: 8 }, Flags: 0 }); return NDIS_STATUS_SUCCESS; },
    DetachHandler() {},
    RestartHandler() { return NDIS_STATUS_SUCCESS; },
    PauseHandler() { return NDIS_STATUS_SUCCESS; },
    SendNetBufferListsHandler(m: Module, nbls: any, port: number, flags: number) {
      for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const nb = NET_BUFFER_LIST_FIRST_NB(nbl)!;
        if (NdisAllocateNetBufferListContext(nbl, 8, 0, 0) !== NDIS_STATUS_SUCCESS) throw new Error("no context");
        NET_BUFFER_LIST_CONTEXT_DATA_START(nbl)[0] = 0x5a; // this layer's mark, checked on completion
        if (NdisRetreatNetBufferDataStart(nb, 14, 0, null) !== NDIS_STATUS_SUCCESS) throw new Error("no room for the header");
        const both = NdisGetDataBuffer(nb, 28, new Uint8Array(28), 1, 0)!; // spans the two MDLs: a copy
        const outer = NdisGetDataBuffer(nb, 14, null, 1, 0)!; // in the new MDL: a view
        outer.set(both.subarray(14, 26));
        outer[12] = 0x88; outer[13] = 0xb6;
      }
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);
    },
    SendNetBufferListsCompleteHandler(m: Module, nbls: any, flags: number) {
      for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        NdisAdvanceNetBufferDataStart(NET_BUFFER_LIST_FIRST_NB(nbl)!, 14, true, null);
        if (NET_BUFFER_LIST_CONTEXT_DATA_START(nbl)[0] !== 0x5a) throw new Error("my context was not mine");
        NdisFreeNetBufferListContext(nbl, 8);
      }
      NdisFSendNetBufferListsComplete(m.handle, nbls, flags);
    },
    ReceiveNetBufferListsHandler(m: Module, nbls: any, port: number, n: number, flags: number) {
      for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const nb = NET_BUFFER_LIST_FIRST_NB(nbl)!;
        tagsSeen.push(NdisGetDataBuffer(nb, 14, null, 1, 0)![13]!);
        NdisAdvanceNetBufferDataStart(nb, 14, false, null);
      }
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);
      if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) putBack(nbls);
    },
    ReturnNetBufferListsHandler(m: Module, nbls: any, flags: number) {
      putBack(nbls);
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
function putBack(nbls: any) {
  for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) NdisRetreatNetBufferDataStart(NET_BUFFER_LIST_FIRST_NB(nbl)!, 14, 0, null);
}
`;

describe('a filter that adds a header with NdisRetreatNetBufferDataStart', () => {
  it('the outer header goes out on the wire in front of each frame (two MDLs gathered), comes off on receive, and every NBL, MDL and buffer comes back', async () => {
    const { rt, driver, echo } = await echoOverTwoNics(echoProtocol(), 3, 64, [wrappingFilter]);
    const free = rt.pool.available;
    const mdls = rt.pool.mdlsAvailable;
    send(rt, driver, echo as EchoModule, 12);
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(echo.bindings[1]!.received).toEqual(range(0, 12));
    const sent = rt.frames.filter((f) => f.nic === 0 && f.direction === 'tx');
    expect(sent).toHaveLength(12);
    const to = rt.machine.nic(1).permanentAddress.split(':').map((h) => parseInt(h, 16));
    for (const [i, frame] of sent.entries()) {
      const header = [...to, 2, 0, 0, 0, 0, 1];
      expect(Array.from(frame.bytes.subarray(0, 32)), `frame ${i}`).toEqual([...header, 0x88, 0xb6, ...header, 0x88, 0xb5, i, 0, 0, 0]);
    }
    const filter = rt.drivers.find((d) => d.name !== driver.name)!.exports as unknown as { tagsSeen: number[] };
    expect(filter.tagsSeen).toEqual(Array(12).fill(0xb6));
    expect([rt.pool.available, rt.pool.mdlsAvailable]).toEqual([free, mdls]);
  });

  it('a receive returned with an MDL of its own still in front of the data does not spoil the frames the miniport receives next', async () => {
    // Retreat then advance without FreeMdl: the data is right, but NDIS's MDL stays in the chain.
    const sloppy = countingFilter({
      prelude: 'import { NdisRetreatNetBufferDataStart, NdisAdvanceNetBufferDataStart, NET_BUFFER_LIST_FIRST_NB as FIRST_NB } from "ndis";',
      receive: `for (let x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) { NdisRetreatNetBufferDataStart(FIRST_NB(x)!, 8, 0, null); NdisAdvanceNetBufferDataStart(FIRST_NB(x)!, 8, false, null); }
      m.received += n;
      if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) m.inFlight += n;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`,
    });
    const { rt, driver, echo } = await echoOverTwoNics(echoProtocol(), 1, 16, [sloppy]);
    for (let round = 0; round < 4; round++) {
      send(rt, driver, echo as EchoModule, 10);
      rt.run();
    }
    expect(rules(rt)).toEqual([]);
    expect(echo.bindings[1]!.received).toEqual(Array.from({ length: 4 }, () => range(0, 10)).flat());
  });
});
