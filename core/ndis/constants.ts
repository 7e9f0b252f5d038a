// Codes and flags of the NDIS 6 interface, with ndis.h's names and values: PnP event codes,
// power states, OIDs, packet filter bits, send/receive flags, link states.

// ---- NET_PNP_EVENT_CODE ----------------------------------------------------------------------
export const NetEventSetPower = 0;
export const NetEventQueryPower = 1;
export const NetEventQueryRemoveDevice = 2;
export const NetEventCancelRemoveDevice = 3;
export const NetEventReconfigure = 4;
export const NetEventBindList = 5;
export const NetEventBindsComplete = 6;
export const NetEventPnPCapabilities = 7;
export const NetEventPause = 8;
export const NetEventRestart = 9;
export const NetEventPortActivation = 10;
export const NetEventPortDeactivation = 11;
export const NetEventIMReEnableDevice = 12;

export const NET_PNP_EVENT_NAMES: Record<number, string> = {
  [NetEventSetPower]: 'NetEventSetPower',
  [NetEventQueryPower]: 'NetEventQueryPower',
  [NetEventQueryRemoveDevice]: 'NetEventQueryRemoveDevice',
  [NetEventCancelRemoveDevice]: 'NetEventCancelRemoveDevice',
  [NetEventReconfigure]: 'NetEventReconfigure',
  [NetEventBindList]: 'NetEventBindList',
  [NetEventBindsComplete]: 'NetEventBindsComplete',
  [NetEventPnPCapabilities]: 'NetEventPnPCapabilities',
  [NetEventPause]: 'NetEventPause',
  [NetEventRestart]: 'NetEventRestart',
  [NetEventPortActivation]: 'NetEventPortActivation',
  [NetEventPortDeactivation]: 'NetEventPortDeactivation',
  [NetEventIMReEnableDevice]: 'NetEventIMReEnableDevice',
};

/**
 * Events a protocol driver must succeed (seed 002, "ProtocolNetPnPEvent": "should always succeed
 * ... by returning NDIS_STATUS_SUCCESS", and "should always succeed a NetEventQueryPower"), and
 * NetEventSetPower ("Handling PnP Events and Power Management Events in a Protocol Driver": a
 * power-management-aware protocol always succeeds it; only an old, NDIS 5 protocol may answer
 * NDIS_STATUS_NOT_SUPPORTED). NetEventQueryRemoveDevice and NetEventPortActivation may fail.
 */
export const PNP_EVENTS_THAT_MUST_SUCCEED: ReadonlySet<number> = new Set([
  NetEventPause, NetEventRestart, NetEventCancelRemoveDevice, NetEventReconfigure, NetEventBindList,
  NetEventBindsComplete, NetEventPortDeactivation, NetEventPnPCapabilities, NetEventIMReEnableDevice,
  NetEventQueryPower, NetEventSetPower,
]);

/**
 * Events about the adapter that NDIS passes up through the filter modules over it on their way to
 * the protocols: each module's FilterNetPnPEvent gets it and passes it on with NdisFNetPnPEvent
 * ("FilterNetPnPEvent", "NdisFNetPnPEvent"); a module without the handler is passed by. Pause and
 * restart reach modules as FilterPause and FilterRestart; the others are for protocols alone.
 */
export const PNP_EVENTS_THROUGH_FILTERS: ReadonlySet<number> = new Set([
  NetEventSetPower, NetEventQueryPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice,
  NetEventPnPCapabilities, NetEventPortActivation, NetEventPortDeactivation,
]);

/** Events that apply to all bindings and always arrive with a NULL ProtocolBindingContext (seed 002). */
export const PNP_EVENTS_WITH_NULL_CONTEXT: ReadonlySet<number> = new Set([NetEventBindList, NetEventBindsComplete]);

// ---- NDIS_DEVICE_PNP_EVENT (NET_DEVICE_PNP_EVENT.DevicePnPEvent) ------------------------------
export const NdisDevicePnPEventQueryRemoved = 0;
export const NdisDevicePnPEventRemoved = 1;
export const NdisDevicePnPEventSurpriseRemoved = 2;
export const NdisDevicePnPEventQueryStopped = 3;
export const NdisDevicePnPEventStopped = 4;
export const NdisDevicePnPEventPowerProfileChanged = 5;
export const NdisDevicePnPEventFilterListChanged = 6;
export const NET_DEVICE_PNP_EVENT_REVISION_1 = 1;
/** Header 4, PortNumber 4, DevicePnPEvent 4 (+4), InformationBuffer 8, InformationBufferLength 4 (+4), NdisReserved 16. */
export const NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1 = 48;

