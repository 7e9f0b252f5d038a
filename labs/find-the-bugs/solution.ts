// Lab find-the-bugs: the reference solution. The same driver as the starter, an ndisprot-style
// protocol (one open context per binding, reference-counted, its state flags under a spin lock;
// bind-time requests that wait on an event; copied receives; sends from driver memory described by
// MDLs), with its defects fixed and nothing else changed: every event it has nothing to do for
// succeeds, the pause waits for the binding's sends, nothing is sent unless the binding is Running,
// the unbind marks the binding closing before it waits (so the wait covers the OID requests too),
// a request answered at once is counted back at the caller's PASSIVE_LEVEL with the lock functions
// for it, and the veto of a removal lets go of the lock before it returns.

import {
  NdisRegisterProtocolDriver, NdisDeregisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisUnbindAdapter,
  NdisOidRequest, NdisSendNetBufferLists, NdisReturnNetBufferLists,
  NdisAllocateNetBufferListPool, NdisFreeNetBufferListPool, NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
  NdisAllocateMemoryWithTagPriority, NdisFreeMemory, NdisAllocateMdl, NdisFreeMdl, NdisQueryMdl, NdisGetNextMdl,
  NdisGetDataBuffer, NET_BUFFER_LIST_CONTEXT_DATA_START,
  NdisAllocateSpinLock, NdisFreeSpinLock, NdisAcquireSpinLock, NdisReleaseSpinLock, NdisDprAcquireSpinLock, NdisDprReleaseSpinLock,
  NdisInitializeEvent, NdisSetEvent, NdisResetEvent, NdisWaitEvent,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NET_BUFFER_NEXT_NB, NET_BUFFER_DATA_LENGTH, NET_BUFFER_CURRENT_MDL, NET_BUFFER_CURRENT_MDL_OFFSET,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES,
  NetEventSetPower, NetEventQueryPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice,
  NetEventBindList, NetEventBindsComplete, NetEventPause, NetEventRestart,
  NdisRequestSetInformation, NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_CURRENT_ADDRESS,
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_BROADCAST, NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_STATUS_LINK_STATE,
  NormalPoolPriority, NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
  NDIS_PROTOCOL_ID_DEFAULT, NdisMedium802_3,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1, NdisDeviceStateD0,
  type NDIS_HANDLE, type DRIVER_OBJECT, type NET_BUFFER_LIST, type NET_BUFFER, type MDL, type NET_PNP_EVENT_NOTIFICATION,
  type NDIS_BIND_PARAMETERS, type NDIS_STATUS, type NDIS_STATUS_INDICATION, type NDIS_OID_REQUEST, type NDIS_SPIN_LOCK, type NDIS_EVENT,
} from 'ndis';

/** Pool tag 'Nuio', as a driver would pick a four-character tag for its allocations. */
const NPROT_TAG = 0x6f69754e;
/** Frames kept per open before the oldest is dropped (the application reads them at its pace). */
const MAX_RECV_QUEUE_SIZE = 4;
/** Bytes of NBL context each send carries: its slot in the send table (a multiple of 16). */
const SEND_CONTEXT_SIZE = 16;
const NPROT_ETHERTYPE = 0x88b5;

// Binding states (the open context's Flags, under its Lock).
const NPROTO_BIND_OPENING = 0x01;
const NPROTO_BIND_ACTIVE = 0x02;
const NPROTO_BIND_CLOSING = 0x04;
const NPROTO_BIND_FLAGS = 0x0f;
// Data-path state within an active binding.
const NPROTO_PAUSED = 0x10;
const NPROTO_PAUSING = 0x20;
const NPROTO_RUNNING = 0x40;
const NPROTO_DATA_FLAGS = 0x70;
// The application has the device open (ndisprot's open file object).
const NPROTO_OPEN_ACTIVE = 0x100;

/** One send in flight: the driver memory and the MDL over it, freed when the send completes. */
interface SendResources {
  Buffer: Uint8Array;
  Mdl: MDL;
}

