// Two datapath details NDIS documents (issue 18): the packet filter and the multicast list are per
// binding (NDIS gives the miniport the OR of the bindings' filters and the union of their lists,
// again when one closes, and indicates a frame only to the bindings whose own filter and list take
// it; "OID_GEN_CURRENT_PACKET_FILTER", "OID_802_3_MULTICAST_LIST"), and sends loop back as
// "NdisSendNetBufferLists" and "NdisFSendNetBufferLists" (NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK) and
// "Looping Back NDIS Packets" say, a filter module's own sends too. Two protocols, alpha and beta,
// are bound to both NICs of a cabled pair.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { OPEN_PARAMETERS, WAIT_FOR_OPEN, CLOSE_IN_UNBIND, OPEN_CLOSE_COMPLETE_HANDLERS, countingFilter, type CountingModule } from './test-drivers.ts';
import {
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_PROMISCUOUS, NDIS_PACKET_TYPE_ALL_LOCAL, NDIS_PACKET_TYPE_NO_LOCAL,
  NDIS_PACKET_TYPE_MULTICAST, NDIS_PACKET_TYPE_ALL_MULTICAST,
  NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1, NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER,
  NdisRequestQueryStatistics,
} from './constants.ts';
import { NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_SUCCESS, NDIS_STATUS_MULTICAST_FULL, NDIS_STATUS_INVALID_LENGTH, statusName } from './status.ts';
import type { TraceEvent } from '../trace/trace.ts';
import { objectHeader } from './structures.ts';
import { RCTL_EN, RCTL_BAM, RCTL_UPE } from '../../wasm/e1000/registers.ts';

/** A protocol that binds to every adapter with DIRECTED | BROADCAST, records what it receives, and sends with the flags a test gives. */
function recordingProtocol(name: string): string {
  return `
import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisOidRequest, NdisSendNetBufferLists, NdisReturnNetBufferLists,
  NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NetEventRestart, NetEventPause, NdisRequestSetInformation, NdisRequestQueryInformation,
  OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST, NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_BROADCAST, NDIS_RECEIVE_FLAGS_RESOURCES, KeGetCurrentIrql,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
  NdisInitializeEvent, NdisSetEvent, NdisWaitEvent, NdisCompleteUnbindAdapterEx,
} from "ndis";

interface Received { seq: number; nblFlags: number; flags: number; irql: number; fromMe: boolean }
interface Binding { handle: any; adapter: string; pool: any; running: boolean; received: Received[]; completed: number; oidStatus: number[]; opened: any; openStatus: number; unbinding: any }
export const bindings: Binding[] = [];
let protocolHandle: any = null;

const header = () => ({ Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 });
function at(adapter: string): Binding { return bindings.find((b) => b.adapter.endsWith(adapter))!; }

/** Sets the binding's packet filter; the status it returned (PENDING: OidRequestCompleteHandler records the final one). */
export function setFilter(adapter: string, filter: number): number {
  const b = at(adapter);
  const buffer = new Uint8Array(4);
  new DataView(buffer.buffer).setUint32(0, filter, true);
  const status = NdisOidRequest(b.handle, { Header: header(), RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer } } });
  if (status !== NDIS_STATUS_PENDING) b.oidStatus.push(status);
  return status;
}

/** Sets the binding's multicast list (one address). */
export function setMulticast(adapter: string, mac: string): number {
  return setMulticastList(adapter, [mac]);
}

/** Sets the binding's multicast list; the status it returned (PENDING: OidRequestCompleteHandler records the final one). */
export function setMulticastList(adapter: string, macs: string[], bytes?: Uint8Array): number {
  const b = at(adapter);
  const buffer = bytes ?? Uint8Array.from(macs.flatMap((mac) => mac.split(":").map((h) => parseInt(h, 16))));
  const status = NdisOidRequest(b.handle, { Header: header(), RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_802_3_MULTICAST_LIST, InformationBuffer: buffer } } });
  if (status !== NDIS_STATUS_PENDING) b.oidStatus.push(status);
  return status;
}

/** Queries the multicast list (NdisRequestQueryInformation, or \`requestType\`) into \`room\` bytes: [status, addresses, BytesWritten, BytesNeeded]. */
export function queryMulticast(adapter: string, room: number, requestType: number = NdisRequestQueryInformation): unknown[] {
  const b = at(adapter);
  const buffer = new Uint8Array(room);
  const request = { Header: header(), RequestType: requestType, DATA: { QUERY_INFORMATION: { Oid: OID_802_3_MULTICAST_LIST, InformationBuffer: buffer, BytesWritten: 0, BytesNeeded: 0 } } };
  const status = NdisOidRequest(b.handle, request);
  const written = request.DATA.QUERY_INFORMATION.BytesWritten;
  const macs: string[] = [];
  for (let i = 0; i + 6 <= written; i += 6) macs.push(Array.from(buffer.subarray(i, i + 6), (x) => x.toString(16).padStart(2, "0")).join(":"));
  return [status, macs, written, request.DATA.QUERY_INFORMATION.BytesNeeded];
}

/** Queries the binding's packet filter: [status, value, BytesWritten]. */
export function queryFilter(adapter: string): number[] {
  const b = at(adapter);
  const buffer = new Uint8Array(4);
  const request = { Header: header(), RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer, BytesWritten: 0 } } };
  const status = NdisOidRequest(b.handle, request);
  return [status, new DataView(buffer.buffer).getUint32(0, true), request.DATA.QUERY_INFORMATION.BytesWritten];
}

/** Sends \`count\` numbered frames to \`toMac\` from the binding to \`adapter\`, with \`sendFlags\`. */
export function sendFrames(adapter: string, toMac: string, count: number, sendFlags: number): void {
  const b = at(adapter);
  let head: any = null;
  let tail: any = null;
  for (let i = 0; i < count; i++) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, 60);
    const data: Uint8Array = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    data.set(toMac.split(":").map((h) => parseInt(h, 16)), 0);
    data.set([2, 0, 0, 0, 0, 0x${name === 'alpha' ? 'a1' : 'b2'}], 6);
    data[12] = 0x88; data[13] = 0xb5;
    data[14] = i;
    nbl.SourceHandle = b.handle;
    if (tail) tail.Next = nbl; else head = nbl;
    tail = nbl;
  }
  NdisSendNetBufferLists(b.handle, head, 0, sendFlags);
}

export function DriverEntry(): number {
  const r = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: "${name}",
    BindAdapterHandlerEx(_ctx: unknown, bindContext: unknown, params: { AdapterName: string }) {
      const b: Binding = { handle: null, adapter: params.AdapterName, pool: null, running: false, received: [], completed: 0, oidStatus: [], opened: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, unbinding: null };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      ${WAIT_FOR_OPEN}
      if (status !== NDIS_STATUS_SUCCESS) return status;
      b.handle = open.NdisBindingHandle;
      b.pool = NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });
      bindings.push(b);
      setFilter(params.AdapterName, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
      return NDIS_STATUS_SUCCESS;
    },
    UnbindAdapterHandlerEx(unbindContext: unknown, b: Binding) {
      ${CLOSE_IN_UNBIND}
    },
    ${OPEN_CLOSE_COMPLETE_HANDLERS}
    OidRequestCompleteHandler(b: Binding, _request: unknown, status: number) { b.oidStatus.push(status); },
    NetPnPEventHandler(b: Binding, event: { NetPnPEvent: { NetEvent: number } }) {
      if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;
      if (event.NetPnPEvent.NetEvent === NetEventPause) b.running = false;
      return NDIS_STATUS_SUCCESS;
    },
    SendNetBufferListsCompleteHandler(b: Binding, nbls: any, _flags: number) {
      for (let nbl = nbls; nbl; ) { const next = NET_BUFFER_LIST_NEXT_NBL(nbl); NdisFreeNetBufferList(nbl); b.completed++; nbl = next; }
    },
    ReceiveNetBufferListsHandler(b: Binding, nbls: any, _port: number, _count: number, flags: number) {
      for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const data: Uint8Array = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
        b.received.push({ seq: data[14]!, nblFlags: nbl.NblFlags, flags, irql: KeGetCurrentIrql(), fromMe: nbl.SourceHandle === b.handle });
      }
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle, nbls, 0);
    },
  });
  protocolHandle = r.NdisProtocolHandle;
  return r.Status;
}
`;
}

