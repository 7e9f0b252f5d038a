// The protocol driver of the stack benchmarks (a driver like a learner's: it imports only "ndis").
// It binds to every adapter, and on request sends numbered frames from one binding to another
// adapter's address, keeping at most `window` frames between sent and received, and checks every
// frame it receives: length, the sequence number (in order) and two words derived from it.
// Per frame it touches only the NBL records and words of the frame (NDIS keeps each NET_BUFFER's
// Data view while the record is unchanged), so the datapath allocates nothing.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent, NdisCompleteUnbindAdapterEx, NdisCompleteBindAdapterEx,
  NdisOidRequest, NdisSendNetBufferLists, NdisReturnNetBufferLists, NdisAllocateNetBufferListPool,
  NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NetEventPause, NetEventRestart, NdisRequestSetInformation,
  OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED, NDIS_RECEIVE_FLAGS_RESOURCES,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  sendsOutstanding: number;
  oidsOutstanding: number;
  pendingPause: NET_PNP_EVENT_NOTIFICATION | null;
  pendingUnbind: NDIS_HANDLE | null;
  /** A bind waiting for its open (NdisOpenAdapterEx returned PENDING), and the handle it gave. */
  pendingBind: NDIS_HANDLE | null;
  opening: NDIS_HANDLE | null;
  /** An unbind whose close pends, finished by CloseAdapterCompleteHandlerEx. */
  closingUnbind: NDIS_HANDLE | null;
}

/**
 * [sent, completed, received, errors, first error]: an array, so that it crosses to the core by
 * value. `errors` counts frames that arrived damaged, of the wrong length or out of order.
 */
export type TrafficReport = [number, number, number, number, string | null];

const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

// ---- the traffic -------------------------------------------------------------------------------
let sender: Binding | null = null;
let total = 0;
let frameBytes = 60;
let window = 512;
let batch = 64;
let sent = 0;
let completed = 0;
let received = 0;
let errors = 0;
let firstError: string | null = null;
/** The frame's first 16 bytes (destination, source, EtherType 0x88B5, 2 bytes of padding). */
const header = new Uint8Array(16);

// A frame's words, little-endian, a byte at a time: a NET_BUFFER's Data is a view of the machine's
// memory, which gives out no buffer to build a wider view on (core/memory/protect.ts).
function writeWord(data: Uint8Array, at: number, value: number): void {
  data[at] = value;
  data[at + 1] = value >>> 8;
  data[at + 2] = value >>> 16;
  data[at + 3] = value >>> 24;
}

function readWord(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

/** Where the last word of a frame of `frameBytes` goes (word-aligned, as the frame's words are). */
const lastWord = () => ((frameBytes >> 2) - 1) << 2;

/** Sends while the window allows, in chains of `batch`. */
function pump(): void {
  const b = sender;
  if (!b || !b.running || !b.handle) return;
  while (sent < total && sent - received < window) {
    let n = Math.min(batch, total - sent, window - (sent - received));
    let head: NET_BUFFER_LIST | null = null;
    let tail: NET_BUFFER_LIST | null = null;
    let built = 0;
    for (; n > 0; n--) {
      const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, frameBytes);
      if (!nbl) break;
      // NDIS keeps each NET_BUFFER's Data view, so this allocates nothing per frame.
      const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
      const seq = sent + built;
      data.set(header);
      writeWord(data, 16, seq);
      writeWord(data, 20, ~seq);
      writeWord(data, lastWord(), seq ^ 0x5a5a5a5a);
      nbl.SourceHandle = b.handle; // NDIS returns the NBL to the binding SourceHandle names (NdisSendNetBufferLists)
      if (tail) tail.Next = nbl;
      else head = nbl;
      tail = nbl;
      built++;
    }
    if (!head) return;
    sent += built;
    b.sendsOutstanding += built;
    NdisSendNetBufferLists(b.handle, head, 0, 0);
  }
}

/**
 * Sends `count` frames of `size` bytes (without FCS, 60 to 1514) from binding
 * `from` to the address of binding `to`, at most `windowFrames` sent and not yet received, in
 * chains of `chain`. The rest goes out as frames come back.
 */
export function StartTraffic(from: number, to: number, count: number, size = 60, windowFrames = 512, chain = 64): number {
  const b = bindings[from];
  const destination = bindings[to];
  if (!b || !destination) throw new RangeError(`no binding ${bindings[from] ? to : from}`);
  if (!Number.isInteger(size) || size < 60 || size > 1514) throw new RangeError(`frames are 60 to 1514 bytes here (without the FCS); got ${size}`);
  const bytes = new Uint8Array(16);
  bytes.set(destination.mac, 0);
  bytes.set(b.mac, 6);
  bytes[12] = 0x88;
  bytes[13] = 0xb5;
  header.set(bytes);
  sender = b;
  total = count;
  frameBytes = size;
  window = windowFrames;
  batch = chain;
  sent = completed = received = errors = 0;
  firstError = null;
  pump();
  return sent;
}

