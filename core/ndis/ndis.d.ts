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
  /** NdisOpenAdapterEx: OpenParameters.MediumArray lists no medium the adapter uses (it uses NdisMedium802_3). */
  export const NDIS_STATUS_UNSUPPORTED_MEDIA: 0xc0010019;
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

  export const NdisDevicePnPEventQueryRemoved: 0;
  export const NdisDevicePnPEventRemoved: 1;
  export const NdisDevicePnPEventSurpriseRemoved: 2;
  export const NdisDevicePnPEventQueryStopped: 3;
  export const NdisDevicePnPEventStopped: 4;
  export const NdisDevicePnPEventPowerProfileChanged: 5;
  export const NdisDevicePnPEventFilterListChanged: 6;
  export const NET_DEVICE_PNP_EVENT_REVISION_1: 1;
  export const NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1: 48;

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
  /**
   * ULONG packet filter: NDIS_PACKET_TYPE_* bits. NDIS keeps one per binding (0 when the binding
   * opens: it receives nothing until it sets one). A set replaces this binding's filter only: NDIS
   * gives the miniport the OR of every open binding's filter (ALL_LOCAL and NO_LOCAL are NDIS's and
   * stay out of it) and indicates each received frame only to the bindings whose own filter accepts
   * it. A query is answered by NDIS, not the miniport, with this binding's own filter
   * ("OID_GEN_CURRENT_PACKET_FILTER": "NDIS handles the query for miniport drivers"). When a
   * binding closes, NDIS gives the miniport the OR of the bindings left (a protocol that was
   * promiscuous does not leave the adapter promiscuous): a set request of NDIS's own, which a
   * filter module's FilterOidRequest sees like any other.
   */
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
  /**
   * The multicast groups this binding receives under NDIS_PACKET_TYPE_MULTICAST: 6 bytes per
   * address (a set of 0 bytes clears the list). NDIS keeps a list per binding (empty when the
   * binding opens) and gives the miniport the union of every open binding's list, each address
   * once, again when a binding closes; a frame to a group is indicated only to the bindings whose
   * own list has it. The union is bounded by OID_802_3_MAXIMUM_LIST_SIZE (32 here): a set that
   * would overflow it fails with NDIS_STATUS_MULTICAST_FULL, even when your list is shorter (the
   * others' groups count too), and nothing changes. NDIS_STATUS_MULTICAST_FULL at once for an
   * address that is not a multicast one (the first byte's lowest bit clear),
   * NDIS_STATUS_INVALID_LENGTH for a length that is not a multiple of 6. A query is answered by
   * NDIS, with the union of all bindings' lists (what the miniport has), not only yours.
   */
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
  /** All frames the other bindings on the adapter send, looped back by NDIS (NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET set), besides what the other bits accept. */
  export const NDIS_PACKET_TYPE_ALL_LOCAL: 0x80;
  /** With PROMISCUOUS: not the other bindings' sends (no loopback). */
  export const NDIS_PACKET_TYPE_NO_LOCAL: 0x10000;

  // ---- flags -------------------------------------------------------------------------------------
  export const NDIS_SEND_FLAGS_DISPATCH_LEVEL: 0x1;
  /**
   * NdisSendNetBufferLists: also indicate the frames back to this binding. By default NDIS does not
   * loop a send back to the driver that sent it; with this flag each frame this binding's own
   * packet filter accepts (directed to the adapter's address, broadcast, multicast...) comes back
   * to its ProtocolReceiveNetBufferLists as a receive: a new NBL of NDIS's with the data copied,
   * NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET in NblFlags and SourceHandle the sender's, at DISPATCH_LEVEL,
   * given back with NdisReturnNetBufferLists like any receive. The frame still goes on the wire,
   * and completes as usual. It changes nothing for the other bindings: they get the frame only if
   * their filter has ALL_LOCAL, or PROMISCUOUS without NO_LOCAL ("Looping Back NDIS Packets").
   * A filter module's own send (NdisFSendNetBufferLists) with the flag comes back to the module's
   * FilterReceiveNetBufferLists, SourceHandle its own handle, for each frame the miniport's packet
   * filter and multicast list take; pass it up or return it like any receive. Not in live mode,
   * which loops nothing back.
   */
  export const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: 0x2;
  /** NblFlags: NDIS made this receive from a send on the same adapter (a loopback). */
  export const NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET: 0x8000;
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
    /** NDIS_NBL_FLAGS_*: on a receive, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET marks a frame NDIS looped back from a send. */
    NblFlags: number;
    /**
     * Who originated it, set by the sender before it sends: a protocol sets its NdisBindingHandle,
     * a filter its NdisFilterHandle on the NBLs it allocated, and leaves it alone on sends from
     * above (SendSourceHandleWrong). NDIS returns the NBL by it; a filter compares it with its own
     * handle to tell its completions apart. NULL on an NBL fresh from the pool.
     */
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
  /** The NBL after NetBufferList in its chain (its Next), or null at the end. A macro: any IRQL, any state. */
  export function NET_BUFFER_LIST_NEXT_NBL(NetBufferList: NET_BUFFER_LIST): NET_BUFFER_LIST | null;
  /** The NBL's first NET_BUFFER (its FirstNetBuffer), or null. A macro: any IRQL, any state. */
  export function NET_BUFFER_LIST_FIRST_NB(NetBufferList: NET_BUFFER_LIST): NET_BUFFER | null;
  /** The NBL's Status: what whoever completed the send set (read it in your send-complete handler). A macro: any IRQL. */
  export function NET_BUFFER_LIST_STATUS(NetBufferList: NET_BUFFER_LIST): NDIS_STATUS;
  /** The NET_BUFFER after NetBuffer in its NBL (its Next), or null. A macro: any IRQL, any state. */
  export function NET_BUFFER_NEXT_NB(NetBuffer: NET_BUFFER): NET_BUFFER | null;
  /** Bytes of data the NET_BUFFER holds (its DataLength). A macro: any IRQL, any state. */
  export function NET_BUFFER_DATA_LENGTH(NetBuffer: NET_BUFFER): number;
  /** Where the data starts, in bytes from the start of the NET_BUFFER's MDL chain (its DataOffset). A macro: any IRQL, any state. */
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
  /** NET_DEVICE_PNP_EVENT: a device PnP event. Header: NDIS_OBJECT_TYPE_DEFAULT, NET_DEVICE_PNP_EVENT_REVISION_1, NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1. */
  export interface NET_DEVICE_PNP_EVENT {
    Header: NDIS_OBJECT_HEADER;
    PortNumber: number;
    /** An NDIS_DEVICE_PNP_EVENT: NdisDevicePnPEventSurpriseRemoved... */
    DevicePnPEvent: number;
    InformationBuffer: unknown;
    InformationBufferLength: number;
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
  export const NDIS_OBJECT_TYPE_BIND_PARAMETERS: 0x86;
  export const NDIS_OBJECT_TYPE_OPEN_PARAMETERS: 0x87;
  export const NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS: 0x8b;
  export const NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES: 0x8d;
  export const NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS: 0x95;
  export const NDIS_OBJECT_TYPE_OID_REQUEST: 0x96;
  export const NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS: 0x97;
  export const NDIS_OBJECT_TYPE_STATUS_INDICATION: 0x98;
  export const NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS: 0x99;
  export const NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS: 0x9a;
  export const NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS: 0x9b;
  export const NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS: 0xa3;
  export const NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1: 1;
  export const NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2: 2;
  export const NDIS_FILTER_CHARACTERISTICS_REVISION_1: 1;
  export const NDIS_FILTER_CHARACTERISTICS_REVISION_2: 2;
  export const NDIS_FILTER_ATTRIBUTES_REVISION_1: 1;
  export const NDIS_BIND_PARAMETERS_REVISION_1: 1;
  export const NDIS_BIND_PARAMETERS_REVISION_2: 2;
  export const NDIS_OPEN_PARAMETERS_REVISION_1: 1;
  export const NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1: 1;
  export const NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2: 2;
  export const NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1: 1;
  export const NDIS_FILTER_RESTART_PARAMETERS_REVISION_1: 1;
  export const NDIS_STATUS_INDICATION_REVISION_1: 1;
  export const NDIS_OID_REQUEST_REVISION_1: 1;
  export const NDIS_TIMER_CHARACTERISTICS_REVISION_1: 1;
  export const NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1: 120;
  export const NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_2: 128;
  export const NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1: 200;
  export const NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2: 224;
  export const NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1: 8;
  export const NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1: 248;
  export const NDIS_SIZEOF_BIND_PARAMETERS_REVISION_2: 256;
  export const NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1: 52;
  export const NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1: 164;
  export const NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2: 176;
  export const NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1: 12;
  export const NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1: 44;
  export const NDIS_SIZEOF_STATUS_INDICATION_REVISION_1: 112;
  /** The medium of every adapter here (Ethernet). */
  export const NdisMedium802_3: 0;
  export const NdisPhysicalMedium802_3: 14;
  export const IF_TYPE_ETHERNET_CSMACD: 6;
  export const NET_IF_ACCESS_BROADCAST: 2;
  export const NET_IF_DIRECTION_SENDRECEIVE: 0;
  export const NET_IF_CONNECTION_DEDICATED: 1;
  export const NET_IF_COMPARTMENT_ID_PRIMARY: 1;
  export const NDIS_MAX_PHYS_ADDRESS_LENGTH: 32;
  export const NDIS_MAX_FRAME_TYPES_PER_OPEN: 4;
  export const NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA: 0x1;
  export const NDIS_MAC_OPTION_TRANSFERS_NOT_PEND: 0x2;
  export const NDIS_MAC_OPTION_NO_LOOPBACK: 0x8;
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
  /**
   * NDIS_STATUS_INDICATION: NDIS_STATUS_LINK_STATE carries an NDIS_LINK_STATE in StatusBuffer.
   * Header: NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1,
   * NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 (a filter that originates one sets it; NdisFIndicateStatus checks it).
   */
  export interface NDIS_STATUS_INDICATION {
    Header: NDIS_OBJECT_HEADER;
    SourceHandle: NDIS_HANDLE | null;
    PortNumber: number;
    StatusCode: NDIS_STATUS;
    Flags: number;
    DestinationHandle?: NDIS_HANDLE | null;
    RequestId?: unknown;
    /** GUID_NULL (16 zero bytes) for the status codes here. */
    Guid?: Uint8Array;
    NdisReserved?: null[];
    /** For NDIS_STATUS_LINK_STATE: MediaConnectState (u32) at offset 4, XmitLinkSpeed (u64) at 16. */
    StatusBuffer: Uint8Array;
    StatusBufferSize: number;
  }
  /** What a query or set request carries, and what NDIS writes back when it completes. */
  export interface NDIS_OID_REQUEST_INFORMATION {
    Oid: number;
    InformationBuffer: Uint8Array;
    InformationBufferLength?: number;
    /** Query: bytes the miniport wrote. */
    BytesWritten?: number;
    /** Set: bytes the miniport read. */
    BytesRead?: number;
    /** Bytes the request would have needed (with NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH). */
    BytesNeeded?: number;
  }
  /** A method request's DATA.METHOD_INFORMATION: input in the first InputBufferLength bytes of InformationBuffer, room for OutputBufferLength bytes of output. */
  export interface NDIS_OID_METHOD_INFORMATION extends NDIS_OID_REQUEST_INFORMATION {
    MethodId: number;
    InputBufferLength: number;
    OutputBufferLength: number;
  }
  /**
   * NDIS_OID_REQUEST. Header: NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1,
   * NDIS_SIZEOF_OID_REQUEST_REVISION_1 (NdisOidRequest and NdisFOidRequest return
   * NDIS_STATUS_INVALID_PARAMETER for a wrong Type or Size). RequestType picks the DATA member:
   * QUERY_INFORMATION (NdisRequestQueryInformation, NdisRequestQueryStatistics), SET_INFORMATION
   * (NdisRequestSetInformation), METHOD_INFORMATION (NdisRequestMethod; the e1000 miniport has no
   * method OIDs and answers NDIS_STATUS_NOT_SUPPORTED). RequestId is yours: NdisCancelOidRequest
   * finds the request by it.
   */
  export interface NDIS_OID_REQUEST {
    Header: NDIS_OBJECT_HEADER;
    RequestType: number;
    PortNumber?: number;
    /** Seconds; 0 is NDIS_OID_REQUEST_TIMEOUT_INFINITE. */
    Timeout?: number;
    RequestId?: unknown;
    RequestHandle?: NDIS_HANDLE | null;
    DATA: {
      QUERY_INFORMATION?: NDIS_OID_REQUEST_INFORMATION;
      SET_INFORMATION?: NDIS_OID_REQUEST_INFORMATION;
      METHOD_INFORMATION?: NDIS_OID_METHOD_INFORMATION;
    };
    /** The two pointers of the driver that allocated the request (a filter keeps the original of a clone here). */
    SourceReserved?: unknown[];
    MiniportReserved?: unknown[];
    SupportedRevision?: number;
  }
  export const NDIS_SIZEOF_OID_REQUEST_REVISION_1: 236;

  // ---- binding: what NDIS tells a protocol, and what it opens with ------------------------------------
  /**
   * NDIS_BIND_PARAMETERS, as ndis.h declares it, filled from the adapter. Header:
   * NDIS_OBJECT_TYPE_BIND_PARAMETERS, revision 1 (NDIS_SIZEOF_BIND_PARAMETERS_REVISION_1) for a
   * driver registered as NDIS 6.0, revision 2 for 6.1 and later. C's types become JavaScript's one
   * way throughout this module: a pointer to a structure is a reference (NULL is null), an
   * NDIS_STRING a string, a UCHAR array a Uint8Array of the array's full size, a ULONG64 a bigint,
   * a pointer to one scalar NDIS writes a one-element typed array, and an out parameter of a
   * function a field of the object it returns.
   */
  export interface NDIS_BIND_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    /** The registry path of this binding's parameters: "<protocol>\\Parameters\\Adapters\\<adapter>". */
    ProtocolSection: string;
    /** The adapter's name ("nic0"): pass it to NdisOpenAdapterEx in NDIS_OPEN_PARAMETERS.AdapterName. */
    AdapterName: string;
    PhysicalDeviceObject: null;
    /** NdisMedium802_3. */
    MediaType: number;
    /** OID_GEN_MAXIMUM_FRAME_SIZE: 1500, the payload without the 14-byte Ethernet header. */
    MtuSize: number;
    /** Bits per second (1 Gbit/s); the current speeds are 0 while the link is down. */
    MaxXmitLinkSpeed: bigint;
    XmitLinkSpeed: bigint;
    MaxRcvLinkSpeed: bigint;
    RcvLinkSpeed: bigint;
    MediaConnectState: number;
    MediaDuplexState: number;
    LookaheadSize: number;
    PowerManagementCapabilities: null;
    /** NDIS_PACKET_TYPE_* bits the miniport carries out. */
    SupportedPacketFilters: number;
    /** OID_802_3_MAXIMUM_LIST_SIZE. */
    MaxMulticastListSize: number;
    /** 6. */
    MacAddressLength: number;
    /** NDIS_MAX_PHYS_ADDRESS_LENGTH (32) bytes; the address is the first MacAddressLength: `CurrentMacAddress.slice(0, MacAddressLength)`. */
    CurrentMacAddress: Uint8Array;
    /** NdisPhysicalMedium802_3. */
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
    /** NDIS_MAC_OPTION_* bits (OID_GEN_MAC_OPTIONS). */
    MacOptions: number;
    CompartmentId: number;
    DefaultOffloadConfiguration: null;
    TcpConnectionOffloadCapabilities: null;
    BoundAdapterName: string;
    /** Revision 2 only. */
    HDSplitCurrentConfig?: null;
  }
  /** The former name of NDIS_BIND_PARAMETERS here (ndis.h has no BIND_PARAMETERS). */
  export type BIND_PARAMETERS = NDIS_BIND_PARAMETERS;
  /**
   * NDIS_OPEN_PARAMETERS: what NdisOpenAdapterEx opens the adapter with. NDIS refuses the open with
   * NDIS_STATUS_INVALID_PARAMETER for a missing or wrong Header (NDIS_OBJECT_TYPE_OPEN_PARAMETERS,
   * NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1) or more than
   * NDIS_MAX_FRAME_TYPES_PER_OPEN frame types, NDIS_STATUS_ADAPTER_NOT_FOUND for an AdapterName
   * other than the bind's, NDIS_STATUS_UNSUPPORTED_MEDIA when MediumArray lacks NdisMedium802_3.
   */
  export interface NDIS_OPEN_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    /** BindParameters.AdapterName. */
    AdapterName: string;
    /** The media the protocol supports; include NdisMedium802_3. */
    MediumArray: number[];
    MediumArraySize: number;
    /** C's PUINT: NDIS writes the index in MediumArray of the adapter's medium to element 0 (also returned as SelectedMediumIndex). */
    SelectedMediumIndex: Uint32Array | null;
    /** EtherTypes the protocol wants (NET_FRAME_TYPE): a hint to NDIS, not a receive filter. */
    FrameTypeArray: number[] | null;
    FrameTypeArraySize: number;
  }

  // ---- driver entry and unload -------------------------------------------------------------------
  /**
   * The DRIVER_OBJECT the system passes to DriverEntry(DriverObject, RegistryPath). Set
   * DriverUnload to your unload routine (PASSIVE_LEVEL): the system calls it before it unloads the
   * driver, and it must deregister (NdisDeregisterProtocolDriver, NdisFDeregisterFilterDriver) and
   * free what the driver allocated. Without it the driver cannot be unloaded.
   */
  export interface DRIVER_OBJECT {
    /** "\\Driver\\<name>". */
    readonly DriverName: string;
    /** Unset (undefined) until the driver sets it. */
    DriverUnload?: ((DriverObject: DRIVER_OBJECT) => void) | null;
  }
  /**
   * From DriverUnload (or DriverEntry, after an error), PASSIVE_LEVEL; never from a handler NDIS
   * called (DeregisterFromNdisEntryPoint). NDIS pauses and unbinds each open binding
   * (ProtocolUnbindAdapterEx) within this call, then the handle is invalid.
   */
  export function NdisDeregisterProtocolDriver(NdisProtocolHandle: NDIS_HANDLE): void;
  /**
   * From the filter's DriverUnload, PASSIVE_LEVEL. NDIS pauses and detaches (FilterDetach) each
   * attached module within this call, then the handle is invalid.
   */
  export function NdisFDeregisterFilterDriver(NdisFilterDriverHandle: NDIS_HANDLE): void;

  // ---- protocol drivers ---------------------------------------------------------------------------
  /**
   * NDIS_PROTOCOL_DRIVER_CHARACTERISTICS. NdisRegisterProtocolDriver checks, as NDIS does: Header
   * (NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, revision 1 or 2, Size at least that
   * revision's NDIS_SIZEOF_...; else NDIS_STATUS_BAD_CHARACTERISTICS, as for a missing required
   * handler) and the NDIS version (MajorNdisVersion 6, MinorNdisVersion 0, 1, 20 ... 89; else
   * NDIS_STATUS_BAD_VERSION). The version picks the revision of the structures NDIS hands you.
   */
  export interface NDIS_PROTOCOL_DRIVER_CHARACTERISTICS<Binding = any> {
    Header: NDIS_OBJECT_HEADER;
    MajorNdisVersion: number;
    MinorNdisVersion: number;
    MajorDriverVersion?: number;
    MinorDriverVersion?: number;
    Flags?: number;
    Name?: string;
    /**
     * NDIS offers an adapter (the binding is Opening). Open it with NdisOpenAdapterEx, passing
     * BindContext. Return SUCCESS (the binding becomes Paused), a failure (Unbound), or PENDING
     * and call NdisCompleteBindAdapterEx later: for instance when the open itself returned
     * PENDING, once OpenAdapterCompleteHandlerEx has its final status.
     */
    BindAdapterHandlerEx(ProtocolDriverContext: unknown, BindContext: NDIS_HANDLE, BindParameters: NDIS_BIND_PARAMETERS): NDIS_STATUS;
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
    /**
     * ProtocolOpenAdapterCompleteEx, required (NdisRegisterProtocolDriver fails without it with
     * NDIS_STATUS_BAD_CHARACTERISTICS): an open for which
     * NdisOpenAdapterEx returned NDIS_STATUS_PENDING has finished with Status. Only from now may
     * the driver use the NdisBindingHandle; a bind that pended on the open completes it now
     * (NdisCompleteBindAdapterEx with Status, after closing if the bind fails for another reason).
     */
    OpenAdapterCompleteHandlerEx(ProtocolBindingContext: Binding, Status: NDIS_STATUS): void;
    /**
     * ProtocolCloseAdapterCompleteEx, required (registration fails without it): a close for which
     * NdisCloseAdapterEx returned NDIS_STATUS_PENDING has finished (seeds 001 and 003). Only now
     * may the unbind (or the failing bind) that closed complete. Any close may pend.
     */
    CloseAdapterCompleteHandlerEx(ProtocolBindingContext: Binding): void;
    /** An NdisOidRequest that returned PENDING has finished. */
    OidRequestCompleteHandler?(ProtocolBindingContext: Binding, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
    /** Status from the adapter, e.g. NDIS_STATUS_LINK_STATE on a link change (also while Paused). */
    StatusHandlerEx?(ProtocolBindingContext: Binding, StatusIndication: NDIS_STATUS_INDICATION): void;
    /**
     * Received frames. Without NDIS_RECEIVE_FLAGS_RESOURCES you own them until
     * NdisReturnNetBufferLists; with it, they go back when you return. While the binding is
     * Pausing, handle receives as usual (the pause completes once you have returned what you
     * hold); while it is Paused, return new ones at once ("Pausing a Binding"). This lab
     * indicates receives to Running bindings only.
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
   * Status is SUCCESS (the handle is good), a failure (e.g. NDIS_STATUS_UNSUPPORTED_MEDIA,
   * NDIS_STATUS_RESOURCES, NDIS_STATUS_ADAPTER_NOT_FOUND), or NDIS_STATUS_PENDING: then do not use
   * NdisBindingHandle until ProtocolOpenAdapterCompleteEx brings the open's final status.
   */
  export function NdisOpenAdapterEx<Binding>(NdisProtocolHandle: NDIS_HANDLE, ProtocolBindingContext: Binding, OpenParameters: NDIS_OPEN_PARAMETERS, BindContext: NDIS_HANDLE): { Status: NDIS_STATUS; NdisBindingHandle: NDIS_HANDLE | null; SelectedMediumIndex: number };
  /** Finishes a bind for which ProtocolBindAdapterEx returned PENDING. */
  export function NdisCompleteBindAdapterEx(BindAdapterContext: NDIS_HANDLE, Status: NDIS_STATUS): void;
  /**
   * Only from ProtocolBindAdapterEx or ProtocolUnbindAdapterEx, after your sends and OID
   * requests on the binding have completed. The handle is invalid from this call on (seed 003).
   * Returns SUCCESS (the close is done) or PENDING: then ProtocolCloseAdapterCompleteEx follows,
   * and the unbind (or failing bind) must wait for it before it completes. Any close may pend.
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
  /**
   * Running bindings only. Set each NBL's SourceHandle to NdisBindingHandle first (Remarks; NDIS
   * returns the NBL to the binding it names: SendSourceHandleWrong otherwise). The NBLs are NDIS's
   * until ProtocolSendNetBufferListsComplete. SendFlags: NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK to have
   * the frames your filter accepts indicated back to you too (see the flag);
   * NDIS_SEND_FLAGS_DISPATCH_LEVEL only when you know you run at DISPATCH_LEVEL (Dispatch IRQL
   * Tracking: DispatchFlagBelowDispatch below it).
   */
  export function NdisSendNetBufferLists(NdisBindingHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, SendFlags: number): void;
  /** Gives back receives indicated without NDIS_RECEIVE_FLAGS_RESOURCES; each once. */
  export function NdisReturnNetBufferLists(NdisBindingHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, ReturnFlags: number): void;
  /**
   * Either completes the request before it returns (returns its final status, results written;
   * ProtocolOidRequestComplete is not called) or returns NDIS_STATUS_PENDING and calls
   * ProtocolOidRequestComplete later: NDIS chooses, and so does the seed. Every request must have
   * completed before NdisCloseAdapterEx. NDIS_STATUS_INVALID_PARAMETER (and nothing sent) for a
   * Header whose Type or Size is wrong.
   */
  export function NdisOidRequest(NdisBindingHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;
  /**
   * Cancels the binding's OID request whose RequestId is `RequestId`, if it has not completed: a
   * filter below that holds it gets FilterCancelOidRequest; a request the miniport has not carried
   * out completes with NDIS_STATUS_REQUEST_ABORTED. ProtocolOidRequestComplete still follows, once.
   */
  export function NdisCancelOidRequest(NdisBindingHandle: NDIS_HANDLE, RequestId: unknown): void;

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

  /**
   * NDIS_FILTER_ATTACH_PARAMETERS, as ndis.h declares it, filled from the adapter. Header:
   * NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, revision 1 (NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1)
   * for a driver registered as NDIS 6.0, revision 2 for 6.1 and later. Each module has an interface
   * of its own (IfIndex, NetLuid); LowerIfIndex is the module's below it, or the adapter's.
   */
  export interface NDIS_FILTER_ATTACH_PARAMETERS {
    Header: NDIS_OBJECT_HEADER;
    IfIndex: number;
    NetLuid: bigint;
    FilterModuleGuidName: string;
    BaseMiniportIfIndex: number;
    BaseMiniportInstanceName: string;
    /** The adapter's name ("nic0"). */
    BaseMiniportName: string;
    MediaConnectState: number;
    MediaDuplexState: number;
    XmitLinkSpeed: bigint;
    RcvLinkSpeed: bigint;
    /** NdisMedium802_3: a filter that supports only some media checks this and fails the attach otherwise. */
    MiniportMediaType: number;
    /** NdisPhysicalMedium802_3. */
    MiniportPhysicalMediaType: number;
    MiniportMediaSpecificAttributes: null;
    DefaultOffloadConfiguration: null;
    MacAddressLength: number;
    /** NDIS_MAX_PHYS_ADDRESS_LENGTH (32) bytes; the address is the first MacAddressLength. */
    CurrentMacAddress: Uint8Array;
    BaseMiniportNetLuid: bigint;
    LowerIfIndex: number;
    LowerIfNetLuid: bigint;
    Flags: number;
    /** Revision 2 only. */
    HDSplitCurrentConfig?: null;
  }
  /** FilterPause's PauseParameters: why the module pauses (NDIS_PAUSE_* bits). */
  export interface NDIS_FILTER_PAUSE_PARAMETERS {
    /** NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS, NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1, NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1. */
    Header: NDIS_OBJECT_HEADER;
    Flags: number;
    PauseReason: number;
  }
  /** FilterRestart's RestartParameters. */
  export interface NDIS_FILTER_RESTART_PARAMETERS {
    /** NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, NDIS_FILTER_RESTART_PARAMETERS_REVISION_1, NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1. */
    Header: NDIS_OBJECT_HEADER;
    MiniportMediaType: number;
    MiniportPhysicalMediaType: number;
    /** NDIS_RESTART_ATTRIBUTES are not modelled here: null. */
    RestartAttributes: null;
    LowerIfIndex: number;
    LowerIfNetLuid: bigint;
    Flags: number;
  }
  /** NDIS_FILTER_ATTRIBUTES, NdisFSetAttributes's FilterAttributes. */
  export interface NDIS_FILTER_ATTRIBUTES {
    /** NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1. */
    Header: NDIS_OBJECT_HEADER;
    Flags: number;
  }

  // ---- filter drivers -----------------------------------------------------------------------------
  /**
   * NDIS_FILTER_DRIVER_CHARACTERISTICS. NdisFRegisterFilterDriver checks Header
   * (NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_FILTER_CHARACTERISTICS_REVISION_1 or _2,
   * Size at least that revision's NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_...) and the handlers
   * (NDIS_STATUS_BAD_CHARACTERISTICS), and the NDIS version (NDIS_STATUS_BAD_VERSION), as for protocols.
   */
  export interface NDIS_FILTER_DRIVER_CHARACTERISTICS<Module = any> {
    Header: NDIS_OBJECT_HEADER;
    MajorNdisVersion: number;
    MinorNdisVersion: number;
    MajorDriverVersion?: number;
    MinorDriverVersion?: number;
    Flags?: number;
    FriendlyName?: string;
    UniqueName?: string;
    ServiceName?: string;
    /** Call NdisFSetAttributes with your module context; return SUCCESS (the module is Paused) or a failure. */
    AttachHandler(NdisFilterHandle: NDIS_HANDLE, FilterDriverContext: unknown, AttachParameters: NDIS_FILTER_ATTACH_PARAMETERS): NDIS_STATUS;
    /** The module is Paused and leaves the stack; free what it allocated. */
    DetachHandler(FilterModuleContext: Module): void;
    /**
     * Return SUCCESS (Running), PENDING (then NdisFRestartComplete), or a failure: the module
     * returns to Paused (FilterRestart), and NDIS then detaches it; a mandatory filter's failure
     * ends the whole stack ("Starting a Filter Module"). While Restarting a module completes sends
     * from above with NDIS_STATUS_PAUSED, returns new receives at once and initiates no new sends
     * or receive indications (the same page).
     */
    RestartHandler(FilterModuleContext: Module, RestartParameters: NDIS_FILTER_RESTART_PARAMETERS): NDIS_STATUS;
    /**
     * The module is Pausing (seed 004): complete new sends with NDIS_STATUS_PAUSED, return new
     * receives at once, originate nothing, wait for your own sends and indications to come back.
     * Return SUCCESS when nothing is outstanding, else PENDING and NdisFPauseComplete later.
     * Never a failure.
     */
    PauseHandler(FilterModuleContext: Module, PauseParameters: NDIS_FILTER_PAUSE_PARAMETERS): NDIS_STATUS;
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
    /**
     * An event about the adapter on its way up to the protocols (QueryPower, SetPower,
     * QueryRemoveDevice, CancelRemoveDevice, PnPCapabilities, PortActivation, PortDeactivation):
     * pass it on with NdisFNetPnPEvent and return its status. PASSIVE_LEVEL.
     */
    NetPnPEventHandler?(FilterModuleContext: Module, NetPnPEvent: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS;
    /** A device event on its way down (NdisDevicePnPEventSurpriseRemoved: the hardware is gone): note it, and pass it down with NdisFDevicePnPEventNotify. PASSIVE_LEVEL. */
    DevicePnPEventNotifyHandler?(FilterModuleContext: Module, NetDevicePnPEvent: NET_DEVICE_PNP_EVENT): void;
    /**
     * A request from above: pass a clone of it down (NdisAllocateCloneOidRequest, then NdisFOidRequest)
     * and return PENDING, or complete it yourself (return its status). Passing the request itself
     * down is FilterForwardedOriginalOidRequest. A request you returned PENDING for completes once,
     * with NdisFOidRequestComplete, within 12 s (OidNotCompletedInTime; twice is OidCompletedTwice).
     * NDIS hands a module one request at a time: the next waits until this one completes.
     */
    OidRequestHandler?(FilterModuleContext: Module, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;
    /** A request you passed down and NdisFOidRequest returned PENDING for has finished: complete it upward with NdisFOidRequestComplete (if it came from above). */
    OidRequestCompleteHandler?(FilterModuleContext: Module, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
    /** A request from above that you hold (or passed down as a clone) is to be cancelled: cancel the clone with NdisFCancelOidRequest. Optional: without it NDIS passes the cancel to the driver below (FilterCancelOidRequest: Remarks). */
    CancelOidRequestHandler?(FilterModuleContext: Module, RequestId: unknown): void;
  }
  /** Call from DriverEntry. */
  export function NdisFRegisterFilterDriver<Module>(DriverObject: unknown, FilterDriverContext: unknown, FilterCharacteristics: NDIS_FILTER_DRIVER_CHARACTERISTICS<Module>): { Status: NDIS_STATUS; NdisFilterDriverHandle: NDIS_HANDLE | null };
  /**
   * Only in FilterAttach: sets the context NDIS passes to the module's handlers. FilterAttributes
   * must carry its Header (NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES...): else NDIS_STATUS_INVALID_PARAMETER
   * and the context is not set.
   */
  export function NdisFSetAttributes<Module>(NdisFilterHandle: NDIS_HANDLE, FilterModuleContext: Module, FilterAttributes: NDIS_FILTER_ATTRIBUTES): NDIS_STATUS;
  /** Finishes a pause for which FilterPause returned PENDING; once. */
  export function NdisFPauseComplete(NdisFilterHandle: NDIS_HANDLE): void;
  /** Finishes a restart for which FilterRestart returned PENDING. */
  export function NdisFRestartComplete(NdisFilterHandle: NDIS_HANDLE, Status: NDIS_STATUS): void;
  /**
   * Running modules only for sends they originate; sends from above only while Running. On an NBL
   * the module allocated, set SourceHandle to NdisFilterHandle first; on one from above leave it
   * ("Sending Data from a Filter Driver"; SendSourceHandleWrong). Pass SendFlags on as you got
   * them, from the same handler (the *_DISPATCH_LEVEL bit holds only there): NDIS acts on NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK below the last
   * module. Your own send with that flag comes back to your FilterReceiveNetBufferLists (marked
   * NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, SourceHandle your handle) for each frame the miniport takes;
   * without it nothing of yours comes back to you (the bindings with ALL_LOCAL still get it).
   */
  export function NdisFSendNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, SendFlags: number): void;
  /** Completes sends that came from above (set each NBL's Status). */
  export function NdisFSendNetBufferListsComplete(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, SendCompleteFlags: number): void;
  /**
   * Passes receives up: from below, or NBLs the module allocated. Never while Paused. While
   * Pausing a module must originate none; seed 004 has it return receives from below at once,
   * where the FilterPause reference lets it pass those on (but not NBLs it created): NIC Lab
   * follows the seed (FilterIndicateWhilePaused for either). While Restarting it should not
   * initiate new indications of its own.
   */
  export function NdisFIndicateReceiveNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, PortNumber: number, NumberOfNetBufferLists: number, ReceiveFlags: number): void;
  /** Returns receives that came from below (not ones indicated with RESOURCES). */
  export function NdisFReturnNetBufferLists(NdisFilterHandle: NDIS_HANDLE, NetBufferLists: NET_BUFFER_LIST, ReturnFlags: number): void;

  /**
   * Passes an OID request down: the module's own, or the clone of one from above (never the
   * original). Returns the final status if it completed at once (no FilterOidRequestComplete
   * follows: complete the original yourself), or NDIS_STATUS_PENDING and FilterOidRequestComplete
   * comes later; NDIS_STATUS_INVALID_PARAMETER for a wrong Header.
   */
  export function NdisFOidRequest(NdisFilterHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST): NDIS_STATUS;
  /**
   * A copy of OidRequest to pass down in its place (all fields copied, InformationBuffer the same
   * buffer, SourceReserved cleared for you). C's out parameter is returned: { Status, ClonedOidRequest }.
   * Free it with NdisFreeCloneOidRequest once it has completed.
   */
  export function NdisAllocateCloneOidRequest(SourceHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST, PoolTag: number): { Status: NDIS_STATUS; ClonedOidRequest: (NDIS_OID_REQUEST & { SourceReserved: unknown[] }) | null };
  /** Frees a clone this module made with NdisAllocateCloneOidRequest: before NdisFOidRequestComplete of its original (else CloneNotFreedBeforeComplete). */
  export function NdisFreeCloneOidRequest(SourceHandle: NDIS_HANDLE, Request: NDIS_OID_REQUEST): void;
  /** Cancels the module's request (its own, or its clone) with `RequestId` below it; see NdisCancelOidRequest. */
  export function NdisFCancelOidRequest(NdisFilterHandle: NDIS_HANDLE, RequestId: unknown): void;
  /** Completes, upward, a request that came from above (after its FilterOidRequestComplete). */
  export function NdisFOidRequestComplete(NdisFilterHandle: NDIS_HANDLE, OidRequest: NDIS_OID_REQUEST, Status: NDIS_STATUS): void;
  /** Passes a status indication up (Running or Paused). */
  export function NdisFIndicateStatus(NdisFilterHandle: NDIS_HANDLE, StatusIndication: NDIS_STATUS_INDICATION): void;
  /**
   * From FilterNetPnPEvent: passes the event you were given (the same object) on to the drivers
   * above the module: modules above, then the protocols. Returns once they have handled it:
   * NDIS_STATUS_SUCCESS, or NDIS_STATUS_FAILURE if one failed it (a veto of
   * NetEventQueryRemoveDevice). An event you do not pass on never reaches them. PASSIVE_LEVEL.
   */
  export function NdisFNetPnPEvent(NdisFilterHandle: NDIS_HANDLE, NetPnPEvent: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS;
  /** From FilterDevicePnPEventNotify: passes the device event (the same object) down to the layer below the module. PASSIVE_LEVEL. */
  export function NdisFDevicePnPEventNotify(NdisFilterHandle: NDIS_HANDLE, NetDevicePnPEvent: NET_DEVICE_PNP_EVENT): void;

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
  /** Closes a ConfigurationHandle from NdisOpenConfigurationEx: NdisReadConfiguration with it afterwards is InvalidHandle. Returns nothing. PASSIVE_LEVEL. */
  export function NdisCloseConfiguration(ConfigurationHandle: NDIS_HANDLE): void;

  // ---- synchronization and IRQL ------------------------------------------------------------------------
  /*
   * IRQL. NDIS calls each handler at the IRQL its page gives: DriverEntry, ProtocolBindAdapterEx,
   * ProtocolUnbindAdapterEx, ProtocolOpen/CloseAdapterCompleteEx, ProtocolNetPnPEvent, FilterAttach,
   * FilterDetach, FilterRestart, FilterPause, FilterNetPnPEvent and work items at PASSIVE_LEVEL;
   * timer functions at DISPATCH_LEVEL; the handlers documented "<= DISPATCH_LEVEL"
   * (ProtocolReceiveNetBufferLists, ProtocolSendNetBufferListsComplete, ProtocolOidRequestComplete,
   * ProtocolStatusEx, FilterSend/ReceiveNetBufferLists, their completions and returns,
   * FilterOidRequest(Complete), FilterStatus) at DISPATCH_LEVEL when they come from the
   * miniport's DPC, a completion or an indication, and at the caller's IRQL when NDIS passes on a
   * driver's own call (a send from PASSIVE_LEVEL reaches the filters below at PASSIVE_LEVEL). The
   * *_DISPATCH_LEVEL flag NDIS passes says which. Each NDIS function may be called up to the IRQL
   * its page gives (IrqlTooHighForCall above it): PASSIVE_LEVEL for NdisOpenAdapterEx,
   * NdisCloseAdapterEx, NdisCompleteNetPnPEvent, NdisRegisterProtocolDriver,
   * NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFNetPnPEvent, the configuration functions,
   * NdisWaitEvent and NdisMSleep; DISPATCH_LEVEL for the rest
   * (NdisCompleteBindAdapterEx, NdisCompleteUnbindAdapterEx and NdisUnbindAdapter included). From a handler at DISPATCH_LEVEL, do PASSIVE_LEVEL work in a work item
   * (NdisQueueIoWorkItem).
   *
   * Out parameters become returned objects: where C has the driver provide the storage
   * (NDIS_EVENT, NDIS_SPIN_LOCK, LOCK_STATE_EX), NDIS returns the object instead. Each is an
   * NDIS handle: keep it and pass it back; NDIS keeps what it stands for (set or not, held or
   * not, the IRQL to go back to), so an object made to look like one is refused (InvalidHandle).
   */
  export const PASSIVE_LEVEL: 0;
  export const LOW_LEVEL: 0;
  export const APC_LEVEL: 1;
  export const DISPATCH_LEVEL: 2;
  export const HIGH_LEVEL: 15;
  /** KIRQL: PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL... */
  export type KIRQL = number;
  /** The current IRQL. Any IRQL. */
  export function KeGetCurrentIrql(): KIRQL;
  /** NDIS's name for KeGetCurrentIrql. Any IRQL. */
  export function NDIS_CURRENT_IRQL(): KIRQL;

  /** An initialized NDIS_EVENT (from NdisInitializeEvent): Not Signaled or Signaled. */
  export type NDIS_EVENT = NDIS_HANDLE;
  /** Returns a new event, Not Signaled (NdisInitializeEvent(&Event) in C). Any IRQL. */
  export function NdisInitializeEvent(): NDIS_EVENT;
  /** Sets the event to Signaled: a wait on it returns TRUE. IRQL <= DISPATCH_LEVEL. */
  export function NdisSetEvent(Event: NDIS_EVENT): void;
  /** Sets the event back to Not Signaled. IRQL <= DISPATCH_LEVEL. */
  export function NdisResetEvent(Event: NDIS_EVENT): void;
  /**
   * Waits until the event is Signaled (true) or MsToWait milliseconds of virtual time passed
   * (false); 0 waits for ever. Returns at once if it is Signaled already. PASSIVE_LEVEL only
   * (WaitAbovePassive). While you wait NDIS goes on — other handlers of yours run, such as the
   * completion that sets the event (typically a bind or unbind waiting for its OID request). A wait
   * for ever with nothing left that could set the event is WaitDeadlock.
   */
  export function NdisWaitEvent(Event: NDIS_EVENT, MsToWait: number): boolean;
  /** Waits MicrosecondsToSleep of virtual time (NDIS goes on meanwhile). PASSIVE_LEVEL only. */
  export function NdisMSleep(MicrosecondsToSleep: number): void;

  /** An NDIS_SPIN_LOCK from NdisAllocateSpinLock. */
  export type NDIS_SPIN_LOCK = NDIS_HANDLE;
  /** Returns a new spin lock (NdisAllocateSpinLock(&Lock) in C). IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateSpinLock(): NDIS_SPIN_LOCK;
  /** Frees a spin lock that is not held (LockFreedWhileHeld). IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeSpinLock(SpinLock: NDIS_SPIN_LOCK): void;
  /**
   * Acquires the lock and raises the IRQL to DISPATCH_LEVEL (IRQL <= DISPATCH_LEVEL). Release it
   * with NdisReleaseSpinLock before the handler returns (HandlerReturnedWithLockHeld); one
   * processor: acquiring it again before that spins for ever (LockAcquiredRecursively).
   */
  export function NdisAcquireSpinLock(SpinLock: NDIS_SPIN_LOCK): void;
  /** Releases a lock taken with NdisAcquireSpinLock and restores the IRQL it was taken at (LockNotHeld if not held). */
  export function NdisReleaseSpinLock(SpinLock: NDIS_SPIN_LOCK): void;
  /** NdisAcquireSpinLock for a caller already at DISPATCH_LEVEL (DprLockBelowDispatch below it); leaves the IRQL as it is. */
  export function NdisDprAcquireSpinLock(SpinLock: NDIS_SPIN_LOCK): void;
  /** Releases a lock taken with NdisDprAcquireSpinLock (SpinLockReleaseMismatch for one taken with NdisAcquireSpinLock). DISPATCH_LEVEL. */
  export function NdisDprReleaseSpinLock(SpinLock: NDIS_SPIN_LOCK): void;

  /** An NDIS_RW_LOCK_EX from NdisAllocateRWLock. */
  export type NDIS_RW_LOCK_EX = NDIS_HANDLE;
  /** What an acquisition returns, to pass to NdisReleaseRWLock (the caller's LOCK_STATE_EX in C). */
  export type LOCK_STATE_EX = NDIS_HANDLE;
  /** NdisAcquireRWLockRead/Write flag: the caller is at DISPATCH_LEVEL already (the IRQL is left as it is). */
  export const NDIS_RWL_AT_DISPATCH_LEVEL: 0x1;
  /** Returns a new read-write lock; NdisHandle is one of your NDIS handles. IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateRWLock(NdisHandle: unknown): NDIS_RW_LOCK_EX;
  /** Frees a read-write lock that is not held. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeRWLock(Lock: NDIS_RW_LOCK_EX): void;
  /** Acquires for reading (readers share it), raising to DISPATCH_LEVEL unless Flags has NDIS_RWL_AT_DISPATCH_LEVEL. Returns the lock state (null after a finding). */
  export function NdisAcquireRWLockRead(Lock: NDIS_RW_LOCK_EX, Flags: number): LOCK_STATE_EX | null;
  /** Acquires for writing (alone), raising to DISPATCH_LEVEL unless Flags has NDIS_RWL_AT_DISPATCH_LEVEL. Returns the lock state (null after a finding). */
  export function NdisAcquireRWLockWrite(Lock: NDIS_RW_LOCK_EX, Flags: number): LOCK_STATE_EX | null;
  /** Releases the acquisition LockState stands for and restores its IRQL (LockNotHeld for any other LockState). */
  export function NdisReleaseRWLock(Lock: NDIS_RW_LOCK_EX, LockState: LOCK_STATE_EX): void;

  /*
   * Interlocked functions: a PLONG is a one-element Int32Array (new Int32Array(1)), a PULONG a
   * Uint32Array; element 0 is the variable. They run in your driver's thread, on your memory:
   * NDIS does not see them. Any IRQL.
   */
  /** Adds 1 to Addend[0] atomically; returns the new value. */
  export function NdisInterlockedIncrement(Addend: Int32Array): number;
  /** Subtracts 1 from Addend[0] atomically; returns the new value. */
  export function NdisInterlockedDecrement(Addend: Int32Array): number;
  /** Adds Increment to Addend[0] (modulo 2^32) atomically. SpinLock is taken as given (no lock is needed for it here). */
  export function NdisInterlockedAddUlong(Addend: Uint32Array, Increment: number, SpinLock: NDIS_SPIN_LOCK): void;

  // ---- timers and work items (virtual time) -----------------------------------------------------------
  /**
   * NDIS_TIMER_CHARACTERISTICS, as ndis.h declares it. Header: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
   * NDIS_TIMER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 (without
   * them, or without a TimerFunction, NdisAllocateTimerObject fails with NDIS_STATUS_BAD_CHARACTERISTICS).
   */
  export interface NDIS_TIMER_CHARACTERISTICS<Context = unknown> {
    Header: NDIS_OBJECT_HEADER;
    /** The pool tag NDIS allocates the timer with ("You must provide this tag"); 0 when omitted. */
    AllocationTag?: number;
    /** NDIS calls it at DISPATCH_LEVEL (as a DPC): PASSIVE_LEVEL work goes to a work item. */
    TimerFunction(SystemSpecific1: null, FunctionContext: Context, SystemSpecific2: null, SystemSpecific3: null): void;
    FunctionContext?: Context;
  }
  export const NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1: 24;
  /** IRQL <= DISPATCH_LEVEL (Driver Verifier's Irql_Timer_Function). Status NDIS_STATUS_SUCCESS, or NDIS_STATUS_BAD_CHARACTERISTICS for characteristics that are not valid (TimerObject null). */
  export function NdisAllocateTimerObject<Context>(NdisHandle: unknown, TimerCharacteristics: NDIS_TIMER_CHARACTERISTICS<Context>): { Status: NDIS_STATUS; TimerObject: NDIS_HANDLE | null };
  /**
   * Arms the timer. DueTime in 100-ns units: negative = from now (-10000n is 1 ms), positive = an
   * absolute virtual time. MillisecondsPeriod > 0 repeats. Returns true if it was already armed.
   */
  export function NdisSetTimerObject(TimerObject: NDIS_HANDLE, DueTime: bigint | number, MillisecondsPeriod?: number, FunctionContext?: unknown): boolean;
  /** Returns true if the timer was armed and is now cancelled. */
  export function NdisCancelTimerObject(TimerObject: NDIS_HANDLE): boolean;
  /** Frees a timer from NdisAllocateTimerObject, cancelling it if it is armed (its TimerFunction does not run afterwards). Returns nothing. IRQL <= DISPATCH_LEVEL (Irql_Timer_Function). */
  export function NdisFreeTimerObject(TimerObject: NDIS_HANDLE): void;
  /** A work item for NdisQueueIoWorkItem; NdisObjectHandle is one of your NDIS handles. Returns its handle (C returns NULL when out of memory; here it always succeeds). Free it with NdisFreeIoWorkItem. IRQL <= DISPATCH_LEVEL. */
  export function NdisAllocateIoWorkItem(NdisObjectHandle: unknown): NDIS_HANDLE;
  /** Runs Routine later, as its own step (never inside this call), at PASSIVE_LEVEL. IRQL <= DISPATCH_LEVEL. */
  export function NdisQueueIoWorkItem<Context>(NdisIoWorkItemHandle: NDIS_HANDLE, Routine: (WorkItemContext: Context, NdisIoWorkItemHandle: NDIS_HANDLE) => void, WorkItemContext: Context): void;
  /** Frees a work item from NdisAllocateIoWorkItem, once its queued routine has run (here one still queued runs anyway); it cannot be queued afterwards. Returns nothing. IRQL <= DISPATCH_LEVEL. */
  export function NdisFreeIoWorkItem(NdisIoWorkItemHandle: NDIS_HANDLE): void;
}