interface Received { seq: number; nblFlags: number; flags: number; irql: number; fromMe: boolean }
interface Recording {
  bindings: { adapter: string; received: Received[]; completed: number; oidStatus: number[] }[];
  setFilter(adapter: string, filter: number): number;
  queryFilter(adapter: string): number[];
  setMulticast(adapter: string, mac: string): number;
  setMulticastList(adapter: string, macs: string[], bytes?: Uint8Array): number;
  queryMulticast(adapter: string, room: number, requestType?: number): [number, string[], number, number];
  sendFrames(adapter: string, toMac: string, count: number, sendFlags: number): void;
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const DIRECTED_BROADCAST = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;

async function twoProtocols(seed = 1, filters: string[] = []) {
  const rt = await NdisRuntime.create({ nics: 2, seed, rxRingEntries: 64, txRingEntries: 64, pendingLimitNs: 10_000_000n });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const filterDrivers = [];
  for (const [i, f] of filters.entries()) filterDrivers.push(await rt.loadDriver(f, `filter${i}.ts`));
  const alphaDriver = await rt.loadDriver(recordingProtocol('alpha'), 'alpha.ts');
  const betaDriver = await rt.loadDriver(recordingProtocol('beta'), 'beta.ts');
  rt.startStack();
  rt.run();
  const alpha = alphaDriver.exports as unknown as Recording;
  const beta = betaDriver.exports as unknown as Recording;
  /** Runs `body` in the driver's context, as an application's request would, and the runtime until idle. */
  const as = <T>(driver: typeof alphaDriver, body: () => T): T => {
    let result: T | undefined;
    rt.post('application', () => rt.invoke(driver, 'application', undefined, false, () => { result = body(); }));
    rt.run();
    return result as T;
  };
  const at = (p: Recording, adapter: string) => p.bindings.find((b) => b.adapter.endsWith(adapter))!;
  return { rt, alpha, beta, alphaDriver, betaDriver, filterDrivers, as, at, mac: (i: number) => rt.machine.nic(i).permanentAddress };
}

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

describe('the packet filter is per binding (OID_GEN_CURRENT_PACKET_FILTER)', () => {
  it('two protocols on one adapter: one sets 0 and gets nothing, the other (DIRECTED | BROADCAST) still receives; the miniport has the OR', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at, mac } = await twoProtocols();
    expect(rt.bindings.filter((b) => b.state === 'Running')).toHaveLength(4);
    as(alphaDriver, () => alpha.setFilter('nic1', 0));
    expect(at(alpha, 'nic1').oidStatus.at(-1)).toBe(0);
    expect(rt.adapters[1]!.packetFilter).toBe(DIRECTED_BROADCAST);
    const rctl = rt.machine.nic(1).peek('RCTL');
    expect(rctl & RCTL_EN).toBe(RCTL_EN);
    expect(rctl & RCTL_BAM).toBe(RCTL_BAM);
    as(alphaDriver, () => { alpha.sendFrames('nic0', mac(1), 4, 0); alpha.sendFrames('nic0', BROADCAST, 2, 0); });
    expect(rules(rt)).toEqual([]);
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(at(alpha, 'nic1').received).toEqual([]);
    // A query is NDIS's: each binding gets its own filter, not the adapter's.
    expect(as(alphaDriver, () => alpha.queryFilter('nic1'))).toEqual([0, 0, 4]);
    expect(as(betaDriver, () => beta.queryFilter('nic1'))).toEqual([0, DIRECTED_BROADCAST, 4]);
  });

