// Reference protocol driver: binds to every adapter, sets a packet filter, sends and receives,
// and gets every PnP event right (seeds 000-003). Tests run it under many seeds and expect no
// finding; labs grade against it. Its exports are what a lab's application asks of it: send
// frames, query an OID, and for the filter-oid lab put a binding in promiscuous mode
// (SetPromiscuous), size a query's buffer (QueryTooShort), take back a query (QueryAndCancel).

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisDeregisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent,
  NdisCompleteUnbindAdapterEx, NdisCompleteBindAdapterEx, NdisOidRequest, NdisCancelOidRequest, NdisSendNetBufferLists, NdisReturnNetBufferLists,
  NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
  NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE,
  NetEventPause, NetEventRestart, NdisRequestSetInformation, NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER,
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_PROMISCUOUS, OID_GEN_STATISTICS, OID_802_3_CURRENT_ADDRESS, NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_STATUS_LINK_STATE,
  type NDIS_STATUS_INDICATION, type NDIS_HANDLE, type DRIVER_OBJECT, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
} from 'ndis';

export interface Binding {
  handle: NDIS_HANDLE | null;
  adapter: string;
  macAddress: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  /** Sends not yet completed. */
  sendsOutstanding: number;
  /** OID requests not yet completed. */
  oidsOutstanding: number;
  /** A pause waiting for the sends to complete. */
  pendingPause: NET_PNP_EVENT_NOTIFICATION | null;
  /** An unbind waiting for OID requests to complete before closing. */
  pendingUnbind: NDIS_HANDLE | null;
  /** A bind waiting for its open (NdisOpenAdapterEx returned PENDING), and the handle it gave. */
  pendingBind: NDIS_HANDLE | null;
  opening: NDIS_HANDLE | null;
  /** An unbind whose close pends, finished by CloseAdapterCompleteHandlerEx. */
  closingUnbind: NDIS_HANDLE | null;
  /** Sequence numbers of the frames received, in order. */
  received: number[];
  /** MediaConnectState of each NDIS_STATUS_LINK_STATE indication, in order. */
  linkStates: number[];
}

export const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

function countOf(nbls: NET_BUFFER_LIST | null): number {
  let n = 0;
  for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) n++;
  return n;
}

function setPacketFilter(b: Binding, filter: number): void {
  const buffer = new Uint8Array(4);
  new DataView(buffer.buffer).setUint32(0, filter, true);
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle!, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer } } });
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b);
}

/** An OID request of ours completed: from OidRequestCompleteHandler, or at once (NdisOidRequest did not pend). */
function oidRequestComplete(b: Binding): void {
  b.oidsOutstanding--;
  closeIfIdle(b);
}

/**
 * Runs `work` at PASSIVE_LEVEL, from a work item of its own. The completion handlers that find a
 * binding idle run at DISPATCH_LEVEL, and NdisCloseAdapterEx and NdisCompleteNetPnPEvent may
 * only be called at PASSIVE_LEVEL.
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
    atPassiveLevel(() => closeAndFinish(b, handle, unbindContext));
  }
}

/** Closes the adapter and completes the unbind, now or, if the close pends, from CloseAdapterCompleteHandlerEx. */
function closeAndFinish(b: Binding, handle: NDIS_HANDLE, unbindContext: NDIS_HANDLE): void {
  if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) b.closingUnbind = unbindContext;
  else NdisCompleteUnbindAdapterEx(unbindContext);
}

/** The open succeeded (at once, or in OpenAdapterCompleteHandlerEx): the binding is ours to use. */
function opened(b: Binding, handle: NDIS_HANDLE): void {
  b.handle = handle;
  bindings.push(b);
  setPacketFilter(b, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
}

function finishPauseIfIdle(b: Binding): void {
  if (b.pendingPause && b.sendsOutstanding === 0) {
    const event = b.pendingPause;
    b.pendingPause = null;
    atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));
  }
}

/**
 * Sends `count` frames of `size` bytes from binding `index` to `destination`, each carrying its
 * sequence number after the Ethernet header. Does nothing unless the binding is Running.
 * Returns how many it sent.
 */
export function SendFrames(index: number, destination: string, count: number, size = 60, first = 0): number {
  const b = bindings[index];
  if (!b || !b.running || !b.handle) return 0;
  let head: NET_BUFFER_LIST | null = null;
  let tail: NET_BUFFER_LIST | null = null;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, size);
    if (!nbl) break;
    const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    data.set(destination.split(':').map((h) => parseInt(h, 16)), 0);
    data.set(b.macAddress, 6);
    data[12] = 0x88;
    data[13] = 0xb5;
    // The sequence number after the Ethernet header, little-endian, byte by byte: Data is a view of
    // the machine's memory and gives out no buffer for a DataView.
    const seq = first + i;
    data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;
    nbl.SourceHandle = b.handle; // NDIS returns the NBL to the binding SourceHandle names (NdisSendNetBufferLists)
    if (tail) tail.Next = nbl;
    else head = nbl;
    tail = nbl;
    sent++;
  }
  if (!head) return 0;
  b.sendsOutstanding += sent;
  NdisSendNetBufferLists(b.handle, head, 0, 0);
  return sent;
}

/**
 * The lab's application asks for an OID query on binding `index` (as a user-mode program would
 * through an IOCTL). Returns NdisOidRequest's status (PENDING, or the final status of a request
 * completed at once), or FAILURE if the binding cannot take requests now.
 */
