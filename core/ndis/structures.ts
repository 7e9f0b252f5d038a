// The structures NDIS hands a driver in a PnP notification, shaped as ndis.h declares them:
// NDIS_OBJECT_HEADER, NET_PNP_EVENT_NOTIFICATION with its nested NET_PNP_EVENT, and the Buffer each
// event documents (NDIS_PROTOCOL_PAUSE_PARAMETERS, NDIS_PROTOCOL_RESTART_PARAMETERS, the device
// power state). A C pointer is an object reference here; a pointer to one scalar (the
// NET_DEVICE_POWER_STATE of a power event) is a one-element Uint32Array, read as `Buffer[0]` where C
// reads `*(PNET_DEVICE_POWER_STATE)Buffer`. BufferLength is the C structure's size on x64.
// Also the parameters NDIS hands a driver when it binds, attaches, pauses or restarts it
// (NDIS_BIND_PARAMETERS, NDIS_FILTER_ATTACH/PAUSE/RESTART_PARAMETERS) and the status indication,
// each filled with the true values of the adapter below.
//
// How C's types become JavaScript, the same everywhere: a pointer to a structure is an object
// reference (NULL is null); an NDIS_STRING is a string; a UCHAR array is a Uint8Array of the
// array's full size; a ULONG64 is a bigint; a pointer to one scalar NDIS writes is a one-element
// typed array; an out parameter of a function becomes a field of the object it returns.

import {
  NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, NET_PNP_EVENT_NOTIFICATION_REVISION_1,
  NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1, NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1, NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_DEVICE_POWER_STATE,
  NDIS_OBJECT_TYPE_BIND_PARAMETERS, NDIS_BIND_PARAMETERS_REVISION_1, NDIS_BIND_PARAMETERS_REVISION_2,
  NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1, NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2, NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS,
  NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1, NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2, NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2, NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS, NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, NDIS_FILTER_RESTART_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1, NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1,
  NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, NdisMedium802_3, NdisPhysicalMedium802_3, IF_TYPE_ETHERNET_CSMACD,
  NET_IF_ACCESS_BROADCAST, NET_IF_DIRECTION_SENDRECEIVE, NET_IF_CONNECTION_DEDICATED, NET_IF_COMPARTMENT_ID_PRIMARY,
  NDIS_MAX_PHYS_ADDRESS_LENGTH, NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA, NDIS_MAC_OPTION_TRANSFERS_NOT_PEND, NDIS_MAC_OPTION_NO_LOOPBACK,
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST,
  NDIS_PACKET_TYPE_PROMISCUOUS, NET_DEVICE_PNP_EVENT_REVISION_1, NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1 } from './constants.ts';

export interface NDIS_OBJECT_HEADER {
  Type: number;
  Revision: number;
  Size: number;
}

export function objectHeader(Type: number, Revision: number, Size: number): NDIS_OBJECT_HEADER {
  return { Type, Revision, Size };
}

export interface NET_PNP_EVENT {
  NetEvent: number;
  Buffer: unknown;
  BufferLength: number;
}

export interface NET_PNP_EVENT_NOTIFICATION {
  Header: NDIS_OBJECT_HEADER;
  PortNumber: number;
  NetPnPEvent: NET_PNP_EVENT;
  Flags: number;
}

/** A notification as NDIS builds one (a fresh object per delivery: the driver may keep it until it completes the event). */
export function netPnPEventNotification(NetEvent: number, Buffer: unknown = null, BufferLength = 0, PortNumber = 0): NET_PNP_EVENT_NOTIFICATION {
  return {
    Header: objectHeader(NDIS_OBJECT_TYPE_DEFAULT, NET_PNP_EVENT_NOTIFICATION_REVISION_1, NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1),
    PortNumber,
    NetPnPEvent: { NetEvent, Buffer, BufferLength },
    Flags: 0,
  };
}

/** Whether `value` looks like a notification NDIS made (the completion path checks what a driver passes back). */
export function isNetPnPEventNotification(value: unknown): value is NET_PNP_EVENT_NOTIFICATION {
  const event = (value as { NetPnPEvent?: { NetEvent?: unknown } } | null)?.NetPnPEvent;
  return typeof value === 'object' && value !== null && typeof event === 'object' && event !== null && typeof event.NetEvent === 'number';
}

export interface NDIS_PROTOCOL_PAUSE_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  Flags: number;
  /** NDIS_PAUSE_* bits: why the binding pauses. */
  PauseReason: number;
}

