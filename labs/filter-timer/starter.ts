// Lab filter-timer: the starter. A filter that allocates its NBL pool and its timer at attach
// and frees them at detach, passes everything through while Running, and completes or returns
// what reaches it while it is not Running (seed 004). The coalescing is still to be written: the
// receive handler passes each indication up at once, the timer is never set, its TimerFunction
// does nothing, and FilterPause has nothing to stop yet. See the instructions.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisAllocateNetBufferListPool, NdisFreeNetBufferListPool,
  NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB,
  NdisAllocateTimerObject, NdisFreeTimerObject,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PAUSED, NDIS_STATUS_RESOURCES, NDIS_DEFAULT_PORT_NUMBER,
  NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RETURN_FLAGS_DISPATCH_LEVEL, NDIS_SEND_FLAGS_DISPATCH_LEVEL,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS, type NDIS_FILTER_ATTACH_PARAMETERS,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_TIMER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1,
} from 'ndis';

/** How long a receive waits in the queue: NdisSetTimerObject's DueTime, negative (from now) in 100-ns units: 1 ms. */
const COALESCE_DUE_TIME = -10_000n;
/** The announcement: to a locally administered multicast group of the lab's (no adapter here joins it), EtherType 0x88B6 (IEEE local experimental). */
const ANNOUNCE_GROUP = [0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
const ETHERTYPE_ANNOUNCE = 0x88b6;
/** Pool tag of the timer, 'Ftim' read as a little-endian ULONG. */
const TIMER_TAG = 0x6d697446;

interface Module {
  handle: NDIS_HANDLE;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  timer: NDIS_HANDLE;
  state: 'Paused' | 'Running' | 'Pausing';
  /** Receives from below, held until the next tick. */
  queue: NET_BUFFER_LIST[];
  /** The timer is set and has not fired (NdisSetTimerObject again would push its expiry back). */
  timerArmed: boolean;
  /** The module's own announcement is sent and not yet completed back to it. */
  announcing: boolean;
  /** FilterPause returned NDIS_STATUS_PENDING: NdisFPauseComplete when the announcement is back. */
  pausePending: boolean;
  /** Frames indicated up so far, carried by each announcement. */
  indicated: number;
}

/** A chain of `nbls` (their Next links rewritten), or null for none. */
function chain(nbls: NET_BUFFER_LIST[]): NET_BUFFER_LIST | null {
  nbls.forEach((nbl, i) => (nbl.Next = nbls[i + 1] ?? null));
  return nbls[0] ?? null;
}

function listOf(head: NET_BUFFER_LIST): NET_BUFFER_LIST[] {
  const list: NET_BUFFER_LIST[] = [];
  for (let nbl: NET_BUFFER_LIST | null = head; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) list.push(nbl);
  return list;
}

/** Indicates everything queued up as one chain; `dispatch`: the caller runs at DISPATCH_LEVEL (the tick always does). */
function indicateQueue(m: Module, dispatch: boolean): void {
  const count = m.queue.length;
  const up = chain(m.queue.splice(0));
  if (!up) return;
  m.indicated += count;
  NdisFIndicateReceiveNetBufferLists(m.handle, up, NDIS_DEFAULT_PORT_NUMBER, count, dispatch ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0);
}

/** The module's own announcement, from its own pool: to the group, from the adapter, with the count of frames indicated so far. */
function announcement(m: Module): NET_BUFFER_LIST | null {
  const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
  if (!nbl) return null;
  const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
  data.fill(0);
  data.set(ANNOUNCE_GROUP, 0);
  data.set(m.mac, 6);
  data.set([ETHERTYPE_ANNOUNCE >> 8, ETHERTYPE_ANNOUNCE & 0xff], 12);
  data.set([m.indicated >>> 24, (m.indicated >>> 16) & 0xff, (m.indicated >>> 8) & 0xff, m.indicated & 0xff], 14); // frames indicated so far, big-endian
  nbl.SourceHandle = m.handle; // the module's own NBL: NDIS completes it to the module by this
  return nbl;
}

/**
 * The TimerFunction: NDIS calls it at DISPATCH_LEVEL, once per NdisSetTimerObject.
 * TODO: indicate the queue up (indicateQueue) and send one announcement (announcement(m)), unless
 * the last one is still out.
 */
function tick(_s1: null, m: Module, _s2: null, _s3: null): void {
  m.timerArmed = false;
  void indicateQueue; void announcement; void COALESCE_DUE_TIME;
}

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'receive coalescer',

    // FilterAttach, PASSIVE_LEVEL: the module's pool and timer, allocated once; it starts Paused.
    AttachHandler(handle: NDIS_HANDLE, _context: unknown, params: NDIS_FILTER_ATTACH_PARAMETERS): NDIS_STATUS {
      const pool = NdisAllocateNetBufferListPool(handle, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });
      if (!pool) return NDIS_STATUS_RESOURCES;
      const m: Module = { handle, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool, timer: null as unknown as NDIS_HANDLE, state: 'Paused', queue: [], timerArmed: false, announcing: false, pausePending: false, indicated: 0 };
      const { Status, TimerObject } = NdisAllocateTimerObject<Module>(handle, {
        Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 },
        AllocationTag: TIMER_TAG, TimerFunction: tick, FunctionContext: m,
      });
      if (Status !== NDIS_STATUS_SUCCESS || !TimerObject) {
        NdisFreeNetBufferListPool(pool);
        return Status;
      }
      m.timer = TimerObject;
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    // FilterDetach, PASSIVE_LEVEL, the module Paused: the timer and the pool are freed.
    DetachHandler(m: Module): void {
      NdisFreeTimerObject(m.timer);
      NdisFreeNetBufferListPool(m.pool);
    },

    // FilterRestart, PASSIVE_LEVEL, Paused -> Restarting.
    RestartHandler(m: Module): NDIS_STATUS {
      m.state = 'Running';
      return NDIS_STATUS_SUCCESS;
    },

    // FilterPause, PASSIVE_LEVEL: the module is Pausing from the first line (seed 004).
    // TODO: seed 004 lists what a Pausing module must stop, give back and wait for.
    PauseHandler(m: Module): NDIS_STATUS {
      m.state = 'Paused';
      return NDIS_STATUS_SUCCESS;
    },

    // FilterSendNetBufferLists, IRQL <= DISPATCH_LEVEL, any state but Detached: passed down while
    // Running; otherwise completed at once with NDIS_STATUS_PAUSED (seed 004).
    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      if (m.state === 'Running') return NdisFSendNetBufferLists(m.handle, nbls, port, flags);
      for (const nbl of listOf(nbls)) nbl.Status = NDIS_STATUS_PAUSED;
      NdisFSendNetBufferListsComplete(m.handle, nbls, (flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) !== 0 ? NDIS_SEND_FLAGS_DISPATCH_LEVEL : 0);
    },

    // FilterSendNetBufferListsComplete, IRQL <= DISPATCH_LEVEL: the module's own announcement (its
    // SourceHandle is the module's handle) is freed here; the sends from above go on up.
    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      const theirs: NET_BUFFER_LIST[] = [];
      for (const nbl of listOf(nbls)) {
        if (nbl.SourceHandle === m.handle) {
          m.announcing = false;
          NdisFreeNetBufferList(nbl);
        } else {
          theirs.push(nbl);
        }
      }
      const up = chain(theirs);
      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);
    },

    // FilterReceiveNetBufferLists, IRQL <= DISPATCH_LEVEL (ReceiveFlags says which), any state
    // but Detached.
    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, count: number, flags: number): void {
      const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
      const dispatch = (flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) !== 0;
      if (m.state !== 'Running') {
        // Pausing or Paused: straight back (with RESOURCES, returning from here does that).
        if (!resources) NdisFReturnNetBufferLists(m.handle, nbls, dispatch ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
        return;
      }
      // TODO: queue what can wait for the tick, and set the timer (COALESCE_DUE_TIME) if it is
      // not set. For now everything goes up at once.
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, count, flags);
    },

    // FilterReturnNetBufferLists, IRQL <= DISPATCH_LEVEL: what the protocols give back goes on
    // down to the miniport that indicated it.
    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
