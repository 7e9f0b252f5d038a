// Drivers for the runtime's tests, as learners write them: TypeScript source that imports from
// "ndis". Each builder takes the handler bodies to replace, so a test can break one rule at a time.

import { NdisRuntime, type DriverRecord, type RuntimeOptions } from './runtime.ts';

/**
 * The NDIS_OPEN_PARAMETERS the test protocols open with (an expression for their source, where
 * `params` is BindAdapterHandlerEx's BindParameters; the driver imports the names it uses).
 */
export const OPEN_PARAMETERS = `{
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName, MediumArray: [NdisMedium802_3], MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1), FrameTypeArray: [0x88b5], FrameTypeArraySize: 1,
      }`;

/**
 * How the test protocols wait for an open that pends, as ndisprot does: ProtocolBindAdapterEx
 * (PASSIVE_LEVEL) waits on an event that OpenAdapterCompleteHandlerEx sets with the final status.
 * `open` is NdisOpenAdapterEx's result and `b` the binding context, with `opened` (an NDIS_EVENT
 * from NdisInitializeEvent) and `openStatus`; leaves the open's final status in `status`.
 */
export const WAIT_FOR_OPEN = `let status = open.Status;
      if (status === NDIS_STATUS_PENDING) { NdisWaitEvent(b.opened, 0); status = b.openStatus; }`;

/**
 * The unbind of the test protocols: close, and if the close pends, pend the unbind until
 * CloseAdapterCompleteHandlerEx (`unbindContext` and `b`, with `unbinding`, in scope).
 */
export const CLOSE_IN_UNBIND = `if (NdisCloseAdapterEx(b.handle) === NDIS_STATUS_PENDING) { b.unbinding = unbindContext; return NDIS_STATUS_PENDING; }
      return NDIS_STATUS_SUCCESS;`;

/** The two completion handlers NDIS requires, for WAIT_FOR_OPEN and CLOSE_IN_UNBIND. */
export const OPEN_CLOSE_COMPLETE_HANDLERS = `OpenAdapterCompleteHandlerEx(b: any, status: number) { b.openStatus = status; NdisSetEvent(b.opened); },
    CloseAdapterCompleteHandlerEx(b: any) { const u = b.unbinding; b.unbinding = null; if (u) NdisCompleteUnbindAdapterEx(u); },`;

export interface ProtocolOptions {
  /** Body of the receive handler; `binding`, `nbls`, `flags` are in scope. */
  receive?: string;
  /** Body of the pause branch of NetPnPEventHandler. */
  pause?: string;
  /** Code run in the send-complete handler after the bookkeeping. */
  extra?: string;
  /** Code run in sendFrames after NdisSendNetBufferLists returned; \`tail\` (the last NBL sent) is in scope. */
  afterSend?: string;
  /** The SourceHandle sendFrames sets on each NBL (an expression; `b` is the binding). Default: b.handle, as NdisSendNetBufferLists requires. */
  sourceHandle?: string;
  /** The SendFlags sendFrames passes (an expression). Default: 0. */
  sendFlags?: string;
}

