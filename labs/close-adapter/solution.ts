// Lab close-adapter: the reference solution. NdisCloseAdapterEx comes only after every request
// the driver made on the binding has completed (seed 003): the bind pends until its multicast
// list is set and, if the adapter refuses the list, closes from within the bind and fails it;
// the unbind pends until the application's OID requests are back. A close that NDIS pends is
// waited for before the unbind completes.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteBindAdapterEx, NdisCompleteUnbindAdapterEx,
  NdisCompleteNetPnPEvent, NdisOidRequest, NdisSendNetBufferLists, NdisAllocateNetBufferListPool,
  NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisFreeIoWorkItem,
  NdisOpenConfigurationEx, NdisReadConfiguration,
  NdisCloseConfiguration, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,
  NDIS_STATUS_FAILURE, NetEventPause, NetEventRestart, NdisRequestSetInformation, NdisRequestQueryInformation,
  NdisParameterInteger, OID_802_3_MULTICAST_LIST,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NET_PNP_EVENT_NOTIFICATION, type NDIS_BIND_PARAMETERS, type NDIS_STATUS, type NDIS_OID_REQUEST,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
  NdisInitializeEvent, NdisWaitEvent, NdisSetEvent, type NDIS_EVENT,
} from 'ndis';

interface Binding {
  /** Set by OpenAdapterCompleteHandlerEx when an open that pended has finished, with its status. */
  openDone: NDIS_EVENT;
  openStatus: NDIS_STATUS;
  /** A bind that failed after its open, waiting for its close to complete before it completes. */
  failingBind: { bindContext: NDIS_HANDLE; status: NDIS_STATUS } | null;
  handle: NDIS_HANDLE | null;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  running: boolean;
  sendsOutstanding: number;
  oidsOutstanding: number;
  /** The bind in progress (BindContext) while its multicast list is being set. */
  pendingBind: NDIS_HANDLE | null;
  bindRequest: NDIS_OID_REQUEST | null;
  pendingPause: NET_PNP_EVENT_NOTIFICATION | null;
  pendingUnbind: NDIS_HANDLE | null;
}

/** Multicast groups to join when the configuration does not say. */
const DEFAULT_GROUPS = 4;

const bindings: Binding[] = [];
let protocolHandle: NDIS_HANDLE | null = null;

const bytesOf = (mac: string) => mac.split(':').map((h) => parseInt(h, 16));

/** MulticastGroups from the driver's configuration, or the default when it is not there. */
function configuredGroups(): number {
  const config = NdisOpenConfigurationEx({ NdisHandle: protocolHandle! });
  if (config.Status !== NDIS_STATUS_SUCCESS) return DEFAULT_GROUPS;
  const read = NdisReadConfiguration(config.ConfigurationHandle!, 'MulticastGroups', NdisParameterInteger);
  NdisCloseConfiguration(config.ConfigurationHandle!);
  return read.Status === NDIS_STATUS_SUCCESS && read.ParameterValue ? read.ParameterValue.ParameterData.IntegerData : DEFAULT_GROUPS;
}

/**
 * Runs `work` at PASSIVE_LEVEL, from a work item of its own. The completion handlers run at
 * DISPATCH_LEVEL, and NdisCloseAdapterEx and NdisCompleteNetPnPEvent may only be called at PASSIVE_LEVEL.
 */
function atPassiveLevel(work: () => void): void {
  const item = NdisAllocateIoWorkItem(protocolHandle!);
  NdisQueueIoWorkItem(item, () => {
    NdisFreeIoWorkItem(item);
    work();
  }, null);
}

/**
 * An unbind that waits goes on once nothing is outstanding: close, then complete (now or when the
 * close completes), from a work item (the completions that get here run at DISPATCH_LEVEL).
 */
function continueUnbind(b: Binding): void {
  if (!b.pendingUnbind || !b.handle || b.oidsOutstanding > 0 || b.sendsOutstanding > 0) return;
  const handle = b.handle;
  b.handle = null;
  atPassiveLevel(() => {
    if (NdisCloseAdapterEx(handle) !== NDIS_STATUS_PENDING) finishUnbind(b);
  });
}