  it('both bindings at 0 turn the receiver off; a binding that has not set a filter receives nothing', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at, mac } = await twoProtocols();
    as(alphaDriver, () => alpha.setFilter('nic1', 0));
    as(betaDriver, () => beta.setFilter('nic1', 0));
    expect(rt.adapters[1]!.packetFilter).toBe(0);
    expect(rt.machine.nic(1).peek('RCTL') & RCTL_EN).toBe(0);
    as(alphaDriver, () => alpha.sendFrames('nic0', mac(1), 3, 0));
    expect(at(alpha, 'nic1').received).toEqual([]);
    expect(at(beta, 'nic1').received).toEqual([]);
    expect(rules(rt)).toEqual([]);
  });

  it('one binding promiscuous: the miniport goes promiscuous, and only that binding gets frames to other addresses', async () => {
    const { rt, alpha, beta, alphaDriver, as, at } = await twoProtocols();
    as(alphaDriver, () => alpha.setFilter('nic1', NDIS_PACKET_TYPE_PROMISCUOUS));
    expect(rt.adapters[1]!.packetFilter).toBe(NDIS_PACKET_TYPE_PROMISCUOUS | DIRECTED_BROADCAST);
    expect(rt.machine.nic(1).peek('RCTL') & RCTL_UPE).toBe(RCTL_UPE);
    as(alphaDriver, () => alpha.sendFrames('nic0', '02:00:00:00:00:99', 3, 0));
    expect(at(alpha, 'nic1').received.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(at(beta, 'nic1').received).toEqual([]);
    // Back to DIRECTED: the miniport leaves promiscuous mode (nobody asks for it any more).
    as(alphaDriver, () => alpha.setFilter('nic1', NDIS_PACKET_TYPE_DIRECTED));
    expect(rt.adapters[1]!.packetFilter).toBe(DIRECTED_BROADCAST);
    expect(rt.machine.nic(1).peek('RCTL') & RCTL_UPE).toBe(0);
    expect(rules(rt)).toEqual([]);
  });

  it('multicast: only the binding with MULTICAST gets the frames to a group in the list; ALL_MULTICAST gets every group', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at } = await twoProtocols();
    as(betaDriver, () => { beta.setFilter('nic1', DIRECTED_BROADCAST | NDIS_PACKET_TYPE_MULTICAST); beta.setMulticast('nic1', '01:00:5e:00:00:01'); });
    as(alphaDriver, () => { alpha.sendFrames('nic0', '01:00:5e:00:00:01', 2, 0); alpha.sendFrames('nic0', '01:00:5e:00:00:02', 1, 0); });
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 1]);
    expect(at(alpha, 'nic1').received).toEqual([]);
    as(alphaDriver, () => alpha.setFilter('nic1', NDIS_PACKET_TYPE_ALL_MULTICAST));
    as(alphaDriver, () => { alpha.sendFrames('nic0', '01:00:5e:00:00:01', 1, 0); alpha.sendFrames('nic0', '01:00:5e:00:00:02', 1, 0); });
    expect(at(alpha, 'nic1').received.map((r) => r.seq)).toEqual([0, 0]);
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 1, 0]);
    expect(rules(rt)).toEqual([]);
  });

  it('ALL_LOCAL and NO_LOCAL are NDIS\'s: the miniport is not given them', async () => {
    const { rt, alpha, alphaDriver, as } = await twoProtocols();
    as(alphaDriver, () => alpha.setFilter('nic1', NDIS_PACKET_TYPE_ALL_LOCAL | NDIS_PACKET_TYPE_NO_LOCAL | NDIS_PACKET_TYPE_DIRECTED));
    expect(rt.adapters[1]!.packetFilter).toBe(DIRECTED_BROADCAST);
    expect(as(alphaDriver, () => alpha.queryFilter('nic1'))[1]).toBe(NDIS_PACKET_TYPE_ALL_LOCAL | NDIS_PACKET_TYPE_NO_LOCAL | NDIS_PACKET_TYPE_DIRECTED);
  });

  it('a buffer shorter than a ULONG: BUFFER_TOO_SHORT, BytesNeeded 4, and nothing changes', async () => {
    const { rt, alpha, alphaDriver, as } = await twoProtocols();
    const short = { Header: objectHeader(NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1), RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: new Uint8Array(2), BytesNeeded: 0 } } };
    const binding = rt.bindings.find((b) => b.protocol === alphaDriver && b.adapter === rt.adapters[1])!;
    const status = as(alphaDriver, () => rt.oids.oidFromProtocol(alphaDriver, binding.handle, short));
    expect(status).toBe(NDIS_STATUS_BUFFER_TOO_SHORT);
    expect(short.DATA.SET_INFORMATION.BytesNeeded).toBe(4);
    expect(as(alphaDriver, () => alpha.queryFilter('nic1'))[1]).toBe(DIRECTED_BROADCAST);
  });

  it('holds under every seed (the miniport completes the set at once or later)', async () => {
    for (const seed of [2, 3, 4, 5]) {
      const { rt, alpha, beta, alphaDriver, as, at, mac } = await twoProtocols(seed);
      as(alphaDriver, () => alpha.setFilter('nic1', 0));
      as(alphaDriver, () => alpha.sendFrames('nic0', mac(1), 2, 0));
      expect(at(beta, 'nic1').received.map((r) => r.seq), `seed ${seed}`).toEqual([0, 1]);
      expect(at(alpha, 'nic1').received, `seed ${seed}`).toEqual([]);
      expect(rules(rt), `seed ${seed}`).toEqual([]);
    }
  });
});