export function TrafficReport(): TrafficReport {
  return [sent, completed, received, errors, firstError];
}

function check(nbl: NET_BUFFER_LIST): void {
  const nb = NET_BUFFER_LIST_FIRST_NB(nbl)!;
  const data = nb.Data;
  const seq = readWord(data, 16);
  const good = nb.DataLength === frameBytes && seq === received && readWord(data, 20) === (~seq >>> 0) && readWord(data, lastWord()) === ((seq ^ 0x5a5a5a5a) >>> 0);
  if (!good) {
    errors++;
    firstError ??= `frame ${received}: ${nb.DataLength} bytes, sequence number ${seq}`;
  }
  received++;
}

// ---- binding and PnP, as the reference protocol does them ----------------------------------------

/**
 * Runs `work` at PASSIVE_LEVEL, from a work item of its own: the completion handlers run at
 * DISPATCH_LEVEL, and NdisCloseAdapterEx and NdisCompleteNetPnPEvent need PASSIVE_LEVEL.
 */
function atPassiveLevel(work: () => void): void {
  const item = NdisAllocateIoWorkItem(protocolHandle!);
  NdisQueueIoWorkItem(item, () => {
    NdisFreeIoWorkItem(item);
    work();
  }, null);
}

function closeIfIdle(b: Binding): void {
  if (b.pendingUnbind && b.oidsOutstanding === 0 && b.sendsOutstanding === 0) {
    const unbindContext = b.pendingUnbind;
    const handle = b.handle!;
    b.pendingUnbind = null;
    b.handle = null;
    atPassiveLevel(() => {
      if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) b.closingUnbind = unbindContext;
      else NdisCompleteUnbindAdapterEx(unbindContext);
    });
  }
}

/** The open succeeded (at once, or in OpenAdapterCompleteHandlerEx): the binding is ours to use. */
function opened(b: Binding, handle: NDIS_HANDLE): void {
  b.handle = handle;
  bindings.push(b);
  const filter = new Uint8Array(4);
  new DataView(filter.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED, true);
  b.oidsOutstanding++;
  // NdisOidRequest may complete the request at once (no OidRequestCompleteHandler then).
  if (NdisOidRequest(b.handle!, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } }) !== NDIS_STATUS_PENDING) b.oidsOutstanding--;
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'stack-protocol',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = { handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, running: false, sendsOutstanding: 0, oidsOutstanding: 0, pendingPause: null, pendingUnbind: null, pendingBind: null, opening: null, closingUnbind: null };
      const open = NdisOpenAdapterEx(protocolHandle!, b, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [0x88b5],
        FrameTypeArraySize: 1,
      }, bindContext);
      if (open.Status === NDIS_STATUS_PENDING) {
        b.pendingBind = bindContext;
        b.opening = open.NdisBindingHandle;
        return NDIS_STATUS_PENDING;
      }
      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;
      opened(b, open.NdisBindingHandle!);
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      const bindContext = b.pendingBind!;
      b.pendingBind = null;
      if (status === NDIS_STATUS_SUCCESS) opened(b, b.opening!);
      b.opening = null;
      NdisCompleteBindAdapterEx(bindContext, status);
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      const unbindContext = b.closingUnbind;
      b.closingUnbind = null;
      if (unbindContext) NdisCompleteUnbindAdapterEx(unbindContext);
    },

    UnbindAdapterHandlerEx(unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      b.pendingUnbind = unbindContext;
      if (b.oidsOutstanding === 0 && b.sendsOutstanding === 0) {
        b.pendingUnbind = null;
        const closed = NdisCloseAdapterEx(b.handle!);
        b.handle = null;
        if (closed !== NDIS_STATUS_PENDING) return NDIS_STATUS_SUCCESS;
        b.closingUnbind = unbindContext;
      }
      return NDIS_STATUS_PENDING;
    },

    NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      if (!b) return NDIS_STATUS_SUCCESS;
      if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;
      if (event.NetPnPEvent.NetEvent === NetEventPause) {
        b.running = false;
        if (b.sendsOutstanding > 0) {
          b.pendingPause = event;
          return NDIS_STATUS_PENDING;
        }
      }
      return NDIS_STATUS_SUCCESS;
    },

    OidRequestCompleteHandler(b: Binding): void {
      b.oidsOutstanding--;
      closeIfIdle(b);
    },

    SendNetBufferListsCompleteHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisFreeNetBufferList(nbl);
        b.sendsOutstanding--;
        completed++;
        nbl = next;
      }
      if (b.pendingPause && b.sendsOutstanding === 0) {
        const event = b.pendingPause;
        b.pendingPause = null;
        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));
      }
      closeIfIdle(b);
      pump();
    },

    ReceiveNetBufferListsHandler(b: Binding, nbls: NET_BUFFER_LIST, _port: number, _count: number, flags: number): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) check(nbl);
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle!, nbls, 0);
      pump();
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