/** The Buffer of NetEventPause. sizeof is 12 bytes, which is BufferLength. */
export function protocolPauseParameters(PauseReason: number): { Buffer: NDIS_PROTOCOL_PAUSE_PARAMETERS; BufferLength: number } {
  return {
    Buffer: { Header: objectHeader(NDIS_OBJECT_TYPE_DEFAULT, NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1, NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1), Flags: 0, PauseReason },
    BufferLength: NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1,
  };
}

export interface NDIS_PROTOCOL_RESTART_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  /** The names of the filter modules between the protocol and the miniport, top first (C: a buffer of NDIS_STRINGs). */
  FilterModuleNameBuffer: string[];
  /** Bytes of that buffer in C: each name as UTF-16 with its terminating NUL. */
  FilterModuleNameBufferLength: number;
  /** NDIS_RESTART_ATTRIBUTES: not modelled here (null), as NDIS may also pass. */
  RestartAttributes: null;
  /** NET_IFINDEX of the interface the protocol is bound to: the adapter's. */
  BoundIfIndex: number;
  /** NET_LUID of that interface: IfType IF_TYPE_ETHERNET_CSMACD (6) in bits 48-63, NetLuidIndex in bits 24-47. */
  BoundIfNetluid: bigint;
  Flags: number;
}

/**
 * The NET_LUID of interface `ifIndex`: IfType IF_TYPE_ETHERNET_CSMACD in bits 48-63, NetLuidIndex in
 * bits 24-47 (the index is the interface's own here, as NDIS assigns one per interface).
 */
export function netLuidOf(ifIndex: number): bigint {
  return (BigInt(IF_TYPE_ETHERNET_CSMACD) << 48n) | (BigInt(ifIndex) << 24n);
}

/** The Buffer of NetEventRestart for a binding on adapter `adapterIndex` (0-based) under `filterNames`. */
export function protocolRestartParameters(adapterIndex: number, filterNames: readonly string[]): { Buffer: NDIS_PROTOCOL_RESTART_PARAMETERS; BufferLength: number } {
  const ifIndex = adapterIndex + 1;
  return {
    Buffer: {
      Header: objectHeader(NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1, NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1),
      FilterModuleNameBuffer: [...filterNames],
      FilterModuleNameBufferLength: filterNames.reduce((n, name) => n + 2 * (name.length + 1), 0),
      RestartAttributes: null,
      BoundIfIndex: ifIndex,
      BoundIfNetluid: netLuidOf(ifIndex),
      Flags: 0,
    },
    // sizeof(NDIS_PROTOCOL_RESTART_PARAMETERS) on x64: through Flags (52), padded to 8.
    BufferLength: 56,
  };
}

/** The Buffer of NetEventSetPower and NetEventQueryPower: the NET_DEVICE_POWER_STATE the device goes to. */
/** NET_DEVICE_PNP_EVENT: what FilterDevicePnPEventNotify gets (and passes down with NdisFDevicePnPEventNotify). */
export interface NET_DEVICE_PNP_EVENT {
  Header: NDIS_OBJECT_HEADER;
  PortNumber: number;
  /** NdisDevicePnPEventSurpriseRemoved, NdisDevicePnPEventPowerProfileChanged... */
  DevicePnPEvent: number;
  InformationBuffer: unknown;
  InformationBufferLength: number;
}

export function netDevicePnPEvent(DevicePnPEvent: number): NET_DEVICE_PNP_EVENT {
  return { Header: objectHeader(NDIS_OBJECT_TYPE_DEFAULT, NET_DEVICE_PNP_EVENT_REVISION_1, NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1), PortNumber: 0, DevicePnPEvent, InformationBuffer: null, InformationBufferLength: 0 };
}

export function devicePowerState(state: number): { Buffer: Uint32Array; BufferLength: number } {
  return { Buffer: Uint32Array.of(state), BufferLength: NDIS_SIZEOF_NET_DEVICE_POWER_STATE };
}

// ---- what NDIS tells a protocol or filter about the adapter below -----------------------------------

