// Lab protocol-binding: the starter. It compiles and registers, but its handlers are unfinished:
// the scenarios fail until you complete them (see the instructions).

import {
  NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS, NDIS_STATUS_NOT_SUPPORTED, NetEventRestart,
  type NDIS_HANDLE, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  running: boolean;
}

let protocolHandle: NDIS_HANDLE | null = null;

/** Called by the lab's application: send `count` frames on binding `adapter`; return how many were sent. */
export function SendFrames(_adapter: number, _destination: string, _count: number, _size = 60, _first = 0): number {
  // TODO: allocate NBLs (NdisAllocateNetBufferAndNetBufferList), fill them, set each SourceHandle to
  // the binding handle, chain them, NdisSendNetBufferLists.
  return 0;
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'protocol-binding',

    BindAdapterHandlerEx(_driverContext: unknown, _bindContext: NDIS_HANDLE, _params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      // TODO: open the adapter with NdisOpenAdapterEx and keep the handle.
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(_binding: Binding, _status: NDIS_STATUS): void {
      // TODO: an open for which NdisOpenAdapterEx returned NDIS_STATUS_PENDING has finished.
    },

    UnbindAdapterHandlerEx(_unbindContext: NDIS_HANDLE, _binding: Binding): NDIS_STATUS {
      // TODO: close the adapter with NdisCloseAdapterEx.
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(_binding: Binding): void {
      // TODO: a close for which NdisCloseAdapterEx returned NDIS_STATUS_PENDING has finished.
    },

    NetPnPEventHandler(binding: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      if (binding && event.NetPnPEvent.NetEvent === NetEventRestart) {
        binding.running = true;
        return NDIS_STATUS_SUCCESS;
      }
      // TODO: handle NetEventPause; succeed the events you have nothing to do for.
      return NDIS_STATUS_NOT_SUPPORTED;
    },
  });
  protocolHandle = NdisProtocolHandle;
  void protocolHandle;
  return Status;
}
