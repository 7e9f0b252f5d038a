// A driver as NDIS knows it: the record NDIS keeps per loaded driver, the characteristics it
// registered (NDIS_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_FILTER_DRIVER_CHARACTERISTICS: the
// handlers NDIS calls), its DRIVER_OBJECT, and the owner ids the NBL pool records for who holds an
// NBL (a driver, NDIS, a miniport).

import type { NdisHandle } from './handle.ts';
import type { SourcePositions } from './source-positions.ts';
import type { HandlerPlaces } from './handler-labels.ts';
import type { NET_PNP_EVENT_NOTIFICATION, NDIS_STATUS_INDICATION, NDIS_BIND_PARAMETERS } from './structures.ts';

/** Owner id in the NBL pool for NBLs in NDIS's hands (sent, not yet completed). */
export const NDIS_OWNER = 999;
/** Owner id of NBLs the miniport of adapter `index` holds (MINIPORT_OWNER_BASE + index; drivers are 1..999). */
export const MINIPORT_OWNER_BASE = 1000;

export interface ProtocolCharacteristics {
  Name?: string;
  BindAdapterHandlerEx?: (ProtocolDriverContext: unknown, BindContext: NdisHandle, BindParameters: BindParameters) => number;
  UnbindAdapterHandlerEx?: (UnbindContext: NdisHandle, ProtocolBindingContext: unknown) => number;
  OpenAdapterCompleteHandlerEx?: (ProtocolBindingContext: unknown, Status: number) => void;
  CloseAdapterCompleteHandlerEx?: (ProtocolBindingContext: unknown) => void;
  NetPnPEventHandler?: (ProtocolBindingContext: unknown, NetPnPEventNotification: NetPnPEventNotification) => number;
  UninstallHandler?: () => void;
  OidRequestCompleteHandler?: (ProtocolBindingContext: unknown, OidRequest: unknown, Status: number) => void;
  StatusHandlerEx?: (ProtocolBindingContext: unknown, StatusIndication: unknown) => void;
  ReceiveNetBufferListsHandler?: (...args: unknown[]) => void;
  SendNetBufferListsCompleteHandler?: (...args: unknown[]) => void;
}

export interface FilterCharacteristics {
  FriendlyName?: string;
  UniqueName?: string;
  ServiceName?: string;
  AttachHandler?: (NdisFilterHandle: NdisHandle, FilterDriverContext: unknown, AttachParameters: unknown) => number;
  DetachHandler?: (FilterModuleContext: unknown) => void;
  RestartHandler?: (FilterModuleContext: unknown, RestartParameters: unknown) => number;
  PauseHandler?: (FilterModuleContext: unknown, PauseParameters: unknown) => number;
  SendNetBufferListsHandler?: (FilterModuleContext: unknown, NetBufferLists: unknown, PortNumber: number, SendFlags: number) => void;
  SendNetBufferListsCompleteHandler?: (FilterModuleContext: unknown, NetBufferLists: unknown, SendCompleteFlags: number) => void;
  ReceiveNetBufferListsHandler?: (FilterModuleContext: unknown, NetBufferLists: unknown, PortNumber: number, NumberOfNetBufferLists: number, ReceiveFlags: number) => void;
  ReturnNetBufferListsHandler?: (FilterModuleContext: unknown, NetBufferLists: unknown, ReturnFlags: number) => void;
  StatusHandler?: (FilterModuleContext: unknown, StatusIndication: unknown) => void;
  NetPnPEventHandler?: (FilterModuleContext: unknown, NetPnPEvent: unknown) => number;
  DevicePnPEventNotifyHandler?: (FilterModuleContext: unknown, NetDevicePnPEvent: unknown) => void;
  OidRequestHandler?: (FilterModuleContext: unknown, OidRequest: unknown) => number;
  OidRequestCompleteHandler?: (FilterModuleContext: unknown, OidRequest: unknown, Status: number) => void;
  CancelOidRequestHandler?: (FilterModuleContext: unknown, RequestId: unknown) => void;
}

/** NDIS_BIND_PARAMETERS (core/ndis/structures.ts). */
export type BindParameters = NDIS_BIND_PARAMETERS;

/** NDIS_STATUS_INDICATION (core/ndis/structures.ts). */
export type StatusIndication = NDIS_STATUS_INDICATION;

/** NET_PNP_EVENT_NOTIFICATION as NDIS hands it to a protocol or filter (core/ndis/structures.ts). */
export type NetPnPEventNotification = NET_PNP_EVENT_NOTIFICATION;

export interface DriverRecord {
  name: string;
  /** Owner id in the NBL pool (1..999). */
  owner: number;
  kind: 'protocol' | 'filter' | undefined;
  /** NdisProtocolHandle / NdisFilterDriverHandle once registered. */
  handle: NdisHandle | undefined;
  driverContext: unknown;
  protocol: ProtocolCharacteristics | undefined;
  filter?: FilterCharacteristics;
  /** The driver module's exports (DriverEntry and whatever else it exports). */
  exports: Record<string, unknown>;
  /** Takes positions in the compiled driver back to its source (stack frames in findings). */
  positions?: SourcePositions;
  /** The source the core was given for it: where its handlers are declared is read from it (handler-places.ts). */
  source?: string;
  /** Where its handlers are declared, once a finding needed it (engine.ts placeFindings). */
  places?: HandlerPlaces;
  /** The frames in the driver's file on its own thread's stack now (LoadedDriver.stack); absent: it runs on the core's thread. */
  stackNow?: () => string;
  /** Why NDIS last refused this driver's registration, for the load error. */
  refusal?: string;
  /** The MinorNdisVersion it registered with (6.0 is 0, 6.1 is 1, 6.20 is 20...): which revision of each structure it gets. */
  minorNdisVersion?: number;
  /** The DRIVER_OBJECT DriverEntry was given (the driver sets its DriverUnload). */
  driverObject?: DriverObject;
  /** Reads the driver's own copy of an object NDIS handed it (LoadedDriver.field). */
  field?: (object: object, key: string) => unknown;
  /** NdisDeregisterProtocolDriver / NdisFDeregisterFilterDriver has run. */
  deregistered?: boolean;
  /** Its DriverUnload has run: the driver is gone. */
  unloaded?: boolean;
}

/**
 * The DRIVER_OBJECT a driver's DriverEntry gets: the one member a network driver writes is
 * DriverUnload, the routine the system calls before it unloads the driver (ndisprot's and lwf's
 * unload routines deregister there). DriverName is the object's name, \\Driver\\<name>.
 */
export interface DriverObject {
  DriverName: string;
  DriverUnload?: unknown;
}
