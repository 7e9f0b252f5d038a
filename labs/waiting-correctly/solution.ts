// Lab waiting-correctly: the reference solution. A protocol driver that waits the way Microsoft's
// ndisprot sample does, and only where a wait is allowed: at PASSIVE_LEVEL, holding no spin lock,
// on an NDIS_EVENT that something will set. The binding counts its sends and OID requests in flight
// and keeps an event Signaled exactly while none is (reset when the count leaves zero, set when it
// comes back), so the pause and the unbind wait on it, every time; a request waits for its own
// answer only if it pended; a close that pends is waited for; the receive handler, at
// DISPATCH_LEVEL, hands the multicast joins that must wait to a work item; and the application's
// query waits for a sleeping adapter with a timeout, because the wake may never come.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisUnbindAdapter, NdisOidRequest,
  NdisSendNetBufferLists, NdisReturnNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisGetDataBuffer, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NdisInitializeEvent, NdisSetEvent, NdisResetEvent, NdisWaitEvent,
  NdisAllocateSpinLock, NdisAcquireSpinLock, NdisReleaseSpinLock,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE,
  NDIS_STATUS_ADAPTER_NOT_READY, NetEventPause, NetEventRestart, NetEventSetPower, NdisDeviceStateD0,
  NdisRequestSetInformation, NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST,
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RETURN_FLAGS_DISPATCH_LEVEL,
  type NDIS_HANDLE, type NDIS_EVENT, type NDIS_SPIN_LOCK, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS,
  type NDIS_STATUS, type NDIS_OID_REQUEST,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
} from 'ndis';

/** The EtherType of the application's frames. */
const ETHERTYPE_DATA = 0x88b5;
/** A frame from the peer with this EtherType asks the binding to join one more multicast group. */
const ETHERTYPE_JOIN = 0x88b6;
/** The multicast lists of all bindings together hold at most 32 addresses (OID_802_3_MAXIMUM_LIST_SIZE). */
const MAX_GROUPS = 32;
/** How long the application's query waits for a sleeping adapter to wake (ndisprot waits 4500 ms). */
const POWER_UP_WAIT_MS = 4500;

/** An OID request of ours that pended: OidRequestCompleteHandler brings its status and sets `done`. */
interface Waiter {
  done: NDIS_EVENT;
  status: NDIS_STATUS;
}

interface Binding {
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  /** Guards running, closing, outstanding and the idle event's state with them. */
  lock: NDIS_SPIN_LOCK;
  /** Between NetEventRestart and NetEventPause. */
  running: boolean;
  /** Set by the unbind: no new send or OID request from then on. */
  closing: boolean;
  /** The application gave the adapter up (NdisUnbindAdapter): the handle is not to be used again. */
  released: boolean;
  /** Sends and OID requests of ours that NDIS has not completed yet. */
  outstanding: number;
  /** Signaled exactly while `outstanding` is 0: what the pause and the unbind wait on. */
  idle: NDIS_EVENT;
  /** The device power state the last NetEventSetPower named. */
  powerState: number;
  /** Signaled while the adapter is in D0 (ndisprot's PoweredUpEvent). */
  poweredUp: NDIS_EVENT;
  /** Our pended OID requests that a caller waits for, each with the event it waits on. */
  waiters: Map<NDIS_OID_REQUEST, Waiter>;
  /** Groups 01:00:5e:00:00:01 ... the peer has asked for, and those the adapter has been given. */
  groupsWanted: number;
  groupsJoined: number;
  /** A work item is queued or running to join them. */
  joining: boolean;
  /** The first bytes of a received frame when they are not in one piece. */
  header: Uint8Array;
  /** Set by OpenAdapterCompleteHandlerEx, with the open's final status, when NdisOpenAdapterEx pended. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  /** Set by CloseAdapterCompleteHandlerEx when NdisCloseAdapterEx pended. */
  closeDone: NDIS_EVENT;
}

const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

const bytesOf = (mac: string) => mac.split(':').map((h) => parseInt(h, 16));

/**
 * Counts `n` more sends or OID requests in flight, unless the binding is closing (then false, and
 * nothing may be started). The idle event is reset as the count leaves zero: a wait on it from
 * now on waits for these too. Any IRQL <= DISPATCH_LEVEL.
 */
function startIo(b: Binding, n: number): boolean {
  NdisAcquireSpinLock(b.lock);
  const open = !b.closing && b.handle !== null;
  if (open) {
    if (b.outstanding === 0) NdisResetEvent(b.idle);
    b.outstanding += n;
  }
  NdisReleaseSpinLock(b.lock);
  return open;
}

/** `n` sends or OID requests completed: the last one back sets the idle event. Any IRQL <= DISPATCH_LEVEL. */
function endIo(b: Binding, n: number): void {
  NdisAcquireSpinLock(b.lock);
  b.outstanding -= n;
  if (b.outstanding === 0) NdisSetEvent(b.idle);
  NdisReleaseSpinLock(b.lock);
}

