// The starter of a new filter lab (written by `nic-lab lab new --kind filter`): it compiles,
// attaches, pauses and restarts, passes sends down, but gives every receive straight back instead
// of indicating it up, so the lab's scenario fails until the learner completes it. Shape it into
// your lab's starter: a first attempt that gets somewhere and leaves the lab's point to the learner.

import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFReturnNetBufferLists, NET_BUFFER_LIST_NEXT_NBL, NDIS_STATUS_SUCCESS, NDIS_STATUS_PAUSED, NDIS_RECEIVE_FLAGS_RESOURCES,
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

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, _port: number, _count: number, flags: number): void {
      // TODO: while Running, pass the frames up with NdisFIndicateReceiveNetBufferLists.
      if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisFReturnNetBufferLists(m.handle, nbls, 0);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
