// Lab power-management: the starter. It binds (waiting for an open or close NDIS pends), sends
// and unbinds, and its NetPnPEventHandler follows Restart and Pause; what it does for a sleep and
// a wake is a first guess. See the instructions.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx,
  NdisSendNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList,
  NdisInitializeEvent, NdisSetEvent, NdisResetEvent, NdisWaitEvent,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS,
  NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_NOT_SUPPORTED, NetEventPause, NetEventRestart, NetEventSetPower, NetEventQueryPower,
  NdisDeviceStateD0,
  type NDIS_HANDLE, type NDIS_EVENT, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  /** Between NetEventRestart and NetEventPause. */
  running: boolean;
  /** The device power state the last NetEventSetPower named (NdisDeviceStateD0 = 1 ... D3 = 4). */
  powerState: number;
  /** How many times the application has the adapter open. */
  openCount: number;
  sendsOutstanding: number;
  /** Set by OpenAdapterCompleteHandlerEx, with the open's final status, when NdisOpenAdapterEx pended. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  /** Set by CloseAdapterCompleteHandlerEx when NdisCloseAdapterEx pended. */
  closeDone: NDIS_EVENT;
}

const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

const bytesOf = (mac: string) => mac.split(':').map((h) => parseInt(h, 16));

/** Called by the lab's application: send `count` frames on binding `adapter`; return how many were sent. */
export function SendFrames(adapter: number, destination: string, count: number, size = 60, first = 0): number {
  const b = bindings[adapter];
  // TODO: and while the adapter sleeps?
  if (!b || !b.running || !b.handle) return 0;
  let head: NET_BUFFER_LIST | null = null;
  let sent = 0;
  for (let i = count - 1; i >= 0; i--) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, size);
    if (!nbl) continue;
    const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    data.set(bytesOf(destination), 0);
    data.set(b.mac, 6);
    data.set([0x88, 0xb5], 12);
    // The sequence number after the Ethernet header, little-endian, byte by byte: Data is a view of
    // the machine's memory and gives out no buffer for a DataView.
    const seq = first + i;
    data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;
    nbl.SourceHandle = b.handle; // NDIS returns the NBL to the binding SourceHandle names
    nbl.Next = head;
    head = nbl;
    sent++;
  }
  if (!head) return 0;
  b.sendsOutstanding += sent;
  NdisSendNetBufferLists(b.handle, head, 0, 0);
  return sent;
}

/** Called when the lab's application opens adapter `adapter` (as a program opens a device). */
export function OpenHandle(adapter: number): void {
  const b = bindings[adapter];
  if (b) b.openCount++;
}

/** Called when the application closes what it opened. */
export function CloseHandle(adapter: number): void {
  const b = bindings[adapter];
  if (b && b.openCount > 0) b.openCount--;
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'power-management',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = {
        handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength),
        pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!,
        running: false, powerState: NdisDeviceStateD0, openCount: 0, sendsOutstanding: 0,
        openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_SUCCESS, closeDone: NdisInitializeEvent(),
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
      let status = open.Status;
      if (status === NDIS_STATUS_PENDING) {
        // The bind runs at PASSIVE_LEVEL, so it may wait: OpenAdapterCompleteHandlerEx brings the
        // final status and sets the event (ndisprot waits the same way).
        NdisWaitEvent(b.openDone, 0);
        status = b.openStatus;
      }
      if (status !== NDIS_STATUS_SUCCESS) return status;
      b.handle = open.NdisBindingHandle;
      bindings[Number(params.AdapterName.replace('nic', ''))] = b;
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      b.openStatus = status;
      NdisSetEvent(b.openDone);
    },

    UnbindAdapterHandlerEx(_unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      // NDIS pauses the binding before it unbinds it, so the sends are back already.
      NdisResetEvent(b.closeDone);
      const closed = NdisCloseAdapterEx(b.handle!);
      b.handle = null;
      if (closed === NDIS_STATUS_PENDING) NdisWaitEvent(b.closeDone, 0);
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      NdisSetEvent(b.closeDone);
    },

    NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      // BindList and BindsComplete concern every binding: no context.
      if (!b) return NDIS_STATUS_SUCCESS;
      switch (event.NetPnPEvent.NetEvent) {
        case NetEventQueryPower:
          // Refuse to sleep while the application is using the adapter or frames are on their way out.
          return b.openCount > 0 || b.sendsOutstanding > 0 ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;
        case NetEventSetPower:
          // TODO: which power state is the adapter going to? (An NDIS 5 protocol answered this way.)
          return NDIS_STATUS_NOT_SUPPORTED;
        case NetEventPause:
          b.running = false;
          // TODO: sends may still be out.
          return NDIS_STATUS_SUCCESS;
        case NetEventRestart:
          b.running = true;
          return NDIS_STATUS_SUCCESS;
        default:
          // Nothing to do for the others, and they succeed.
          return NDIS_STATUS_SUCCESS;
      }
    },

    SendNetBufferListsCompleteHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisFreeNetBufferList(nbl);
        b.sendsOutstanding--;
        nbl = next;
      }
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