/** The per-binding state (ndisprot's NDISPROT_OPEN_CONTEXT). */
interface OPEN_CONTEXT {
  Lock: NDIS_SPIN_LOCK;
  /** References: one for the binding, one per send and OID request in flight. */
  RefCount: number;
  Flags: number;
  BindingHandle: NDIS_HANDLE | null;
  AdapterName: string;
  CurrentAddress: Uint8Array;
  SendNblPool: NDIS_HANDLE | null;
  PendedSendCount: number;
  PendedOidCount: number;
  /** Sends by the slot written in their NBL's context area. */
  SendTable: Map<number, SendResources>;
  NextSendSlot: number;
  /** Copied frames waiting for the application, oldest first. */
  RecvQueue: Uint8Array[];
  RecvDropped: number;
  /** Signaled when the last send (and, when closing, the last OID request) completes. */
  IdleEvent: NDIS_EVENT;
  /** Signaled by CloseAdapterCompleteHandlerEx. */
  ClosingEvent: NDIS_EVENT;
  /** The bind-time request being waited on, and its outcome. */
  BindRequest: NDIS_OID_REQUEST | null;
  BindRequestStatus: NDIS_STATUS;
  BindRequestEvent: NDIS_EVENT;
  /** Set by OpenAdapterCompleteHandlerEx, with the open's final status, when NdisOpenAdapterEx pended. */
  OpenEvent: NDIS_EVENT;
  OpenStatus: NDIS_STATUS;
  /** The device power state the last NetEventSetPower named (NdisDeviceStateD0 = 1 ... D3 = 4). */
  PowerState: number;
  LinkStates: number[];
}

/**
 * The open context of each adapter, by the application's adapter number (the order adapters were
 * first bound in); null once that binding's context is freed.
 */
const opens: (OPEN_CONTEXT | null)[] = [];
const adapterNames: string[] = [];
let ProtocolHandle: NDIS_HANDLE | null = null;

function oidHeader() {
  return { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 };
}

/** Drops a reference; the last one frees what the open context owns. Called with the lock not held. */
function derefOpen(open: OPEN_CONTEXT): void {
  NdisAcquireSpinLock(open.Lock);
  const left = --open.RefCount;
  NdisReleaseSpinLock(open.Lock);
  if (left === 0) {
    // Every NBL from the pool has come back (each send held a reference), so the pool can go.
    if (open.SendNblPool) NdisFreeNetBufferListPool(open.SendNblPool);
    open.SendNblPool = null;
    NdisFreeSpinLock(open.Lock);
    const i = opens.indexOf(open);
    if (i >= 0) opens[i] = null;
  }
}

/** Sets IdleEvent if nothing the unbind or pause waits for is left. Called with the lock held. */
function signalIfIdleLocked(open: OPEN_CONTEXT): void {
  const closing = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_CLOSING;
  if (open.PendedSendCount === 0 && (!closing || open.PendedOidCount === 0)) NdisSetEvent(open.IdleEvent);
}

/**
 * Sends a request and waits for its answer, as a bind may (it runs at PASSIVE_LEVEL). The
 * completion handler recognizes the request by identity and sets BindRequestEvent.
 */
function doRequestAndWait(open: OPEN_CONTEXT, request: NDIS_OID_REQUEST): NDIS_STATUS {
  NdisResetEvent(open.BindRequestEvent);
  open.BindRequest = request;
  let status = NdisOidRequest(open.BindingHandle!, request);
  if (status === NDIS_STATUS_PENDING) {
    NdisWaitEvent(open.BindRequestEvent, 0);
    status = open.BindRequestStatus;
  }
  open.BindRequest = null;
  return status;
}

function queryCurrentAddress(open: OPEN_CONTEXT): NDIS_STATUS {
  const buffer = new Uint8Array(6);
  const status = doRequestAndWait(open, { Header: oidHeader(), RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: OID_802_3_CURRENT_ADDRESS, InformationBuffer: buffer } } });
  if (status === NDIS_STATUS_SUCCESS) open.CurrentAddress = buffer.slice(0, 6);
  return status;
}