/** A protocol that binds to every adapter, sets a packet filter, and can send numbered frames. */
export function echoProtocol(o: ProtocolOptions = {}): string {
  return `
import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent, NdisOidRequest,
  NdisSendNetBufferLists, NdisReturnNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NetEventPause, NetEventRestart, NdisRequestSetInformation,
  OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_BROADCAST, NDIS_RECEIVE_FLAGS_RESOURCES,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
  KeGetCurrentIrql, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, NDIS_SEND_FLAGS_DISPATCH_LEVEL, NdisInitializeEvent, NdisSetEvent, NdisWaitEvent,
  NdisCompleteUnbindAdapterEx,
} from "ndis";

interface Binding { handle: any; adapter: string; pool: any; workItem: any; outstanding: number; pausing: any; received: number[]; held: any[]; running: boolean; opened: any; openStatus: number; unbinding: any; }
export const bindings: Binding[] = [];
/** What a test's handler bodies record. */
export const observed: unknown[] = [];
let protocolHandle: any = null;


/** Sends \`count\` numbered frames if the binding is Running; false (nothing sent) if not. */
export function sendFrames(from: number, toMac: string, count: number): boolean {
  const b = bindings[from]!;
  if (!b.running) return false;
  let head: any = null;
  let tail: any = null;
  for (let i = 0; i < count; i++) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, 60);
    const data: Uint8Array = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    const mac = toMac.split(":").map((h) => parseInt(h, 16));
    data.set(mac, 0);
    data.set([2, 0, 0, 0, 0, 1], 6);
    data[12] = 0x88; data[13] = 0xb5;
    // The sequence number after the Ethernet header, little-endian, byte by byte: Data is a view of
    // the machine's memory and gives out no buffer for a DataView.
    const seq = i;
    data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;
    nbl.SourceHandle = ${o.sourceHandle ?? 'b.handle'}; // NDIS returns the NBL to the binding SourceHandle names (NdisSendNetBufferLists)
    if (tail) tail.Next = nbl; else head = nbl;
    tail = nbl;
  }
  b.outstanding += count;
  NdisSendNetBufferLists(b.handle, head, 0, ${o.sendFlags ?? '0'});
  ${o.afterSend ?? ''}
  return true;
}

export function returnHeld(index: number) {
  const b = bindings[index]!;
  for (const nbl of b.held) { nbl.Next = null; NdisReturnNetBufferLists(b.handle, nbl, 0); }
  b.held = [];
}

export function DriverEntry(): number {
  const r = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: "echo",
    BindAdapterHandlerEx(_ctx: unknown, bindContext: unknown, params: { AdapterName: string }) {
      const b: Binding = { handle: null, adapter: params.AdapterName, pool: null, workItem: NdisAllocateIoWorkItem(protocolHandle), outstanding: 0, pausing: null, received: [], held: [], running: false, opened: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, unbinding: null };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      ${WAIT_FOR_OPEN}
      if (status !== NDIS_STATUS_SUCCESS) return status;
      b.handle = open.NdisBindingHandle;
      b.pool = NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });
      bindings.push(b);
      const filter = new Uint8Array(4);
      new DataView(filter.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST, true);
      NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } });
      return NDIS_STATUS_SUCCESS;
    },
    UnbindAdapterHandlerEx(unbindContext: unknown, b: Binding) {
      ${CLOSE_IN_UNBIND}
    },
    ${OPEN_CLOSE_COMPLETE_HANDLERS}
    OidRequestCompleteHandler(_b: Binding, _request: unknown, _status: number) {},
    NetPnPEventHandler(b: Binding, event: { NetPnPEvent: { NetEvent: number } }) {
      if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;
      if (event.NetPnPEvent.NetEvent === NetEventPause) {
        b.running = false;
        ${o.pause ?? `if (b.outstanding > 0) { b.pausing = event; return NDIS_STATUS_PENDING; }`}
      }
      return NDIS_STATUS_SUCCESS;
    },
    SendNetBufferListsCompleteHandler(b: Binding, nbls: any, _flags: number) {
      for (let nbl = nbls; nbl; ) { const next = NET_BUFFER_LIST_NEXT_NBL(nbl); NdisFreeNetBufferList(nbl); b.outstanding--; nbl = next; }
      // NdisCompleteNetPnPEvent is PASSIVE_LEVEL and this runs at DISPATCH_LEVEL: a work item completes the pause.
      if (b.outstanding === 0 && b.pausing) { const e = b.pausing; b.pausing = null; NdisQueueIoWorkItem(b.workItem, (ev: unknown) => NdisCompleteNetPnPEvent(b.handle, ev, NDIS_STATUS_SUCCESS), e); }
      ${o.extra ?? ''}
    },
    ReceiveNetBufferListsHandler(b: Binding, nbls: any, _port: number, count: number, flags: number) {
      ${o.receive ?? `for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const data: Uint8Array = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
        b.received.push(((data[14]! | (data[15]! << 8) | (data[16]! << 16) | (data[17]! << 24)) >>> 0));
      }
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle, nbls, 0);`}
    },
  });
  protocolHandle = r.NdisProtocolHandle;
  return r.Status;
}
`;
}

export interface EchoModule {
  bindings: { received: number[]; outstanding: number; held: unknown[] }[];
  sendFrames(from: number, toMac: string, count: number): void;
  returnHeld(index: number): void;
}

export async function twoNics(source: string, seed = 1, rxRingEntries = 64, extra: string[] = [], decisions: RuntimeOptions['decisions'] = {}) {
  const rt = await NdisRuntime.create({ nics: 2, seed, rxRingEntries, txRingEntries: 64, pendingLimitNs: 10_000_000n, decisions });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  for (const [i, f] of extra.entries()) await rt.loadDriver(f, `filter${i}.ts`);
  const driver = await rt.loadDriver(source, 'echo.ts');
  rt.startStack();
  rt.run();
  return { rt, driver, echo: driver.exports as unknown as EchoModule };
}

/** The protocol sends, as it would on behalf of an application: from a task of its own. */
export function send(rt: NdisRuntime, driver: DriverRecord, echo: EchoModule, count: number): void {
  rt.post('application sends', () => rt.invoke(driver, 'application', undefined, false, () => echo.sendFrames(0, rt.machine.nic(1).permanentAddress, count)));
}


export interface FilterOptions {
  /** Body of FilterPause; `m` is the module context. Default: pend until nothing is in flight. */
  pause?: string;
  /** Body of FilterReceiveNetBufferLists. */
  receive?: string;
  /** Body of FilterSendNetBufferLists. */
  send?: string;
  /** Omit the send/send-complete handlers (the module is bypassed for sends). */
  noSendHandlers?: boolean;
  /** More code at module level. */
  prelude?: string;
}

/**
 * A counting filter, as seed 004 asks: it tracks the sends and receives it has passed on and
 * not yet seen come back, completes sends with NDIS_STATUS_PAUSED and returns receives at once
 * while not Running, and pends its pause until the last one is back.
 */
