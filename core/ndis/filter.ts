// Filter drivers: their modules, one per adapter, stacked between the miniport and the protocol
// bindings (index 0 nearest the miniport), and the datapath through them. Sends travel down the
// stack and complete up it; receives travel up and return down. A module whose driver omits a
// pair of handlers (send/send-complete, receive/return) is bypassed in that direction, as in NDIS.
// Seed 004 (Pausing a Filter Module) gives the rules checked here.

import { StateMachine } from './state-machine.ts';
import { FILTER_MODULE, type FilterModuleState, type FilterModuleEvent } from './states.ts';
import { NBL_NEXT, NBL_SOURCE, NBL_STATUS } from '../memory/nbl-pool.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_PAUSED, statusName } from './status.ts';
import { NDIS_RECEIVE_FLAGS_RESOURCES, NET_PNP_EVENT_NAMES, NDIS_PAUSE_NDIS_INTERNAL, NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 } from './constants.ts';
import { headerProblem, statusIndication, filterAttachParameters, filterPauseParameters, filterRestartParameters, netPnPEventNotification, netDevicePnPEvent, devicePowerState, FILTER_IF_INDEX_BASE } from './structures.ts';
import type { MiniportAdapter, AdapterUpperEdge } from './miniport.ts';
import type { NdisEngine } from './engine.ts';
import { NDIS_OWNER, type DriverRecord, type FilterCharacteristics, type StatusIndication, type NetPnPEventNotification } from './driver-record.ts';
import type { NdisHandle } from './handle.ts';

export type { FilterCharacteristics };

/**
 * What sits above the filter stack of an adapter: the protocols bound to it (protocol-datapath.ts),
 * where sends complete, receives and status indications go once they leave the top module.
 */
export interface ProtocolEdge {
  /** A PnP event of PNP_EVENTS_THROUGH_FILTERS that has come out of the top module: to each protocol bound to the adapter; `done` gets the status. */
  pnpToProtocols(adapter: MiniportAdapter, code: number, detail: number | undefined, done: (status: number) => void): void;
  completeToProtocols(nbls: number[]): void;
  indicateToProtocols(adapter: MiniportAdapter, nbls: number[], flags: number): void;
  indicateStatusToProtocols(adapter: MiniportAdapter, indication: StatusIndication): void;
  /** Sends about to reach the miniport, with the SendFlags they came down with: NDIS's loopback of them, if any. */
  loopBack(adapter: MiniportAdapter, nbls: number[], flags: number): void;
  /** A returned receive that NDIS made for a loopback (not the miniport's): true if it was, and it is freed. */
  releaseLoopback(nbl: number): boolean;
}
import { describe } from './describe.ts';
import { OID_LIMIT_NS, FILTER_PAUSE_LIMIT_NS, FILTER_DATA_LIMIT_NS, limitText } from './limits.ts';
import { parseOidRequest, writeOidResults, cloneOidRequest, oidRequestHeaderProblem, requestIdentity, requestTypeText, oidText, type ParsedOid } from './oid-request.ts';

export class FilterModule {
  readonly sm: StateMachine<FilterModuleState, FilterModuleEvent>;
  readonly name: string;
  handle!: NdisHandle;
  context: unknown = undefined;
  attributesSet = false;
  /** The module's own interface index (NET_IFINDEX), from FilterAttach on. */
  ifIndex = 0;
  pauseDone: (() => void) | undefined;
  pauseWatchdog = 0;
  restartDone: ((status: number) => void) | undefined;
  restartWatchdog: number | undefined;
  /** Sends from above that the module holds (queued or in its handler). */
  readonly heldSends = new Set<number>();
  /** Of those, the ones that reached it while it was Pausing or Paused: it completes them with NDIS_STATUS_PAUSED (seed 004). */
  readonly sendsWhilePaused = new Set<number>();
  /** Its own sends passed down and not yet completed back to it. */
  readonly ownSendsOutstanding = new Set<number>();
  /** Receives from below (or returns from above) that the module holds. */
  readonly heldReceives = new Set<number>();
  /** Per NBL: 1 if the module gave it back with NdisFReturnNetBufferLists and has not been given it again (for a finding that says so). */
  readonly returnedDown: Uint8Array;
  /** Receives it was handed with NDIS_RECEIVE_FLAGS_RESOURCES during the current call. */
  readonly lentWithResources = new Set<number>();
  /** Receives from below it passed up and that have not come back. */
  readonly indicatedUp = new Set<number>();
  /** Its own indications not yet returned to it. */
  readonly ownIndicationsOutstanding = new Set<number>();
  /** OID requests from above the module holds, and how to complete each upward. */
  readonly oidsFromAbove = new Map<unknown, (status: number) => void>();
  /** PnP events FilterNetPnPEvent is handling now (innermost last), and whether each was passed on. */
  readonly pnpDeliveries: { notification: NetPnPEventNotification; code: number; detail: number | undefined; forwarded: boolean }[] = [];
  /** Device PnP events FilterDevicePnPEventNotify is handling now. */
  readonly devicePnpDeliveries: { notification: object; event: number; forwarded: boolean }[] = [];
  /** Requests from above this module completed already (a second completion is OidCompletedTwice). */
  readonly oidsCompleted = new WeakSet<object>();
  /** The OID watchdog of each request from above (NdisTimedOidComplete). */
  readonly oidWatchdogs = new Map<unknown, number>();
  /** Requests this module passed down with NdisFOidRequest that have not completed yet. */
  readonly oidsSentDown = new Set<unknown>();
  /**
   * Standard OID requests from above waiting for the one the module holds to complete: NDIS gives
   * a module one at a time (only direct OID requests are not serialized).
   */
  readonly oidsWaiting: { request: unknown; parsed: ParsedOid; complete: (status: number) => void; below: FilterModule[] }[] = [];
  /**
   * The requests (requestIdentity) it passed down while Running, and the requests from above
   * whose clone it passed down: failing, while Pausing or Paused, a request of the first kind
   * without passing it down is FilterOidRefusedWhilePaused (seed 004: "Should handle OID requests
   * in the FilterOidRequest function").
   */
  readonly oidsPassedDownWhileRunning = new Set<string>();
  readonly oidsForwarded = new WeakSet<object>();
  /** Status codes it passed up from within FilterStatus while Running (the same seed statement for status indications). */
  readonly statusesPassedUpWhileRunning = new Set<number>();
  /** NdisFIndicateStatus calls it has made, so FilterStatus's caller can tell whether the indication went on. */
  statusesIndicated = 0;

  constructor(readonly runtime: NdisEngine, readonly driver: DriverRecord, readonly adapter: MiniportAdapter) {
    this.name = `${driver.name}/${adapter.name}`;
    this.returnedDown = new Uint8Array(runtime.pool.layout.nblCount);
    this.sm = new StateMachine(FILTER_MODULE, `filter module ${this.name}`, (t) => runtime.trace.record('state', { object: t.object, from: t.from, to: t.to, on: t.on }));
  }

  get state(): FilterModuleState {
    return this.sm.state;
  }

  get object(): string {
    return `filter module ${this.name}`;
  }

  get characteristics(): FilterCharacteristics {
    return this.driver.filter!;
  }

  get isPausingOrPaused(): boolean {
    return this.sm.is('Pausing', 'Paused');
  }
}

/** The filter stack of every adapter and the operations NDIS performs on it. */
/** What a module still holds, for a finding about its pause: "; it holds 2 send(s) and 1 receive(s)". */
function pauseHolding(module: FilterModule): string {
  const held = [module.heldSends.size + module.ownSendsOutstanding.size > 0 ? `${module.heldSends.size + module.ownSendsOutstanding.size} send(s)` : '', module.heldReceives.size > 0 ? `${module.heldReceives.size} receive(s)` : ''].filter(Boolean);
  return held.length > 0 ? `; it still holds ${held.join(' and ')}` : '';
}

