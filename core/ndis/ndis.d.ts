// The lab's ndis.h: the types of the "ndis" module a driver imports, with each function's
// contract (the state it may be called in, what it returns, what the driver must do next). The
// editor shows these on hover; `tsc` checks drivers against them. The runtime behind them is
// core/ndis/api.ts.

declare module 'ndis' {
  /** An opaque handle from NDIS. Store it, compare it, pass it back; never look inside. */
  export interface NDIS_HANDLE {
    readonly kind: string;
    readonly id: number;
  }
  /** A 32-bit NDIS status value: NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, a failure... */
  export type NDIS_STATUS = number;

  // ---- status values ---------------------------------------------------------------------------
  export const NDIS_STATUS_SUCCESS: 0x00000000;
  /** The operation goes on asynchronously; the matching completion call finishes it. */
  export const NDIS_STATUS_PENDING: 0x00000103;
  export const NDIS_STATUS_NOT_RECOGNIZED: number;
  export const NDIS_STATUS_NOT_ACCEPTED: number;
  export const NDIS_STATUS_MEDIA_CONNECT: number;
  export const NDIS_STATUS_MEDIA_DISCONNECT: number;
  export const NDIS_STATUS_LINK_STATE: number;
  export const NDIS_STATUS_BUFFER_OVERFLOW: number;
  export const NDIS_STATUS_FAILURE: 0xc0000001;
  export const NDIS_STATUS_INVALID_PARAMETER: number;
  export const NDIS_STATUS_INVALID_DEVICE_REQUEST: number;
  export const NDIS_STATUS_RESOURCES: 0xc000009a;
  /** Never return this from ProtocolNetPnPEvent: NDIS 6 protocols return SUCCESS for events they ignore. */
  export const NDIS_STATUS_NOT_SUPPORTED: 0xc00000bb;
  export const NDIS_STATUS_INVALID_STATE: number;
  export const NDIS_STATUS_CLOSING: number;
  export const NDIS_STATUS_BAD_VERSION: number;
  export const NDIS_STATUS_BAD_CHARACTERISTICS: number;
  export const NDIS_STATUS_ADAPTER_NOT_FOUND: number;
  export const NDIS_STATUS_OPEN_FAILED: number;
  export const NDIS_STATUS_DEVICE_FAILED: number;
  export const NDIS_STATUS_MULTICAST_FULL: number;
  export const NDIS_STATUS_REQUEST_ABORTED: number;
  export const NDIS_STATUS_RESET_IN_PROGRESS: number;
  export const NDIS_STATUS_INVALID_PACKET: number;
  export const NDIS_STATUS_ADAPTER_NOT_READY: number;
  export const NDIS_STATUS_INVALID_LENGTH: number;
  export const NDIS_STATUS_INVALID_DATA: number;
  export const NDIS_STATUS_BUFFER_TOO_SHORT: number;
  export const NDIS_STATUS_INVALID_OID: number;
  export const NDIS_STATUS_ADAPTER_REMOVED: number;
  export const NDIS_STATUS_SEND_ABORTED: number;
  export const NDIS_STATUS_MEDIA_DISCONNECTED: number;
  /** What a Pausing or Paused filter completes new sends with (seed 004). */
  export const NDIS_STATUS_PAUSED: 0xc023002a;
  export const NDIS_STATUS_INTERFACE_NOT_FOUND: number;
  export const NDIS_STATUS_UNSUPPORTED_REVISION: number;
  export const NDIS_STATUS_LOW_POWER_STATE: number;

  // ---- PnP events (NET_PNP_EVENT_CODE) ---------------------------------------------------------
  export const NetEventSetPower: 0;
  /** Must succeed (seed 002). */
  export const NetEventQueryPower: 1;
  /** May fail: fail it with NDIS_STATUS_FAILURE if the adapter is in use. */
  export const NetEventQueryRemoveDevice: 2;
  /** Must succeed. */
  export const NetEventCancelRemoveDevice: 3;
  /** Must succeed. May come with a NULL ProtocolBindingContext. */
  export const NetEventReconfigure: 4;
  /** Must succeed. Always with a NULL ProtocolBindingContext. */
  export const NetEventBindList: 5;
  /** Must succeed. Always with a NULL ProtocolBindingContext. */
  export const NetEventBindsComplete: 6;
  /** Must succeed. */
  export const NetEventPnPCapabilities: 7;
  /** Must succeed. The binding is Pausing: wait for your sends to complete before you complete the pause. */
  export const NetEventPause: 8;
  /** Must succeed. The binding is Restarting; it becomes Running when you complete. */
  export const NetEventRestart: 9;
  /** May fail. */
  export const NetEventPortActivation: 10;
  /** Must succeed. */
  export const NetEventPortDeactivation: 11;
  /** Must succeed. */
  export const NetEventIMReEnableDevice: 12;

  export const NdisDeviceStateUnspecified: 0;
  export const NdisDeviceStateD0: 1;
  export const NdisDeviceStateD1: 2;
  export const NdisDeviceStateD2: 3;
  export const NdisDeviceStateD3: 4;
  export const MediaConnectStateUnknown: 0;
  export const MediaConnectStateConnected: 1;
  export const MediaConnectStateDisconnected: 2;
  export const MediaDuplexStateUnknown: 0;
  export const MediaDuplexStateHalf: 1;
  export const MediaDuplexStateFull: 2;