/** The facts of an adapter the parameter structures carry, read from the device when NDIS builds them. */
export interface AdapterFacts {
  /** The adapter's name ("nic0"): NDIS_BIND_PARAMETERS.AdapterName, NDIS_FILTER_ATTACH_PARAMETERS.BaseMiniportName. */
  name: string;
  /** 0-based; the adapter's interface index (NET_IFINDEX) is this plus one. */
  index: number;
  /** The current MAC address, 6 bytes. */
  macAddress: Uint8Array;
  /** OID_GEN_MAXIMUM_FRAME_SIZE: the frame's payload, without its 14-byte header. */
  mtuSize: number;
  /** Bits per second; the current speeds are 0 while the link is down. */
  maxLinkSpeed: bigint;
  linkSpeed: bigint;
  mediaConnectState: number;
  mediaDuplexState: number;
  /** OID_802_3_MAXIMUM_LIST_SIZE. */
  maxMulticastListSize: number;
}

/** The packet filters the e1000 miniport carries out (OID_GEN_SUPPORTED_PACKET_FILTERS). */
export const SUPPORTED_PACKET_FILTERS = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;
/**
 * OID_GEN_MAC_OPTIONS of the e1000 miniport: it copies lookahead data, its transfers never pend,
 * and it does not loop sends back (NDIS_MAC_OPTION_NO_LOOPBACK, as nearly every NDIS 6 Ethernet
 * miniport reports; NDIS loops sends back itself, above the miniport: protocol-datapath.ts loopBack).
 */
export const MAC_OPTIONS = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND | NDIS_MAC_OPTION_NO_LOOPBACK;

/** CurrentMacAddress as C holds it: a UCHAR[NDIS_MAX_PHYS_ADDRESS_LENGTH] whose first MacAddressLength bytes are the address. */
function macAddressArray(mac: Uint8Array): Uint8Array {
  const array = new Uint8Array(NDIS_MAX_PHYS_ADDRESS_LENGTH);
  array.set(mac);
  return array;
}

export interface NDIS_BIND_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  /** The registry path of this binding's parameters: "<protocol>\\Parameters\\Adapters\\<adapter>". */
  ProtocolSection: string;
  AdapterName: string;
  PhysicalDeviceObject: null;
  MediaType: number;
  MtuSize: number;
  MaxXmitLinkSpeed: bigint;
  XmitLinkSpeed: bigint;
  MaxRcvLinkSpeed: bigint;
  RcvLinkSpeed: bigint;
  MediaConnectState: number;
  MediaDuplexState: number;
  LookaheadSize: number;
  PowerManagementCapabilities: null;
  SupportedPacketFilters: number;
  MaxMulticastListSize: number;
  MacAddressLength: number;
  CurrentMacAddress: Uint8Array;
  PhysicalMediumType: number;
  RcvScaleCapabilities: null;
  BoundIfNetluid: bigint;
  BoundIfIndex: number;
  LowestIfNetluid: bigint;
  LowestIfIndex: number;
  AccessType: number;
  DirectionType: number;
  ConnectionType: number;
  IfType: number;
  IfConnectorPresent: boolean;
  ActivePorts: null;
  DataBackFillSize: number;
  ContextBackFillSize: number;
  MacOptions: number;
  CompartmentId: number;
  DefaultOffloadConfiguration: null;
  TcpConnectionOffloadCapabilities: null;
  BoundAdapterName: string;
  /** Revision 2 (NDIS 6.1 and later drivers) only: no header-data split here, so null. */
  HDSplitCurrentConfig?: null;
}

/**
 * NDIS_BIND_PARAMETERS for `protocol` binding to `adapter`. Revision 1 for a driver registered as
 * NDIS 6.0, revision 2 (with HDSplitCurrentConfig) for 6.1 and later; the members later revisions
 * add (receive filtering, NIC switches, NDK, SR-IOV) describe hardware this adapter does not have.
 * Filter modules have no interface of their own here: the bound interface is the adapter's.
 */
