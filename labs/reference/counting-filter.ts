// Reference filter driver: a pass-through filter that counts, and pauses as seed 004 asks. It
// tracks every NBL it has passed on (sends down, receives up) and every one it originated, and
// pends its pause until the last one is back; while Pausing or Paused it completes new sends
// with NDIS_STATUS_PAUSED and returns new receives at once.

import {
  NdisFRegisterFilterDriver, NdisFDeregisterFilterDriver, NdisFSetAttributes, NdisFPauseComplete, NdisFSendNetBufferLists,
  NdisFSendNetBufferListsComplete, NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists,
  NdisFreeNetBufferList, NdisFIndicateStatus, NdisFNetPnPEvent, NdisFDevicePnPEventNotify, NdisFOidRequest, NdisFOidRequestComplete,
  NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest,
  NET_BUFFER_LIST_NEXT_NBL, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_PAUSED,
  NDIS_RECEIVE_FLAGS_RESOURCES, type NDIS_HANDLE, type DRIVER_OBJECT, type NET_BUFFER_LIST, type NDIS_STATUS, type NDIS_STATUS_INDICATION,
  type NET_PNP_EVENT_NOTIFICATION, type NET_DEVICE_PNP_EVENT, type NDIS_OID_REQUEST,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
} from 'ndis';

type State = 'Paused' | 'Restarting' | 'Running' | 'Pausing';

export interface Module {
  handle: NDIS_HANDLE;
  state: State;
  /** NBLs passed on (down or up) and not yet back. */
  inFlight: number;
  /** NBLs it originated and not yet back. */
  own: number;
  pausePending: boolean;
  sent: number;
  received: number;
  /** OID requests passed down. */
  oids: number;
  /** The NetEvent codes FilterNetPnPEvent got, in order (each passed on). */
  pnpEvents: number[];
  /** The device PnP events FilterDevicePnPEventNotify got (each passed down). */
  deviceEvents: number[];
}

export const modules: Module[] = [];

function count(nbls: NET_BUFFER_LIST | null): number {
  let n = 0;
  for (let nbl = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) n++;
  return n;
}

function finishPauseIfIdle(m: Module): void {
  if (m.pausePending && m.inFlight === 0 && m.own === 0) {
    m.pausePending = false;
    m.state = 'Paused';
    NdisFPauseComplete(m.handle);
  }
}

/** The clone of a request from above has completed: copy its results into the original, free it, complete the original. */
function completeClone(m: Module, clone: NDIS_OID_REQUEST, status: NDIS_STATUS): void {
  const original = clone.SourceReserved![0] as NDIS_OID_REQUEST;
  const from = clone.DATA.QUERY_INFORMATION ?? clone.DATA.SET_INFORMATION ?? clone.DATA.METHOD_INFORMATION;
  const to = original.DATA.QUERY_INFORMATION ?? original.DATA.SET_INFORMATION ?? original.DATA.METHOD_INFORMATION;
  if (from && to) {
    to.BytesWritten = from.BytesWritten;
    to.BytesRead = from.BytesRead;
    to.BytesNeeded = from.BytesNeeded;
  }
  NdisFreeCloneOidRequest(m.handle, clone);
  NdisFOidRequestComplete(m.handle, original, status);
}

let filterDriverHandle: NDIS_HANDLE | null = null;

/** DriverUnload: deregister; NDIS detaches the modules still attached within the call. */
function Unload(_driverObject: DRIVER_OBJECT): void {
  if (filterDriverHandle) NdisFDeregisterFilterDriver(filterDriverHandle);
  filterDriverHandle = null;
}

export function DriverEntry(DriverObject: DRIVER_OBJECT, _RegistryPath: string): NDIS_STATUS {
  DriverObject.DriverUnload = Unload;
  const { Status, NdisFilterDriverHandle } = NdisFRegisterFilterDriver<Module>(DriverObject, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'reference counting filter',

    AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {
      const m: Module = { handle, state: 'Paused', inFlight: 0, own: 0, pausePending: false, sent: 0, received: 0, oids: 0, pnpEvents: [], deviceEvents: [] };
      modules.push(m);
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(m: Module): void {
      modules.splice(modules.indexOf(m), 1);
    },

    RestartHandler(m: Module): NDIS_STATUS {
      m.state = 'Running';
      return NDIS_STATUS_SUCCESS;
    },

    PauseHandler(m: Module): NDIS_STATUS {
      m.state = 'Pausing';
      if (m.inFlight === 0 && m.own === 0) {
        m.state = 'Paused';
        return NDIS_STATUS_SUCCESS;
      }
      m.pausePending = true;
      return NDIS_STATUS_PENDING;
    },

    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      if (m.state !== 'Running') {
        for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) nbl.Status = NDIS_STATUS_PAUSED;
        NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
        return;
      }
      const n = count(nbls);
      m.inFlight += n;
      m.sent += n;
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);
    },

    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      let up: NET_BUFFER_LIST | null = null;
      let tail: NET_BUFFER_LIST | null = null;
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        nbl.Next = null;
        if (nbl.SourceHandle === m.handle) {
          m.own--;
          NdisFreeNetBufferList(nbl);
        } else {
          m.inFlight--;
          if (tail) tail.Next = nbl;
          else up = nbl;
          tail = nbl;
        }
        nbl = next;
      }
      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);
      finishPauseIfIdle(m);
    },

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, n: number, flags: number): void {
      const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
      if (m.state !== 'Running') {
        if (!resources) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      m.received += n;
      if (!resources) m.inFlight += n;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);
    },

    // A request from above goes down as a clone (the original must not: NdisAllocateCloneOidRequest's
    // docs), which remembers the original in its SourceReserved; the original completes upward when
    // the clone has, with the clone's results copied back.
    OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {
      m.oids++;
      const { Status, ClonedOidRequest } = NdisAllocateCloneOidRequest(m.handle, request, 0);
      if (Status !== NDIS_STATUS_SUCCESS || !ClonedOidRequest) return Status;
      ClonedOidRequest.SourceReserved[0] = request;
      const status = NdisFOidRequest(m.handle, ClonedOidRequest);
      if (status !== NDIS_STATUS_PENDING) completeClone(m, ClonedOidRequest, status);
      return NDIS_STATUS_PENDING;
    },

    OidRequestCompleteHandler(m: Module, clone: NDIS_OID_REQUEST, status: NDIS_STATUS): void {
      completeClone(m, clone, status);
    },

    StatusHandler(m: Module, indication: NDIS_STATUS_INDICATION): void {
      NdisFIndicateStatus(m.handle, indication);
    },

    // Events about the adapter on their way up (power, removal): passed on, the protocols' answer returned.
    NetPnPEventHandler(m: Module, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      m.pnpEvents.push(event.NetPnPEvent.NetEvent);
      return NdisFNetPnPEvent(m.handle, event);
    },

    // Device events on their way down (a surprise removal): noted, and passed down.
    DevicePnPEventNotifyHandler(m: Module, event: NET_DEVICE_PNP_EVENT): void {
      m.deviceEvents.push(event.DevicePnPEvent);
      NdisFDevicePnPEventNotify(m.handle, event);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      m.inFlight -= count(nbls);
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
      finishPauseIfIdle(m);
    },
  });
  filterDriverHandle = NdisFilterDriverHandle;
  return Status;
}
