// The starter of a new protocol lab (written by `nic-lab lab new --kind protocol`): it compiles
// and registers, but it does not open the adapter and fails PnP events, so the lab's scenario
// fails until the learner completes it. Shape it into your lab's starter: a first attempt that
// gets somewhere and leaves the lab's point to the learner.

import {
  NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS, NDIS_STATUS_NOT_SUPPORTED, NetEventRestart,
  type NDIS_HANDLE, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  running: boolean;
}

export function DriverEntry(): NDIS_STATUS {
  return NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'lab-protocol',

    BindAdapterHandlerEx(_driverContext: unknown, _bindContext: NDIS_HANDLE, _params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      // TODO: open the adapter with NdisOpenAdapterEx (the protocol handle, a context, the BindContext).
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
      // TODO: handle NetEventPause, and succeed the events there is nothing to do for.
      return NDIS_STATUS_NOT_SUPPORTED;
    },
  }).Status;
}
