// IRQL: the level NDIS runs each driver handler at, and the highest level each NDIS function
// may be called at, as the NDIS reference pages give them ("IRQL" in each page's requirements).
// The emulation has one processor: `IrqlState` is its current IRQL and the number of driver
// calls into NDIS in progress, kept by the runtime (never in anything a driver holds), so a
// driver cannot talk its way out of a finding. The locks it holds (HeldLocks) and the nesting of
// another thread's work inside a wait (onAnotherThread) are the processor's state too.

import { PASSIVE_LEVEL, DISPATCH_LEVEL } from './constants.ts';
import type { NdisHandle } from './handle.ts';

/**
 * How NDIS calls a handler: at a fixed level, or 'dpc' for handlers documented "<=
 * DISPATCH_LEVEL". A 'dpc' handler that NDIS calls from the miniport's DPC, a completion or an
 * indication (a scheduler step) runs at DISPATCH_LEVEL; one NDIS calls while passing on a
 * driver's own call (a send going down, an OID request, an indication from a filter) runs at that
 * driver's IRQL, as Windows does not change the IRQL on the way.
 */
export type HandlerIrql = typeof PASSIVE_LEVEL | typeof DISPATCH_LEVEL | 'dpc';

/** Each handler's IRQL, by the name the runtime invokes it with (before any "(event)" suffix). */
const HANDLER_IRQL: ReadonlyMap<string, HandlerIrql> = new Map(Object.entries({
  DriverEntry: PASSIVE_LEVEL,
  // DRIVER_UNLOAD (the FilterDriverUnload / protocol Unload routine)
  DriverUnload: PASSIVE_LEVEL,
  // PROTOCOL_BIND_ADAPTER_EX, _UNBIND_ADAPTER_EX, _OPEN/_CLOSE_ADAPTER_COMPLETE_EX, _NET_PNP_EVENT, _UNINSTALL
  ProtocolBindAdapterEx: PASSIVE_LEVEL,
  ProtocolUnbindAdapterEx: PASSIVE_LEVEL,
  ProtocolOpenAdapterCompleteEx: PASSIVE_LEVEL,
  ProtocolCloseAdapterCompleteEx: PASSIVE_LEVEL,
  ProtocolNetPnPEvent: PASSIVE_LEVEL,
  ProtocolUninstall: PASSIVE_LEVEL,
  // PROTOCOL_RECEIVE_NET_BUFFER_LISTS, _SEND_NET_BUFFER_LISTS_COMPLETE, _OID_REQUEST_COMPLETE, _STATUS_EX
  ProtocolReceiveNetBufferLists: 'dpc',
  ProtocolSendNetBufferListsComplete: 'dpc',
  ProtocolOidRequestComplete: 'dpc',
  ProtocolStatusEx: 'dpc',
  // FILTER_ATTACH, _DETACH, _RESTART, _PAUSE, _NET_PNP_EVENT
  FilterAttach: PASSIVE_LEVEL,
  FilterDetach: PASSIVE_LEVEL,
  FilterRestart: PASSIVE_LEVEL,
  FilterPause: PASSIVE_LEVEL,
  FilterNetPnPEvent: PASSIVE_LEVEL,
  FilterDevicePnPEventNotify: PASSIVE_LEVEL,
  // FILTER_SEND/RECEIVE_NET_BUFFER_LISTS(_COMPLETE), FILTER_RETURN_NET_BUFFER_LISTS, FILTER_OID_REQUEST(_COMPLETE), FILTER_STATUS
  FilterSendNetBufferLists: 'dpc',
  FilterSendNetBufferListsComplete: 'dpc',
  FilterReceiveNetBufferLists: 'dpc',
  FilterReturnNetBufferLists: 'dpc',
  FilterOidRequest: 'dpc',
  FilterOidRequestComplete: 'dpc',
  FilterStatus: 'dpc',
  // FILTER_CANCEL_OID_REQUEST: <= DISPATCH_LEVEL, called in the context of the canceller's call
  FilterCancelOidRequest: 'dpc',
  // NDIS_TIMER_FUNCTION runs as a DPC; NDIS_IO_WORKITEM_ROUTINE on a system worker thread.
  TimerFunction: DISPATCH_LEVEL,
  WorkItemRoutine: PASSIVE_LEVEL,
} satisfies Record<string, HandlerIrql>));

/**
 * The highest IRQL each NDIS function may be called at; a function not listed may be called at
 * IRQL <= DISPATCH_LEVEL. (The NBL macros and the interlocked functions run in the driver's own
 * thread and are not checked: their pages say any level.)
 */
const CALL_MAX_IRQL: ReadonlyMap<string, number> = new Map(Object.entries({
  // Irql_Protocol_Driver_Function
  NdisRegisterProtocolDriver: PASSIVE_LEVEL,
  NdisOpenAdapterEx: PASSIVE_LEVEL,
  NdisCloseAdapterEx: PASSIVE_LEVEL,
  NdisCompleteNetPnPEvent: PASSIVE_LEVEL,
  NdisDeregisterProtocolDriver: PASSIVE_LEVEL,
  // Irql_Filter_Driver_Function
  NdisFRegisterFilterDriver: PASSIVE_LEVEL,
  NdisFSetAttributes: PASSIVE_LEVEL,
  NdisFNetPnPEvent: PASSIVE_LEVEL,
  NdisFDevicePnPEventNotify: PASSIVE_LEVEL,
  NdisFDeregisterFilterDriver: PASSIVE_LEVEL,
  // Irql_Miscellaneous_Function: configuration. (NdisWaitEvent and NdisMSleep are PASSIVE_LEVEL
  // too; a wait above it has its own rule, WaitAbovePassive.) The timer functions, allocation and
  // freeing included, are IRQL <= DISPATCH_LEVEL (their pages; Irql_Timer_Function).
  NdisOpenConfigurationEx: PASSIVE_LEVEL,
  NdisReadConfiguration: PASSIVE_LEVEL,
  NdisCloseConfiguration: PASSIVE_LEVEL,
}));