export function bindParameters(adapter: AdapterFacts, protocolName: string, minorNdisVersion: number): NDIS_BIND_PARAMETERS {
  const ifIndex = adapter.index + 1;
  const revision2 = minorNdisVersion >= 1;
  return {
    Header: revision2
      ? objectHeader(NDIS_OBJECT_TYPE_BIND_PARAMETERS, NDIS_BIND_PARAMETERS_REVISION_2, NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2)
      : objectHeader(NDIS_OBJECT_TYPE_BIND_PARAMETERS, NDIS_BIND_PARAMETERS_REVISION_1, NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1),
    ProtocolSection: `${protocolName}\\Parameters\\Adapters\\${adapter.name}`,
    AdapterName: adapter.name,
    PhysicalDeviceObject: null,
    MediaType: NdisMedium802_3,
    MtuSize: adapter.mtuSize,
    MaxXmitLinkSpeed: adapter.maxLinkSpeed,
    XmitLinkSpeed: adapter.linkSpeed,
    MaxRcvLinkSpeed: adapter.maxLinkSpeed,
    RcvLinkSpeed: adapter.linkSpeed,
    MediaConnectState: adapter.mediaConnectState,
    MediaDuplexState: adapter.mediaDuplexState,
    LookaheadSize: adapter.mtuSize,
    PowerManagementCapabilities: null,
    SupportedPacketFilters: SUPPORTED_PACKET_FILTERS,
    MaxMulticastListSize: adapter.maxMulticastListSize,
    MacAddressLength: adapter.macAddress.length,
    CurrentMacAddress: macAddressArray(adapter.macAddress),
    PhysicalMediumType: NdisPhysicalMedium802_3,
    RcvScaleCapabilities: null,
    BoundIfNetluid: netLuidOf(ifIndex),
    BoundIfIndex: ifIndex,
    LowestIfNetluid: netLuidOf(ifIndex),
    LowestIfIndex: ifIndex,
    AccessType: NET_IF_ACCESS_BROADCAST,
    DirectionType: NET_IF_DIRECTION_SENDRECEIVE,
    ConnectionType: NET_IF_CONNECTION_DEDICATED,
    IfType: IF_TYPE_ETHERNET_CSMACD,
    IfConnectorPresent: true,
    ActivePorts: null,
    DataBackFillSize: 0,
    ContextBackFillSize: 0,
    MacOptions: MAC_OPTIONS,
    CompartmentId: NET_IF_COMPARTMENT_ID_PRIMARY,
    DefaultOffloadConfiguration: null,
    TcpConnectionOffloadCapabilities: null,
    BoundAdapterName: adapter.name,
    ...(revision2 ? { HDSplitCurrentConfig: null } : {}),
  };
}

export interface NDIS_FILTER_ATTACH_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  /** The filter module's own interface (NET_IFINDEX and NET_LUID). */
  IfIndex: number;
  NetLuid: bigint;
  FilterModuleGuidName: string;
  BaseMiniportIfIndex: number;
  BaseMiniportInstanceName: string;
  BaseMiniportName: string;
  MediaConnectState: number;
  MediaDuplexState: number;
  XmitLinkSpeed: bigint;
  RcvLinkSpeed: bigint;
  MiniportMediaType: number;
  MiniportPhysicalMediaType: number;
  MiniportMediaSpecificAttributes: null;
  DefaultOffloadConfiguration: null;
  MacAddressLength: number;
  CurrentMacAddress: Uint8Array;
  BaseMiniportNetLuid: bigint;
  LowerIfIndex: number;
  LowerIfNetLuid: bigint;
  Flags: number;
  /** Revision 2 (NDIS 6.1 and later drivers) only. */
  HDSplitCurrentConfig?: null;
}

/**
 * Interface indices of filter modules: NDIS gives each module an interface of its own, numbered
 * here after the adapters' (adapter i is ifIndex i + 1), from this base, in attach order.
 */
export const FILTER_IF_INDEX_BASE = 100;

/**
 * NDIS_FILTER_ATTACH_PARAMETERS for module `moduleIfIndex` attaching over `lowerIfIndex` (the
 * module below it, or the adapter) on `adapter`. `guidName` is the module's FilterModuleGuidName.
 */
export function filterAttachParameters(adapter: AdapterFacts, moduleIfIndex: number, lowerIfIndex: number, guidName: string, minorNdisVersion: number): NDIS_FILTER_ATTACH_PARAMETERS {
  const baseIfIndex = adapter.index + 1;
  const revision2 = minorNdisVersion >= 1;
  return {
    Header: revision2
      ? objectHeader(NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2, NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2)
      : objectHeader(NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1, NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1),
    IfIndex: moduleIfIndex,
    NetLuid: netLuidOf(moduleIfIndex),
    FilterModuleGuidName: guidName,
    BaseMiniportIfIndex: baseIfIndex,
    BaseMiniportInstanceName: `NIC Lab e1000 adapter #${adapter.index}`,
    BaseMiniportName: adapter.name,
    MediaConnectState: adapter.mediaConnectState,
    MediaDuplexState: adapter.mediaDuplexState,
    XmitLinkSpeed: adapter.linkSpeed,
    RcvLinkSpeed: adapter.linkSpeed,
    MiniportMediaType: NdisMedium802_3,
    MiniportPhysicalMediaType: NdisPhysicalMedium802_3,
    MiniportMediaSpecificAttributes: null,
    DefaultOffloadConfiguration: null,
    MacAddressLength: adapter.macAddress.length,
    CurrentMacAddress: macAddressArray(adapter.macAddress),
    BaseMiniportNetLuid: netLuidOf(baseIfIndex),
    LowerIfIndex: lowerIfIndex,
    LowerIfNetLuid: netLuidOf(lowerIfIndex),
    Flags: 0,
    ...(revision2 ? { HDSplitCurrentConfig: null } : {}),
  };
}