function finishUnbind(b: Binding): void {
  const context = b.pendingUnbind!;
  b.pendingUnbind = null;
  NdisCompleteUnbindAdapterEx(context);
}

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
  if (!b || !b.handle || b.pendingUnbind || b.pendingBind) return NDIS_STATUS_FAILURE;
  b.oidsOutstanding++;
  const status = NdisOidRequest(b.handle, { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestQueryInformation, DATA: { QUERY_INFORMATION: { Oid: oid, InformationBuffer: new Uint8Array(64) } } });
  // Completed at once: the status is ours, and OidRequestCompleteHandler does not come.
  if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b, null, status);
  return status;
}

/**
 * An OID request of ours completed: from OidRequestCompleteHandler, or at once (NdisOidRequest did
 * not return NDIS_STATUS_PENDING). `request` is null for the application's queries.
 */
function oidRequestComplete(b: Binding, request: NDIS_OID_REQUEST | null, status: NDIS_STATUS): void {
  b.oidsOutstanding--;
  if (request === null || request !== b.bindRequest) return continueUnbind(b);
  const bindContext = b.pendingBind!;
  b.pendingBind = null;
  b.bindRequest = null;
  if (status !== NDIS_STATUS_SUCCESS) {
    // Seed 003: a bind that fails after the open closes the adapter itself, before it completes
    // the bind; from a work item, as NdisCloseAdapterEx needs PASSIVE_LEVEL.
    const handle = b.handle!;
    b.handle = null;
    // A close may pend: then CloseAdapterCompleteHandlerEx completes the bind.
    atPassiveLevel(() => {
      if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) b.failingBind = { bindContext, status };
      else NdisCompleteBindAdapterEx(bindContext, status);
    });
    return;
  }
  NdisCompleteBindAdapterEx(bindContext, status);
}

export function DriverEntry(): NDIS_STATUS {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver<Binding>(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'close-adapter',

    BindAdapterHandlerEx(_driverContext: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {
      const b: Binding = {
        openDone: NdisInitializeEvent(), openStatus: NDIS_STATUS_PENDING, failingBind: null, handle: null, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, running: false, sendsOutstanding: 0,
        oidsOutstanding: 0, pendingBind: null, bindRequest: null, pendingPause: null, pendingUnbind: null,
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
      // Join groups 01:00:5e:00:00:01, :02, ...; the bind pends until the answer: at once, or in
      // OidRequestCompleteHandler (NdisOidRequest may complete either way).
      const groups = configuredGroups();
      const list = new Uint8Array(groups * 6);
      for (let i = 0; i < groups; i++) list.set([0x01, 0x00, 0x5e, 0x00, (i + 1) >> 8, (i + 1) & 0xff], i * 6);
      b.pendingBind = bindContext;
      b.bindRequest = { Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_802_3_MULTICAST_LIST, InformationBuffer: list } } };
      b.oidsOutstanding++;
      const status = NdisOidRequest(b.handle!, b.bindRequest);
      if (status !== NDIS_STATUS_PENDING) oidRequestComplete(b, b.bindRequest, status);
      return NDIS_STATUS_PENDING;
    },

    OidRequestCompleteHandler: oidRequestComplete,

    OpenAdapterCompleteHandlerEx(b: Binding, status: NDIS_STATUS): void {
      b.openStatus = status;
      NdisSetEvent(b.openDone);
    },

    UnbindAdapterHandlerEx(unbindContext: NDIS_HANDLE, b: Binding): NDIS_STATUS {
      b.pendingUnbind = unbindContext;
      if (b.oidsOutstanding > 0 || b.sendsOutstanding > 0) return NDIS_STATUS_PENDING;
      const handle = b.handle!;
      b.handle = null;
      if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) return NDIS_STATUS_PENDING;
      b.pendingUnbind = null;
      return NDIS_STATUS_SUCCESS;
    },

    CloseAdapterCompleteHandlerEx(b: Binding): void {
      const failing = b.failingBind;
      b.failingBind = null;
      if (failing) NdisCompleteBindAdapterEx(failing.bindContext, failing.status);
      else if (b.pendingUnbind) finishUnbind(b);
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
      continueUnbind(b);
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