describe('loopback (NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK, NDIS_PACKET_TYPE_ALL_LOCAL)', () => {
  it('with the flag, the frames the sender\'s filter accepts come back to it, marked, at DISPATCH_LEVEL, and still go on the wire', async () => {
    const { rt, alpha, beta, alphaDriver, as, at, mac } = await twoProtocols();
    const free = rt.pool.available;
    as(alphaDriver, () => alpha.sendFrames('nic0', BROADCAST, 3, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(rules(rt)).toEqual([]);
    const back = at(alpha, 'nic0').received;
    expect(back.map((r) => r.seq)).toEqual([0, 1, 2]);
    for (const r of back) {
      expect(r.nblFlags & NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET).toBe(NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
      expect(r.flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL).toBe(NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
      expect(r.irql).toBe(2);
      expect(r.fromMe).toBe(true); // SourceHandle is the sender's binding handle
    }
    // On the wire all the same: both bindings on nic1 get the broadcasts, not marked as loopback.
    expect(at(alpha, 'nic1').received.map((r) => [r.seq, r.nblFlags])).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(rt.machine.nic(0).statistics().GPTC).toBe(3);
    expect(at(alpha, 'nic0').completed).toBe(3);
    // The flag does not loop back to the other bindings: beta's filter (DIRECTED | BROADCAST) takes no local sends.
    expect(at(beta, 'nic0').received).toEqual([]);
    // NDIS's copies were returned and freed.
    expect(rt.pool.available).toBe(free);
    void mac;
  });

  it('without the flag nothing comes back to the sender', async () => {
    const { rt, alpha, beta, alphaDriver, as, at, mac } = await twoProtocols();
    as(alphaDriver, () => { alpha.sendFrames('nic0', BROADCAST, 2, 0); alpha.sendFrames('nic0', mac(0), 2, 0); });
    expect(at(alpha, 'nic0').received).toEqual([]);
    expect(at(beta, 'nic0').received).toEqual([]);
    expect(at(alpha, 'nic0').completed).toBe(4);
    expect(rules(rt)).toEqual([]);
  });

  it('with the flag, only what matches the sender\'s receive criteria comes back: to its own address yes, to another station no', async () => {
    const { rt, alpha, alphaDriver, as, at, mac } = await twoProtocols();
    as(alphaDriver, () => { alpha.sendFrames('nic0', mac(1), 2, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK); alpha.sendFrames('nic0', mac(0), 3, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK); });
    expect(at(alpha, 'nic0').received.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(at(alpha, 'nic1').received.map((r) => r.seq)).toEqual([0, 1]); // the two to nic1 arrived there
    // With a filter of 0 the sender takes nothing, flag or not.
    as(alphaDriver, () => alpha.setFilter('nic0', 0));
    as(alphaDriver, () => alpha.sendFrames('nic0', BROADCAST, 2, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(at(alpha, 'nic0').received).toHaveLength(3);
    expect(rules(rt)).toEqual([]);
  });

  it('another binding with ALL_LOCAL, or PROMISCUOUS without NO_LOCAL, gets the sends of the others on its adapter', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at } = await twoProtocols();
    const free = rt.pool.available;
    as(betaDriver, () => beta.setFilter('nic0', NDIS_PACKET_TYPE_ALL_LOCAL | DIRECTED_BROADCAST));
    as(alphaDriver, () => alpha.sendFrames('nic0', '02:00:00:00:00:99', 2, 0));
    expect(at(beta, 'nic0').received.map((r) => [r.seq, r.nblFlags, r.fromMe])).toEqual([[0, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, false], [1, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, false]]);
    expect(at(alpha, 'nic0').received).toEqual([]); // the sender's own filter has no ALL_LOCAL, and no flag
    // Its own sends do not come back to it for ALL_LOCAL: that takes for the flag.
    as(betaDriver, () => beta.sendFrames('nic0', '02:00:00:00:00:99', 1, 0));
    expect(at(beta, 'nic0').received).toHaveLength(2);
    as(betaDriver, () => beta.setFilter('nic0', NDIS_PACKET_TYPE_PROMISCUOUS | NDIS_PACKET_TYPE_NO_LOCAL));
    as(alphaDriver, () => alpha.sendFrames('nic0', '02:00:00:00:00:99', 1, 0));
    expect(at(beta, 'nic0').received).toHaveLength(2);
    as(betaDriver, () => beta.setFilter('nic0', NDIS_PACKET_TYPE_PROMISCUOUS));
    as(alphaDriver, () => alpha.sendFrames('nic0', '02:00:00:00:00:99', 1, 0));
    expect(at(beta, 'nic0').received).toHaveLength(3);
    expect(rules(rt)).toEqual([]);
    expect(rt.pool.available).toBe(free);
  });

  it('under a filter module the loopback comes up through it (it sees the flag), the send goes down through it, and every NBL goes home', async () => {
    const { rt, alpha, alphaDriver, filterDrivers, as, at } = await twoProtocols(1, [countingFilter()]);
    const counter = filterDrivers[0]!.exports as unknown as CountingModule;
    const free = rt.pool.available;
    as(alphaDriver, () => alpha.sendFrames('nic0', BROADCAST, 2, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(rules(rt)).toEqual([]);
    expect(at(alpha, 'nic0').received.map((r) => [r.seq, r.nblFlags])).toEqual([[0, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET], [1, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET]]);
    expect(counter.modules[0]!.sent).toBe(2);
    expect(counter.modules[0]!.received).toBe(2); // the loopback, on nic0's stack
    expect(counter.modules.every((m) => m.inFlight === 0)).toBe(true);
    expect(rt.pool.available).toBe(free);
  });
});

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const group = (i: number) => `01:00:5e:00:00:${i.toString(16).padStart(2, '0')}`;
const groups = (from: number, count: number) => Array.from({ length: count }, (_, i) => `01:00:5e:00:01:${(from + i).toString(16).padStart(2, '0')}`);

/** The OID events of the adapter's own (NDIS's requests) from trace event `from` on, without their numbers and times. */
function ndisRequests(rt: NdisRuntime, adapter: string, from: number) {
  return rt.trace.events.slice(from).filter((e) => e.object === `adapter ${adapter}` && (e.kind === 'oid' || e.kind === 'oid-done')).map(({ n: _n, t: _t, ...e }: TraceEvent) => e);
}
const setByNdis = (oid: string, closed: string, bytesRead: number) => [
  { kind: 'oid', object: 'adapter nic1', request: 'set', oid, by: 'NDIS', why: `binding ${closed} closed` },
  { kind: 'oid-done', object: 'adapter nic1', request: 'set', oid, status: statusName(NDIS_STATUS_SUCCESS), bytesRead, bytesNeeded: 0 },
];

describe('a close gives the miniport what the bindings left ask for (OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST)', () => {
  it('the promiscuous binding unbinds: NDIS sets the OR of the others, with a request of its own through the filter modules, and the miniport leaves promiscuous mode', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { rt, alpha, beta, alphaDriver, filterDrivers, as, at, mac } = await twoProtocols(seed, [reference('counting-filter.ts')]);
      const modules = filterDrivers[0]!.exports.modules as { oids: number }[];
      as(alphaDriver, () => alpha.setFilter('nic1', NDIS_PACKET_TYPE_PROMISCUOUS));
      expect(rt.adapters[1]!.packetFilter, `seed ${seed}`).toBe(NDIS_PACKET_TYPE_PROMISCUOUS | DIRECTED_BROADCAST);
      const oidsSeen = modules[1]!.oids;
      const from = rt.trace.length;
      const binding = rt.bindings.find((b) => b.protocol === alphaDriver && b.adapter === rt.adapters[1])!;
      rt.removeBinding(binding);
      rt.run();
      expect(binding.state, `seed ${seed}`).toBe('Unbound');
      expect(ndisRequests(rt, 'nic1', from), `seed ${seed}`).toEqual(setByNdis('0x0001010e', 'alpha/nic1', 4));
      expect(modules[1]!.oids, `seed ${seed}: the filter module saw NDIS's request`).toBe(oidsSeen + 1);
      expect(rt.adapters[1]!.packetFilter, `seed ${seed}`).toBe(DIRECTED_BROADCAST);
      expect(rt.machine.nic(1).peek('RCTL') & RCTL_UPE, `seed ${seed}`).toBe(0);
      // Frames to another station no longer get in; beta's still come.
      const received = rt.machine.nic(1).statistics().GPRC!;
      as(alphaDriver, () => { alpha.sendFrames('nic0', '02:00:00:00:00:99', 2, 0); alpha.sendFrames('nic0', mac(1), 1, 0); });
      expect(rt.machine.nic(1).statistics().GPRC! - received, `seed ${seed}`).toBe(1);
      expect(at(beta, 'nic1').received.map((r) => r.seq), `seed ${seed}`).toEqual([0]);
      expect(rules(rt), `seed ${seed}`).toEqual([]);
    }
  });

  it('a close that takes nothing away sends nothing (the others\' filters and lists cover it)', async () => {
    const { rt, alphaDriver } = await twoProtocols();
    expect(rt.adapters[1]!.packetFilter).toBe(DIRECTED_BROADCAST);
    const from = rt.trace.length;
    rt.removeBinding(rt.bindings.find((b) => b.protocol === alphaDriver && b.adapter === rt.adapters[1])!);
    rt.run();
    expect(ndisRequests(rt, 'nic1', from)).toEqual([]);
    expect(rt.adapters[1]!.packetFilter).toBe(DIRECTED_BROADCAST);
    expect(rules(rt)).toEqual([]);
  });

  it('the multicast list: after a close the miniport has the union of the lists left', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at } = await twoProtocols();
    as(alphaDriver, () => { alpha.setFilter('nic1', DIRECTED_BROADCAST | NDIS_PACKET_TYPE_MULTICAST); alpha.setMulticastList('nic1', [group(1), group(2)]); });
    as(betaDriver, () => { beta.setFilter('nic1', DIRECTED_BROADCAST | NDIS_PACKET_TYPE_MULTICAST); beta.setMulticastList('nic1', [group(2), group(3)]); });
    expect(rt.adapters[1]!.multicastList).toEqual([group(1), group(2), group(3)]);
    const from = rt.trace.length;
    rt.removeBinding(rt.bindings.find((b) => b.protocol === alphaDriver && b.adapter === rt.adapters[1])!);
    rt.run();
    // The filter is the same without alpha (beta's has every bit alpha's had): only the list is set.
    expect(ndisRequests(rt, 'nic1', from)).toEqual(setByNdis('0x01010103', 'alpha/nic1', 12));
    expect(rt.adapters[1]!.multicastList).toEqual([group(2), group(3)]);
    as(alphaDriver, () => { for (const g of [1, 2, 3]) alpha.sendFrames('nic0', group(g), 1, 0); });
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 0]);
    expect(rules(rt)).toEqual([]);
  });

  it('a removal sends nothing: the adapter is torn down (its filter modules detached, MiniportHaltEx)', async () => {
    const { rt, alpha, alphaDriver, as } = await twoProtocols(1, [reference('counting-filter.ts')]);
    as(alphaDriver, () => { alpha.setFilter('nic1', NDIS_PACKET_TYPE_PROMISCUOUS); alpha.setMulticastList('nic1', [group(1)]); });
    const from = rt.trace.length;
    rt.operations.removeDevice(rt.adapters[1]!);
    rt.run();
    expect(rt.bindings.filter((b) => b.adapter === rt.adapters[1]).map((b) => b.state)).toEqual(['Unbound', 'Unbound']);
    expect(ndisRequests(rt, 'nic1', from)).toEqual([]);
    expect(rules(rt)).toEqual([]);
  });
});

describe('the multicast list is per binding (OID_802_3_MULTICAST_LIST)', () => {
  it('each binding is indicated the groups in its own list; the miniport has the union, each address once; a query is NDIS\'s', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at } = await twoProtocols();
    as(alphaDriver, () => { alpha.setFilter('nic1', DIRECTED_BROADCAST | NDIS_PACKET_TYPE_MULTICAST); alpha.setMulticastList('nic1', [group(1), group(2)]); });
    as(betaDriver, () => { beta.setFilter('nic1', DIRECTED_BROADCAST | NDIS_PACKET_TYPE_MULTICAST); beta.setMulticastList('nic1', [group(2), group(3), group(2)]); });
    expect(at(alpha, 'nic1').oidStatus.slice(-1)).toEqual([NDIS_STATUS_SUCCESS]);
    expect(at(beta, 'nic1').oidStatus.slice(-1)).toEqual([NDIS_STATUS_SUCCESS]);
    expect(rt.adapters[1]!.multicastList).toEqual([group(1), group(2), group(3)]);
    const received = rt.machine.nic(1).statistics().MPRC!;
    as(alphaDriver, () => { for (const g of [1, 2, 3, 4]) alpha.sendFrames('nic0', group(g), g, 0); });
    expect(rt.machine.nic(1).statistics().MPRC! - received).toBe(1 + 2 + 3); // not group 4: nobody joined it
    expect(at(alpha, 'nic1').received.map((r) => r.seq)).toEqual([0, 0, 1]);
    expect(at(beta, 'nic1').received.map((r) => r.seq)).toEqual([0, 1, 0, 1, 2]);
    // The queries never reach the miniport, and each binding gets the union, whatever the request
    // type ("For a query request, NDIS returns ... the union of all multicast address lists for all
    // protocol bindings": OID_802_3_MULTICAST_LIST).
    const completions = rt.trace.events.filter((e) => e.kind === 'oid-complete').length;
    expect(as(alphaDriver, () => alpha.queryMulticast('nic1', 64))).toEqual([NDIS_STATUS_SUCCESS, [group(1), group(2), group(3)], 18, 0]);
    expect(as(betaDriver, () => beta.queryMulticast('nic1', 64))).toEqual([NDIS_STATUS_SUCCESS, [group(1), group(2), group(3)], 18, 0]);
    expect(as(betaDriver, () => beta.queryMulticast('nic1', 64, NdisRequestQueryStatistics))).toEqual([NDIS_STATUS_SUCCESS, [group(1), group(2), group(3)], 18, 0]);
    expect(as(alphaDriver, () => alpha.queryMulticast('nic1', 6))).toEqual([NDIS_STATUS_BUFFER_TOO_SHORT, [], 0, 18]);
    expect(as(alphaDriver, () => alpha.queryMulticast('nic0', 6))).toEqual([NDIS_STATUS_SUCCESS, [], 0, 0]);
    expect(rt.trace.events.filter((e) => e.kind === 'oid-complete').length).toBe(completions);
    expect(rules(rt)).toEqual([]);
  });

  it('the union is bounded by the 32 of OID_802_3_MAXIMUM_LIST_SIZE: a list that would overflow it fails with MULTICAST_FULL though it is shorter, and nothing changes', async () => {
    for (const seed of [1, 2, 3]) {
      const { rt, alpha, beta, alphaDriver, betaDriver, as, at } = await twoProtocols(seed);
      as(alphaDriver, () => alpha.setMulticastList('nic1', groups(0, 20)));
      as(betaDriver, () => beta.setMulticastList('nic1', groups(100, 20)));
      expect(at(beta, 'nic1').oidStatus.at(-1), `seed ${seed}`).toBe(NDIS_STATUS_MULTICAST_FULL);
      expect(rt.adapters[1]!.multicastList, `seed ${seed}`).toEqual(groups(0, 20));
      expect(as(betaDriver, () => beta.queryMulticast('nic1', 256))[1], `seed ${seed}`).toEqual(groups(0, 20)); // the union: alpha's only
      // Four of alpha's and twelve new ones: 32 in the union, which fits.
      as(betaDriver, () => beta.setMulticastList('nic1', [...groups(16, 4), ...groups(100, 12)]));
      expect(at(beta, 'nic1').oidStatus.at(-1), `seed ${seed}`).toBe(NDIS_STATUS_SUCCESS);
      expect(rt.adapters[1]!.multicastList, `seed ${seed}`).toEqual([...groups(0, 20), ...groups(100, 12)]);
      // One more would be 33.
      as(betaDriver, () => beta.setMulticastList('nic1', [...groups(16, 4), ...groups(100, 13)]));
      expect(at(beta, 'nic1').oidStatus.at(-1), `seed ${seed}`).toBe(NDIS_STATUS_MULTICAST_FULL);
      expect(as(betaDriver, () => beta.queryMulticast('nic1', 256))[1], `seed ${seed}`).toEqual([...groups(0, 20), ...groups(100, 12)]);
      expect(rt.adapters[1]!.multicastList, `seed ${seed}`).toHaveLength(32);
      expect(rules(rt), `seed ${seed}`).toEqual([]);
    }
  });

  it('NDIS refuses at once an address that is not a multicast one (MULTICAST_FULL) and a length that is not whole addresses (INVALID_LENGTH); an empty list clears the binding\'s', async () => {
    const { rt, alpha, beta, alphaDriver, betaDriver, as, at, mac } = await twoProtocols();
    as(alphaDriver, () => alpha.setMulticastList('nic1', [group(1)]));
    as(betaDriver, () => beta.setMulticastList('nic1', [group(2)]));
    const completions = rt.trace.events.filter((e) => e.kind === 'oid-complete').length;
    expect(as(alphaDriver, () => alpha.setMulticastList('nic1', [group(3), mac(1)]))).toBe(NDIS_STATUS_MULTICAST_FULL);
    expect(as(alphaDriver, () => alpha.setMulticastList('nic1', [], new Uint8Array(7).fill(1)))).toBe(NDIS_STATUS_INVALID_LENGTH);
    expect(rt.trace.events.filter((e) => e.kind === 'oid-complete').length).toBe(completions); // nothing went down
    expect(as(alphaDriver, () => alpha.queryMulticast('nic1', 64))[1]).toEqual([group(1), group(2)]);
    as(alphaDriver, () => alpha.setMulticastList('nic1', []));
    expect(at(alpha, 'nic1').oidStatus.at(-1)).toBe(NDIS_STATUS_SUCCESS);
    expect(as(alphaDriver, () => alpha.queryMulticast('nic1', 64))).toEqual([NDIS_STATUS_SUCCESS, [group(2)], 6, 0]);
    expect(rt.adapters[1]!.multicastList).toEqual([group(2)]);
    expect(rules(rt)).toEqual([]);
  });
});