// ---- NDIS_DEVICE_POWER_STATE -----------------------------------------------------------------
export const NdisDeviceStateUnspecified = 0;
export const NdisDeviceStateD0 = 1;
export const NdisDeviceStateD1 = 2;
export const NdisDeviceStateD2 = 3;
export const NdisDeviceStateD3 = 4;

// ---- NET_IF_MEDIA_CONNECT_STATE --------------------------------------------------------------
export const MediaConnectStateUnknown = 0;
export const MediaConnectStateConnected = 1;
export const MediaConnectStateDisconnected = 2;

// ---- NET_IF_MEDIA_DUPLEX_STATE ---------------------------------------------------------------
export const MediaDuplexStateUnknown = 0;
export const MediaDuplexStateHalf = 1;
export const MediaDuplexStateFull = 2;

// ---- NDIS_REQUEST_TYPE -----------------------------------------------------------------------
export const NdisRequestQueryInformation = 0;
export const NdisRequestSetInformation = 1;
export const NdisRequestQueryStatistics = 2;
export const NdisRequestMethod = 12;

// ---- OIDs -------------------------------------------------------------------------------------
export const OID_GEN_SUPPORTED_LIST = 0x00010101;
export const OID_GEN_MAXIMUM_FRAME_SIZE = 0x00010106;
export const OID_GEN_LINK_SPEED = 0x00010107;
export const OID_GEN_CURRENT_PACKET_FILTER = 0x0001010e;
export const OID_GEN_MEDIA_CONNECT_STATUS = 0x00010114;
export const OID_GEN_LINK_STATE = 0x00010207;
export const OID_GEN_STATISTICS = 0x00020106;
export const OID_802_3_PERMANENT_ADDRESS = 0x01010101;
export const OID_802_3_CURRENT_ADDRESS = 0x01010102;
export const OID_802_3_MULTICAST_LIST = 0x01010103;
export const OID_802_3_MAXIMUM_LIST_SIZE = 0x01010104;
export const OID_PNP_CAPABILITIES = 0xfd010100;
export const OID_PNP_SET_POWER = 0xfd010101;
export const OID_PNP_QUERY_POWER = 0xfd010102;

// ---- NDIS_PACKET_TYPE_* (OID_GEN_CURRENT_PACKET_FILTER) -----------------------------------------
export const NDIS_PACKET_TYPE_DIRECTED = 0x00000001;
export const NDIS_PACKET_TYPE_MULTICAST = 0x00000002;
export const NDIS_PACKET_TYPE_ALL_MULTICAST = 0x00000004;
export const NDIS_PACKET_TYPE_BROADCAST = 0x00000008;
export const NDIS_PACKET_TYPE_PROMISCUOUS = 0x00000020;
/** NDIS's, not the miniport's: this binding also receives what the other bindings on the adapter send (NDIS loops it back). */
export const NDIS_PACKET_TYPE_ALL_LOCAL = 0x00000080;
/** With PROMISCUOUS: no loopback of the other bindings' sends (Windows 8 and later). NDIS's, not the miniport's. */
export const NDIS_PACKET_TYPE_NO_LOCAL = 0x00010000;

// ---- Send, receive and return flags ---------------------------------------------------------------
export const NDIS_SEND_FLAGS_DISPATCH_LEVEL = 0x00000001;
export const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK = 0x00000002;
/** NET_BUFFER_LIST NblFlags: the NBL is a layer-2 loopback NBL (NDIS made it from a send; "Looping Back NDIS Packets"). */
export const NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET = 0x00008000;
export const NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL = 0x00000001;
export const NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL = 0x00000001;
/** The indicating driver needs its NBLs back when the call returns: do not keep them. */
export const NDIS_RECEIVE_FLAGS_RESOURCES = 0x00000002;
export const NDIS_RETURN_FLAGS_DISPATCH_LEVEL = 0x00000001;

/** NDIS_DEFAULT_PORT_NUMBER. */
export const NDIS_DEFAULT_PORT_NUMBER = 0;

// ---- NDIS_PARAMETER_TYPE (NdisReadConfiguration) -------------------------------------------------
export const NdisParameterInteger = 0;
export const NdisParameterHexInteger = 1;
export const NdisParameterString = 2;
export const NdisParameterMultiString = 3;
export const NdisParameterBinary = 4;

// ---- NDIS_OBJECT_HEADER types and revisions (every structure NDIS hands a driver carries one) ------
export const NDIS_OBJECT_TYPE_DEFAULT = 0x80;
export const NDIS_OBJECT_TYPE_BIND_PARAMETERS = 0x86;
export const NDIS_OBJECT_TYPE_OPEN_PARAMETERS = 0x87;
export const NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS = 0x8b;
export const NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES = 0x8d;
export const NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS = 0x95;
export const NDIS_OBJECT_TYPE_OID_REQUEST = 0x96;
export const NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS = 0x97;
export const NDIS_OBJECT_TYPE_STATUS_INDICATION = 0x98;
export const NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS = 0x99;
export const NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS = 0x9a;
export const NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS = 0x9b;
export const NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS = 0xa3;

