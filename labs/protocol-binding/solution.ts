// Lab protocol-binding: the reference solution. Opens each adapter in BindAdapterHandlerEx (an
// open that pends completes the bind from OpenAdapterCompleteHandlerEx), follows Restart and Pause
// (pending the pause until its sends complete), closes in UnbindAdapterHandlerEx (a close that
// pends completes the unbind from CloseAdapterCompleteHandlerEx), and sends only while Running.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent,
  NdisCompleteBindAdapterEx, NdisCompleteUnbindAdapterEx,
  NdisSendNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS,
  NDIS_STATUS_PENDING, NetEventPause, NetEventRestart,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
} from 'ndis';

interface Binding {
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  sendsOutstanding: number;
  pendingPause: NET_PNP_EVENT_NOTIFICATION | null;
  /** The adapter's number (nic<n>). */
  index: number;
  /** An open that returned NDIS_STATUS_PENDING: the bind to complete, and the handle it will make good. */
  pendingBind: NDIS_HANDLE | null;
  opening: NDIS_HANDLE | null;
  /** An unbind whose close returned NDIS_STATUS_PENDING. */
  pendingUnbind: NDIS_HANDLE | null;
}

const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

/**
 * Runs `work` at PASSIVE_LEVEL, from a work item of its own. The send-complete handler runs at
 * DISPATCH_LEVEL, and NdisCompleteNetPnPEvent may only be called at PASSIVE_LEVEL.
 */
function atPassiveLevel(work: () => void): void {
  const item = NdisAllocateIoWorkItem(protocolHandle!);
  NdisQueueIoWorkItem(item, () => {
    NdisFreeIoWorkItem(item);
    work();
  }, null);
}

const bytesOf = (mac: string) => mac.split(':').map((h) => parseInt(h, 16));

/** Called by the lab's application: send `count` frames on binding `adapter`; return how many were sent. */
export function SendFrames(adapter: number, destination: string, count: number, size = 60, first = 0): number {
  const b = bindings[adapter];
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

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'protocol-binding',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = { handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, running: false, sendsOutstanding: 0, pendingPause: null, index: Number(params.AdapterName.replace('nic', '')), pendingBind: null, opening: null, pendingUnbind: null };
      const open = NdisOpenAdapterEx(protocolHandle!, b, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [0x88b5],
        FrameTypeArraySize: 1,
      }, bindContext);
      if (open.Status === NDIS_STATUS_PENDING) {
        // Not ours to use yet: OpenAdapterCompleteHandlerEx brings the open's final status.
        b.pendingBind = bindContext;
        b.opening = open.NdisBindingHandle;
        return NDIS_STATUS_PENDING;
      }
      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;
      b.handle = open.NdisBindingHandle;
      bindings[b.index] = b;
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      const bindContext = b.pendingBind!;
      b.pendingBind = null;
      if (status === NDIS_STATUS_SUCCESS) {
        b.handle = b.opening;
        bindings[b.index] = b;
      }
      b.opening = null;
      NdisCompleteBindAdapterEx(bindContext, status);
    },

    UnbindAdapterHandlerEx(unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      const closed = NdisCloseAdapterEx(b.handle!);
      b.handle = null;
      // A close that pends is finished only in CloseAdapterCompleteHandlerEx: the unbind waits for it.
      if (closed === NDIS_STATUS_PENDING) {
        b.pendingUnbind = unbindContext;
        return NDIS_STATUS_PENDING;
      }
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      const unbindContext = b.pendingUnbind;
      b.pendingUnbind = null;
      if (unbindContext) NdisCompleteUnbindAdapterEx(unbindContext);
    },

    NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {
      if (!b) return NDIS_STATUS_SUCCESS;
      if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;
      if (event.NetPnPEvent.NetEvent === NetEventPause) {
        b.running = false;
        if (b.sendsOutstanding > 0) {
          b.pendingPause = event;
          return NDIS_STATUS_PENDING;
        }
      }
      return NDIS_STATUS_SUCCESS;
    },

    SendNetBufferListsCompleteHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; ) {
        const next: NET_BUFFER_LIST | null = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisFreeNetBufferList(nbl);
        b.sendsOutstanding--;
        nbl = next;
      }
      if (b.pendingPause && b.sendsOutstanding === 0) {
        const event = b.pendingPause;
        b.pendingPause = null;
        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));
      }
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