/**
 * The counting filter of test-drivers.ts, recording each NBL its FilterReceiveNetBufferLists gets
 * (seq, NblFlags, whether SourceHandle is its own handle), and able to send frames of its own
 * (SourceHandle set to its handle, as NdisFSendNetBufferLists asks) with the SendFlags a test gives.
 */
const recordingFilter = () => countingFilter({
  prelude: `
export const seen: { module: number; seq: number; nblFlags: number; mine: boolean }[] = [];
export function sendOwnFrames(index: number, toMac: string, count: number, sendFlags: number) {
  const m = modules[index]!;
  let head: any = null;
  let tail: any = null;
  for (let i = 0; i < count; i++) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
    const data: Uint8Array = nbl.FirstNetBuffer.Data;
    data.set(toMac.split(":").map((h) => parseInt(h, 16)), 0);
    data.set([2, 0, 0, 0, 0, 0xee], 6);
    data[12] = 0x88; data[13] = 0xb5;
    data[14] = i;
    nbl.SourceHandle = m.handle;
    m.own++;
    if (tail) tail.Next = nbl; else head = nbl;
    tail = nbl;
  }
  NdisFSendNetBufferLists(m.handle, head, 0, sendFlags);
}`,
  receive: `if (m.state !== "Running") {
        if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      for (let x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) seen.push({ module: modules.indexOf(m), seq: x.FirstNetBuffer.Data[14], nblFlags: x.NblFlags, mine: x.SourceHandle === m.handle });
      m.received += n;
      if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) m.inFlight += n;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`,
});