export function QueryOid(index: number, oid: number): NDIS_STATUS {
  const b = bindings[index];
  if (!b || !b.handle || b.pendingUnbind) return NDIS_STATUS_FAILURE;
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: oid, InformationBuffer: new Uint8Array(256) } } });
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b);
  return status;
}

/**
 * The application asks for every frame on the wire of binding `index` (a capture tool would): a
 * set of OID_GEN_CURRENT_PACKET_FILTER with NDIS_PACKET_TYPE_PROMISCUOUS added. Returns
 * NdisOidRequest's status, or FAILURE if the binding cannot take requests now.
 */
export function SetPromiscuous(index: number): NDIS_STATUS {
  const b = bindings[index];
  if (!b || !b.handle || b.pendingUnbind) return NDIS_STATUS_FAILURE;
  const buffer = new Uint8Array(4);
  new DataView(buffer.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS, true);
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer } } });
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b);
  return status;
}

/**
 * The application asks for the MAC address of binding `index` with room for 2 bytes only, to
 * learn from BytesNeeded how much to allocate (as a program sizing its buffer does): the request
 * completes with NDIS_STATUS_BUFFER_TOO_SHORT and BytesNeeded 6.
 */
export function QueryTooShort(index: number): NDIS_STATUS {
  const b = bindings[index];
  if (!b || !b.handle || b.pendingUnbind) return NDIS_STATUS_FAILURE;
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: OID_802_3_CURRENT_ADDRESS, InformationBuffer: new Uint8Array(2) } } });
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b);
  return status;
}

/** RequestIds of this driver's cancellable queries: each its own object, so no other request matches it. */
let nextRequestId = 1;

/**
 * The application asks for the statistics of binding `index` and, before they come, says it no
 * longer wants them (its user closed the window): NdisCancelOidRequest with the request's
 * RequestId, if NdisOidRequest pended it. The request still completes, to
 * ProtocolOidRequestComplete, with NDIS_STATUS_REQUEST_ABORTED if it was cancelled in time.
 */
export function QueryAndCancel(index: number): NDIS_STATUS {
  const b = bindings[index];
  if (!b || !b.handle || b.pendingUnbind) return NDIS_STATUS_FAILURE;
  const requestId = { query: nextRequestId++ };
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestQueryInformation, RequestId: requestId, DATA: { QUERY_INFORMATION: { Oid: OID_GEN_STATISTICS, InformationBuffer: new Uint8Array(256) } } });
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b);
  else NdisCancelOidRequest(b.handle, requestId);
  return status;
}

/** DriverUnload: deregister; NDIS unbinds what is still bound within the call. */
function Unload(_driverObject: DRIVER_OBJECT): void {
  if (protocolHandle) NdisDeregisterProtocolDriver(protocolHandle);
  protocolHandle = null;
}

export function DriverEntry(DriverObject: DRIVER_OBJECT, _RegistryPath: string): NDIS_STATUS {
  DriverObject.DriverUnload = Unload;
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'reference-protocol',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = {
        handle: null, adapter: params.AdapterName, macAddress: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!,
        running: false, sendsOutstanding: 0, oidsOutstanding: 0, pendingPause: null, pendingUnbind: null, pendingBind: null, opening: null, closingUnbind: null, received: [], linkStates: [],
      };
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
        // The handle is not ours to use until OpenAdapterCompleteHandlerEx brings the final status.
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
      // Seed 003: sends and OID requests must be complete before NdisCloseAdapterEx.
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
      if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here
      if (event.NetPnPEvent.NetEvent === NetEventRestart) {
        b.running = true;
        return NDIS_STATUS_SUCCESS;
      }
      if (event.NetPnPEvent.NetEvent === NetEventPause) {
        b.running = false;
        if (b.sendsOutstanding === 0) return NDIS_STATUS_SUCCESS;
        b.pendingPause = event;
        return NDIS_STATUS_PENDING;
      }
      // Events this driver has no work for still succeed (never NDIS_STATUS_NOT_SUPPORTED).
      return NDIS_STATUS_SUCCESS;
    },

    StatusHandlerEx(b: Binding, indication: NDIS_STATUS_INDICATION): void {
      if (indication.StatusCode === NDIS_STATUS_LINK_STATE && indication.StatusBufferSize >= 8) {
        b.linkStates.push(new DataView(indication.StatusBuffer.buffer, indication.StatusBuffer.byteOffset).getUint32(4, true));
      }
    },

    OidRequestCompleteHandler: oidRequestComplete,

    SendNetBufferListsCompleteHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisFreeNetBufferList(nbl);
        b.sendsOutstanding--;
        nbl = next;
      }
      finishPauseIfIdle(b);
      closeIfIdle(b);
    },

    ReceiveNetBufferListsHandler(b: Binding, nbls: NET_BUFFER_LIST, _port: number, _count: number, flags: number): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
        if (data.length >= 18) b.received.push(((data[14]! | (data[15]! << 8) | (data[16]! << 16) | (data[17]! << 24)) >>> 0));
      }
      // With RESOURCES the NBLs go back when this returns; otherwise they are ours to return.
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0 && countOf(nbls) > 0) NdisReturnNetBufferLists(b.handle!, nbls, 0);
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
