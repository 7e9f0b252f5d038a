// Lab filter-oid: the reference solution. A pass-through filter that takes part in the control
// path: OID requests from above go down as clones (NdisAllocateCloneOidRequest) and come back up
// with their results; a set that would put the adapter in promiscuous mode is refused by the
// filter itself; a request the overlying driver cancels is cancelled below; and status
// indications from below (the link going down and up) go on up, the module keeping the last link
// state it saw. Sends and receives pass through, as seed 004 asks while the module is not Running.

import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisFIndicateStatus,
  NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest, NdisFOidRequest, NdisFOidRequestComplete, NdisFCancelOidRequest,
  NET_BUFFER_LIST_NEXT_NBL, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_PAUSED, NDIS_STATUS_NOT_SUPPORTED,
  NDIS_STATUS_LINK_STATE, NDIS_RECEIVE_FLAGS_RESOURCES, NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER,
  NDIS_PACKET_TYPE_PROMISCUOUS,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS, type NDIS_OID_REQUEST, type NDIS_STATUS_INDICATION,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
} from 'ndis';

/** Pool tag of the clones, 'Foid' read as a little-endian ULONG. */
const CLONE_TAG = 0x64696f46;

interface Module {
  handle: NDIS_HANDLE;
  running: boolean;
  /** The clone passed down and not yet complete (NDIS gives a module one standard request at a time). */
  pending: NDIS_OID_REQUEST | null;
  /** MediaConnectState of the last NDIS_STATUS_LINK_STATE from below (0: not known yet). */
  linkState: number;
}

/** A set of OID_GEN_CURRENT_PACKET_FILTER that asks for NDIS_PACKET_TYPE_PROMISCUOUS. */
function asksForPromiscuous(request: NDIS_OID_REQUEST): boolean {
  const set = request.DATA.SET_INFORMATION;
  if (request.RequestType !== NdisRequestSetInformation || !set || set.Oid !== OID_GEN_CURRENT_PACKET_FILTER) return false;
  if (set.InformationBuffer.byteLength < 4) return false; // too short: the miniport answers that one
  const filter = set.InformationBuffer[0]! | (set.InformationBuffer[1]! << 8) | (set.InformationBuffer[2]! << 16) | (set.InformationBuffer[3]! << 24);
  return (filter & NDIS_PACKET_TYPE_PROMISCUOUS) !== 0;
}

/**
 * The clone `clone` is complete with `status`: from FilterOidRequestComplete, or from
 * FilterOidRequest when NdisFOidRequest did not pend (then no FilterOidRequestComplete comes).
 * The results the miniport wrote into the clone are copied into the original (the
 * InformationBuffer is the original's own: the clone points at it), the clone is freed, and the
 * original is completed up with the same status. Runs at IRQL <= DISPATCH_LEVEL.
 */
function completeClone(m: Module, clone: NDIS_OID_REQUEST & { SourceReserved: unknown[] }, status: NDIS_STATUS): void {
  const original = clone.SourceReserved[0] as NDIS_OID_REQUEST;
  const query = clone.DATA.QUERY_INFORMATION, set = clone.DATA.SET_INFORMATION;
  if (query && original.DATA.QUERY_INFORMATION) {
    original.DATA.QUERY_INFORMATION.BytesWritten = query.BytesWritten;
    original.DATA.QUERY_INFORMATION.BytesNeeded = query.BytesNeeded;
  } else if (set && original.DATA.SET_INFORMATION) {
    original.DATA.SET_INFORMATION.BytesRead = set.BytesRead;
    original.DATA.SET_INFORMATION.BytesNeeded = set.BytesNeeded;
  }
  // (No driver above sends method requests here; a filter that passes one copies
  // METHOD_INFORMATION's OutputBufferLength, BytesRead, BytesWritten and BytesNeeded the same way.)
  if (m.pending === clone) m.pending = null;
  clone.SourceReserved[0] = null;
  NdisFreeCloneOidRequest(m.handle, clone);
  NdisFOidRequestComplete(m.handle, original, status);
}

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'oid filter',

    // PASSIVE_LEVEL; the module starts Paused.
    AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {
      const m: Module = { handle, running: false, pending: null, linkState: 0 };
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(_m: Module): void {},

    RestartHandler(m: Module): NDIS_STATUS {
      m.running = true;
      return NDIS_STATUS_SUCCESS;
    },

    // OID requests go on while the module is Paused, so the pause does not wait for them.
    PauseHandler(m: Module): NDIS_STATUS {
      m.running = false;
      return NDIS_STATUS_SUCCESS;
    },

    // IRQL <= DISPATCH_LEVEL, in any state but Detached. What this returns other than
    // NDIS_STATUS_PENDING completes the request; PENDING promises NdisFOidRequestComplete.
    OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {
      // The filter's own rule: nothing above it may make the adapter promiscuous. Refused here,
      // the request never reaches the miniport and the packet filter stays as it was.
      if (asksForPromiscuous(request)) return NDIS_STATUS_NOT_SUPPORTED;
      // The original is the overlying driver's; below goes a clone, which knows its original.
      const { Status, ClonedOidRequest: clone } = NdisAllocateCloneOidRequest(m.handle, request, CLONE_TAG);
      if (Status !== NDIS_STATUS_SUCCESS || !clone) return Status;
      clone.SourceReserved[0] = request;
      m.pending = clone;
      const status = NdisFOidRequest(m.handle, clone);
      // Completed at once: no FilterOidRequestComplete will come, so complete it here. The
      // original is then complete (NdisFOidRequestComplete), and this returns PENDING for it.
      if (status !== NDIS_STATUS_PENDING) completeClone(m, clone, status);
      return NDIS_STATUS_PENDING;
    },

    // IRQL <= DISPATCH_LEVEL: a clone this module passed down is complete.
    OidRequestCompleteHandler(m: Module, request: NDIS_OID_REQUEST, status: NDIS_STATUS): void {
      completeClone(m, request as NDIS_OID_REQUEST & { SourceReserved: unknown[] }, status);
    },

    // IRQL <= DISPATCH_LEVEL: the overlying driver cancels the request with this RequestId. The
    // module cancels its clone below (the clone carries the same RequestId); the clone then
    // completes, NDIS_STATUS_REQUEST_ABORTED, through the usual path.
    CancelOidRequestHandler(m: Module, requestId: unknown): void {
      const original = m.pending?.SourceReserved?.[0] as NDIS_OID_REQUEST | undefined;
      if (original && original.RequestId === requestId) NdisFCancelOidRequest(m.handle, requestId);
    },

    // IRQL <= DISPATCH_LEVEL, in any state (also Paused). The module notes the link state and
    // passes every indication on: the protocols above learn of the link only through it.
    StatusHandler(m: Module, indication: NDIS_STATUS_INDICATION): void {
      if (indication.StatusCode === NDIS_STATUS_LINK_STATE && indication.StatusBuffer.byteLength >= 8) {
        const b = indication.StatusBuffer;
        m.linkState = b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24);
      }
      NdisFIndicateStatus(m.handle, indication);
    },

    // Sends while not Running are completed at once with NDIS_STATUS_PAUSED.
    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      if (m.running) return NdisFSendNetBufferLists(m.handle, nbls, port, flags);
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) nbl.Status = NDIS_STATUS_PAUSED;
      NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
    },

    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFSendNetBufferListsComplete(m.handle, nbls, flags);
    },

    // Receives while not Running go straight back, unless indicated with RESOURCES.
    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, count: number, flags: number): void {
      if (m.running) return NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, count, flags);
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisFReturnNetBufferLists(m.handle, nbls, 0);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