interface RecordingFilter extends CountingModule {
  seen: { module: number; seq: number; nblFlags: number; mine: boolean }[];
  sendOwnFrames(index: number, toMac: string, count: number, sendFlags: number): void;
}

const LOOP = NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET;
/** What one filter's receive handler saw on nic0 (module 0): [seq, NblFlags, its own SourceHandle]. */
const seenOn0 = (f: RecordingFilter) => f.seen.filter((s) => s.module === 0).map((s) => [s.seq, s.nblFlags, s.mine]);

describe('a filter module\'s own send and NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK (NdisFSendNetBufferLists)', () => {
  async function twoFilters() {
    const stack = await twoProtocols(1, [recordingFilter(), recordingFilter()]);
    const [lower, upper] = stack.filterDrivers.map((d) => d.exports as unknown as RecordingFilter);
    const { rt, filterDrivers } = stack;
    /** Runs `body` in the upper filter driver's context. */
    const asUpper = (body: () => void) => {
      rt.post('upper filter', () => rt.invoke(filterDrivers[1]!, 'keepalive', undefined, false, body));
      rt.run();
    };
    return { ...stack, lower: lower!, upper: upper!, asUpper };
  }

  it('with the flag its frames come back to it (FilterReceiveNetBufferLists, marked, its own SourceHandle), through the modules below; the bindings do not take them', async () => {
    const { rt, alpha, beta, lower, upper, asUpper, at } = await twoFilters();
    const free = rt.pool.available;
    asUpper(() => upper.sendOwnFrames(0, BROADCAST, 2, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(rules(rt)).toEqual([]);
    expect(seenOn0(upper)).toEqual([[0, LOOP, true], [1, LOOP, true]]);
    expect(seenOn0(lower)).toEqual([[0, LOOP, false], [1, LOOP, false]]);
    // Passed up by the module: for the bindings it is another driver's send, and DIRECTED | BROADCAST takes no local sends.
    expect(at(alpha, 'nic0').received).toEqual([]);
    expect(at(beta, 'nic0').received).toEqual([]);
    // On the wire all the same.
    expect(at(alpha, 'nic1').received.map((r) => [r.seq, r.nblFlags])).toEqual([[0, 0], [1, 0]]);
    expect([...lower.modules, ...upper.modules].every((m) => m.inFlight === 0 && m.own === 0)).toBe(true);
    expect(rt.pool.available).toBe(free);
  });

  it('without the flag the module gets nothing of its own back; a binding with ALL_LOCAL still gets it, from above the module', async () => {
    const { rt, alpha, beta, betaDriver, lower, upper, asUpper, as, at } = await twoFilters();
    const free = rt.pool.available;
    as(betaDriver, () => beta.setFilter('nic0', NDIS_PACKET_TYPE_ALL_LOCAL | DIRECTED_BROADCAST));
    asUpper(() => upper.sendOwnFrames(0, BROADCAST, 2, 0));
    expect(seenOn0(upper)).toEqual([]);
    expect(seenOn0(lower)).toEqual([]);
    expect(at(beta, 'nic0').received.map((r) => [r.seq, r.nblFlags, r.fromMe])).toEqual([[0, LOOP, false], [1, LOOP, false]]);
    expect(at(alpha, 'nic0').received).toEqual([]);
    // With the flag: the module and the one below it get them, and beta once more (through the module, which passes them up).
    asUpper(() => upper.sendOwnFrames(0, BROADCAST, 1, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(seenOn0(upper)).toEqual([[0, LOOP, true]]);
    expect(seenOn0(lower)).toEqual([[0, LOOP, false]]);
    expect(at(beta, 'nic0').received.map((r) => r.seq)).toEqual([0, 1, 0]);
    expect(at(alpha, 'nic0').received).toEqual([]);
    expect(rules(rt)).toEqual([]);
    expect([...lower.modules, ...upper.modules].every((m) => m.inFlight === 0 && m.own === 0)).toBe(true);
    expect(rt.pool.available).toBe(free);
  });

  it('its receive criteria are the miniport\'s: a frame to another station comes back only while the miniport is promiscuous, one to the adapter\'s own address always', async () => {
    const { rt, alpha, alphaDriver, upper, asUpper, as, at, mac } = await twoFilters();
    asUpper(() => { upper.sendOwnFrames(0, '02:00:00:00:00:99', 1, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK); upper.sendOwnFrames(0, mac(0), 1, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK); });
    expect(seenOn0(upper)).toEqual([[0, LOOP, true]]); // the one to nic0's own address
    as(alphaDriver, () => alpha.setFilter('nic0', NDIS_PACKET_TYPE_PROMISCUOUS));
    expect(rt.adapters[0]!.packetFilter & NDIS_PACKET_TYPE_PROMISCUOUS).toBe(NDIS_PACKET_TYPE_PROMISCUOUS);
    asUpper(() => upper.sendOwnFrames(0, '02:00:00:00:00:99', 1, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
    expect(seenOn0(upper)).toEqual([[0, LOOP, true], [0, LOOP, true]]);
    // alpha is promiscuous without NO_LOCAL: it takes the others' sends, this one included.
    expect(at(alpha, 'nic0').received.map((r) => [r.seq, r.nblFlags, r.fromMe])).toEqual([[0, LOOP, false]]);
    expect(rules(rt)).toEqual([]);
  });
});