export function countingFilter(o: FilterOptions = {}): string {
  const sendHandlers = o.noSendHandlers ? '' : `
    SendNetBufferListsHandler(m: Module, nbls: any, port: number, flags: number) {
      ${o.send ?? `if (m.state !== "Running") {
        for (let n = nbls; n; n = NET_BUFFER_LIST_NEXT_NBL(n)) n.Status = NDIS_STATUS_PAUSED;
        NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
        return;
      }
      m.inFlight += count(nbls);
      m.sent += count(nbls);
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);`}
    },
    SendNetBufferListsCompleteHandler(m: Module, nbls: any, flags: number) {
      // Its own NBLs (SourceHandle is this module) end here; the others go on up.
      let up: any = null;
      let tail: any = null;
      for (let n = nbls; n; ) {
        const next = NET_BUFFER_LIST_NEXT_NBL(n);
        n.Next = null;
        if (n.SourceHandle === m.handle) { m.own--; NdisFreeNetBufferList(n); }
        else { m.inFlight--; if (tail) tail.Next = n; else up = n; tail = n; }
        n = next;
      }
      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);
      maybeFinishPause(m);
    },`;
  return `
import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFPauseComplete, NdisFSendNetBufferLists,
  NdisFSendNetBufferListsComplete, NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists,
  NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
  NET_BUFFER_LIST_NEXT_NBL, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_PAUSED, NDIS_STATUS_FAILURE,
  NDIS_RECEIVE_FLAGS_RESOURCES,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
} from "ndis";

interface Module { handle: any; state: string; inFlight: number; own: number; pausing: boolean; sent: number; received: number; held: any[]; pool: any; }
export const modules: Module[] = [];
${o.prelude ?? ''}

function count(nbls: any): number { let n = 0; for (let x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) n++; return n; }

/** Sends a frame of its own (a keepalive, say) from module \`index\`, if it is Running. */
export function sendOwn(index: number, toMac: string) {
  const m = modules[index]!;
  if (m.state !== "Running") return;
  const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
  const data: Uint8Array = nbl.FirstNetBuffer.Data;
  data.set(toMac.split(":").map((h) => parseInt(h, 16)), 0);
  data.set([2, 0, 0, 0, 0, 0xee], 6);
  data[12] = 0x88; data[13] = 0xb5;
  nbl.SourceHandle = m.handle; // its own NBL (Sending Data from a Filter Driver)
  m.own++;
  NdisFSendNetBufferLists(m.handle, nbl, 0, 0);
}

function maybeFinishPause(m: Module) {
  if (m.pausing && m.inFlight === 0 && m.own === 0) { m.pausing = false; m.state = "Paused"; NdisFPauseComplete(m.handle); }
}

export function DriverEntry(): number {
  return NdisFRegisterFilterDriver(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: "counter",
    AttachHandler(handle: any, _ctx: unknown, _params: unknown) {
      const m: Module = { handle, state: "Paused", inFlight: 0, own: 0, pausing: false, sent: 0, received: 0, held: [], pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 }) };
      modules.push(m);
      NdisFSetAttributes(handle, m, { Header: { Type: 0x8d, Revision: 1, Size: 8 }, Flags: 0 });
      return NDIS_STATUS_SUCCESS;
    },
    DetachHandler(m: Module) { m.state = "Detached"; },
    RestartHandler(m: Module) { m.state = "Running"; return NDIS_STATUS_SUCCESS; },
    PauseHandler(m: Module) {
      ${o.pause ?? `m.state = "Pausing";
      if (m.inFlight === 0 && m.own === 0) { m.state = "Paused"; return NDIS_STATUS_SUCCESS; }
      m.pausing = true;
      return NDIS_STATUS_PENDING;`}
    },${sendHandlers}
    ReceiveNetBufferListsHandler(m: Module, nbls: any, port: number, n: number, flags: number) {
      ${o.receive ?? `if (m.state !== "Running") {
        if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      m.received += n;
      if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) m.inFlight += n;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`}
    },
    ReturnNetBufferListsHandler(m: Module, nbls: any, flags: number) {
      m.inFlight -= count(nbls);
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
      maybeFinishPause(m);
    },
  }).Status;
}
`;
}

export interface CountingModule {
  modules: { state: string; inFlight: number; own: number; sent: number; received: number; held: unknown[] }[];
  sendOwn(index: number, toMac: string): void;
}

/**
 * For the tests of other things whose small protocols open and close without waiting: their runs
 * fix NdisOpenAdapterEx and NdisCloseAdapterEx to complete at once (protocol.test.ts tests both
 * pending), and the drivers register the two required completion handlers, which then never run.
 */
export const OPENS_AND_CLOSES_AT_ONCE = { 'open-completion': 0, 'close-completion': 0 } as const;
export const UNUSED_COMPLETE_HANDLERS = `OpenAdapterCompleteHandlerEx() {}, CloseAdapterCompleteHandlerEx() {},`;