export interface NDIS_FILTER_PAUSE_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  Flags: number;
  /** NDIS_PAUSE_* bits: why the module pauses. */
  PauseReason: number;
}

export function filterPauseParameters(PauseReason: number): NDIS_FILTER_PAUSE_PARAMETERS {
  return { Header: objectHeader(NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS, NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1, NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1), Flags: 0, PauseReason };
}

export interface NDIS_FILTER_RESTART_PARAMETERS {
  Header: NDIS_OBJECT_HEADER;
  MiniportMediaType: number;
  MiniportPhysicalMediaType: number;
  /** NDIS_RESTART_ATTRIBUTES are not modelled here: null. */
  RestartAttributes: null;
  LowerIfIndex: number;
  LowerIfNetLuid: bigint;
  Flags: number;
}

export function filterRestartParameters(lowerIfIndex: number): NDIS_FILTER_RESTART_PARAMETERS {
  return {
    Header: objectHeader(NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, NDIS_FILTER_RESTART_PARAMETERS_REVISION_1, NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1),
    MiniportMediaType: NdisMedium802_3,
    MiniportPhysicalMediaType: NdisPhysicalMedium802_3,
    RestartAttributes: null,
    LowerIfIndex: lowerIfIndex,
    LowerIfNetLuid: netLuidOf(lowerIfIndex),
    Flags: 0,
  };
}

export interface NDIS_STATUS_INDICATION {
  Header: NDIS_OBJECT_HEADER;
  SourceHandle: unknown;
  PortNumber: number;
  StatusCode: number;
  Flags: number;
  DestinationHandle: unknown;
  RequestId: unknown;
  StatusBuffer: Uint8Array;
  StatusBufferSize: number;
  /** GUID_NULL: no WMI GUID for the status codes here. */
  Guid: Uint8Array;
  NdisReserved: null[];
}

/** An NDIS_STATUS_INDICATION as a miniport makes one (NDIS_OBJECT_TYPE_STATUS_INDICATION, revision 1). */
export function statusIndication(SourceHandle: unknown, StatusCode: number, StatusBuffer: Uint8Array, PortNumber = 0): NDIS_STATUS_INDICATION {
  return {
    Header: objectHeader(NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1, NDIS_SIZEOF_STATUS_INDICATION_REVISION_1),
    SourceHandle, PortNumber, StatusCode, Flags: 0, DestinationHandle: null, RequestId: null,
    StatusBuffer, StatusBufferSize: StatusBuffer.byteLength, Guid: new Uint8Array(16), NdisReserved: [null, null, null, null],
  };
}

/** Whether `header` is an NDIS_OBJECT_HEADER of `type` whose revision and size a structure of at least revision 1 (`minSize`) has. */
export function headerProblem(header: unknown, what: string, type: number, typeName: string, minSize: number, sizeName: string): string | undefined {
  if (header === null || typeof header !== 'object') return `${what}.Header is missing: set it to { Type: ${typeName}, Revision, Size }`;
  const h = header as { Type?: unknown; Revision?: unknown; Size?: unknown };
  if (h.Type !== type) return `${what}.Header.Type is ${String(h.Type)}; it must be ${typeName} (0x${type.toString(16)})`;
  if (typeof h.Revision !== 'number' || !Number.isInteger(h.Revision) || h.Revision < 1) return `${what}.Header.Revision is ${String(h.Revision)}; it must be a revision of the structure (1 or later)`;
  if (typeof h.Size !== 'number' || h.Size < minSize) return `${what}.Header.Size is ${String(h.Size)}; it must be at least ${sizeName} (${minSize})`;
  return undefined;
}