  // ---- OIDs and request types ----------------------------------------------------------------------
  export const NdisRequestQueryInformation: 0;
  export const NdisRequestSetInformation: 1;
  export const NdisRequestQueryStatistics: 2;
  export const NdisRequestMethod: 12;
  /** ULONG packet filter: NDIS_PACKET_TYPE_* bits. 0 receives nothing. */
  export const OID_GEN_CURRENT_PACKET_FILTER: 0x0001010e;
  export const OID_GEN_MAXIMUM_FRAME_SIZE: number;
  export const OID_GEN_LINK_SPEED: number;
  export const OID_GEN_MEDIA_CONNECT_STATUS: number;
  /** NDIS_LINK_STATE (40 bytes): MediaConnectState at 4, MediaDuplexState at 8, Xmit/RcvLinkSpeed u64 at 16/24. */
  export const OID_GEN_LINK_STATE: 0x00010207;
  /** Five u64s: frames received, octets received, frames sent, octets sent, frames missed. */
  export const OID_GEN_STATISTICS: 0x00020106;
  export const OID_GEN_SUPPORTED_LIST: number;
  export const OID_802_3_PERMANENT_ADDRESS: 0x01010101;
  export const OID_802_3_CURRENT_ADDRESS: 0x01010102;
  /** 6 bytes per address, at most OID_802_3_MAXIMUM_LIST_SIZE addresses. */
  export const OID_802_3_MULTICAST_LIST: 0x01010103;
  export const OID_802_3_MAXIMUM_LIST_SIZE: 0x01010104;
  export const OID_PNP_CAPABILITIES: number;
  export const OID_PNP_SET_POWER: number;
  export const OID_PNP_QUERY_POWER: number;
  export const NDIS_PACKET_TYPE_DIRECTED: 0x1;
  export const NDIS_PACKET_TYPE_MULTICAST: 0x2;
  export const NDIS_PACKET_TYPE_ALL_MULTICAST: 0x4;
  export const NDIS_PACKET_TYPE_BROADCAST: 0x8;
  export const NDIS_PACKET_TYPE_PROMISCUOUS: 0x20;

  // ---- flags -------------------------------------------------------------------------------------
  export const NDIS_SEND_FLAGS_DISPATCH_LEVEL: 0x1;
  export const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: 0x2;
  export const NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL: 0x1;
  export const NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL: 0x1;
  /**
   * The indicating driver needs the NBLs back when your receive handler returns: copy what you
   * need, and do not return them with NdisReturnNetBufferLists (seed 004).
   */
  export const NDIS_RECEIVE_FLAGS_RESOURCES: 0x2;
  export const NDIS_RETURN_FLAGS_DISPATCH_LEVEL: 0x1;
  export const NDIS_DEFAULT_PORT_NUMBER: 0;