export class FilterStacks implements AdapterUpperEdge {
  private readonly stacks = new Map<MiniportAdapter, FilterModule[]>();
  /** Interfaces NDIS has given filter modules so far (each gets the next ifIndex). */
  private interfacesGiven = 0;

  /** The protocols above every stack (set once, when the runtime is put together). */
  private protocols!: ProtocolEdge;

  /** Per NBL: the batch it last came into a module with, so a data watchdog knows whether the module still holds it from then. */
  private readonly heldGeneration: Uint32Array;
  private batches = 0;

  /**
   * Per NBL on its way down: the SourceHandle id its originator set (a protocol's binding handle,
   * a module's filter handle), so a module that changes it on an NBL it passes down is caught
   * before NDIS would return the NBL to the wrong driver.
   */
  private readonly sendOrigin: Uint32Array;

  constructor(private readonly runtime: NdisEngine) {
    this.heldGeneration = new Uint32Array(runtime.pool.layout.nblCount);
    this.sendOrigin = new Uint32Array(runtime.pool.layout.nblCount);
  }

  /** A send from a protocol leaves it: `source` is the SourceHandle id it was checked to carry. */
  originated(nbl: number, source: number): void {
    this.sendOrigin[nbl] = source;
  }

  /**
   * Driver Verifier's NdisFilterTimedDataSend / NdisFilterTimedDataReceive: NBLs a module was
   * given in FilterSendNetBufferLists or FilterReceiveNetBufferLists and still holds
   * FILTER_DATA_LIMIT_NS later (30 s) are reported against the module.
   */
  private watchHeld(module: FilterModule, nbls: number[], direction: 'send' | 'receive'): void {
    const rt = this.runtime;
    const generation = ++this.batches;
    for (const nbl of nbls) this.heldGeneration[nbl] = generation;
    const held = direction === 'send' ? module.heldSends : module.heldReceives;
    const stillHeld = (nbl: number) => this.heldGeneration[nbl] === generation && held.has(nbl);
    rt.scheduler.post(`${direction} watchdog ${module.name}`, () => {
      if (rt.stopped) return;
      let late = 0;
      for (const nbl of nbls) if (stillHeld(nbl)) late++;
      if (late === 0) return;
      rt.withPath(`${direction} watchdog`, () => direction === 'send'
        ? rt.report('SendNotCompletedInTime', { driver: module.driver.name, object: module.object, message: `the module still holds ${late} of the ${nbls.length} NBL(s) FilterSendNetBufferLists was given ${limitText(FILTER_DATA_LIMIT_NS)} ago: pass each send down or complete it with NdisFSendNetBufferListsComplete` })
        : rt.report('ReceiveNotReturnedInTime', { driver: module.driver.name, object: module.object, message: `the module still holds ${late} of the ${nbls.length} NBL(s) FilterReceiveNetBufferLists was given ${limitText(FILTER_DATA_LIMIT_NS)} ago: indicate each up or return it with NdisFReturnNetBufferLists` }));
    }, { delayNs: FILTER_DATA_LIMIT_NS, channel: 'filter data watchdogs', stillPending: () => !rt.stopped && nbls.some(stillHeld) });
  }

  /** Joins the stacks to the protocols above them. */
  connect(protocols: ProtocolEdge): void {
    this.protocols = protocols;
  }

  modules(adapter: MiniportAdapter): FilterModule[] {
    let stack = this.stacks.get(adapter);
    if (!stack) {
      stack = [];
      this.stacks.set(adapter, stack);
    }
    return stack;
  }