function setPacketFilter(open: OPEN_CONTEXT, filter: number): NDIS_STATUS {
  const buffer = new Uint8Array(4);
  new DataView(buffer.buffer).setUint32(0, filter, true);
  return doRequestAndWait(open, { Header: oidHeader(), RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer } } });
}

/**
 * Waits at PASSIVE_LEVEL until the sends (and, when closing, the OID requests) are back. The
 * completion handlers run at DISPATCH_LEVEL and only set the event.
 */
function waitForPendingIo(open: OPEN_CONTEXT): void {
  NdisAcquireSpinLock(open.Lock);
  NdisResetEvent(open.IdleEvent);
  signalIfIdleLocked(open);
  NdisReleaseSpinLock(open.Lock);
  NdisWaitEvent(open.IdleEvent, 0);
}

/** Copies a NET_BUFFER's data out by walking its MDLs from CurrentMdl/CurrentMdlOffset. */
function copyNetBuffer(nb: NET_BUFFER): Uint8Array {
  const length = NET_BUFFER_DATA_LENGTH(nb);
  const frame = new Uint8Array(length);
  let mdl: MDL | null = NET_BUFFER_CURRENT_MDL(nb);
  let offset = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
  let copied = 0;
  while (mdl && copied < length) {
    const { VirtualAddress, Length } = NdisQueryMdl(mdl);
    const take = Math.min(Length - offset, length - copied);
    if (take > 0) frame.set(VirtualAddress.subarray(offset, offset + take), copied);
    copied += Math.max(take, 0);
    offset = 0;
    mdl = NdisGetNextMdl(mdl).NextMdl;
  }
  return frame;
}

/** Drops the frames waiting for the application (they are copies: no NBL goes back for them). */
function flushReceiveQueue(open: OPEN_CONTEXT): void {
  NdisAcquireSpinLock(open.Lock);
  open.RecvDropped += open.RecvQueue.length;
  open.RecvQueue.length = 0;
  NdisReleaseSpinLock(open.Lock);
}

/**
 * Closes the adapter, from the unbind or from a bind that fails (PASSIVE_LEVEL), and waits for
 * CloseAdapterCompleteHandlerEx if NDIS pends the close. The handle is invalid from the call on.
 */
function closeBinding(open: OPEN_CONTEXT): void {
  NdisResetEvent(open.ClosingEvent);
  const status = NdisCloseAdapterEx(open.BindingHandle!);
  if (status === NDIS_STATUS_PENDING) NdisWaitEvent(open.ClosingEvent, 0);
  open.BindingHandle = null;
}

/**
 * The application's write: `count` frames of `size` bytes to `destination`, each in memory the
 * driver allocates, described by an MDL, carried by an NBL from the open's pool. Each frame
 * carries its sequence number after the Ethernet header. Returns how many went out.
 */
