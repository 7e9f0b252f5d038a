// The reference solution of a new protocol lab (written by `nic-lab lab new --kind protocol`): a
// protocol that opens each adapter it is bound to, follows Restart and Pause, and closes the
// adapter when it is unbound. Grow it into your lab's solution; `nic-lab lab check` proves it
// scores full marks under every seed.

import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NDIS_STATUS_SUCCESS, NetEventPause, NetEventRestart,
  type NDIS_HANDLE, type NET_PNP_EVENT_NOTIFICATION, type BIND_PARAMETERS, type NDIS_STATUS,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  running: boolean;
}

let protocolHandle: NDIS_HANDLE | null = null;

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Name: 'lab-protocol',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, _params: BIND_PARAMETERS): NDIS_STATUS {
      const binding: Binding = { handle: null, running: false };
      const open = NdisOpenAdapterEx(protocolHandle!, binding, {}, bindContext);
      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;
      binding.handle = open.NdisBindingHandle;
      return NDIS_STATUS_SUCCESS;
    },

    UnbindAdapterHandlerEx(_unbindContext: NDIS_HANDLE, binding: Binding): NDIS_STATUS {
      NdisCloseAdapterEx(binding.handle!);
      binding.handle = null;
      return NDIS_STATUS_SUCCESS;
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
