// Lab protocol-unbind: the starter. It binds, sends, pauses and answers the application's OID
// requests, but it lets go of adapters carelessly: the unbind closes at once whatever is still
// in flight, and ReleaseAdapter is unfinished. See the instructions.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx,
  NdisCompleteNetPnPEvent, NdisOidRequest, NdisSendNetBufferLists, NdisAllocateNetBufferListPool,
  NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NetEventPause, NetEventRestart,
  NdisRequestSetInformation, NdisRequestQueryInformation, OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
  NdisInitializeEvent, NdisWaitEvent, NdisSetEvent, type NDIS_EVENT,
} from 'ndis';

interface Binding {
  /** Set by OpenAdapterCompleteHandlerEx when an open that pended has finished, with its status. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  sendsOutstanding: number;
  oidsOutstanding: number;
  pendingPause: NET_PNP_EVENT_NOTIFICATION | null;
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

/** Called by the lab's application: query `oid` on binding `adapter`. */
export function QueryOid(adapter: number, oid: number): NDIS_STATUS {
  const b = bindings[adapter];
  if (!b || !b.handle) return NDIS_STATUS_FAILURE;
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: oid, InformationBuffer: new Uint8Array(64) } } });
  // Completed at once: the status is ours, and OidRequestCompleteHandler does not come.
  if (status !== NDIS_STATUS_PENDING) b.oidsOutstanding--;
  return status;
}

/** Called by the lab's application when it is done with adapter `adapter`: the driver lets go of it. */
export function ReleaseAdapter(adapter: number): void {
  const b = bindings[adapter];
  if (!b || !b.handle) return;
  // TODO: this is not the place to close the adapter. How does a protocol ask NDIS to unbind?
  NdisCloseAdapterEx(b.handle);
  b.handle = null;
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'protocol-unbind',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = {
        openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, running: false,
        sendsOutstanding: 0, oidsOutstanding: 0, pendingPause: null,
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
      // An open may pend. ProtocolBindAdapterEx runs at PASSIVE_LEVEL, so it may wait, as ndisprot
      // does, for OpenAdapterCompleteHandlerEx to bring the open's final status.
      let openStatus = open.Status;
      if (openStatus === NDIS_STATUS_PENDING) {
        NdisWaitEvent(b.openDone, 0);
        openStatus = b.openStatus;
      }
      if (openStatus !== NDIS_STATUS_SUCCESS) return openStatus;
      b.handle = open.NdisBindingHandle;
      bindings[Number(params.AdapterName.replace('nic', ''))] = b;
      const filter = new Uint8Array(4);
      new DataView(filter.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED, true);
      b.oidsOutstanding++;
      // NdisOidRequest may complete the request at once (no OidRequestCompleteHandler then).
      if (NdisOidRequest(b.handle!, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } }) !== NDIS_STATUS_PENDING) b.oidsOutstanding--;
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      b.openStatus = status;
      NdisSetEvent(b.openDone);
    },

    UnbindAdapterHandlerEx(_unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      // TODO: OID requests may still be out; and NdisCloseAdapterEx may return NDIS_STATUS_PENDING.
      NdisCloseAdapterEx(b.handle!);
      b.handle = null;
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(_b: Binding): void {
      // TODO: a close that returned NDIS_STATUS_PENDING has finished.
    },

    OidRequestCompleteHandler(b: Binding): void {
      b.oidsOutstanding--;
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