/** The name in HANDLER_IRQL for an invoked handler ("ProtocolNetPnPEvent(NetEventPause)" -> "ProtocolNetPnPEvent"). */
function baseName(handler: string): string {
  const paren = handler.indexOf('(');
  return paren < 0 ? handler : handler.slice(0, paren);
}

/** The highest IRQL `call` may be made at. */
export function maxIrqlOf(call: string): number {
  return CALL_MAX_IRQL.get(call) ?? DISPATCH_LEVEL;
}

/** The names of the IRQL levels, for findings. */
export function irqlName(level: number): string {
  return level === PASSIVE_LEVEL ? 'PASSIVE_LEVEL' : level === 1 ? 'APC_LEVEL' : level === DISPATCH_LEVEL ? 'DISPATCH_LEVEL' : `IRQL ${level}`;
}

/**
 * The processor's IRQL and what the runtime needs to decide a handler's: whether a driver's NDIS
 * call is in progress. A wait (NdisWaitEvent, NdisMSleep) saves both and starts from a fresh
 * thread at PASSIVE_LEVEL while the scheduler runs nested, then puts them back.
 */
export class IrqlState {
  /** The current IRQL. */
  level: number = PASSIVE_LEVEL;
  /** Driver calls into NDIS in progress on this (logical) thread. */
  callDepth = 0;
  /** Waits in progress, each run inside the one before (synchronization.ts). */
  waitDepth = 0;

  /**
   * The level NDIS calls `handler` at now. Names the table does not list (DriverEntry's
   * siblings, the lab's 'application' calls, which stand for a user-mode request) are PASSIVE_LEVEL.
   */
  levelFor(handler: string): number {
    const kind = HANDLER_IRQL.get(handler) ?? HANDLER_IRQL.get(baseName(handler)) ?? PASSIVE_LEVEL;
    if (kind !== 'dpc') return kind;
    return this.callDepth > 0 ? this.level : DISPATCH_LEVEL;
  }

  /**
   * `flags` with its *_DISPATCH_LEVEL bit (0x1 in each NDIS datapath flag word) saying whether the
   * processor is at DISPATCH_LEVEL: what NDIS passes a handler it calls now (inside `invoke`).
   */
  withDispatchFlag(flags: number): number {
    return this.level >= DISPATCH_LEVEL ? flags | 1 : flags & ~1;
  }
}

// ---- locks and threads -------------------------------------------------------------------------

export interface Lock {
  /** The driver that allocated it. */
  driver: { readonly name: string };
  kind: 'spin' | 'rw';
  freed: boolean;
}

/** One lock this (single) processor holds: how it was taken and the IRQL its release goes back to. */
export interface Held {
  lock: Lock;
  handle: NdisHandle;
  how: 'NdisAcquireSpinLock' | 'NdisDprAcquireSpinLock' | 'read' | 'write';
  savedIrql: number;
  /** The LOCK_STATE_EX of a read-write lock acquisition. */
  state: NdisHandle | undefined;
}

/** Waits inside waits (a handler that waits, run inside another's wait...) before NDIS refuses one: each holds a stack. */
const WAIT_DEPTH_LIMIT = 32;

/** The locks held now, outermost first. Kept by the runtime: a handler's return checks it. */
export class HeldLocks {
  readonly stack: Held[] = [];

  get count(): number {
    return this.stack.length;
  }

  /**
   * After a handler returned holding locks it took (already reported): lets them go, so a run
   * that goes on (the rule demoted) does not carry them into NDIS's next step.
   */
  dropAbove(count: number): Held[] {
    return this.stack.splice(count);
  }
}

/**
 * Runs `body` (which steps the scheduler nested) as another thread's work: the calling thread's
 * IRQL and NDIS-call depth are put aside meanwhile and what runs starts at PASSIVE_LEVEL, at the
 * level NDIS calls each handler at. Each nesting holds a stack: NDIS refuses one WAIT_DEPTH_LIMIT deep.
 * Used by the waits (synchronization.ts) and by a deregistration's unbinds and detaches (engine.ts runNested).
 */
export function onAnotherThread<T>(irql: IrqlState, call: string, body: () => T): T {
  if (irql.waitDepth >= WAIT_DEPTH_LIMIT) throw new RangeError(`${call}: ${WAIT_DEPTH_LIMIT} waits are in progress, each inside the one before; NDIS refuses a deeper one`);
  const saved = { level: irql.level, callDepth: irql.callDepth };
  irql.level = PASSIVE_LEVEL;
  irql.callDepth = 0;
  irql.waitDepth++;
  try {
    return body();
  } finally {
    irql.waitDepth--;
    irql.level = saved.level;
    irql.callDepth = saved.callDepth;
  }
}
