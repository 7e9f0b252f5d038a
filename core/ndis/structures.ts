// The structures NDIS hands a driver in a PnP notification, shaped as ndis.h declares them:
// NDIS_OBJECT_HEADER, NET_PNP_EVENT_NOTIFICATION with its nested NET_PNP_EVENT, and the Buffer each
// event documents (NDIS_PROTOCOL_PAUSE_PARAMETERS, NDIS_PROTOCOL_RESTART_PARAMETERS, the device
// power state). A C pointer is an object reference here; a pointer to one scalar (the
// NET_DEVICE_POWER_STATE of a power event) is a one-element Uint32Array, read as `Buffer[0]` where C
// reads `*(PNET_DEVICE_POWER_STATE)Buffer`. BufferLength is the C structure's size on x64.

import {
  NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, NET_PNP_EVENT_NOTIFICATION_REVISION_1,
  NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1, NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1, NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1,
  NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_DEVICE_POWER_STATE,
} from './constants.ts';

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

/** IF_TYPE_ETHERNET_CSMACD: the interface type of an Ethernet adapter. */
const IF_TYPE_ETHERNET_CSMACD = 6n;

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
      BoundIfNetluid: (IF_TYPE_ETHERNET_CSMACD << 48n) | (BigInt(ifIndex) << 24n),
      Flags: 0,
    },
    // sizeof(NDIS_PROTOCOL_RESTART_PARAMETERS) on x64: through Flags (52), padded to 8.
    BufferLength: 56,
  };
}

/** The Buffer of NetEventSetPower and NetEventQueryPower: the NET_DEVICE_POWER_STATE the device goes to. */
export function devicePowerState(state: number): { Buffer: Uint32Array; BufferLength: number } {
  return { Buffer: Uint32Array.of(state), BufferLength: NDIS_SIZEOF_NET_DEVICE_POWER_STATE };
}