  all(): FilterModule[] {
    return [...this.stacks.values()].flat();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** FilterAttach; the module ends Paused (success) or is dropped (failure). */
  attach(driver: DriverRecord, adapter: MiniportAdapter, position?: number): FilterModule | undefined {
    const rt = this.runtime;
    const module = new FilterModule(rt, driver, adapter);
    module.handle = rt.newHandle('filterModule', module.name, module);
    const stack = this.modules(adapter);
    stack.splice(position ?? stack.length, 0, module);
    module.sm.fire('Attach');
    module.ifIndex = FILTER_IF_INDEX_BASE + ++this.interfacesGiven;
    const lower = stack.indexOf(module) > 0 ? stack[stack.indexOf(module) - 1]!.ifIndex : adapter.index + 1;
    const parameters = filterAttachParameters(adapter.facts(), module.ifIndex, lower, `{${driver.name}}-${adapter.name}`, driver.minorNdisVersion ?? 0);
    const status = rt.invoke(driver, 'FilterAttach', module.object, true, () => driver.filter!.AttachHandler!(module.handle, driver.driverContext, parameters));
    if (status === NDIS_STATUS_SUCCESS && module.attributesSet) {
      module.sm.fire('AttachComplete');
      return module;
    }
    if (status === NDIS_STATUS_SUCCESS) rt.trace.record('note', { object: module.object, text: 'FilterAttach succeeded without NdisFSetAttributes: treated as a failed attach' });
    module.sm.fire('AttachFailed');
    stack.splice(stack.indexOf(module), 1);
    return undefined;
  }

  /** The interface just below `module`: the module under it, or the adapter. */
  private lowerIfIndex(module: FilterModule): number {
    const stack = this.modules(module.adapter);
    const below = stack[stack.indexOf(module) - 1];
    return below ? below.ifIndex : module.adapter.index + 1;
  }

  /** FilterDetach on a Paused module. */
  detach(module: FilterModule): void {
    const rt = this.runtime;
    const stack = this.modules(module.adapter);
    rt.invoke(module.driver, 'FilterDetach', module.object, false, () => module.characteristics.DetachHandler!(module.context));
    module.sm.fire('Detach');
    stack.splice(stack.indexOf(module), 1);
  }

  /** FilterRestart; `done` gets the final status. */
  restart(module: FilterModule, done: (status: number) => void): void {
    const rt = this.runtime;
    module.sm.fire('Restart');
    const handler = module.characteristics.RestartHandler;
    const status = handler ? rt.invoke(module.driver, 'FilterRestart', module.object, true, () => handler(module.context, filterRestartParameters(this.lowerIfIndex(module)))) : NDIS_STATUS_SUCCESS;
    if (status === NDIS_STATUS_PENDING) {
      module.restartDone = done;
      const stillPending = () => !rt.stopped && module.restartDone === done;
      module.restartWatchdog = rt.scheduler.post(`watchdog: restart ${module.name}`, () => {
        if (stillPending()) {
          rt.withPath('restart watchdog', () => rt.report('FilterRestartNeverCompleted', { driver: module.driver.name, object: module.object, message: `FilterRestart returned NDIS_STATUS_PENDING and NdisFRestartComplete had not been called ${limitText(rt.pendingLimitNs)} later: the stack above the module cannot start` }));
        }
      }, { delayNs: rt.pendingLimitNs, stillPending });
      return;
    }
    this.finishRestart(module, status, done);
  }

  /** The restart's final status: Running, or back to Paused (and NDIS restarts nothing above the module: stack-operations.ts). */
  finishRestart(module: FilterModule, status: number, done: (status: number) => void): void {
    module.restartDone = undefined;
    if (module.restartWatchdog !== undefined) this.runtime.scheduler.cancel(module.restartWatchdog);
    module.restartWatchdog = undefined;
    if (status !== NDIS_STATUS_SUCCESS) this.runtime.trace.record('note', { object: module.object, text: `FilterRestart failed (${statusName(status)}): the module is Paused again, and NDIS does not restart what is above it` });
    module.sm.fire(status === NDIS_STATUS_SUCCESS ? 'RestartComplete' : 'RestartFailed');
    done(status);
  }

  /** FilterPause: the module is Pausing from the start of the call (seed 004). */
  pause(module: FilterModule, done: () => void, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    const rt = this.runtime;
    module.sm.fire('Pause');
    const handler = module.characteristics.PauseHandler;
    const status = handler ? rt.invoke(module.driver, 'FilterPause', module.object, true, () => handler(module.context, filterPauseParameters(reason))) : NDIS_STATUS_SUCCESS;
    if (status === NDIS_STATUS_PENDING) {
      module.pauseDone = done;
      const stillPending = () => !rt.stopped && module.pauseDone !== undefined;
      module.pauseWatchdog = rt.scheduler.post(`watchdog: pause ${module.name}`, () => {
        if (stillPending()) {
          rt.withPath('pause watchdog', () => rt.report('FilterPauseNeverCompleted', { driver: module.driver.name, object: module.object, message: `FilterPause returned NDIS_STATUS_PENDING and NdisFPauseComplete had not been called ${limitText(FILTER_PAUSE_LIMIT_NS)} later${pauseHolding(module)}` }));
        }
      }, { delayNs: FILTER_PAUSE_LIMIT_NS, stillPending });
      return;
    }
    if (status !== NDIS_STATUS_SUCCESS) {
      rt.report('FilterPauseFailed', { driver: module.driver.name, object: module.object, message: `FilterPause returned ${statusName(status)}; a pause cannot fail (return NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING)` });
      return;
    }
    this.finishPause(module, done);
  }

  /** The pause completes: what the module still has in flight is a finding (seed 004). */
  finishPause(module: FilterModule, done: () => void): void {
    const rt = this.runtime;
    const report = { driver: module.driver.name, object: module.object };
    const sends = module.ownSendsOutstanding.size + module.heldSends.size;
    if (sends > 0) {
      rt.report('FilterPauseCompletedWithSendsOutstanding', { ...report, message: `the pause completed with ${module.ownSendsOutstanding.size} send(s) the module originated not completed and ${module.heldSends.size} send(s) from above still held` });
    }
    const receives = module.ownIndicationsOutstanding.size + module.heldReceives.size;
    if (receives > 0) {
      rt.report('FilterPauseCompletedWithReceivesOutstanding', { ...report, message: `the pause completed with ${module.ownIndicationsOutstanding.size} indication(s) the module originated not returned and ${module.heldReceives.size} receive(s) from below still held` });
    }
    module.sm.fire('PauseComplete');
    done();
  }

  /** NdisFPauseComplete. */
  pauseComplete(driver: DriverRecord, handle: unknown): void {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFPauseComplete');
    if (!module) return;
    const done = module.pauseDone;
    if (!done || !module.sm.is('Pausing')) {
      // Say which mistake it is: completing inside FilterPause (before it returned PENDING) or completing again.
      const inPause = rt.callPath.includes(`${driver.name}!FilterPause`);
      const message = inPause
        ? 'NdisFPauseComplete from FilterPause itself, before it returned: a pause that is done at once returns NDIS_STATUS_SUCCESS; NdisFPauseComplete is for a pause FilterPause returned NDIS_STATUS_PENDING for'
        : `NdisFPauseComplete while no pause is pending (the module is ${module.state}: completed twice, or FilterPause did not return NDIS_STATUS_PENDING)`;
      rt.report('FilterPauseCompleteWithoutPending', { driver: driver.name, object: module.object, message });
      return;
    }
    module.pauseDone = undefined;
    rt.scheduler.cancel(module.pauseWatchdog);
    rt.post(`finish pause ${module.name}`, () => this.finishPause(module, done), { channel: `module ${module.name}` });
  }

  /** NdisFRestartComplete. */
  restartComplete(driver: DriverRecord, handle: unknown, status: number): void {
    const module = this.moduleFor(driver, handle, 'NdisFRestartComplete');
    const done = module?.restartDone;
    if (!module) return;
    if (!done) {
      this.runtime.report('FilterRestartCompleteWithoutPending', { driver: driver.name, object: module.object, message: `NdisFRestartComplete while no restart of the module is pending (the module is ${module.state}): call it once, after FilterRestart returned NDIS_STATUS_PENDING` });
      return;
    }
    this.runtime.post(`finish restart ${module.name}`, () => this.finishRestart(module, status, done), { channel: `module ${module.name}` });
  }

  /** NdisFSetAttributes: only during FilterAttach. */
  setAttributes(driver: DriverRecord, handle: unknown, context: unknown, attributes: unknown): number {
    const module = this.moduleFor(driver, handle, 'NdisFSetAttributes');
    if (!module) return NDIS_STATUS_FAILURE;
    if (!module.sm.is('Attaching')) {
      this.runtime.report('SetAttributesOutsideAttach', { driver: driver.name, object: module.object, message: `NdisFSetAttributes while the module is ${module.state}: a filter driver calls it from FilterAttach, once, before it returns` });
      return NDIS_STATUS_FAILURE;
    }
    const headerWrong = headerProblem((attributes as { Header?: unknown } | null)?.Header, 'FilterAttributes', NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, 'NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES', NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1, 'NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1');
    if (headerWrong) {
      this.runtime.trace.record('refused', { driver: driver.name, call: 'NdisFSetAttributes', why: `NdisFSetAttributes: ${headerWrong}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    module.context = context;
    module.attributesSet = true;
    return NDIS_STATUS_SUCCESS;
  }

  moduleFor(driver: DriverRecord, handle: unknown, call: string): FilterModule | undefined {
    const module = this.runtime.resolve<FilterModule>(handle, 'filterModule');
    if (!module || module.driver !== driver) {
      this.runtime.report('InvalidHandle', { driver: driver.name, message: module ? `${call} with the NdisFilterHandle of ${module.name}, which belongs to ${module.driver.name}` : `${call} expects the NdisFilterHandle FilterAttach received; it got ${describe(handle)}` });
      return undefined;
    }
    return module;
  }

  /** Status indications travel up from position `from` (-1 for the miniport). */
  statusAbove(adapter: MiniportAdapter, from: number, indication: StatusIndication): void {
    const rt = this.runtime;
    const module = this.above(adapter, from, (m) => !!m.characteristics.StatusHandler);
    if (!module) {
      this.protocols.indicateStatusToProtocols(adapter, indication);
      return;
    }
    const state = module.state;
    const before = module.statusesIndicated;
    rt.invoke(module.driver, 'FilterStatus', module.object, false, () => module.characteristics.StatusHandler!(module.context, indication));
    const passedUp = module.statusesIndicated !== before;
    if (state === 'Running' && passedUp) module.statusesPassedUpWhileRunning.add(indication.StatusCode);
    // Only what it passed up while Running: a module may consume a status it never passes on.
    if ((state === 'Pausing' || state === 'Paused') && !passedUp && module.statusesPassedUpWhileRunning.has(indication.StatusCode)) {
      rt.withPath(`${module.driver.name}!FilterStatus`, () => rt.report('FilterStatusDroppedWhilePaused', { driver: module.driver.name, object: module.object, message: `FilterStatus returned without passing up ${statusName(indication.StatusCode)} while the module was ${state}; it passed that status up while Running. A module handles status indications while Pausing and Paused as when Running: pass it up with NdisFIndicateStatus` }));
    }
  }

  /** NdisFIndicateStatus: a module passes a status indication up (allowed while Paused, seed 004). */
  statusFromModule(driver: DriverRecord, handle: unknown, indication: unknown): void {
    const module = this.moduleFor(driver, handle, 'NdisFIndicateStatus');
    if (!module) return;
    const i = indication as Partial<StatusIndication> | null;
    if (!i || typeof i.StatusCode !== 'number') {
      this.runtime.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisFIndicateStatus: StatusIndication needs a numeric StatusCode; got ${describe(indication)}` });
      return;
    }
    const headerWrong = headerProblem(i.Header, 'StatusIndication', NDIS_OBJECT_TYPE_STATUS_INDICATION, 'NDIS_OBJECT_TYPE_STATUS_INDICATION', NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, 'NDIS_SIZEOF_STATUS_INDICATION_REVISION_1');
    if (headerWrong) {
      this.runtime.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisFIndicateStatus: ${headerWrong}` });
      return;
    }
    module.statusesIndicated++;
    const buffer = i.StatusBuffer instanceof Uint8Array ? i.StatusBuffer : new Uint8Array(0);
    // NDIS passes up what the module indicated; a module originating an indication sets
    // SourceHandle to its NdisFilterHandle (one passing an indication from below leaves it).
    this.statusAbove(module.adapter, this.indexOf(module), { ...statusIndication(i.SourceHandle ?? module.handle, i.StatusCode, buffer, i.PortNumber ?? 0), Flags: i.Flags ?? 0 });
  }

  /**
   * A PnP event for a module (FilterNetPnPEvent). The module passes it on with NdisFNetPnPEvent;
   * here NDIS delivers the event to the layers above itself, so NdisFNetPnPEvent answers
   * NDIS_STATUS_SUCCESS. Returns the module's status.
   */
  /**
   * A PnP event of PNP_EVENTS_THROUGH_FILTERS goes up the stack of `adapter` from position `from`
   * (-1: from the miniport): the next module with a FilterNetPnPEvent handler gets it, and passes
   * it on (NdisFNetPnPEvent) or not; above the top module the protocols get it. `detail` is the
   * device power state of a power event. `done` gets the status the first layer that got it gave.
   */
  pnpAbove(adapter: MiniportAdapter, from: number, code: number, detail: number | undefined, done: (status: number) => void): void {
    const rt = this.runtime;
    const module = this.above(adapter, from, (m) => !!m.characteristics.NetPnPEventHandler);
    if (!module) return this.protocols.pnpToProtocols(adapter, code, detail, done);
    const carried = detail !== undefined ? devicePowerState(detail) : { Buffer: null, BufferLength: 0 };
    const notification = netPnPEventNotification(code, carried.Buffer, carried.BufferLength);
    const name = NET_PNP_EVENT_NAMES[code] ?? `NetEvent ${code}`;
    const delivery = { notification, code, detail, forwarded: false };
    module.pnpDeliveries.push(delivery);
    let status: number;
    try {
      status = rt.invoke(module.driver, `FilterNetPnPEvent(${name})`, module.object, true, () => module.characteristics.NetPnPEventHandler!(module.context, notification));
    } finally {
      module.pnpDeliveries.pop();
    }
    if (!delivery.forwarded) rt.trace.record('note', { object: module.object, text: `FilterNetPnPEvent did not pass ${name} on with NdisFNetPnPEvent: the layers above the module do not get it` });
    done(status);
  }

  /**
   * NdisFNetPnPEvent (PASSIVE_LEVEL), from FilterNetPnPEvent: NDIS passes the event to the layers
   * above the module and returns when they have handled it (a protocol that pends it is waited
   * for): NDIS_STATUS_SUCCESS, or NDIS_STATUS_FAILURE if one failed it.
   */
  forwardPnp(driver: DriverRecord, handle: unknown, notification: unknown): number {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFNetPnPEvent');
    if (!module) return NDIS_STATUS_INVALID_PARAMETER;
    const delivery = module.pnpDeliveries.at(-1);
    if (!delivery || delivery.notification !== notification) {
      rt.trace.record('refused', { driver: driver.name, call: 'NdisFNetPnPEvent', why: delivery ? 'NdisFNetPnPEvent passes on the NET_PNP_EVENT_NOTIFICATION FilterNetPnPEvent was given, not another' : 'NdisFNetPnPEvent outside FilterNetPnPEvent: there is no event to pass on' });
      return NDIS_STATUS_FAILURE;
    }
    if (delivery.forwarded) {
      rt.trace.record('refused', { driver: driver.name, call: 'NdisFNetPnPEvent', why: 'the event was passed on already' });
      return NDIS_STATUS_FAILURE;
    }
    delivery.forwarded = true;
    let result: number | undefined;
    this.pnpAbove(module.adapter, this.indexOf(module), delivery.code, delivery.detail, (status) => { result = status; });
    rt.runNested(() => result !== undefined, `NdisFNetPnPEvent ${module.name}`);
    return result === NDIS_STATUS_SUCCESS ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
  }

  /**
   * A device PnP event (NET_DEVICE_PNP_EVENT: a surprise removal...) goes down the stack from the
   * top ("device PnP events percolate down", as Microsoft's lwf sample puts it): the next module
   * below position `from` with a FilterDevicePnPEventNotify handler gets it and passes it down
   * with NdisFDevicePnPEventNotify, or not; below the bottom module the miniport gets it.
   */
  devicePnpBelow(adapter: MiniportAdapter, from: number, event: number): void {
    const rt = this.runtime;
    const module = this.below(adapter, from, (m) => !!m.characteristics.DevicePnPEventNotifyHandler);
    if (!module) {
      rt.trace.record('device-pnp', { adapter: adapter.name, event });
      return;
    }
    const notification = netDevicePnPEvent(event);
    const delivery = { notification, event, forwarded: false };
    module.devicePnpDeliveries.push(delivery);
    try {
      rt.invoke(module.driver, 'FilterDevicePnPEventNotify', module.object, false, () => module.characteristics.DevicePnPEventNotifyHandler!(module.context, notification));
    } finally {
      module.devicePnpDeliveries.pop();
    }
    if (!delivery.forwarded) rt.trace.record('note', { object: module.object, text: 'FilterDevicePnPEventNotify did not pass the event down with NdisFDevicePnPEventNotify: the layers below the module do not get it' });
  }

  /** NdisFDevicePnPEventNotify, from FilterDevicePnPEventNotify: passes the event to the layer below the module. */
  forwardDevicePnp(driver: DriverRecord, handle: unknown, notification: unknown): void {
    const module = this.moduleFor(driver, handle, 'NdisFDevicePnPEventNotify');
    if (!module) return;
    const delivery = module.devicePnpDeliveries.at(-1);
    if (!delivery || delivery.notification !== notification || delivery.forwarded) {
      this.runtime.trace.record('refused', { driver: driver.name, call: 'NdisFDevicePnPEventNotify', why: delivery ? 'NdisFDevicePnPEventNotify passes on the NET_DEVICE_PNP_EVENT FilterDevicePnPEventNotify was given, once' : 'NdisFDevicePnPEventNotify outside FilterDevicePnPEventNotify: there is no event to pass on' });
      return;
    }
    delivery.forwarded = true;
    this.devicePnpBelow(module.adapter, this.indexOf(module), delivery.event);
  }


  /**
   * An OID request travels down from position `from` (the stack's length for the protocols) to
   * the next module with a FilterOidRequest handler, or to the miniport. Returns the request's
   * final status when it completed before the call returned (the request is done and `complete`
   * never runs), or NDIS_STATUS_PENDING, and then `complete` runs later, as its own step. NDIS
   * allows both ("NdisOidRequest: Return value"): the miniport here takes either way as the seed
   * chooses, as a module does by what its FilterOidRequest returns.
   */
  oidBelow(adapter: MiniportAdapter, from: number, request: unknown, parsed: ParsedOid, complete: (status: number) => void): number {
    const rt = this.runtime;
    const module = this.below(adapter, from, (m) => !!m.characteristics.OidRequestHandler);
    if (!module) {
      const carryOut = () => {
        const result = parsed.method ? { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 } : adapter.oidRequest(parsed.requestType, parsed.oid, parsed.buffer);
        writeOidResults(parsed, result.bytes, result.needed);
        adapter.scheduleDevice();
        return result.status;
      };
      if (rt.decide('oid-completion') === 0) {
        const status = carryOut();
        rt.trace.record('oid-complete', { adapter: adapter.name, status: statusName(status), synchronous: true });
        return status;
      }
      const atMiniport = this.atMiniport(adapter);
      const task = rt.post(`OID 0x${(parsed.oid >>> 0).toString(16)} to ${adapter.name}`, () => {
        atMiniport.delete(request);
        const status = carryOut();
        rt.trace.record('oid-complete', { adapter: adapter.name, status: statusName(status) });
        complete(status);
      }, { channel: `adapter ${adapter.name}` });
      atMiniport.set(request, { task, parsed, complete });
      return NDIS_STATUS_PENDING;
    }
    // NDIS serializes standard OID requests: while the module holds one, the next waits
    // ("Filter Module Direct OID Requests": unlike those, standard requests are serialized).
    if (module.oidsFromAbove.size > 0) {
      const stack = this.modules(adapter);
      module.oidsWaiting.push({ request, parsed, complete, below: stack.slice(0, stack.indexOf(module)) });
      return NDIS_STATUS_PENDING;
    }
    return this.oidToModule(module, request, parsed, complete);
  }

  /**
   * FilterOidRequest: the module gets the request. What it returns other than PENDING is the
   * request's final status, returned to the caller; PENDING means NdisFOidRequestComplete will
   * come (within NdisTimedOidComplete's 12 s, or OidNotCompletedInTime).
   */
  private oidToModule(module: FilterModule, request: unknown, parsed: ParsedOid, complete: (status: number) => void): number {
    const rt = this.runtime;
    module.oidsFromAbove.set(request, complete);
    module.oidsCompleted.delete(request as object);
    // A module waiting on the request it passed down is not the one holding it up.
    const stillPending = () => !rt.stopped && module.oidsFromAbove.get(request) === complete && module.oidsSentDown.size === 0;
    const watchdog = rt.scheduler.post(`OID watchdog ${module.name}`, () => {
      if (!stillPending()) return;
      rt.withPath('OID watchdog', () => rt.report('OidNotCompletedInTime', { driver: module.driver.name, object: module.object, message: `FilterOidRequest returned NDIS_STATUS_PENDING for OID 0x${(parsed.oid >>> 0).toString(16).padStart(8, '0')} and NdisFOidRequestComplete had not been called ${limitText(OID_LIMIT_NS)} later${module.oidsWaiting.length > 0 ? `; ${module.oidsWaiting.length} more request(s) wait behind it` : ''}` }));
    }, { delayNs: OID_LIMIT_NS, channel: 'OID watchdogs', stillPending });
    module.oidWatchdogs.set(request, watchdog);
    const state = module.state;
    const status = rt.invoke(module.driver, 'FilterOidRequest', module.object, true, () => module.characteristics.OidRequestHandler!(module.context, request));
    if (status === NDIS_STATUS_PENDING) return NDIS_STATUS_PENDING;
    if (module.oidsFromAbove.delete(request)) {
      this.checkRefusedWhilePaused(module, state, request, parsed, status, 'FilterOidRequest failed');
      rt.scheduler.cancel(watchdog);
      module.oidWatchdogs.delete(request);
      module.oidsCompleted.add(request as object);
      this.nextWaitingOid(module);
      return status;
    }
    // It called NdisFOidRequestComplete and then returned a status other than PENDING.
    rt.withPath(`${module.driver.name}!FilterOidRequest`, () => rt.report('OidCompletedTwice', { driver: module.driver.name, object: module.object, message: `FilterOidRequest called NdisFOidRequestComplete for the request and then returned ${statusName(status)}: a request completed with NdisFOidRequestComplete is one the handler returned NDIS_STATUS_PENDING for` }));
    return NDIS_STATUS_PENDING;
  }

  /**
   * FilterOidRefusedWhilePaused: `module`, in `state`, failed `request` from above without passing
   * it (a clone) down, and it passed the same request down while Running: the send path's state
   * check put into the control path, where seed 004 has the module go on handling requests.
   */
  private checkRefusedWhilePaused(module: FilterModule, state: FilterModuleState, request: unknown, parsed: ParsedOid, status: number, by: string): void {
    if (status === NDIS_STATUS_SUCCESS || (state !== 'Pausing' && state !== 'Paused')) return;
    if (typeof request === 'object' && request !== null && module.oidsForwarded.has(request)) return;
    if (!module.oidsPassedDownWhileRunning.has(requestIdentity(parsed))) return;
    const rt = this.runtime;
    const report = () => rt.report('FilterOidRefusedWhilePaused', { driver: module.driver.name, object: module.object, message: `${by} ${requestTypeText(parsed)} ${oidText(parsed.oid)} with ${statusName(status)} while the module was ${state}, without passing it down; it passed the same request down while Running. A module handles OID requests while Pausing and Paused as when Running: pass it down (a clone, NdisFOidRequest)` });
    // From FilterOidRequest's return NDIS is back in control: the finding points at the handler.
    if (by.startsWith('FilterOidRequest')) rt.withPath(`${module.driver.name}!FilterOidRequest`, report);
    else report();
  }

  /** The module holds no request from above any more: hand it the next one waiting, as a step of its own. */
  private nextWaitingOid(module: FilterModule): void {
    if (module.oidsFromAbove.size > 0 || module.oidsWaiting.length === 0) return;
    this.runtime.post(`next OID to ${module.name}`, () => {
      const next = module.oidsWaiting.shift();
      if (!next) return;
      if (module.oidsFromAbove.size > 0) {
        module.oidsWaiting.unshift(next);
        return;
      }
      // A module detached meanwhile no longer filters: the request goes on to the modules that were
      // below it (those still attached), else to the miniport.
      const stack = this.modules(module.adapter);
      if (!stack.includes(module)) {
        let from = 0;
        for (let i = stack.length - 1; i >= 0; i--) if (next.below.includes(stack[i]!)) { from = i + 1; break; }
        const status = this.oidBelow(module.adapter, from, next.request, next.parsed, next.complete);
        if (status !== NDIS_STATUS_PENDING) this.runtime.post(`OID completed below ${module.name}`, () => next.complete(status), { channel: `module ${module.name}` });
        this.nextWaitingOid(module);
        return;
      }
      // The caller was told PENDING when the request queued: a final status now goes to its completion.
      const status = this.oidToModule(module, next.request, next.parsed, next.complete);
      if (status !== NDIS_STATUS_PENDING) this.runtime.post(`OID completed by ${module.name}`, () => next.complete(status), { channel: `module ${module.name}` });
    }, { channel: `module ${module.name}` });
  }

  /** Requests the miniport of `adapter` has been handed and not yet carried out (NdisCancelOidRequest can still abort them). */
  private atMiniport(adapter: MiniportAdapter): Map<unknown, { task: number; parsed: ParsedOid; complete: (status: number) => void }> {
    let pending = this.miniportOids.get(adapter);
    if (!pending) this.miniportOids.set(adapter, (pending = new Map()));
    return pending;
  }

  private readonly miniportOids = new Map<MiniportAdapter, Map<unknown, { task: number; parsed: ParsedOid; complete: (status: number) => void }>>();
  /** Live clones (NdisAllocateCloneOidRequest), by identity: the module that made each and the request it copies. */
  private readonly clones = new Map<object, { module: FilterModule; original: unknown }>();

  /**
   * NdisCancelOidRequest / NdisFCancelOidRequest: cancel the request with `requestId` that went
   * below position `from`. The next module down that holds it is asked (FilterCancelOidRequest; it
   * cancels its own clone further down), or passed over if it has no FilterCancelOidRequest; a request the miniport has not carried out yet is aborted
   * and completes with NDIS_STATUS_REQUEST_ABORTED. A request already completed is not found: nothing happens.
   */
  cancelBelow(adapter: MiniportAdapter, from: number, requestId: unknown): void {
    const rt = this.runtime;
    const module = this.below(adapter, from, (m) => !!m.characteristics.OidRequestHandler);
    if (module) {
      // A request still waiting for the module is taken out of the queue and aborted.
      const waiting = module.oidsWaiting.findIndex((w) => requestId !== null && w.parsed.requestId === requestId);
      if (waiting >= 0) {
        const [w] = module.oidsWaiting.splice(waiting, 1);
        writeOidResults(w!.parsed, 0, 0);
        rt.post(`OID aborted before ${module.name}`, () => w!.complete(NDIS_STATUS_REQUEST_ABORTED), { channel: `module ${module.name}` });
        return;
      }
      const held = [...module.oidsFromAbove.keys()].some((r) => (r as { RequestId?: unknown } | null)?.RequestId === requestId);
      const cancel = module.characteristics.CancelOidRequestHandler;
      if (held && cancel) rt.invoke(module.driver, 'FilterCancelOidRequest', module.object, false, () => cancel(module.context, requestId));
      // A module without FilterCancelOidRequest: NDIS calls the underlying driver's cancel
      // function instead (FilterCancelOidRequest: Remarks); the clone it passed down carries the
      // same RequestId.
      else if (held) this.cancelBelow(adapter, this.indexOf(module), requestId);
      return;
    }
    const atMiniport = this.atMiniport(adapter);
    for (const [request, pending] of atMiniport) {
      if (pending.parsed.requestId !== requestId || requestId === null) continue;
      atMiniport.delete(request);
      rt.scheduler.cancel(pending.task);
      writeOidResults(pending.parsed, 0, 0);
      rt.trace.record('oid-complete', { adapter: adapter.name, status: statusName(NDIS_STATUS_REQUEST_ABORTED) });
      rt.post(`OID aborted on ${adapter.name}`, () => pending.complete(NDIS_STATUS_REQUEST_ABORTED), { channel: `adapter ${adapter.name}` });
    }
  }

  /** NdisFCancelOidRequest: a module cancels a request it passed down (its clone, found by RequestId). */
  cancelFromModule(driver: DriverRecord, handle: unknown, requestId: unknown): void {
    const module = this.moduleFor(driver, handle, 'NdisFCancelOidRequest');
    if (module) this.cancelBelow(module.adapter, this.indexOf(module), requestId);
  }

  /** NdisAllocateCloneOidRequest: a copy of `request` the module passes down in its place. */
  allocateClone(driver: DriverRecord, handle: unknown, request: unknown): { Status: number; ClonedOidRequest: Record<string, unknown> | null } {
    const module = this.moduleFor(driver, handle, 'NdisAllocateCloneOidRequest');
    if (!module) return { Status: NDIS_STATUS_INVALID_PARAMETER, ClonedOidRequest: null };
    const parsed = parseOidRequest(request);
    if (typeof parsed === 'string') {
      this.runtime.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisAllocateCloneOidRequest: ${parsed}` });
      return { Status: NDIS_STATUS_INVALID_PARAMETER, ClonedOidRequest: null };
    }
    const clone = cloneOidRequest(request as Record<string, unknown>, parsed);
    this.clones.set(clone, { module, original: request });
    return { Status: NDIS_STATUS_SUCCESS, ClonedOidRequest: clone };
  }

  /** NdisFreeCloneOidRequest: only a live clone this module made. */
  freeClone(driver: DriverRecord, handle: unknown, request: unknown): void {
    const module = this.moduleFor(driver, handle, 'NdisFreeCloneOidRequest');
    if (!module) return;
    const clone = typeof request === 'object' && request !== null ? this.clones.get(request) : undefined;
    if (!clone || clone.module !== module) {
      this.runtime.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisFreeCloneOidRequest with ${describe(request)}, which is not a clone this module allocated with NdisAllocateCloneOidRequest (or was freed already)` });
      return;
    }
    this.clones.delete(request as object);
  }

  /**
   * NdisFOidRequest: a module passes a request down: its own, or the clone of one from above.
   * Returns the final status (completed already: no FilterOidRequestComplete follows),
   * NDIS_STATUS_PENDING, or NDIS_STATUS_INVALID_PARAMETER for a wrong Header.
   */
  oidFromModule(driver: DriverRecord, handle: unknown, request: unknown): number {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFOidRequest');
    if (!module) return NDIS_STATUS_INVALID_PARAMETER;
    const parsed = parseOidRequest(request);
    if (typeof parsed === 'string') {
      rt.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisFOidRequest: ${parsed}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    const header = oidRequestHeaderProblem(request as object);
    if (header) {
      rt.trace.record('refused', { driver: driver.name, call: 'NdisFOidRequest', why: `NdisFOidRequest: ${header}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (module.oidsFromAbove.has(request)) {
      rt.report('FilterForwardedOriginalOidRequest', { driver: driver.name, object: module.object, message: `NdisFOidRequest passed down the request FilterOidRequest was given (OID 0x${(parsed.oid >>> 0).toString(16).padStart(8, '0')}); pass a clone from NdisAllocateCloneOidRequest and complete the original with NdisFOidRequestComplete` });
    }
    module.oidsSentDown.add(request);
    const original = typeof request === 'object' && request !== null ? this.clones.get(request) : undefined;
    if (original?.module === module && typeof original.original === 'object' && original.original !== null) module.oidsForwarded.add(original.original);
    if (module.state === 'Running') module.oidsPassedDownWhileRunning.add(requestIdentity(parsed));
    const status = this.oidBelow(module.adapter, this.indexOf(module), request, parsed, (final) => {
      module.oidsSentDown.delete(request);
      const handler = module.characteristics.OidRequestCompleteHandler;
      if (handler) rt.invoke(module.driver, 'FilterOidRequestComplete', module.object, false, () => handler(module.context, request, final));
      else this.completeOidUp(module, request, final);
    });
    // Completed before NdisFOidRequest returned: the module has the status, and no FilterOidRequestComplete comes.
    if (status !== NDIS_STATUS_PENDING) module.oidsSentDown.delete(request);
    return status;
  }

  /** NdisFOidRequestComplete: a module completes a request that came from above. */
  oidCompleteFromModule(driver: DriverRecord, handle: unknown, request: unknown, status: number): void {
    const module = this.moduleFor(driver, handle, 'NdisFOidRequestComplete');
    if (!module) return;
    if (!module.oidsFromAbove.has(request)) {
      if (typeof request === 'object' && request !== null && module.oidsCompleted.has(request)) {
        this.runtime.report('OidCompletedTwice', { driver: driver.name, object: module.object, message: 'NdisFOidRequestComplete for a request that is already complete (completed before, or FilterOidRequest returned its status)' });
      } else {
        this.runtime.report('InvalidParameter', { driver: driver.name, object: module.object, message: `NdisFOidRequestComplete with ${describe(request)}, which is not a request FilterOidRequest was given` });
      }
      return;
    }
    // The clone goes before the original: FilterOidRequestComplete's Remarks have the filter
    // free it (NdisFreeCloneOidRequest) before it calls NdisFOidRequestComplete.
    for (const clone of this.clones.values()) {
      if (clone.module !== module || clone.original !== request) continue;
      this.runtime.report('CloneNotFreedBeforeComplete', { driver: driver.name, object: module.object, message: 'NdisFOidRequestComplete for a request whose clone (NdisAllocateCloneOidRequest) is still allocated: free the clone with NdisFreeCloneOidRequest first' });
      break;
    }
    const parsed = parseOidRequest(request);
    if (typeof parsed !== 'string') this.checkRefusedWhilePaused(module, module.state, request, parsed, status, 'NdisFOidRequestComplete completed');
    this.completeOidUp(module, request, status);
  }

  private completeOidUp(module: FilterModule, request: unknown, status: number): void {
    const complete = module.oidsFromAbove.get(request);
    if (!complete) return;
    module.oidsFromAbove.delete(request);
    module.oidsCompleted.add(request as object);
    const watchdog = module.oidWatchdogs.get(request);
    if (watchdog !== undefined) this.runtime.scheduler.cancel(watchdog);
    module.oidWatchdogs.delete(request);
    this.runtime.post(`OID complete from ${module.name}`, () => complete(status), { channel: `module ${module.name}` });
    this.nextWaitingOid(module);
  }

  // ---- the datapath ----------------------------------------------------------------------------

  private below(adapter: MiniportAdapter, from: number, pick: (m: FilterModule) => boolean): FilterModule | undefined {
    const stack = this.modules(adapter);
    for (let i = Math.min(from, stack.length) - 1; i >= 0; i--) if (pick(stack[i]!)) return stack[i];
    return undefined;
  }

  private above(adapter: MiniportAdapter, from: number, pick: (m: FilterModule) => boolean): FilterModule | undefined {
    const stack = this.modules(adapter);
    for (let i = from + 1; i < stack.length; i++) if (pick(stack[i]!)) return stack[i];
    return undefined;
  }

  private indexOf(module: FilterModule): number {
    return this.modules(module.adapter).indexOf(module);
  }

  /** Chains NBL indices through Next and returns the head's object. */
  private chain(nbls: number[]): unknown {
    const pool = this.runtime.pool;
    for (let i = 0; i < nbls.length; i++) pool.setNblField(nbls[i]!, NBL_NEXT, i + 1 < nbls.length ? nbls[i + 1]! + 1 : 0);
    return this.runtime.views.nbl(nbls[0]!);
  }

  /** Sends travel down from stack position `from` (the stack's length for the protocols). */
  sendBelow(adapter: MiniportAdapter, from: number, nbls: number[], port = 0, flags = 0): void {
    const rt = this.runtime;
    const module = this.below(adapter, from, (m) => !!m.characteristics.SendNetBufferListsHandler);
    if (!module) {
      for (const nbl of nbls) rt.pool.transfer(nbl, rt.pool.ownerOf(nbl), NDIS_OWNER);
      // NDIS loops back at the miniport's edge, under the filter modules: the loopback is
      // indicated up through them (they see NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET), and the flags are
      // the ones the send reached the bottom with (a module passes SendFlags on, or not).
      this.protocols.loopBack(adapter, nbls, flags);
      adapter.send(nbls);
      return;
    }
    for (const nbl of nbls) module.heldSends.add(nbl);
    this.watchHeld(module, nbls, 'send');
    const paused = module.isPausingOrPaused;
    if (paused) for (const nbl of nbls) module.sendsWhilePaused.add(nbl);
    rt.invoke(module.driver, 'FilterSendNetBufferLists', module.object, false, () => module.characteristics.SendNetBufferListsHandler!(module.context, this.chain(nbls), port, rt.irql.withDispatchFlag(flags)));
    if (paused && nbls.some((nbl) => module.heldSends.has(nbl))) {
      rt.report('FilterPausedSendNotCompleted', { driver: module.driver.name, object: module.object, message: `a send reached the module while it was ${module.state} and was held instead of completed at once with NDIS_STATUS_PAUSED` });
    }
  }

  /** NdisFSendNetBufferLists: the module passes sends down, or originates its own. */
  sendFromModule(driver: DriverRecord, handle: unknown, head: unknown, port: number, flags: number): void {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFSendNetBufferLists');
    if (!module) return;
    const nbls = rt.takeChain(driver, head, 'NdisFSendNetBufferLists', module.object);
    if (!nbls) return;
    for (const nbl of nbls) {
      const own = rt.pool.ownerOf(nbl) === driver.owner;
      if (!own && !module.heldSends.has(nbl)) {
        rt.report('NblNotOwned', { driver: driver.name, object: module.object, message: `NdisFSendNetBufferLists with NBL ${nbl}, which the module neither allocated nor holds` });
        return;
      }
      if (own && !module.sm.is('Running')) {
        rt.report('FilterSendWhilePaused', { driver: driver.name, object: module.object, message: `the module originated a send while ${module.state}` });
        return;
      }
      if (!own && module.isPausingOrPaused) {
        rt.report('FilterPausedSendNotCompleted', { driver: driver.name, object: module.object, message: `the module passed a send down while ${module.state}; complete it with NDIS_STATUS_PAUSED instead` });
        return;
      }
      // Sending Data from a Filter Driver: the module sets SourceHandle on the NBLs it creates to
      // its NdisFilterHandle and leaves it alone on the ones it passes down.
      const source = rt.pool.nblField(nbl, NBL_SOURCE);
      const expected = own ? module.handle.id : this.sendOrigin[nbl]!;
      if (source !== expected) {
        const fix = own
          ? `set the SourceHandle of each NBL the module creates to its NdisFilterHandle (${module.handle}) before NdisFSendNetBufferLists`
          : `leave the SourceHandle of an NBL from above as it came (${rt.sourceHandleText(expected)}): NDIS returns the NBL to whoever it names`;
        rt.report('SendSourceHandleWrong', { driver: driver.name, object: module.object, message: `NdisFSendNetBufferLists with ${own ? 'its own' : 'a passed-down'} NBL ${nbl} whose SourceHandle is ${rt.sourceHandleText(source)}: ${fix} ("Sending Data from a Filter Driver")` });
        return;
      }
    }
    for (const nbl of nbls) {
      module.sendsWhilePaused.delete(nbl);
      if (module.heldSends.delete(nbl)) continue;
      module.ownSendsOutstanding.add(nbl);
      this.sendOrigin[nbl] = module.handle.id;
    }
    this.sendBelow(module.adapter, this.indexOf(module), nbls, port, flags);
  }

  /** Completions travel up from position `from` (-1 for the miniport). */
  completeAbove(adapter: MiniportAdapter, from: number, nbls: number[], flags = 0): void {
    const rt = this.runtime;
    const module = this.above(adapter, from, (m) => !!m.characteristics.SendNetBufferListsCompleteHandler);
    if (!module) {
      this.protocols.completeToProtocols(nbls);
      return;
    }
    rt.post(`send complete ${module.name}`, () => {
      for (const nbl of nbls) {
        if (module.ownSendsOutstanding.delete(nbl)) rt.pool.transfer(nbl, NDIS_OWNER, module.driver.owner);
        else module.heldSends.add(nbl);
      }
      rt.invoke(module.driver, 'FilterSendNetBufferListsComplete', module.object, false, () => module.characteristics.SendNetBufferListsCompleteHandler!(module.context, this.chain(nbls), rt.irql.withDispatchFlag(flags)));
    }, { channel: `module ${module.name}` });
  }

  /** NdisFSendNetBufferListsComplete: the module completes sends it got from above. */
  completeFromModule(driver: DriverRecord, handle: unknown, head: unknown, flags: number): void {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFSendNetBufferListsComplete');
    if (!module) return;
    const nbls = rt.takeChain(driver, head, 'NdisFSendNetBufferListsComplete', module.object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (!module.heldSends.has(nbl)) {
        const own = rt.pool.ownerOf(nbl) === driver.owner;
        rt.report('NblNotOwned', { driver: driver.name, object: module.object, message: own ? `NdisFSendNetBufferListsComplete with NBL ${nbl}, which the module originated: free it instead of completing it up` : `NdisFSendNetBufferListsComplete with NBL ${nbl}, which the module does not hold (completed twice?)` });
        return;
      }
    }
    // Seed 004: a send that came while Pausing or Paused is completed with NDIS_STATUS_PAUSED.
    let wrong = 0;
    let status = NDIS_STATUS_PAUSED;
    for (const nbl of nbls) {
      module.heldSends.delete(nbl);
      if (!module.sendsWhilePaused.delete(nbl)) continue;
      const s = rt.pool.nblField(nbl, NBL_STATUS) >>> 0;
      if (s !== NDIS_STATUS_PAUSED) {
        wrong++;
        status = s;
      }
    }
    if (wrong > 0) {
      rt.report('FilterPausedSendWrongStatus', { driver: driver.name, object: module.object, message: `NdisFSendNetBufferListsComplete with ${wrong} send(s) that reached the module while it was Pausing or Paused and carry Status ${statusName(status)}: set each one's Status to NDIS_STATUS_PAUSED` });
    }
    this.completeAbove(module.adapter, this.indexOf(module), nbls, flags);
  }

  /** Receives travel up from position `from` (-1 for the miniport). */
  indicateAbove(adapter: MiniportAdapter, from: number, nbls: number[], flags: number, port = 0): void {
    const rt = this.runtime;
    const module = this.above(adapter, from, (m) => !!m.characteristics.ReceiveNetBufferListsHandler);
    if (!module) {
      this.protocols.indicateToProtocols(adapter, nbls, flags);
      return;
    }
    const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
    for (const nbl of nbls) {
      module.heldReceives.add(nbl);
      module.returnedDown[nbl] = 0;
      if (resources) module.lentWithResources.add(nbl);
    }
    const paused = module.isPausingOrPaused;
    rt.invoke(module.driver, 'FilterReceiveNetBufferLists', module.object, false, () => module.characteristics.ReceiveNetBufferListsHandler!(module.context, this.chain(nbls), port, nbls.length, rt.irql.withDispatchFlag(flags)));
    const kept = nbls.filter((nbl) => module.heldReceives.has(nbl));
    if (resources) {
      this.checkResourcesChainRestored(module, nbls);
      // With RESOURCES the NBLs are the caller's again as soon as the handler returns.
      for (const nbl of nbls) {
        module.lentWithResources.delete(nbl);
        module.heldReceives.delete(nbl);
      }
    } else if (kept.length > 0) {
      this.watchHeld(module, kept, 'receive');
    }
    if (!resources && paused && kept.length > 0) {
      rt.report('FilterPausedReceiveNotReturned', { driver: module.driver.name, object: module.object, message: `${kept.length} receive(s) reached the module while it was ${module.state} and were not returned at once with NdisFReturnNetBufferLists` });
    }
  }

  /**
   * After FilterReceiveNetBufferLists returned from a RESOURCES indication: the list goes back to
   * the indicating layer as it was handed up, so a module that split it (to pass some NBLs up and
   * keep others back) must have relinked the NBLs in their first order (FilterReceiveNetBufferLists,
   * Remarks). Only RESOURCES indications pay for the walk. A list left split is
   * ResourcesChainNotRestored, and NDIS relinks it so the layer below gets its NBLs back.
   */
  private checkResourcesChainRestored(module: FilterModule, nbls: number[]): void {
    const pool = this.runtime.pool;
    for (let i = 0; i < nbls.length; i++) {
      const expected = i + 1 < nbls.length ? nbls[i + 1]! + 1 : 0;
      if (pool.nblField(nbls[i]!, NBL_NEXT) === expected) continue;
      this.runtime.report('ResourcesChainNotRestored', { driver: module.driver.name, object: module.object, message: `FilterReceiveNetBufferLists returned from an NDIS_RECEIVE_FLAGS_RESOURCES indication of ${nbls.length} NBL(s) with the list not as it was given (NBL ${nbls[i]}'s Next changed): relink the NBLs in their original order before returning` });
      this.chain(nbls);
      return;
    }
  }

  /** NdisFIndicateReceiveNetBufferLists: the module passes receives up, or originates its own. */
  indicateFromModule(driver: DriverRecord, handle: unknown, head: unknown, port: number, _count: number, flags: number): void {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFIndicateReceiveNetBufferLists');
    if (!module) return;
    const nbls = rt.takeChain(driver, head, 'NdisFIndicateReceiveNetBufferLists', module.object);
    if (!nbls) return;
    if (module.isPausingOrPaused) {
      rt.report('FilterIndicateWhilePaused', { driver: driver.name, object: module.object, message: `the module indicated receives up while ${module.state}` });
      return;
    }
    for (const nbl of nbls) {
      const own = rt.pool.ownerOf(nbl) === driver.owner;
      if (!own && !module.heldReceives.has(nbl)) {
        rt.report('NblNotOwned', { driver: driver.name, object: module.object, message: module.returnedDown[nbl] === 1
          ? `NdisFIndicateReceiveNetBufferLists with NBL ${nbl}, which the module gave back already with NdisFReturnNetBufferLists: once returned it is not the module's to indicate (indicate it up or return it, not both)`
          : `NdisFIndicateReceiveNetBufferLists with NBL ${nbl}, which the module neither allocated nor holds` });
        return;
      }
    }
    const fromBelow = nbls.map((nbl) => module.heldReceives.delete(nbl));
    nbls.forEach((nbl, i) => (fromBelow[i] ? module.indicatedUp : module.ownIndicationsOutstanding).add(nbl));
    this.indicateAbove(module.adapter, this.indexOf(module), nbls, flags, port);
    if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0) {
      // Indicated with RESOURCES: back in this module's hands now that the call has returned.
      nbls.forEach((nbl, i) => {
        if (fromBelow[i]) {
          module.indicatedUp.delete(nbl);
          module.heldReceives.add(nbl);
        } else {
          module.ownIndicationsOutstanding.delete(nbl);
        }
      });
    }
  }

  /** Returns travel down from position `from` (the stack's length for the protocols). */
  returnBelow(adapter: MiniportAdapter, from: number, nbls: number[]): void {
    const rt = this.runtime;
    // Each NBL goes back to the module that indicated it up (or originated it), else to the miniport.
    const groups = new Map<FilterModule | undefined, number[]>();
    for (const nbl of nbls) {
      const module = this.below(adapter, from, (m) => m.indicatedUp.has(nbl) || m.ownIndicationsOutstanding.has(nbl));
      const list = groups.get(module) ?? [];
      list.push(nbl);
      groups.set(module, list);
    }
    for (const [module, list] of groups) {
      if (!module) {
        for (const nbl of list) if (!this.protocols.releaseLoopback(nbl)) adapter.returned(nbl);
        continue;
      }
      for (const nbl of list) {
        // The module's own NBLs are simply its again (it frees or reuses them); others it must pass down.
        if (!module.ownIndicationsOutstanding.delete(nbl)) {
          module.indicatedUp.delete(nbl);
          module.heldReceives.add(nbl);
        }
      }
      rt.invoke(module.driver, 'FilterReturnNetBufferLists', module.object, false, () => module.characteristics.ReturnNetBufferListsHandler!(module.context, this.chain(list), rt.irql.withDispatchFlag(0)));
    }
  }

  /** NdisFReturnNetBufferLists: the module returns receives it holds. */
  returnFromModule(driver: DriverRecord, handle: unknown, head: unknown, _flags: number): void {
    const rt = this.runtime;
    const module = this.moduleFor(driver, handle, 'NdisFReturnNetBufferLists');
    if (!module) return;
    const nbls = rt.takeChain(driver, head, 'NdisFReturnNetBufferLists', module.object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (module.lentWithResources.has(nbl)) {
        rt.report('ReturnedResourcesNbl', { driver: driver.name, object: module.object, message: `NdisFReturnNetBufferLists with NBL ${nbl}, indicated with NDIS_RECEIVE_FLAGS_RESOURCES: it goes back when FilterReceiveNetBufferLists returns` });
        return;
      }
      if (!module.heldReceives.has(nbl)) {
        rt.report('NblNotOwned', { driver: driver.name, object: module.object, message: `NdisFReturnNetBufferLists with NBL ${nbl}, which the module does not hold (returned twice?)` });
        return;
      }
    }
    for (const nbl of nbls) {
      module.heldReceives.delete(nbl);
      module.returnedDown[nbl] = 1;
    }
    this.returnBelow(module.adapter, this.indexOf(module), nbls);
  }
}