export function SendFrames(index: number, destination: string, count: number, size = 60, first = 0): number {
  const open = opens[index];
  if (!open) return 0;
  NdisAcquireSpinLock(open.Lock);
  const ready = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_ACTIVE && (open.Flags & NPROTO_DATA_FLAGS) === NPROTO_RUNNING
    && open.PowerState === NdisDeviceStateD0 && open.BindingHandle !== null;
  NdisReleaseSpinLock(open.Lock);
  if (!ready) return 0;
  const dest = destination.split(':').map((h) => parseInt(h, 16));
  let head: NET_BUFFER_LIST | null = null;
  let tail: NET_BUFFER_LIST | null = null;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const buffer = NdisAllocateMemoryWithTagPriority(open.BindingHandle, size, NPROT_TAG, NormalPoolPriority);
    if (!buffer) break;
    const mdl = NdisAllocateMdl(open.BindingHandle, buffer, size);
    if (!mdl) { NdisFreeMemory(buffer, size, 0); break; }
    const nbl = NdisAllocateNetBufferAndNetBufferList(open.SendNblPool!, 0, 0, mdl, 0, size);
    if (!nbl) { NdisFreeMdl(mdl); NdisFreeMemory(buffer, size, 0); break; }
    buffer.set(dest, 0);
    buffer.set(open.CurrentAddress, 6);
    buffer[12] = NPROT_ETHERTYPE >> 8;
    buffer[13] = NPROT_ETHERTYPE & 0xff;
    const seq = first + i;
    buffer[14] = seq; buffer[15] = seq >>> 8; buffer[16] = seq >>> 16; buffer[17] = seq >>> 24;
    // The NBL's context area (the pool's ContextSize) names the send's slot, so the completion
    // finds the memory and MDL to free without a search.
    const slot = open.NextSendSlot++ >>> 0;
    const context = NET_BUFFER_LIST_CONTEXT_DATA_START(nbl);
    context[0] = slot; context[1] = slot >>> 8; context[2] = slot >>> 16; context[3] = slot >>> 24;
    open.SendTable.set(slot, { Buffer: buffer, Mdl: mdl });
    nbl.SourceHandle = open.BindingHandle; // NDIS returns the NBL to the binding SourceHandle names (NdisSendNetBufferLists)
    if (tail) tail.Next = nbl;
    else head = nbl;
    tail = nbl;
    sent++;
  }
  if (!head) return 0;
  NdisAcquireSpinLock(open.Lock);
  open.PendedSendCount += sent;
  open.RefCount += sent;
  NdisReleaseSpinLock(open.Lock);
  NdisSendNetBufferLists(open.BindingHandle!, head, 0, 0);
  return sent;
}

/**
 * The application's query (an IOCTL in ndisprot), sent without waiting (PASSIVE_LEVEL): the
 * miniport answers it before NdisOidRequest returns, or later, through OidRequestCompleteHandler.
 */
export function QueryOid(index: number, oid: number): NDIS_STATUS {
  const open = opens[index];
  if (!open) return NDIS_STATUS_FAILURE;
  NdisAcquireSpinLock(open.Lock);
  if ((open.Flags & NPROTO_BIND_FLAGS) !== NPROTO_BIND_ACTIVE || !open.BindingHandle) {
    NdisReleaseSpinLock(open.Lock);
    return NDIS_STATUS_FAILURE;
  }
  open.PendedOidCount++;
  open.RefCount++;
  NdisReleaseSpinLock(open.Lock);
  const request: NDIS_OID_REQUEST = { Header: oidHeader(), RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: oid, InformationBuffer: new Uint8Array(256) } } };
  const status = NdisOidRequest(open.BindingHandle!, request);
  if (status !== NDIS_STATUS_PENDING) oidComplete(open);
  return status;
}

/** The application opens the device on a binding (ndisprot's open of a file object on an adapter). */
export function OpenHandle(index: number): void {
  const open = opens[index];
  if (!open) return;
  NdisAcquireSpinLock(open.Lock);
  open.Flags |= NPROTO_OPEN_ACTIVE;
  NdisReleaseSpinLock(open.Lock);
}

/** The application closes it; queued frames are discarded. */
export function CloseHandle(index: number): void {
  const open = opens[index];
  if (!open) return;
  NdisAcquireSpinLock(open.Lock);
  open.Flags &= ~NPROTO_OPEN_ACTIVE;
  open.RecvQueue.length = 0;
  NdisReleaseSpinLock(open.Lock);
}

/**
 * The application gives the adapter up: ask NDIS to unbind (NdisUnbindAdapter), which calls
 * UnbindAdapterHandlerEx, where the close happens, possibly before this returns. Nothing new is
 * started on the binding from here on.
 */
export function ReleaseAdapter(index: number): void {
  const open = opens[index];
  if (!open) return;
  NdisAcquireSpinLock(open.Lock);
  const handle = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_ACTIVE ? open.BindingHandle : null;
  if (handle) open.Flags = (open.Flags & ~NPROTO_BIND_FLAGS) | NPROTO_BIND_CLOSING;
  NdisReleaseSpinLock(open.Lock);
  if (handle) NdisUnbindAdapter(handle);
}

