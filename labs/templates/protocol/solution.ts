// The reference solution of a new protocol lab (written by `nic-lab lab new --kind protocol`): a
// protocol that opens each adapter it is bound to, follows Restart and Pause, and closes the
// adapter when it is unbound. Grow it into your lab's solution; `nic-lab lab check` proves it
// scores full marks under every seed.

import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NDIS_STATUS_SUCCESS, NetEventPause, NetEventRestart,
  type NDIS_HANDLE, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NdisInitializeEvent, NdisWaitEvent, NdisSetEvent, NDIS_STATUS_PENDING, type NDIS_EVENT, NdisCompleteUnbindAdapterEx,
} from 'ndis';

interface Binding {
  /** Set by OpenAdapterCompleteHandlerEx when an open that pended has finished, with its status. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  /** An unbind whose close pends, finished by CloseAdapterCompleteHandlerEx. */
  closingUnbind: NDIS_HANDLE | null;
  handle: NDIS_HANDLE | null;
  running: boolean;
}

let protocolHandle: NDIS_HANDLE | null = null;

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'lab-protocol',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const binding: Binding = { openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, closingUnbind: null, handle: null, running: false };
      const open = NdisOpenAdapterEx(protocolHandle!, binding, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [0x88b5],
        FrameTypeArraySize: 1,
      }, bindContext);
      // An open may pend. ProtocolBindAdapterEx runs at PASSIVE_LEVEL, so it may wait, as ndisprot
      // does, for OpenAdapterCompleteHandlerEx to bring the open's final status.
      let openStatus = open.Status;
      if (openStatus === NDIS_STATUS_PENDING) {
        NdisWaitEvent(binding.openDone, 0);
        openStatus = binding.openStatus;
      }
      if (openStatus !== NDIS_STATUS_SUCCESS) return openStatus;
      binding.handle = open.NdisBindingHandle;
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(binding: Binding, status: NDIS_STATUS): void {
      binding.openStatus = status;
      NdisSetEvent(binding.openDone);
    },

    UnbindAdapterHandlerEx(unbindContext: NDIS_HANDLE, binding: Binding): NDIS_STATUS {
      const closed = NdisCloseAdapterEx(binding.handle!);
      binding.handle = null;
      if (closed !== NDIS_STATUS_PENDING) return NDIS_STATUS_SUCCESS;
      // The close pends: CloseAdapterCompleteHandlerEx completes the unbind.
      binding.closingUnbind = unbindContext;
      return NDIS_STATUS_PENDING;
    },

    CloseAdapterCompleteHandlerEx(binding: Binding): void {
      const unbindContext = binding.closingUnbind;
      binding.closingUnbind = null;
      if (unbindContext) NdisCompleteUnbindAdapterEx(unbindContext);
    },

    NetPnPEventHandler(binding: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      if (binding && event.NetPnPEvent.NetEvent === NetEventRestart) binding.running = true;
      if (binding && event.NetPnPEvent.NetEvent === NetEventPause) binding.running = false;
      return NDIS_STATUS_SUCCESS;
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