/**
 * Makes one OID request and returns its final status (ndisprot's ndisprotDoRequest). PASSIVE_LEVEL
 * only: when NdisOidRequest pends, it waits for OidRequestCompleteHandler to set the request's own
 * event, and only then (a request answered at once has no completion to wait for).
 */
function requestAndWait(b: Binding, requestType: number, oid: number, buffer: Uint8Array): NDIS_STATUS {
  if (!startIo(b, 1)) return NDIS_STATUS_FAILURE;
  const request = oidRequest(requestType, oid, buffer);
  const waiter: Waiter = { done: NdisInitializeEvent(), status: NDIS_STATUS_PENDING };
  b.waiters.set(request, waiter);
  const status = NdisOidRequest(b.handle!, request);
  if (status !== NDIS_STATUS_PENDING) {
    // Complete already: no OidRequestCompleteHandler will come for it.
    b.waiters.delete(request);
    endIo(b, 1);
    return status;
  }
  NdisWaitEvent(waiter.done, 0);
  return waiter.status;
}

/** An NDIS_OID_REQUEST of `requestType` (query or set) for `oid`, with `buffer` as its InformationBuffer. */
function oidRequest(requestType: number, oid: number, buffer: Uint8Array): NDIS_OID_REQUEST {
  const data = { Oid: oid, InformationBuffer: buffer };
  return {
    Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 },
    RequestType: requestType,
    DATA: requestType === NdisRequestSetInformation ? { SET_INFORMATION: data } : { QUERY_INFORMATION: data },
  };
}

/** Joins groups 01:00:5e:00:00:01 ... until the adapter has all the peer asked for. PASSIVE_LEVEL: it waits. */
function joinGroups(b: Binding): void {
  while (b.groupsJoined < b.groupsWanted) {
    const wanted = b.groupsWanted;
    const list = new Uint8Array(wanted * 6);
    for (let i = 0; i < wanted; i++) list.set([0x01, 0x00, 0x5e, 0x00, 0x00, i + 1], i * 6);
    if (requestAndWait(b, NdisRequestSetInformation, OID_802_3_MULTICAST_LIST, list) !== NDIS_STATUS_SUCCESS) break;
    b.groupsJoined = wanted;
  }
  b.joining = false;
}

/** Called by the lab's application: send `count` frames on binding `adapter`; return how many were sent. */
export function SendFrames(adapter: number, destination: string, count: number, size = 60, first = 0): number {
  const b = bindings[adapter];
  if (!b || b.released || !b.running || b.powerState !== NdisDeviceStateD0 || !b.handle) return 0;
  let head: NET_BUFFER_LIST | null = null;
  let sent = 0;
  for (let i = count - 1; i >= 0; i--) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, size);
    if (!nbl) continue;
    const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    data.set(bytesOf(destination), 0);
    data.set(b.mac, 6);
    data.set([ETHERTYPE_DATA >> 8, ETHERTYPE_DATA & 0xff], 12);
    // The sequence number after the Ethernet header, little-endian, byte by byte: Data is a view of
    // the machine's memory and gives out no buffer for a DataView.
    const seq = first + i;
    data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;
    nbl.SourceHandle = b.handle;
    nbl.Next = head;
    head = nbl;
    sent++;
  }
  if (!head) return 0;
  if (!startIo(b, sent)) {
    for (let nbl: NET_BUFFER_LIST | null = head; nbl; ) {
      const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
      NdisFreeNetBufferList(nbl);
      nbl = next;
    }
    return 0;
  }
  NdisSendNetBufferLists(b.handle, head, 0, 0);
  return sent;
}

/**
 * Called by the lab's application (a user-mode request: PASSIVE_LEVEL): query `oid` on binding
 * `adapter`. Returns the request's status, or NDIS_STATUS_PENDING: then the answer comes in
 * OidRequestCompleteHandler. While the adapter sleeps it first waits for the wake, but not for
 * ever: the wake may never come.
 */
export function QueryOid(adapter: number, oid: number): NDIS_STATUS {
  const b = bindings[adapter];
  if (!b || b.released) return NDIS_STATUS_FAILURE;
  if (!NdisWaitEvent(b.poweredUp, POWER_UP_WAIT_MS) || b.powerState !== NdisDeviceStateD0) return NDIS_STATUS_ADAPTER_NOT_READY;
  if (!startIo(b, 1)) return NDIS_STATUS_FAILURE;
  const status = NdisOidRequest(b.handle!, oidRequest(NdisRequestQueryInformation, oid, new Uint8Array(64)));
  // Complete already: no OidRequestCompleteHandler will come for it.
  if (status !== NDIS_STATUS_PENDING) endIo(b, 1);
  return status;
}