export const NET_PNP_EVENT_NOTIFICATION_REVISION_1 = 1;
export const NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1 = 1;
export const NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1 = 1;
export const NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 = 1;
export const NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 = 2;
export const NDIS_FILTER_CHARACTERISTICS_REVISION_1 = 1;
export const NDIS_FILTER_CHARACTERISTICS_REVISION_2 = 2;
export const NDIS_FILTER_ATTRIBUTES_REVISION_1 = 1;
export const NDIS_BIND_PARAMETERS_REVISION_1 = 1;
export const NDIS_BIND_PARAMETERS_REVISION_2 = 2;
export const NDIS_OPEN_PARAMETERS_REVISION_1 = 1;
export const NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1 = 1;
export const NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2 = 2;
export const NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1 = 1;
export const NDIS_FILTER_RESTART_PARAMETERS_REVISION_1 = 1;
export const NDIS_STATUS_INDICATION_REVISION_1 = 1;
export const NDIS_OID_REQUEST_REVISION_1 = 1;
export const NDIS_TIMER_CHARACTERISTICS_REVISION_1 = 1;

// Sizes as ndis.h's NDIS_SIZEOF_* macros give them on x64 (RTL_SIZEOF_THROUGH_FIELD: the offset of
// the last field of the revision plus its size, pointers 8 bytes and aligned to 8).
/** Header 4, PortNumber 4, NET_PNP_EVENT 152 (NetEvent, Buffer, BufferLength, 16 reserved pointers), Flags 4. */
export const NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1 = 164;
/** Header 4, Flags 4, PauseReason 4. */
export const NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1 = 12;
/** Header, FilterModuleNameBuffer, FilterModuleNameBufferLength, RestartAttributes, BoundIfIndex, BoundIfNetluid, through Flags. */
export const NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1 = 52;
/** Header, four version bytes, Flags, Name (UNICODE_STRING, 16) at 16, then 11 handler pointers through SendNetBufferListsCompleteHandler. */
export const NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 = 120;
/** Revision 1 and DirectOidRequestCompleteHandler (NDIS 6.1). */
export const NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2 = 128;
/** Header, four version bytes, Flags, FriendlyName, UniqueName, ServiceName (16 each) from 16, then 17 handler pointers through StatusHandler. */
export const NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 = 200;
/** Revision 1 and the three Direct OID handlers (NDIS 6.1). */
export const NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2 = 224;
/** Header 4, Flags 4. */
export const NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 = 8;
/** Through BoundAdapterName (at 0xf0). */
export const NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1 = 248;
/** Revision 1 and HDSplitCurrentConfig (NDIS 6.1). */
export const NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2 = 256;
/** Through FrameTypeArraySize (at 48). */
export const NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 = 52;
/** Through Flags (at 160). */
export const NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1 = 164;
/** Revision 1 and HDSplitCurrentConfig (NDIS 6.1). */
export const NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2 = 176;
/** Header 4, Flags 4, PauseReason 4. */
export const NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1 = 12;
/** Header, MiniportMediaType, MiniportPhysicalMediaType, RestartAttributes (8, at 16), LowerIfIndex, LowerIfNetLuid (at 32), through Flags (at 40). */
export const NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1 = 44;
/** Header, SourceHandle (at 8), PortNumber, StatusCode, Flags, DestinationHandle, RequestId, StatusBuffer, StatusBufferSize, Guid (16, at 64), through NdisReserved[4] (at 80). */
export const NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 = 112;
/**
 * Through Reserved2: Header, RequestType, PortNumber, Timeout, RequestId (at 16), RequestHandle, the
 * DATA union (40 bytes at 32: METHOD_INFORMATION's), NdisReserved[16], MiniportReserved[2] and
 * SourceReserved[2] pointers, SupportedRevision, Reserved1, Reserved2 (at 234).
 */
export const NDIS_SIZEOF_OID_REQUEST_REVISION_1 = 236;
/** Header 4, AllocationTag 4, then the TimerFunction and FunctionContext pointers (at 8 and 16). */
export const NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 = 24;
/** sizeof(NET_DEVICE_POWER_STATE): the Buffer of NetEventSetPower and NetEventQueryPower. */
export const NDIS_SIZEOF_NET_DEVICE_POWER_STATE = 4;

