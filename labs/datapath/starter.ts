// Lab datapath: the starter. An echo protocol that sends and echoes, but is careless with what
// it gets back: completions, receives and the length of an echo. See the instructions.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent, NdisOidRequest,
  NdisSendNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NdisGetDataBuffer, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NetEventPause, NetEventRestart,
  NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
  NdisInitializeEvent, NdisWaitEvent, NdisSetEvent, type NDIS_EVENT, NdisCompleteUnbindAdapterEx,
} from 'ndis';

/** Requests are echoed; echoes are not (or two echo protocols would bounce frames forever). */
const ETHERTYPE_REQUEST = 0x88b5;
const ETHERTYPE_ECHO = 0x88b6;

interface Binding {
  /** Set by OpenAdapterCompleteHandlerEx when an open that pended has finished, with its status. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  /** An unbind whose close pends, finished by CloseAdapterCompleteHandlerEx. */
  closingUnbind: NDIS_HANDLE | null;
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  /** NBLs sent (frames and echoes) and not yet completed. */
  sendsOutstanding: number;
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

function send(b: Binding, nbls: NET_BUFFER_LIST[]): void {
  if (nbls.length === 0) return;
  nbls.forEach((nbl, i) => {
    nbl.SourceHandle = b.handle; // NDIS returns each NBL to the binding SourceHandle names
    nbl.Next = nbls[i + 1] ?? null;
  });
  b.sendsOutstanding += nbls.length;
  NdisSendNetBufferLists(b.handle!, nbls[0]!, 0, 0);
}

/** An echo of `frame` in an NBL of our own: addresses swapped, the rest copied. */
function echoOf(b: Binding, frame: Uint8Array): NET_BUFFER_LIST | null {
  const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, frame.length);
  if (!nbl) return null;
  const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
  data.set(frame);
  data.set(frame.subarray(6, 12), 0);
  data.set(b.mac, 6);
  data.set([ETHERTYPE_ECHO >> 8, ETHERTYPE_ECHO & 0xff], 12);
  return nbl;
}

/** Called by the lab's application: send `count` frames on binding `adapter`; return how many were sent. */
export function SendFrames(adapter: number, destination: string, count: number, size = 60, first = 0): number {
  const b = bindings[adapter];
  if (!b || !b.running || !b.handle) return 0;
  const nbls: NET_BUFFER_LIST[] = [];
  for (let i = 0; i < count; i++) {
    const nbl = NdisAllocateNetBufferAndNetBufferList(b.pool, 0, 0, null, 0, size);
    if (!nbl) break;
    const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
    data.fill(0);
    data.set(bytesOf(destination), 0);
    data.set(b.mac, 6);
    data.set([ETHERTYPE_REQUEST >> 8, ETHERTYPE_REQUEST & 0xff], 12);
    // The sequence number after the Ethernet header, little-endian, byte by byte: Data is a view of
    // the machine's memory and gives out no buffer for a DataView.
    const seq = first + i;
    data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;
    nbls.push(nbl);
  }
  send(b, nbls);
  return nbls.length;
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'echo',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = { openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, closingUnbind: null, handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, running: false, sendsOutstanding: 0, pendingPause: null };
      const open = NdisOpenAdapterEx(protocolHandle!, b, {
        Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 },
        AdapterName: params.AdapterName,
        MediumArray: [NdisMedium802_3],
        MediumArraySize: 1,
        SelectedMediumIndex: new Uint32Array(1),
        FrameTypeArray: [ETHERTYPE_REQUEST],
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
      // Without a packet filter the adapter receives nothing.
      const filter = new Uint8Array(4);
      new DataView(filter.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED, true);
      NdisOidRequest(b.handle!, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } });
      return NDIS_STATUS_SUCCESS;
    },

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      b.openStatus = status;
      NdisSetEvent(b.openDone);
    },

    UnbindAdapterHandlerEx(unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      const closed = NdisCloseAdapterEx(b.handle!);
      b.handle = null;
      if (closed !== NDIS_STATUS_PENDING) return NDIS_STATUS_SUCCESS;
      // The close pends: CloseAdapterCompleteHandlerEx completes the unbind.
      b.closingUnbind = unbindContext;
      return NDIS_STATUS_PENDING;
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      const unbindContext = b.closingUnbind;
      b.closingUnbind = null;
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
      NdisFreeNetBufferList(nbls);
      b.sendsOutstanding--;
      if (b.pendingPause && b.sendsOutstanding === 0) {
        const event = b.pendingPause;
        b.pendingPause = null;
        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));
      }
    },

    ReceiveNetBufferListsHandler(b: Binding, nbls: NET_BUFFER_LIST): void {
      const echoes: NET_BUFFER_LIST[] = [];
      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        const nb = NET_BUFFER_LIST_FIRST_NB(nbl)!;
        // TODO: is the header all an echo needs?
        const frame = NdisGetDataBuffer(nb, 60);
        if (!frame || frame.length < 18 || ((frame[12]! << 8) | frame[13]!) !== ETHERTYPE_REQUEST) continue;
        const echo = b.running ? echoOf(b, frame) : null;
        if (echo) echoes.push(echo);
      }
      // TODO: who gives the receive buffers back to the NIC?
      send(b, echoes);
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