/** An application OID request has completed (DISPATCH_LEVEL possible): count it down. */
function oidComplete(open: OPEN_CONTEXT): void {
  // Not the Dpr form: a request that completed at once comes here at PASSIVE_LEVEL, from the caller.
  NdisAcquireSpinLock(open.Lock);
  open.PendedOidCount--;
  signalIfIdleLocked(open);
  NdisReleaseSpinLock(open.Lock);
  derefOpen(open);
}

/** DriverUnload: deregistering unbinds every binding within the call. */
function NdisprotUnload(_DriverObject: DRIVER_OBJECT): void {
  if (ProtocolHandle) NdisDeregisterProtocolDriver(ProtocolHandle);
  ProtocolHandle = null;
}

export function DriverEntry(DriverObject: DRIVER_OBJECT, _RegistryPath: string): NDIS_STATUS {
  DriverObject.DriverUnload = NdisprotUnload;
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<OPEN_CONTEXT>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    MajorDriverVersion: 1,
    MinorDriverVersion: 0,
    Name: 'nprot',

    // PASSIVE_LEVEL: open, then ask the adapter for its address and set the packet filter,
    // waiting for each answer. Any failure closes what was opened and fails the bind.
    BindAdapterHandlerEx(_ProtocolDriverContext: unknown, BindContext: NDIS_HANDLE, BindParameters: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const open: OPEN_CONTEXT = {
        Lock: NdisAllocateSpinLock(), RefCount: 1, Flags: NPROTO_BIND_OPENING | NPROTO_PAUSED, BindingHandle: null,
        AdapterName: BindParameters.AdapterName, CurrentAddress: BindParameters.CurrentMacAddress.slice(0, BindParameters.MacAddressLength),
        SendNblPool: null, PendedSendCount: 0, PendedOidCount: 0, SendTable: new Map(), NextSendSlot: 0,
        RecvQueue: [], RecvDropped: 0, IdleEvent: NdisInitializeEvent(), ClosingEvent: NdisInitializeEvent(),
        BindRequest: null, BindRequestStatus: NDIS_STATUS_SUCCESS, BindRequestEvent: NdisInitializeEvent(),
        OpenEvent: NdisInitializeEvent(), OpenStatus: NDIS_STATUS_SUCCESS, PowerState: NdisDeviceStateD0, LinkStates: [],
      };
      open.SendNblPool = NdisAllocateNetBufferListPool(ProtocolHandle, {
        Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 },
        ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: SEND_CONTEXT_SIZE, PoolTag: NPROT_TAG, DataSize: 0,
      });
      if (!open.SendNblPool) { derefOpen(open); return NDIS_STATUS_RESOURCES; }

      const opened = NdisOpenAdapterEx(ProtocolHandle!, open, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: BindParameters.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [NPROT_ETHERTYPE],
        FrameTypeArraySize: 1,
      }, BindContext);
      let openStatus = opened.Status;
      if (openStatus === NDIS_STATUS_PENDING) {
        // The bind runs at PASSIVE_LEVEL, so it may wait: OpenAdapterCompleteHandlerEx brings the
        // final status and sets the event.
        NdisWaitEvent(open.OpenEvent, 0);
        openStatus = open.OpenStatus;
      }
      if (openStatus !== NDIS_STATUS_SUCCESS) { derefOpen(open); return openStatus; }
      open.BindingHandle = opened.NdisBindingHandle;
      let slot = adapterNames.indexOf(open.AdapterName);
      if (slot < 0) slot = adapterNames.push(open.AdapterName) - 1;
      opens[slot] = open;

      let status = queryCurrentAddress(open);
      if (status === NDIS_STATUS_SUCCESS) status = setPacketFilter(open, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
      if (status !== NDIS_STATUS_SUCCESS) {
        // The bind is still in progress, so closing from here is allowed.
        closeBinding(open);
        derefOpen(open);
        return NDIS_STATUS_FAILURE;
      }
      NdisAcquireSpinLock(open.Lock);
      open.Flags = (open.Flags & ~NPROTO_BIND_FLAGS) | NPROTO_BIND_ACTIVE;
      NdisReleaseSpinLock(open.Lock);
      return NDIS_STATUS_SUCCESS;
    },

    // PASSIVE_LEVEL: an open that pended is done; the bind waiting for it carries on.
    OpenAdapterCompleteHandlerEx(open: OPEN_CONTEXT, Status: NDIS_STATUS): void {
      open.OpenStatus = Status;
      NdisSetEvent(open.OpenEvent);
    },

    // PASSIVE_LEVEL, the binding Paused (NDIS pauses it first): nothing new is started on it from
    // here, what is in flight is waited for, and the adapter is closed. Completes synchronously.
    UnbindAdapterHandlerEx(_UnbindContext: NDIS_HANDLE, open: OPEN_CONTEXT): NDIS_STATUS {
      NdisAcquireSpinLock(open.Lock);
      open.Flags = (open.Flags & ~NPROTO_BIND_FLAGS) | NPROTO_BIND_CLOSING;
      open.RecvQueue.length = 0;
      NdisReleaseSpinLock(open.Lock);
      waitForPendingIo(open);
      closeBinding(open);
      derefOpen(open); // the binding's own reference
      return NDIS_STATUS_SUCCESS;
    },

    // PASSIVE_LEVEL: a close that pended is done; the unbind (or failed bind) waiting for it carries on.
    CloseAdapterCompleteHandlerEx(open: OPEN_CONTEXT): void {
      NdisSetEvent(open.ClosingEvent);
    },

    // PASSIVE_LEVEL for every event, with the binding's context (NULL for BindList and
    // BindsComplete, which concern every binding). Pause and Restart move the data path between
    // Running and Paused; QueryRemoveDevice is refused while the application has the device open;
    // the rest record state or have nothing to do.
    NetPnPEventHandler(open: OPEN_CONTEXT | null, NetPnPEventNotification: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      const event = NetPnPEventNotification.NetPnPEvent;
      switch (event.NetEvent) {
        case NetEventSetPower:
          // The device power state NDIS moves the adapter to (NdisDeviceStateD0 = 1 ... D3 = 4).
          // Going to low power, the frames queued for the application are dropped.
          if (open && event.Buffer instanceof Uint32Array) {
            open.PowerState = event.Buffer[0]!;
            if (open.PowerState !== NdisDeviceStateD0) flushReceiveQueue(open);
          }
          return NDIS_STATUS_SUCCESS;
        case NetEventQueryRemoveDevice:
          // The application's open file object keeps the adapter: the removal is refused.
          if (!open) return NDIS_STATUS_SUCCESS;
          NdisAcquireSpinLock(open.Lock);
          if (open.Flags & NPROTO_OPEN_ACTIVE) { NdisReleaseSpinLock(open.Lock); return NDIS_STATUS_FAILURE; }
          NdisReleaseSpinLock(open.Lock);
          return NDIS_STATUS_SUCCESS;
        case NetEventQueryPower:
        case NetEventCancelRemoveDevice:
        case NetEventBindList:
        case NetEventBindsComplete:
          return NDIS_STATUS_SUCCESS;
        case NetEventPause:
          if (!open) return NDIS_STATUS_SUCCESS;
          NdisAcquireSpinLock(open.Lock);
          open.Flags = (open.Flags & ~NPROTO_DATA_FLAGS) | NPROTO_PAUSING;
          NdisReleaseSpinLock(open.Lock);
          waitForPendingIo(open);
          flushReceiveQueue(open);
          NdisAcquireSpinLock(open.Lock);
          open.Flags = (open.Flags & ~NPROTO_DATA_FLAGS) | NPROTO_PAUSED;
          NdisReleaseSpinLock(open.Lock);
          return NDIS_STATUS_SUCCESS;
        case NetEventRestart:
          if (!open) return NDIS_STATUS_SUCCESS;
          NdisAcquireSpinLock(open.Lock);
          open.Flags = (open.Flags & ~NPROTO_DATA_FLAGS) | NPROTO_RUNNING;
          NdisReleaseSpinLock(open.Lock);
          return NDIS_STATUS_SUCCESS;
        default:
          // Reconfigure, PnPCapabilities, PortActivation, PortDeactivation, IMReEnableDevice and
          // any event added later: nothing to do here, and the event succeeds.
          return NDIS_STATUS_SUCCESS;
      }
    },

    // DISPATCH_LEVEL possible: keeps the link states the adapter indicates.
    StatusHandlerEx(open: OPEN_CONTEXT, StatusIndication: NDIS_STATUS_INDICATION): void {
      if (StatusIndication.StatusCode === NDIS_STATUS_LINK_STATE && StatusIndication.StatusBufferSize >= 8) {
        const b = StatusIndication.StatusBuffer;
        open.LinkStates.push((b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0);
      }
    },

    // DISPATCH_LEVEL possible: only set events and count down.
    OidRequestCompleteHandler(open: OPEN_CONTEXT, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void {
      if (OidRequest === open.BindRequest) {
        open.BindRequestStatus = Status;
        NdisSetEvent(open.BindRequestEvent);
        return;
      }
      oidComplete(open);
    },

    // DISPATCH_LEVEL possible: free each send's NBL, then the MDL, then the memory under it.
    SendNetBufferListsCompleteHandler(open: OPEN_CONTEXT, NetBufferLists: NET_BUFFER_LIST, _SendCompleteFlags: number): void {
      let completed = 0;
      for (let nbl: NET_BUFFER_LIST | null = NetBufferLists; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        const context = NET_BUFFER_LIST_CONTEXT_DATA_START(nbl);
        const slot = (context[0]! | (context[1]! << 8) | (context[2]! << 16) | (context[3]! << 24)) >>> 0;
        const resources = open.SendTable.get(slot);
        open.SendTable.delete(slot);
        NdisFreeNetBufferList(nbl);
        if (resources) {
          NdisFreeMdl(resources.Mdl);
          NdisFreeMemory(resources.Buffer, resources.Buffer.length, 0);
        }
        completed++;
        nbl = next;
      }
      NdisDprAcquireSpinLock(open.Lock);
      open.PendedSendCount -= completed;
      signalIfIdleLocked(open);
      NdisDprReleaseSpinLock(open.Lock);
      for (let i = 0; i < completed; i++) derefOpen(open);
    },

    // DISPATCH_LEVEL: copy every frame into the receive queue (the oldest is dropped when it is
    // full), then give back the NBLs that are ours to return: not those indicated with RESOURCES.
    ReceiveNetBufferListsHandler(open: OPEN_CONTEXT, NetBufferLists: NET_BUFFER_LIST, _PortNumber: number, _NumberOfNetBufferLists: number, ReceiveFlags: number): void {
      const header = new Uint8Array(14);
      NdisDprAcquireSpinLock(open.Lock);
      const accepting = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_ACTIVE;
      NdisDprReleaseSpinLock(open.Lock);
      for (let nbl: NET_BUFFER_LIST | null = NetBufferLists; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        for (let nb: NET_BUFFER | null = NET_BUFFER_LIST_FIRST_NB(nbl); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
          // The Ethernet header, contiguous (in place, or copied into `header` when it spans MDLs).
          const eth = NET_BUFFER_DATA_LENGTH(nb) >= 14 ? NdisGetDataBuffer(nb, 14, header, 1, 0) : null;
          if (!eth || !accepting) continue;
          const frame = copyNetBuffer(nb);
          NdisDprAcquireSpinLock(open.Lock);
          open.RecvQueue.push(frame);
          if (open.RecvQueue.length > MAX_RECV_QUEUE_SIZE) { open.RecvQueue.shift(); open.RecvDropped++; }
          NdisDprReleaseSpinLock(open.Lock);
        }
      }
      if ((ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(open.BindingHandle!, NetBufferLists, 0);
    },
  });
  ProtocolHandle = NdisProtocolHandle;
  return Status;
}