// ---- NDIS_PAUSE_* (PauseReason of NDIS_PROTOCOL_PAUSE_PARAMETERS and NDIS_FILTER_PAUSE_PARAMETERS) --
export const NDIS_PAUSE_NDIS_INTERNAL = 0x00000001;
export const NDIS_PAUSE_LOW_POWER = 0x00000002;
export const NDIS_PAUSE_BIND_PROTOCOL = 0x00000004;
export const NDIS_PAUSE_UNBIND_PROTOCOL = 0x00000008;
export const NDIS_PAUSE_ATTACH_FILTER = 0x00000010;
export const NDIS_PAUSE_DETACH_FILTER = 0x00000020;
export const NDIS_PAUSE_FILTER_RESTART_STACK = 0x00000040;
export const NDIS_PAUSE_MINIPORT_DEVICE_REMOVE = 0x00000080;

// ---- NDIS_MEDIUM and NDIS_PHYSICAL_MEDIUM (what the adapter is) -----------------------------------
/** The medium of every adapter here (an e1000: Ethernet). */
export const NdisMedium802_3 = 0;
export const NdisPhysicalMediumUnspecified = 0;
export const NdisPhysicalMedium802_3 = 14;

// ---- Interfaces (NDIS_BIND_PARAMETERS, NDIS_FILTER_ATTACH_PARAMETERS) ------------------------------
/** IANA ifType of an Ethernet interface. */
export const IF_TYPE_ETHERNET_CSMACD = 6;
export const NET_IF_ACCESS_BROADCAST = 2;
export const NET_IF_DIRECTION_SENDRECEIVE = 0;
export const NET_IF_CONNECTION_DEDICATED = 1;
export const NET_IF_COMPARTMENT_ID_PRIMARY = 1;
/** Bytes of CurrentMacAddress in NDIS_BIND_PARAMETERS and NDIS_FILTER_ATTACH_PARAMETERS (the address fills the first MacAddressLength). */
export const NDIS_MAX_PHYS_ADDRESS_LENGTH = 32;
/** The most frame types NDIS_OPEN_PARAMETERS.FrameTypeArray may hold. */
export const NDIS_MAX_FRAME_TYPES_PER_OPEN = 4;

// ---- NDIS_MAC_OPTION_* (OID_GEN_MAC_OPTIONS, NDIS_BIND_PARAMETERS.MacOptions) ---------------------
export const NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA = 0x00000001;
export const NDIS_MAC_OPTION_TRANSFERS_NOT_PEND = 0x00000002;
export const NDIS_MAC_OPTION_NO_LOOPBACK = 0x00000008;

// ---- IRQL (wdm.h's KIRQL values, amd64) and lock flags --------------------------------------
export const PASSIVE_LEVEL = 0;
export const LOW_LEVEL = 0;
export const APC_LEVEL = 1;
export const DISPATCH_LEVEL = 2;
export const HIGH_LEVEL = 15;
/** NdisAcquireRWLockRead/Write flag: the caller is already at DISPATCH_LEVEL. */
export const NDIS_RWL_AT_DISPATCH_LEVEL = 0x1;
// ---- NBL and NET_BUFFER pools (NET_BUFFER_LIST_POOL_PARAMETERS, NET_BUFFER_POOL_PARAMETERS) ---------
export const NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 = 1;
/** Header 4, ProtocolId 1, fAllocateNetBuffer 1, ContextSize 2, PoolTag 4, DataSize 4 (through DataSize). */
export const NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 = 16;
export const NET_BUFFER_POOL_PARAMETERS_REVISION_1 = 1;
/** Header 4, PoolTag 4, DataSize 4. */
export const NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 = 12;
/** NET_BUFFER_LIST_POOL_PARAMETERS.ProtocolId values (NDIS_PROTOCOL_ID_*). */
export const NDIS_PROTOCOL_ID_DEFAULT = 0x00;
export const NDIS_PROTOCOL_ID_TCP_IP = 0x02;
export const NDIS_PROTOCOL_ID_IPX = 0x06;
export const NDIS_PROTOCOL_ID_NBF = 0x07;
export const NDIS_PROTOCOL_ID_MAX = 0x0f;
export const NDIS_PROTOCOL_ID_MASK = 0x0f;
/** MEMORY_ALLOCATION_ALIGNMENT on x64: an NBL context size is a multiple of it. */
export const MEMORY_ALLOCATION_ALIGNMENT = 16;

// ---- MM_PAGE_PRIORITY (MmGetSystemAddressForMdlSafe, NdisQueryMdl, NdisAllocateMemoryWithTagPriority) --
export const LowPagePriority = 0;
export const NormalPagePriority = 16;
export const HighPagePriority = 32;
/** OR-ed into a priority: the mapping is not executable. */
export const MdlMappingNoExecute = 0x40000000;
/** EX_POOL_PRIORITY (NdisAllocateMemoryWithTagPriority). */
export const LowPoolPriority = 0;
export const NormalPoolPriority = 16;
export const HighPoolPriority = 32;