  // ---- NET_BUFFER_LIST and NET_BUFFER ----------------------------------------------------------------
  /** One frame's data: DataLength bytes starting DataOffset bytes into its buffer. */
  export interface NET_BUFFER {
    Next: NET_BUFFER | null;
    DataOffset: number;
    DataLength: number;
    readonly BufferLength: number;
    /**
     * The data itself, a view of the machine's memory (no copy: writing it writes the frame). The
     * view does not give out the memory it lies in (the NIC's registers, the rings, every other
     * frame): `Data.buffer` throws. Read and write bytes through the view (`data[14] = seq`), or
     * copy them (`data.slice()`) to build a DataView on the copy. When the data spans more than
     * one MDL there is no one view of it, and reading Data throws a RangeError: read such data
     * with NdisGetDataBuffer and a Storage array.
     */
    readonly Data: Uint8Array;
    /** The first MDL of the chain the data is described by (NET_BUFFER_FIRST_MDL). */
    readonly MdlChain: MDL | null;
    /** The MDL the data starts in (NET_BUFFER_CURRENT_MDL). NDIS keeps it with DataOffset. */
    readonly CurrentMdl: MDL | null;
    /** Where in CurrentMdl the data starts (NET_BUFFER_CURRENT_MDL_OFFSET). */
    readonly CurrentMdlOffset: number;
    /** ProtocolReserved[6] (48 bytes): per-packet state for the protocol driver that holds the NET_BUFFER. */
    readonly ProtocolReserved: Uint8Array;
    /** MiniportReserved[4] (32 bytes): the miniport's. */
    readonly MiniportReserved: Uint8Array;
  }
  /** A list of NET_BUFFERs (here: one frame each) and its chain link. */
  export interface NET_BUFFER_LIST {
    Next: NET_BUFFER_LIST | null;
    FirstNetBuffer: NET_BUFFER | null;
    /** Set by whoever completes a send. */
    Status: NDIS_STATUS;
    Flags: number;
    /** Who originated it: a filter compares it with its own NdisFilterHandle. */
    SourceHandle: NDIS_HANDLE | number | null;
    /**
     * ProtocolReserved[4] (32 bytes): per-packet state for the protocol driver that allocated the
     * NBL (or holds it on a receive). A view of the NBL's own record, zeroed when your pool hands
     * the NBL out; on a received NBL it holds what its last holder wrote (write before you read).
     * Write bytes (`nbl.ProtocolReserved[0] = 1`), not objects.
     */
    readonly ProtocolReserved: Uint8Array;
    /** MiniportReserved[2] (16 bytes): the miniport's. A protocol or filter must not use it. */
    readonly MiniportReserved: Uint8Array;
  }
  export function NET_BUFFER_LIST_NEXT_NBL(NetBufferList: NET_BUFFER_LIST): NET_BUFFER_LIST | null;
  export function NET_BUFFER_LIST_FIRST_NB(NetBufferList: NET_BUFFER_LIST): NET_BUFFER | null;
  export function NET_BUFFER_LIST_STATUS(NetBufferList: NET_BUFFER_LIST): NDIS_STATUS;
  export function NET_BUFFER_NEXT_NB(NetBuffer: NET_BUFFER): NET_BUFFER | null;
  export function NET_BUFFER_DATA_LENGTH(NetBuffer: NET_BUFFER): number;
  export function NET_BUFFER_DATA_OFFSET(NetBuffer: NET_BUFFER): number;
  /**
   * The first BytesNeeded bytes of the data. When they lie in one MDL (and, with AlignMultiple > 1,
   * start AlignOffset bytes past a multiple of it), a view of them, no copy, whose `buffer` throws
   * as Data's does. Otherwise they are copied into Storage (a Uint8Array of at least BytesNeeded
   * bytes you give) and Storage is returned; without Storage, null. null too if the NET_BUFFER
   * holds fewer than BytesNeeded bytes. IRQL <= DISPATCH_LEVEL; any state.
   */
  export function NdisGetDataBuffer(NetBuffer: NET_BUFFER, BytesNeeded: number, Storage?: Uint8Array | null, AlignMultiple?: number, AlignOffset?: number): Uint8Array | null;
  /** NET_BUFFER_FIRST_MDL: the NET_BUFFER's MdlChain (a macro: any IRQL, any state). */
  export function NET_BUFFER_FIRST_MDL(NetBuffer: NET_BUFFER): MDL | null;
  /** NET_BUFFER_CURRENT_MDL: the MDL the data starts in. */
  export function NET_BUFFER_CURRENT_MDL(NetBuffer: NET_BUFFER): MDL | null;
  /** NET_BUFFER_CURRENT_MDL_OFFSET: where in the current MDL the data starts. */
  export function NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer: NET_BUFFER): number;
  /**
   * Copies up to BytesToCopy bytes of Source's data from SourceOffset into Destination's data at
   * DestinationOffset (both offsets from the data's start), across the MDLs of both. Destination's
   * DataOffset and DataLength do not change: its data must already be long enough. C's out
   * parameter comes back: BytesCopied is less than BytesToCopy when the source runs out of data or
   * the destination of space. Status is NDIS_STATUS_SUCCESS. IRQL <= DISPATCH_LEVEL.
   */
  export function NdisCopyFromNetBufferToNetBuffer(Destination: NET_BUFFER, DestinationOffset: number, BytesToCopy: number, Source: NET_BUFFER, SourceOffset: number): { Status: NDIS_STATUS; BytesCopied: number };
  /**
   * Moves the data start forward: DataOffset grows and DataLength shrinks by DataOffsetDelta (at
   * most DataLength), as a driver does to strip a header it has read. With FreeMdl true, MDLs a
   * NdisRetreatNetBufferDataStart put in front that now hold no data are unlinked: NDIS frees those
   * it allocated and passes those your AllocateMdlHandler gave to FreeMdlHandler(Mdl). On a
   * NET_BUFFER you hold; IRQL <= DISPATCH_LEVEL.
   */
  export function NdisAdvanceNetBufferDataStart(NetBuffer: NET_BUFFER, DataOffsetDelta: number, FreeMdl: boolean, FreeMdlHandler?: ((Mdl: MDL) => void) | null): void;
  /**
   * Moves the data start back by DataOffsetDelta, to make room for a header in front of the data
   * (DataLength grows by as much). If fewer bytes than that are unused before the data, a new MDL
   * goes in front of the chain, holding the missing bytes at its end and DataBackFill more unused
   * bytes before them: AllocateMdlHandler(BufferSize) if you give one (return an MDL of at least
   * BufferSize bytes you allocated with NdisAllocateMdl, or null), else NDIS's own (here at most
   * one buffer, 2048 bytes). Returns NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES and nothing
   * changed. Undo it with NdisAdvanceNetBufferDataStart(..., FreeMdl = true) before the NET_BUFFER
   * goes back to whoever gave it to you. IRQL <= DISPATCH_LEVEL.
   */
  export function NdisRetreatNetBufferDataStart(NetBuffer: NET_BUFFER, DataOffsetDelta: number, DataBackFill: number, AllocateMdlHandler?: ((BufferSize: number) => MDL | null) | null): NDIS_STATUS;

  // ---- MDLs ---------------------------------------------------------------------------------------
  /**
   * A memory descriptor list entry: a bounded view of one buffer of the machine's memory (memory
   * NDIS allocated for you, or part of a NET_BUFFER's data). Only NDIS makes MDLs: an object you
   * build, or copy from one, is not an MDL and every call refuses it. Chain them with Next
   * (NDIS_MDL_LINKAGE): a chain describes data that lies in several buffers.
   */
  export interface MDL {
    /** The next MDL of the chain, or null. Assign another of your MDLs (or null) to link them. */
    Next: MDL | null;
    /** Bytes the MDL describes. */
    readonly ByteCount: number;
  }
  /**
   * An MDL over the first Length bytes of VirtualAddress: a view of machine memory you hold (from
   * NdisAllocateMemoryWithTagPriority, a NET_BUFFER's Data of an NBL you own, an MDL's view) or a
   * subarray of one; not a Uint8Array of your own (a NIC could not reach it). The bytes must lie
   * in one buffer. null when no MDL is left. NdisHandle: one of your handles (or null). Free it
   * with NdisFreeMdl once no NET_BUFFER you hold uses it. IRQL <= DISPATCH_LEVEL.
   */
  export function NdisAllocateMdl(NdisHandle: NDIS_HANDLE | null, VirtualAddress: Uint8Array, Length: number): MDL | null;
  /** Frees an MDL from NdisAllocateMdl, once (InvalidParameter for one that is not yours, or freed already), after the NBL or NET_BUFFER that used it is freed: a send over a freed MDL fails with SharedMemoryCorrupted. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeMdl(Mdl: MDL): void;
  /** The MDL's bytes and their count (C's out parameters VirtualAddress and Length, returned). IRQL <= DISPATCH_LEVEL. */
  export function NdisQueryMdl(Mdl: MDL, Priority?: number): { VirtualAddress: Uint8Array; Length: number };
  /** The offset of the MDL's first byte within its page, and its length (out parameters, returned). IRQL <= DISPATCH_LEVEL. */
  export function NdisQueryMdlOffset(Mdl: MDL): { Offset: number; Length: number };
  /** The MDL after CurrentMdl, or null (C's out parameter NextMdl, returned). A macro: any IRQL. */
  export function NdisGetNextMdl(CurrentMdl: MDL): { NextMdl: MDL | null };
  /** The MDL's Next. To link, assign `Mdl.Next = NextMdl` (C assigns to NDIS_MDL_LINKAGE(Mdl)). */
  export function NDIS_MDL_LINKAGE(Mdl: MDL): MDL | null;
  /**
   * The MDL's bytes, a view of machine memory of exactly ByteCount bytes (its `buffer` throws,
   * as Data's does). Priority: NormalPagePriority, optionally | MdlMappingNoExecute. Never null
   * here: the memory is always mapped. IRQL <= DISPATCH_LEVEL.
   */
  export function MmGetSystemAddressForMdlSafe(Mdl: MDL, Priority: number): Uint8Array;
  /** The bytes the MDL describes (a macro: any IRQL). */
  export function MmGetMdlByteCount(Mdl: MDL): number;
  export const LowPagePriority: 0;
  export const NormalPagePriority: 16;
  export const HighPagePriority: 32;
  export const MdlMappingNoExecute: 0x40000000;
  /**
   * Length bytes (1 to 2048: one buffer of the machine's memory, from which a NIC can transmit)
   * for you, zeroed, as a view whose `buffer` throws; null if Length does not fit or memory has
   * run out. Tag and Priority (NormalPoolPriority) as in C. Free it with NdisFreeMemory. IRQL <=
   * DISPATCH_LEVEL.
   */
  export function NdisAllocateMemoryWithTagPriority(NdisHandle: NDIS_HANDLE | null, Length: number, Tag: number, Priority: number): Uint8Array | null;
  /** Frees what NdisAllocateMemoryWithTagPriority returned (pass that view itself; InvalidParameter otherwise), after the MDLs over it are freed: an MDL kept past it describes nothing any more. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeMemory(VirtualAddress: Uint8Array, Length: number, MemoryFlags: number): void;
  export const LowPoolPriority: 0;
  export const NormalPoolPriority: 16;
  export const HighPoolPriority: 32;

  export interface BIND_PARAMETERS {
    AdapterName: string;
    CurrentMacAddress: string;
    MacAddressLength: number;
    MtuSize: number;
    MaxXmitLinkSpeed: bigint;
    MediaConnectState: number;
  }
  /** Every structure NDIS hands a driver opens with one: its kind, revision and size in C (x64). */
  export interface NDIS_OBJECT_HEADER {
    Type: number;
    Revision: number;
    Size: number;
  }
  /** The event inside a NET_PNP_EVENT_NOTIFICATION: read it as `notification.NetPnPEvent.NetEvent`, as C does. */
  export interface NET_PNP_EVENT {
    NetEvent: number;
    /**
     * What the event carries: NetEventPause an NDIS_PROTOCOL_PAUSE_PARAMETERS, NetEventRestart an
     * NDIS_PROTOCOL_RESTART_PARAMETERS, NetEventSetPower and NetEventQueryPower the device power
     * state as a one-element Uint32Array (`Buffer[0]`, where C reads `*(PNET_DEVICE_POWER_STATE)Buffer`),
     * the other events null.
     */
    Buffer: NDIS_PROTOCOL_PAUSE_PARAMETERS | NDIS_PROTOCOL_RESTART_PARAMETERS | Uint32Array | null;
    /** The size in C of what Buffer points to (0 with no Buffer). */
    BufferLength: number;
  }
  /**
   * NET_PNP_EVENT_NOTIFICATION, as ndis.h declares it. Header: NDIS_OBJECT_TYPE_DEFAULT,
   * NET_PNP_EVENT_NOTIFICATION_REVISION_1, NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1. Pass
   * this same object back to NdisCompleteNetPnPEvent (or NdisFNetPnPEvent) when you complete it.
   */
  export interface NET_PNP_EVENT_NOTIFICATION {
    Header: NDIS_OBJECT_HEADER;
    PortNumber: number;
    NetPnPEvent: NET_PNP_EVENT;
    Flags: number;
  }
  /** NetEventPause's Buffer: why the binding pauses (NDIS_PAUSE_* bits in PauseReason). */
  export interface NDIS_PROTOCOL_PAUSE_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    Flags: number;
    PauseReason: number;
  }
  /** NetEventRestart's Buffer: the filter modules below the protocol and the interface it is bound to. */
  export interface NDIS_PROTOCOL_RESTART_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    /** The filter modules' names, top first (C: a buffer of NDIS_STRINGs; here an array of strings). */
    FilterModuleNameBuffer: string[];
    FilterModuleNameBufferLength: number;
    /** NDIS_RESTART_ATTRIBUTES are not modelled here: null. */
    RestartAttributes: null;
    BoundIfIndex: number;
    BoundIfNetluid: bigint;
    Flags: number;
  }
  export const NDIS_OBJECT_TYPE_DEFAULT: 0x80;
  export const NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS: 0xa3;
  export const NET_PNP_EVENT_NOTIFICATION_REVISION_1: 1;
  export const NDIS_PROTOCOL_PAUSE_PARAMETERS_REVISION_1: 1;
  export const NDIS_PROTOCOL_RESTART_PARAMETERS_REVISION_1: 1;
  export const NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1: 164;
  export const NDIS_SIZEOF_PROTOCOL_PAUSE_PARAMETERS_REVISION_1: 12;
  export const NDIS_SIZEOF_PROTOCOL_RESTART_PARAMETERS_REVISION_1: 52;
  export const NDIS_PAUSE_NDIS_INTERNAL: 0x01;
  export const NDIS_PAUSE_LOW_POWER: 0x02;
  export const NDIS_PAUSE_BIND_PROTOCOL: 0x04;
  export const NDIS_PAUSE_UNBIND_PROTOCOL: 0x08;
  export const NDIS_PAUSE_ATTACH_FILTER: 0x10;
  export const NDIS_PAUSE_DETACH_FILTER: 0x20;
  export const NDIS_PAUSE_FILTER_RESTART_STACK: 0x40;
  export const NDIS_PAUSE_MINIPORT_DEVICE_REMOVE: 0x80;
  /** NDIS_STATUS_INDICATION: NDIS_STATUS_LINK_STATE carries an NDIS_LINK_STATE in StatusBuffer. */
  export interface NDIS_STATUS_INDICATION {
    SourceHandle: NDIS_HANDLE | null;
    PortNumber: number;
    StatusCode: NDIS_STATUS;
    Flags: number;
    /** For NDIS_STATUS_LINK_STATE: MediaConnectState (u32) at offset 4, XmitLinkSpeed (u64) at 16. */
    StatusBuffer: Uint8Array;
    StatusBufferSize: number;
  }
  export interface NDIS_OID_REQUEST {
    RequestType: number;
    DATA: {
      SET_INFORMATION?: { Oid: number; InformationBuffer: Uint8Array; BytesRead?: number; BytesNeeded?: number };
      QUERY_INFORMATION?: { Oid: number; InformationBuffer: Uint8Array; BytesWritten?: number; BytesNeeded?: number };
    };
  }

  // ---- protocol drivers ---------------------------------------------------------------------------
  export interface NDIS_PROTOCOL_DRIVER_CHARACTERISTICS<Binding = any> {
    Name?: string;
    /**
     * NDIS offers an adapter (the binding is Opening). Open it with NdisOpenAdapterEx, passing
     * BindContext. Return SUCCESS (the binding becomes Paused), a failure (Unbound), or PENDING
     * and call NdisCompleteBindAdapterEx later.
     */
    BindAdapterHandlerEx(ProtocolDriverContext: unknown, BindContext: NDIS_HANDLE, BindParameters: BIND_PARAMETERS): NDIS_STATUS;
    /**
     * NDIS unbinds a Paused binding (it is Closing). Call NdisCloseAdapterEx, then return SUCCESS,
     * or return PENDING and call NdisCompleteUnbindAdapterEx later (seed 001).
     */
    UnbindAdapterHandlerEx(UnbindContext: NDIS_HANDLE, ProtocolBindingContext: Binding): NDIS_STATUS;
    /**
     * A PnP or power event (seed 002). Return SUCCESS, PENDING (then NdisCompleteNetPnPEvent), or
     * for QueryRemoveDevice and PortActivation a failure. Never NDIS_STATUS_NOT_SUPPORTED.
     * ProtocolBindingContext is null for BindList, BindsComplete and some Reconfigure events.
     */
    NetPnPEventHandler(ProtocolBindingContext: Binding | null, NetPnPEventNotification: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS;
    OpenAdapterCompleteHandlerEx?(ProtocolBindingContext: Binding, Status: NDIS_STATUS): void;
    /**
     * A close for which NdisCloseAdapterEx returned NDIS_STATUS_PENDING has finished (seed 001).
     * Only now may the unbind complete. With this handler registered, NDIS may pend any close
     * made during an unbind.
     */
    CloseAdapterCompleteHandlerEx?(ProtocolBindingContext: Binding): void;
    /** An NdisOidRequest that returned PENDING has finished. */
    OidRequestCompleteHandler?(ProtocolBindingContext: Binding, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
    /** Status from the adapter, e.g. NDIS_STATUS_LINK_STATE on a link change (also while Paused). */
    StatusHandlerEx?(ProtocolBindingContext: Binding, StatusIndication: NDIS_STATUS_INDICATION): void;
    /**
     * Received frames (Running bindings only). Without NDIS_RECEIVE_FLAGS_RESOURCES you own them
     * until NdisReturnNetBufferLists; with it, they go back when you return.
     */
    ReceiveNetBufferListsHandler?(ProtocolBindingContext: Binding, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, NumberOfNetBufferLists: number, ReceiveFlags: number): void;
    /** Your sends are complete: they are yours again (check each NBL's Status). */
    SendNetBufferListsCompleteHandler?(ProtocolBindingContext: Binding, NetBufferLists: NET_BUFFER_LIST, SendCompleteFlags: number): void;
    UninstallHandler?(): void;
  }
  /** Call from DriverEntry. */
  export function NdisRegisterProtocolDriver<Binding>(ProtocolDriverContext: unknown, ProtocolCharacteristics: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS<Binding>): { Status: NDIS_STATUS; NdisProtocolHandle: NDIS_HANDLE | null };
  /**
   * Only within a bind in progress (ProtocolBindAdapterEx, or after it returned PENDING and before
   * NdisCompleteBindAdapterEx). ProtocolBindingContext is yours: NDIS passes it back untouched.
   */
  export function NdisOpenAdapterEx<Binding>(NdisProtocolHandle: NDIS_HANDLE, ProtocolBindingContext: Binding, OpenParameters: unknown, BindContext: NDIS_HANDLE): { Status: NDIS_STATUS; NdisBindingHandle: NDIS_HANDLE | null; SelectedMediumIndex: number };
  /** Finishes a bind for which ProtocolBindAdapterEx returned PENDING. */
  export function NdisCompleteBindAdapterEx(BindAdapterContext: NDIS_HANDLE, Status: NDIS_STATUS): void;
  /**
   * Only from ProtocolBindAdapterEx or ProtocolUnbindAdapterEx, after your sends and OID
   * requests on the binding have completed. The handle is invalid from this call on (seed 003).
   * Returns SUCCESS, or PENDING (during an unbind, for drivers with CloseAdapterCompleteHandlerEx):
   * then ProtocolCloseAdapterCompleteEx follows, and the unbind must wait for it.
   */
  export function NdisCloseAdapterEx(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;
  /**
   * Asks NDIS to unbind (from outside the bind/unbind handlers). The unbind may run before this
   * returns: treat the handle as invalid once it has returned (seed 001).
   */
  export function NdisUnbindAdapter(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;
  /** Finishes an unbind for which ProtocolUnbindAdapterEx returned PENDING. */
  export function NdisCompleteUnbindAdapterEx(UnbindContext: NDIS_HANDLE): void;
  /** Finishes a PnP event for which ProtocolNetPnPEvent returned PENDING; once per event. */
  export function NdisCompleteNetPnPEvent(NdisBindingHandle: NDIS_HANDLE | null, NetPnPEvent: NET_PNP_EVENT_NOTIFICATION, Status: NDIS_STATUS): void;
  /** Running bindings only. The NBLs are NDIS's until ProtocolSendNetBufferListsComplete. */
  export function NdisSendNetBufferLists(NdisBindingHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, SendFlags: number): void;
  /** Gives back receives indicated without NDIS_RECEIVE_FLAGS_RESOURCES; each once. */
  export function NdisReturnNetBufferLists(NdisBindingHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, ReturnFlags: number): void;
  /** Returns NDIS_STATUS_PENDING here; ProtocolOidRequestComplete follows. Complete every OID before closing. */
  export function NdisOidRequest(NdisBindingHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;

  // ---- NBL allocation ----------------------------------------------------------------------------
  /**
   * NET_BUFFER_LIST_POOL_PARAMETERS. Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision:
   * NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }.
   */
  export interface NET_BUFFER_LIST_POOL_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    /** NDIS_PROTOCOL_ID_DEFAULT, or another NDIS_PROTOCOL_ID_* (at most NDIS_PROTOCOL_ID_MAX). */
    ProtocolId: number;
    /** true: the pool's NBLs come with a NET_BUFFER (NdisAllocateNetBufferAndNetBufferList); false: NdisAllocateNetBufferList only. */
    fAllocateNetBuffer: boolean;
    /** Context each NBL starts with: a multiple of MEMORY_ALLOCATION_ALIGNMENT (16), at most 64 here. */
    ContextSize: number;
    PoolTag: number;
    /** 0 when fAllocateNetBuffer is false; at most 2048 here (every NET_BUFFER's own buffer is one 2048-byte buffer). */
    DataSize: number;
  }
  /** NET_BUFFER_POOL_PARAMETERS. Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 }. */
  export interface NET_BUFFER_POOL_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    PoolTag: number;
    DataSize: number;
  }
  export const NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: 1;
  export const NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: 16;
  export const NET_BUFFER_POOL_PARAMETERS_REVISION_1: 1;
  export const NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1: 12;
  export const NDIS_PROTOCOL_ID_DEFAULT: 0x00;
  export const NDIS_PROTOCOL_ID_TCP_IP: 0x02;
  export const NDIS_PROTOCOL_ID_IPX: 0x06;
  export const NDIS_PROTOCOL_ID_NBF: 0x07;
  export const NDIS_PROTOCOL_ID_MAX: 0x0f;
  export const NDIS_PROTOCOL_ID_MASK: 0x0f;
  export const MEMORY_ALLOCATION_ALIGNMENT: 16;
  /**
   * A pool of NBLs. NdisHandle: one of your handles (NdisProtocolHandle, NdisFilterDriverHandle,
   * a binding or filter module handle) or null. Returns null, as NDIS does, when Parameters are
   * not right (the trace says why). Free it with NdisFreeNetBufferListPool once every NBL from it
   * is freed. IRQL <= DISPATCH_LEVEL.
   */
  export function NdisAllocateNetBufferListPool(NdisHandle: NDIS_HANDLE | null, Parameters: NET_BUFFER_LIST_POOL_PARAMETERS): NDIS_HANDLE | null;
  /** Only after every NBL from the pool is freed (NblPoolFreedWithNblsOutstanding otherwise). The handle is invalid afterwards. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeNetBufferListPool(PoolHandle: NDIS_HANDLE): void;
  /**
   * A new NBL with one NET_BUFFER of DataLength bytes after DataOffset bytes: over MdlChain (a
   * chain of your MDLs, which must hold DataOffset + DataLength bytes; free them after the NBL)
   * or, with MdlChain null, over the NET_BUFFER's own 2048-byte buffer. The pool must have
   * fAllocateNetBuffer true. ContextSize bytes of context (a multiple of 16), zeroed, with
   * ContextBackFill more free in front: at most 64 bytes in all here. null if none is left.
   * IRQL <= DISPATCH_LEVEL.
   */
  export function NdisAllocateNetBufferAndNetBufferList(PoolHandle: NDIS_HANDLE, ContextSize: number, ContextBackFill: number, MdlChain: MDL | null, DataOffset: number, DataLength: number): NET_BUFFER_LIST | null;
  /** A new NBL with no NET_BUFFER (chain your own to FirstNetBuffer), context as above; null if none is left. IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateNetBufferList(PoolHandle: NDIS_HANDLE, ContextSize: number, ContextBackFill: number): NET_BUFFER_LIST | null;
  /** Only NBLs you allocated and hold (not ones NDIS or another driver gave you): NblNotOwned otherwise. Free the MDLs it used afterwards. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeNetBufferList(NetBufferList: NET_BUFFER_LIST): void;
  /** A pool of NET_BUFFERs for NdisAllocateNetBuffer; null for bad Parameters (the trace says why). IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateNetBufferPool(NdisHandle: NDIS_HANDLE | null, Parameters: NET_BUFFER_POOL_PARAMETERS): NDIS_HANDLE | null;
  /** Only after every NET_BUFFER from the pool is freed (NetBufferPoolFreedWithNetBuffersOutstanding otherwise). IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeNetBufferPool(PoolHandle: NDIS_HANDLE): void;
  /** A NET_BUFFER over MdlChain (your MDLs; or, null, its own 2048-byte buffer) with DataOffset and DataLength; null if none is left. IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateNetBuffer(PoolHandle: NDIS_HANDLE, MdlChain: MDL | null, DataOffset: number, DataLength: number): NET_BUFFER | null;
  /** Frees a NET_BUFFER from NdisAllocateNetBuffer (unchain it from any NBL first; InvalidParameter for any other). IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeNetBuffer(NetBuffer: NET_BUFFER): void;
  /**
   * ContextSize more bytes of context (a multiple of sizeof(void*), 8) in front of the NBL's
   * current context, zeroed: what a filter does before it passes an NBL on, to keep per-packet
   * state. NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when the NBL's 64-byte context area is
   * full (NDIS would allocate more; here the area is fixed). Free it with
   * NdisFreeNetBufferListContext before the NBL goes back. IRQL <= DISPATCH_LEVEL.
   */
  export function NdisAllocateNetBufferListContext(NetBufferList: NET_BUFFER_LIST, ContextSize: number, ContextBackFill: number, PoolTag: number): NDIS_STATUS;
  /** Gives back the ContextSize bytes you allocated last (throws for more than is allocated). IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeNetBufferListContext(NetBufferList: NET_BUFFER_LIST, ContextSize: number): void;
  /**
   * The current context: a view from where the last allocated context starts to the end of the
   * NBL's context area (a layer's own context first, then the layers' below it). It reaches
   * nothing outside the NBL's record.
   */
  export function NET_BUFFER_LIST_CONTEXT_DATA_START(NetBufferList: NET_BUFFER_LIST): Uint8Array;
  /** Bytes of context allocated on the NBL (a macro: any IRQL). */
  export function NET_BUFFER_LIST_CONTEXT_DATA_SIZE(NetBufferList: NET_BUFFER_LIST): number;

  /** What FilterAttach learns about the adapter below (a subset of NDIS_FILTER_ATTACH_PARAMETERS). */
  export interface NDIS_FILTER_ATTACH_PARAMETERS {
    BaseMiniportName: string;
    CurrentMacAddress: string;
    MtuSize: number;
    MediaConnectState: number;
  }

  // ---- filter drivers -----------------------------------------------------------------------------
  export interface NDIS_FILTER_DRIVER_CHARACTERISTICS<Module = any> {
    FriendlyName?: string;
    UniqueName?: string;
    ServiceName?: string;
    /** Call NdisFSetAttributes with your module context; return SUCCESS (the module is Paused) or a failure. */
    AttachHandler(NdisFilterHandle: NDIS_HANDLE, FilterDriverContext: unknown, AttachParameters: NDIS_FILTER_ATTACH_PARAMETERS): NDIS_STATUS;
    /** The module is Paused and leaves the stack; free what it allocated. */
    DetachHandler(FilterModuleContext: Module): void;
    /** Return SUCCESS (Running), PENDING (then NdisFRestartComplete), or a failure (stays Paused). */
    RestartHandler(FilterModuleContext: Module, RestartParameters: unknown): NDIS_STATUS;
    /**
     * The module is Pausing (seed 004): complete new sends with NDIS_STATUS_PAUSED, return new
     * receives at once, originate nothing, wait for your own sends and indications to come back.
     * Return SUCCESS when nothing is outstanding, else PENDING and NdisFPauseComplete later.
     * Never a failure.
     */
    PauseHandler(FilterModuleContext: Module, PauseParameters: unknown): NDIS_STATUS;
    /** Sends from above: pass down with NdisFSendNetBufferLists, or complete with NdisFSendNetBufferListsComplete. */
    SendNetBufferListsHandler?(FilterModuleContext: Module, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, SendFlags: number): void;
    /** Completions from below: pass up those not yours; free your own (SourceHandle is your handle). */
    SendNetBufferListsCompleteHandler?(FilterModuleContext: Module, NetBufferLists: NET_BUFFER_LIST, SendCompleteFlags: number): void;
    /** Receives from below: pass up with NdisFIndicateReceiveNetBufferLists, or return with NdisFReturnNetBufferLists (not with RESOURCES). */
    ReceiveNetBufferListsHandler?(FilterModuleContext: Module, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, NumberOfNetBufferLists: number, ReceiveFlags: number): void;
    /** Returns from above: pass down with NdisFReturnNetBufferLists those not yours. */
    ReturnNetBufferListsHandler?(FilterModuleContext: Module, NetBufferLists: NET_BUFFER_LIST, ReturnFlags: number): void;
    /** Status from below: pass it up with NdisFIndicateStatus (allowed while Paused). */
    StatusHandler?(FilterModuleContext: Module, StatusIndication: NDIS_STATUS_INDICATION): void;
    /** A PnP event (QueryRemoveDevice, CancelRemoveDevice...): pass it on with NdisFNetPnPEvent and return its status. */
    NetPnPEventHandler?(FilterModuleContext: Module, NetPnPEvent: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS;
    /** A request from above: pass it down with NdisFOidRequest and return PENDING, or complete it yourself (return its status). */
    OidRequestHandler?(FilterModuleContext: Module, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;
    /** A request you passed down finished: complete it upward with NdisFOidRequestComplete (if it came from above). */
    OidRequestCompleteHandler?(FilterModuleContext: Module, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
  }
  /** Call from DriverEntry. */
  export function NdisFRegisterFilterDriver<Module>(DriverObject: unknown, FilterDriverContext: unknown, FilterCharacteristics: NDIS_FILTER_DRIVER_CHARACTERISTICS<Module>): { Status: NDIS_STATUS; NdisFilterDriverHandle: NDIS_HANDLE | null };
  /** Only in FilterAttach: sets the context NDIS passes to the module's handlers. */
  export function NdisFSetAttributes<Module>(NdisFilterHandle: NDIS_HANDLE, FilterModuleContext: Module, FilterAttributes: unknown): NDIS_STATUS;
  /** Finishes a pause for which FilterPause returned PENDING; once. */
  export function NdisFPauseComplete(NdisFilterHandle: NDIS_HANDLE): void;
  /** Finishes a restart for which FilterRestart returned PENDING. */
  export function NdisFRestartComplete(NdisFilterHandle: NDIS_HANDLE, Status: NDIS_STATUS): void;
  /** Running modules only for sends they originate; sends from above only while Running. */
  export function NdisFSendNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, SendFlags: number): void;
  /** Completes sends that came from above (set each NBL's Status). */
  export function NdisFSendNetBufferListsComplete(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, SendCompleteFlags: number): void;
  /** Not while Pausing or Paused. */
  export function NdisFIndicateReceiveNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, NumberOfNetBufferLists: number, ReceiveFlags: number): void;
  /** Returns receives that came from below (not ones indicated with RESOURCES). */
  export function NdisFReturnNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, ReturnFlags: number): void;

  /** Passes an OID request down (one from above, or the module's own); returns NDIS_STATUS_PENDING, then FilterOidRequestComplete. */
  export function NdisFOidRequest(NdisFilterHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;
  /** Completes, upward, a request that came from above (after its FilterOidRequestComplete). */
  export function NdisFOidRequestComplete(NdisFilterHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
  /** Passes a status indication up (Running or Paused). */
  export function NdisFIndicateStatus(NdisFilterHandle: NDIS_HANDLE, StatusIndication: NDIS_STATUS_INDICATION): void;
  /** Passes a PnP event on to the drivers above; returns their status. */
  export function NdisFNetPnPEvent(NdisFilterHandle: NDIS_HANDLE, NetPnPEvent: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS;

  // ---- configuration (the registry) -------------------------------------------------------------------
  export const NdisParameterInteger: 0;
  export const NdisParameterHexInteger: 1;
  export const NdisParameterString: 2;
  export const NdisParameterMultiString: 3;
  export const NdisParameterBinary: 4;
  /** NDIS_CONFIGURATION_OBJECT: NdisHandle is your NdisProtocolHandle, NdisFilterDriverHandle, an NdisBindingHandle or an NdisFilterHandle. */
  export interface NDIS_CONFIGURATION_OBJECT {
    NdisHandle: NDIS_HANDLE;
    Flags?: number;
  }
  /** NDIS_CONFIGURATION_PARAMETER: integers only in this lab. */
  export interface NDIS_CONFIGURATION_PARAMETER {
    ParameterType: number;
    ParameterData: { IntegerData: number };
  }
  /** Opens the driver's configuration (its parameters in the registry). Close it with NdisCloseConfiguration. */
  export function NdisOpenConfigurationEx(ConfigObject: NDIS_CONFIGURATION_OBJECT): { Status: NDIS_STATUS; ConfigurationHandle: NDIS_HANDLE | null };
  /**
   * Reads the value of Keyword (NdisParameterInteger or NdisParameterHexInteger). Status is
   * NDIS_STATUS_FAILURE, and ParameterValue null, if the keyword is not there: keep a default.
   */
  export function NdisReadConfiguration(ConfigurationHandle: NDIS_HANDLE, Keyword: string, ParameterType: number): { Status: NDIS_STATUS; ParameterValue: NDIS_CONFIGURATION_PARAMETER | null };
  export function NdisCloseConfiguration(ConfigurationHandle: NDIS_HANDLE): void;

  // ---- timers and work items (virtual time) -----------------------------------------------------------
  export interface NDIS_TIMER_CHARACTERISTICS<Context = unknown> {
    TimerFunction(SystemSpecific1: null, FunctionContext: Context, SystemSpecific2: null, SystemSpecific3: null): void;
    FunctionContext?: Context;
    AllocationTag?: number;
  }
  export function NdisAllocateTimerObject<Context>(NdisHandle: unknown, TimerCharacteristics: NDIS_TIMER_CHARACTERISTICS<Context>): { Status: NDIS_STATUS; TimerObject: NDIS_HANDLE | null };
  /**
   * Arms the timer. DueTime in 100-ns units: negative = from now (-10000n is 1 ms), positive = an
   * absolute virtual time. MillisecondsPeriod > 0 repeats. Returns true if it was already armed.
   */
  export function NdisSetTimerObject(TimerObject: NDIS_HANDLE, DueTime: bigint | number, MillisecondsPeriod?: number, FunctionContext?: unknown): boolean;
  /** Returns true if the timer was armed and is now cancelled. */
  export function NdisCancelTimerObject(TimerObject: NDIS_HANDLE): boolean;
  export function NdisFreeTimerObject(TimerObject: NDIS_HANDLE): void;
  export function NdisAllocateIoWorkItem(NdisObjectHandle: unknown): NDIS_HANDLE;
  /** Runs Routine later, as its own step (never inside this call). */
  export function NdisQueueIoWorkItem<Context>(NdisIoWorkItemHandle: NDIS_HANDLE, Routine: (WorkItemContext: Context, NdisIoWorkItemHandle: NDIS_HANDLE) => void, WorkItemContext: Context): void;
  export function NdisFreeIoWorkItem(NdisIoWorkItemHandle: NDIS_HANDLE): void;
}
