// The reference solution of a new filter lab (written by `nic-lab lab new --kind filter`): a
// filter module that passes sends down and receives up while Running, and while Pausing or
// Paused completes sends with NDIS_STATUS_PAUSED and returns receives at once. Grow it into your
// lab's solution; `nic-lab lab check` proves it scores full marks under every seed.

import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NET_BUFFER_LIST_NEXT_NBL,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PAUSED, NDIS_RECEIVE_FLAGS_RESOURCES,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS,
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
    FriendlyName: 'lab-filter',

    AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {
      return NdisFSetAttributes(handle, { handle, running: false }, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
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

    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      if (!m.running) {
        for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) nbl.Status = NDIS_STATUS_PAUSED;
        NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
        return;
      }
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);
    },

    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFSendNetBufferListsComplete(m.handle, nbls, flags);
    },

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, count: number, flags: number): void {
      if (!m.running) {
        // With RESOURCES the NBLs go back when this handler returns; returning them too is a finding.
        if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, count, flags);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