/** Called when the application gives the adapter up: NDIS is asked to unbind (seed 001). */
export function ReleaseAdapter(adapter: number): void {
  const b = bindings[adapter];
  if (!b || b.released || !b.handle) return;
  // The unbind may run before NdisUnbindAdapter returns: the handle is not ours to use after it.
  b.released = true;
  NdisUnbindAdapter(b.handle);
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'waiting-correctly',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = {
        handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength),
        pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!,
        lock: NdisAllocateSpinLock(), running: false, closing: false, released: false, outstanding: 0, idle: NdisInitializeEvent(),
        powerState: NdisDeviceStateD0, poweredUp: NdisInitializeEvent(), waiters: new Map(),
        groupsWanted: 0, groupsJoined: 0, joining: false, header: new Uint8Array(14),
        openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_SUCCESS, closeDone: NdisInitializeEvent(),
      };
      // An event starts Not Signaled: nothing is in flight yet, and the adapter is in D0.
      NdisSetEvent(b.idle);
      NdisSetEvent(b.poweredUp);
      const open = NdisOpenAdapterEx(protocolHandle!, b, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [ETHERTYPE_DATA, ETHERTYPE_JOIN],
        FrameTypeArraySize: 2,
      }, bindContext);
      let status = open.Status;
      if (status === NDIS_STATUS_PENDING) {
        // The bind runs at PASSIVE_LEVEL, so it may wait: OpenAdapterCompleteHandlerEx brings the
        // final status and sets the event (ndisprot waits the same way).
        NdisWaitEvent(b.openDone, 0);
        status = b.openStatus;
      }
      if (status !== NDIS_STATUS_SUCCESS) return status;
      b.handle = open.NdisBindingHandle;
      bindings[Number(params.AdapterName.replace('nic', ''))] = b;
      // Frames to the adapter's address and to the groups it joins; the bind waits for the answer.
      const filter = new Uint8Array(4);
      filter[0] = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST;
      requestAndWait(b, NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, filter);
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      b.openStatus = status;
      NdisSetEvent(b.openDone);
    },

    UnbindAdapterHandlerEx(_unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      NdisAcquireSpinLock(b.lock);
      b.closing = true;
      NdisReleaseSpinLock(b.lock);
      // PASSIVE_LEVEL, and no lock held: the unbind may wait. NDIS paused the binding first, so
      // the sends are back; what may still be out are OID requests (seed 003: every one of them
      // completes before the close).
      NdisWaitEvent(b.idle, 0);
      NdisResetEvent(b.closeDone);
      const handle = b.handle!;
      b.handle = null;
      if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) NdisWaitEvent(b.closeDone, 0);
      // A query waiting for the wake of this adapter waits no longer (ndisprot does the same).
      NdisSetEvent(b.poweredUp);
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      NdisSetEvent(b.closeDone);
    },

    OidRequestCompleteHandler(b: Binding, request: NDIS_OID_REQUEST, status: NDIS_STATUS): void {
      // DISPATCH_LEVEL: set the event the caller waits on (if one waits), never wait here. The
      // request is complete now, whoever waits for it, so it stops counting now.
      const waiter = b.waiters.get(request);
      b.waiters.delete(request);
      if (waiter) {
        waiter.status = status;
        NdisSetEvent(waiter.done);
      }
      endIo(b, 1);
    },

    NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      // BindList and BindsComplete concern every binding: no context.
      if (!b) return NDIS_STATUS_SUCCESS;
      switch (event.NetPnPEvent.NetEvent) {
        case NetEventPause:
          NdisAcquireSpinLock(b.lock);
          b.running = false;
          NdisReleaseSpinLock(b.lock);
          // PASSIVE_LEVEL, no lock held: wait here until every send (and request) of ours is back.
          NdisWaitEvent(b.idle, 0);
          return NDIS_STATUS_SUCCESS;
        case NetEventRestart:
          b.running = true;
          return NDIS_STATUS_SUCCESS;
        case NetEventSetPower: {
          const buffer = event.NetPnPEvent.Buffer;
          if (buffer instanceof Uint32Array) b.powerState = buffer[0]!;
          // Re-armed on every sleep, set again on the wake: what the application's query waits on.
          if (b.powerState === NdisDeviceStateD0) NdisSetEvent(b.poweredUp);
          else NdisResetEvent(b.poweredUp);
          return NDIS_STATUS_SUCCESS;
        }
        default:
          // Nothing to do for the others, and they succeed.
          return NDIS_STATUS_SUCCESS;
      }
    },

    SendNetBufferListsCompleteHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      let completed = 0;
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisFreeNetBufferList(nbl);
        completed++;
        nbl = next;
      }
      endIo(b, completed);
    },

    ReceiveNetBufferListsHandler(b: Binding, nbls: NET_BUFFER_LIST, _port: number, _count: number, flags: number): void {
      let joins = 0;
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const frame = NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(nbl)!, 14, b.header);
        if (frame && ((frame[12]! << 8) | frame[13]!) === ETHERTYPE_JOIN) joins++;
      }
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle!, nbls, flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
      if (joins === 0) return;
      b.groupsWanted = Math.min(MAX_GROUPS, b.groupsWanted + joins);
      // DISPATCH_LEVEL: joining waits for its OID request, so it is a work item's job (PASSIVE_LEVEL).
      // One at a time: joins that arrive while it runs are picked up by its loop.
      if (b.joining) return;
      b.joining = true;
      const item = NdisAllocateIoWorkItem(protocolHandle!);
      NdisQueueIoWorkItem(item, () => {
        NdisFreeIoWorkItem(item);
        joinGroups(b);
      }, null);
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
