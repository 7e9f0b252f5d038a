// Lab filter-oid: the starter. A filter whose datapath passes everything through (and completes
// or returns what comes while it is not Running, as seed 004 asks), with the control path still
// to be written: FilterOidRequest refuses every request, nothing is cancelled, and status
// indications stop here. See the instructions.

import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists,
  NET_BUFFER_LIST_NEXT_NBL, NDIS_STATUS_SUCCESS, NDIS_STATUS_PAUSED, NDIS_STATUS_NOT_SUPPORTED, NDIS_RECEIVE_FLAGS_RESOURCES,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS, type NDIS_OID_REQUEST, type NDIS_STATUS_INDICATION,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
} from 'ndis';

interface Module {
  handle: NDIS_HANDLE;
  running: boolean;
}

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'oid filter',

    // PASSIVE_LEVEL; the module starts Paused.
    AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {
      const m: Module = { handle, running: false };
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(_m: Module): void {},

    RestartHandler(m: Module): NDIS_STATUS {
      m.running = true;
      return NDIS_STATUS_SUCCESS;
    },

    PauseHandler(m: Module): NDIS_STATUS {
      m.running = false;
      return NDIS_STATUS_SUCCESS;
    },

    // IRQL <= DISPATCH_LEVEL, in any state but Detached. What this returns other than
    // NDIS_STATUS_PENDING completes the request; PENDING promises NdisFOidRequestComplete.
    // TODO: pass each request down as a clone, and refuse a set that asks for promiscuous mode.
    OidRequestHandler(_m: Module, _request: NDIS_OID_REQUEST): NDIS_STATUS {
      return NDIS_STATUS_NOT_SUPPORTED;
    },

    // IRQL <= DISPATCH_LEVEL: a clone this module passed down is complete.
    // TODO: copy its results into the original, free it, complete the original.
    OidRequestCompleteHandler(_m: Module, _request: NDIS_OID_REQUEST, _status: NDIS_STATUS): void {},

    // IRQL <= DISPATCH_LEVEL: the overlying driver cancels the request with this RequestId.
    // TODO: cancel the clone below.
    CancelOidRequestHandler(_m: Module, _requestId: unknown): void {},

    // IRQL <= DISPATCH_LEVEL, in any state (also Paused).
    // TODO: pass the indication on to the drivers above.
    StatusHandler(_m: Module, _indication: NDIS_STATUS_INDICATION): void {},

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
