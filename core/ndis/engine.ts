// The engine under the NDIS runtime: the seeded scheduler, the trace, the verifier, the NBL pool,
// handles, and the two doors between NDIS and a driver: `invoke` (NDIS calls a driver's handler)
// and `enter` (a driver calls NDIS). Both trace the call, keep the call path the verifier cites,
// hold the IRQL the docs give the call (irql.ts), and turn a driver's mistakes into findings
// instead of exceptions in the core. Everything NDIS does is built on this (runtime.ts puts the
// parts together); this file knows nothing of bindings, filters or miniports.

import type { Machine, MachineOptions } from '../nic/machine.ts';
import { Scheduler, type PostOptions } from '../sched/scheduler.ts';
import { Trace } from '../trace/trace.ts';
import { toPcapng } from '../trace/pcapng.ts';
import type { CaptureRecord } from '../trace/capture.ts';
import { Verifier, BugCheck, type Finding } from '../verifier/verifier.ts';
import { ruleById } from '../verifier/rules.ts';
import { NblPool, ChainError, NBL_NEXT } from '../memory/nbl-pool.ts';
import { NetBufferViews, NET_BUFFER_LIST } from './net-buffer-list.ts';
import { NdisHandle, issueHandle } from './handle.ts';
import { InProcessHost, type DriverHost } from '../host/driver-host.ts';
import { WorkerHost } from '../host/worker-host.ts';
import { stackOf } from '../host/confinement.ts';
import { thrownByDriver, stackHere, locationIn, type SourceLocation } from './source-positions.ts';
import { HANDLER_OF_RULE, handlerLocation } from './handler-labels.ts';
import { describe } from './describe.ts';
import { IrqlState, HeldLocks, onAnotherThread, maxIrqlOf, irqlName } from './irql.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_FAILURE, isNdisStatus, statusName } from './status.ts';
import { DISPATCH_LEVEL } from './constants.ts';
import { NDIS_OWNER, MINIPORT_OWNER_BASE, type DriverRecord } from './driver-record.ts';
import { NDIS_DECISIONS, type NdisDecision } from './decisions.ts';
import { PENDING_LIMIT_NS, SEND_LIMIT_NS } from './limits.ts';

export { NDIS_DECISIONS, type NdisDecision };


export interface RuntimeOptions extends Partial<MachineOptions> {
  /** Fixes decisions the seed would make (NDIS_DECISIONS): e.g. { 'oid-completion': 1 } makes every OID request pend. */
  decisions?: Partial<Record<NdisDecision, number>>;
  seed?: number | bigint;
  /** How long (virtual ns) a pended bind, unbind or PnP event may stay pending: limits.ts PENDING_LIMIT_NS (10 s) by default. */
  pendingLimitNs?: bigint;
  /** How long (virtual ns) a send may stay outstanding before SendNotCompletedInTime: limits.ts SEND_LIMIT_NS (30 s, NdisTimedDataSend) by default. */
  sendLimitNs?: bigint;
  /** Fatal rules this run only records (severity error), so it goes on to what follows. */
  demote?: string[];
  /**
   * Where drivers run: 'in-process' (default; on the core's thread, fastest) or 'worker' (each on
   * its own thread, sandboxed, with a watchdog), or a DriverHost. Same seed, same trace, either way.
   */
  host?: 'in-process' | 'worker' | DriverHost;
  /** Worker host: wall-clock ms one handler call may take before DriverHung (default 5000). */
  watchdogMs?: number;
  /** The drivers' configuration (the registry NdisReadConfiguration reads): keyword -> integer. */
  configuration?: Record<string, number>;
  /**
   * Interrupt moderation (OID_GEN_INTERRUPT_MODERATION): each adapter's DPC runs at most once per
   * this many virtual ns, so send completions and receive indications come in batches that far
   * apart. 0 (the default): a DPC after every device step.
   */
  interruptModerationNs?: number;
}

export class NdisEngine {
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly verifier: Verifier;
  readonly pool: NblPool;
  readonly views: NetBufferViews;
  /** Every driver loaded, in load order. */
  readonly drivers: DriverRecord[] = [];
  readonly pendingLimitNs: bigint;
  readonly sendLimitNs: bigint;
  /** RuntimeOptions.interruptModerationNs: the least virtual time between two DPCs of an adapter (0: none). */
  readonly interruptModerationNs: bigint;
  /** What NdisReadConfiguration finds: keyword -> integer. */
  readonly configuration: ReadonlyMap<string, number>;
  /** The frames of the calls under way, outermost first (handlers as driver!Handler, NDIS calls by name). */
  readonly callPath: string[] = [];
  private readonly handles = new Map<number, unknown>();
  private readonly handleObjects = new Map<number, NdisHandle>();
  private nextHandle = 1;
  /** Where drivers run. */
  readonly host: DriverHost;
  /** The driver whose module is being loaded (it may not call NDIS before DriverEntry). */
  loading: DriverRecord | undefined;
  /** The processor's IRQL, and whether a driver's NDIS call is in progress (irql.ts). */
  readonly irql = new IrqlState();
  /** The spin locks and read-write locks held now (synchronization.ts). */
  readonly heldLocks = new HeldLocks();
  /** Told as each driver handler is entered (its label, its trace event) and left: the grading child's heartbeat (core/sandbox/heartbeat.ts). */
  handlerWatch: { enter(label: string, event: number): void; leave(): void } | undefined;

  protected constructor(readonly machine: Machine, readonly seed: number | bigint, options: RuntimeOptions) {
    this.host = typeof options.host === 'object' ? options.host : options.host === 'worker' ? new WorkerHost({ watchdogMs: options.watchdogMs }) : new InProcessHost();
    this.trace = new Trace(() => machine.clockNs);
    for (const id of options.demote ?? []) ruleById(id); // an unknown rule id is a mistake worth hearing about
    this.verifier = new Verifier(this.trace, () => [...this.callPath], new Set(options.demote ?? []), (driver, finding) => this.locate(driver, finding));
    this.scheduler = new Scheduler(seed, { now: () => machine.clockNs, advanceTo: (t) => machine.setClock(t) }, this.trace);
    for (const [decision, pick] of Object.entries(options.decisions ?? {})) {
      if (!(decision in NDIS_DECISIONS)) throw new RangeError(`no NDIS decision "${decision}"; there are ${Object.keys(NDIS_DECISIONS).join(', ')}`);
      this.scheduler.force(decision, pick!);
    }
    this.pool = new NblPool(machine.memory.buffer, machine.layout.pool);
    this.views = new NetBufferViews(this.pool);
    this.views.handleOf = (id) => this.handleObjects.get(id);
    this.pendingLimitNs = options.pendingLimitNs ?? PENDING_LIMIT_NS;
    this.sendLimitNs = options.sendLimitNs ?? SEND_LIMIT_NS;
    const moderation = options.interruptModerationNs ?? 0;
    if (!Number.isInteger(moderation) || moderation < 0) throw new RangeError(`interruptModerationNs is whole nanoseconds, 0 or more; got ${moderation}`);
    this.interruptModerationNs = BigInt(moderation);
    this.configuration = new Map(Object.entries(options.configuration ?? {}));
  }

  /** Every frame seen on the wire so far (from the capture taps), in order. */
  readonly frames: CaptureRecord[] = [];

  /** Moves what the capture taps saw into the trace (one 'frame' event each) and `frames`. */
  collectFrames(): void {
    if (this.machine.layout.config.captureBytes === 0) return;
    for (const record of this.machine.capture.read()) {
      this.frames.push(record);
      this.trace.record('frame', {
        nic: record.nic, direction: record.direction, length: record.bytes.length,
        ...(record.corrupted ? { corrupted: true } : {}), ...(record.delayed ? { delayed: true } : {}), ...(record.reordered ? { reordered: true } : {}),
      });
    }
  }

  /** The run's frames as a pcapng file (one interface per NIC, virtual ns timestamps, fault comments). */
  pcapng(): Uint8Array {
    this.collectFrames();
    return toPcapng(this.frames, this.machine.nics.length, {
      comment: `NIC Lab run, seed ${this.seed}`,
      interfaces: this.machine.nics.map((nic, i) => ({ name: `nic${i}`, mac: nic.permanentAddress })),
    });
  }

  /** Stops the drivers' threads (worker host). The runtime is not to be used afterwards. */
  async close(): Promise<void> {
    await this.host.close();
  }

  // ---- handles ------------------------------------------------------------------------------

  newHandle(kind: string, label: string, target: unknown): NdisHandle {
    const handle = issueHandle(kind, this.nextHandle++, label);
    this.handles.set(handle.id, target);
    this.handleObjects.set(handle.id, handle);
    return handle;
  }

  /** The handle object NDIS made for `id`, while it is live. */
  handleById(id: number): NdisHandle | undefined {
    return this.handleObjects.get(id);
  }

  /** `handle` is invalid from now on (the object behind it is gone). */
  forgetHandle(handle: NdisHandle): void {
    this.handles.delete(handle.id);
    this.handleObjects.delete(handle.id);
  }

  /** The name of the driver whose binding or filter module has handle id `id` (an NBL's SourceHandle). */
  sourceDriverName(id: number): string {
    const target = this.handles.get(id) as { protocol?: { name?: unknown }; driver?: { name?: unknown } } | undefined;
    const name = target?.protocol?.name ?? target?.driver?.name;
    return typeof name === 'string' ? name : 'a driver';
  }

  /** An NBL's SourceHandle id as a finding says it: NULL, or the handle it names. */
  sourceHandleText(id: number): string {
    if (id === 0) return 'NULL (never set)';
    const handle = this.handleObjects.get(id);
    return handle ? String(handle) : `${id}, which is no live handle`;
  }

  /** The object behind `handle` if it is a live handle of `kind`, else undefined. */
  resolve<T>(handle: unknown, kind: string): T | undefined {
    // By identity: the handle object NDIS made for this id, not any object that carries the id.
    if (!(handle instanceof NdisHandle) || handle.kind !== kind || this.handleObjects.get(handle.id) !== handle) return undefined;
    return this.handles.get(handle.id) as T | undefined;
  }

  // ---- calls between NDIS and drivers -------------------------------------------------------

  /** The machine stopped with this finding, or undefined while it runs. */
  get stopped(): Finding | undefined {
    return this.verifier.stopped;
  }

  /**
   * NDIS calls a driver's handler. Traces it, catches what the driver throws (HandlerThrew),
   * refuses a Promise (HandlerReturnedPromise) and, when `returnsStatus`, anything that is not an
   * NDIS_STATUS (HandlerReturnedInvalidStatus). The handler runs at the IRQL NDIS calls it at
   * (irql.ts) and must return at it, holding no lock it took (HandlerReturnedAtWrongIrql,
   * HandlerReturnedWithLockHeld). Returns the handler's status (FAILURE after a finding).
   */
  invoke(driver: DriverRecord, handler: string, object: string | undefined, returnsStatus: boolean, call: () => unknown): number {
    this.verifier.checkRunning();
    // A timer, work item or completion left behind by a driver that has unloaded calls code that is gone.
    if (driver.unloaded) this.withPath(`${driver.name}!${handler}`, () => this.report('UnloadedWithPendingOperations', { driver: driver.name, ...(object ? { object } : {}), message: `NDIS would call ${handler} of ${driver.name}, which has unloaded: cancel timers and work items and complete everything before DriverUnload returns` }));
    const label = `${driver.name}!${handler}`;
    this.callPath.push(label);
    const event = this.trace.record('handler', { driver: driver.name, handler, object: object ?? null });
    this.handlerWatch?.enter(label, event);
    // The handler runs at its documented IRQL; NDIS's caller (if any) gets its own back after.
    const irql = this.irql;
    const callerLevel = irql.level;
    const callerDepth = irql.callDepth;
    const level = irql.levelFor(handler);
    const locksBefore = this.heldLocks.count;
    irql.level = level;
    irql.callDepth = 0;
    let result: unknown;
    let threw = false;
    try {
      result = call();
    } catch (error) {
      threw = true;
      if (error instanceof BugCheck || this.verifier.stopped) throw this.stoppedError();
      // What it held is let go with it: HandlerThrew is the finding, not the locks.
      this.heldLocks.dropAbove(locksBefore);
      // Its place is where it threw (the innermost frame of its own file in what it threw), not
      // the stack here, which its frames have left.
      this.thrownAt = driver.positions ? locationIn(stackOf(error), driver.positions) : undefined;
      try {
        this.verifier.report('HandlerThrew', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} threw ${thrownByDriver(error, driver.positions)}` });
      } finally {
        this.thrownAt = undefined;
      }
      return NDIS_STATUS_FAILURE;
    } finally {
      this.callPath.pop();
      this.handlerWatch?.leave();
      const returnedAt = irql.level;
      irql.level = callerLevel;
      irql.callDepth = callerDepth;
      if (!threw && !this.verifier.stopped) this.checkReturnState(driver, handler, label, object, level, returnedAt, locksBefore);
    }
    // A driver that caught our BugCheck does not get to carry on.
    if (this.verifier.stopped) throw this.stoppedError();
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      this.withPath(label, () => this.verifier.report('HandlerReturnedPromise', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} returned a Promise; return NDIS_STATUS_PENDING and call the completion function instead` }));
      return NDIS_STATUS_FAILURE;
    }
    if (!returnsStatus) {
      this.trace.record('return', { driver: driver.name, handler });
      return NDIS_STATUS_SUCCESS;
    }
    if (!isNdisStatus(result)) {
      this.withPath(label, () => this.verifier.report('HandlerReturnedInvalidStatus', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} returned ${describe(result)}; it must return an NDIS_STATUS such as NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING` }));
      return NDIS_STATUS_FAILURE;
    }
    this.trace.record('return', { driver: driver.name, handler, status: statusName(result) });
    return result;
  }

  /** A driver calls NDIS: traces it, checks the IRQL against the function's (irql.ts), and keeps it on the call path while it runs. */
  enter<T>(driver: DriverRecord, call: string, fields: Record<string, unknown>, body: () => T): T {
    if (this.loading === driver) throw new Error(`${call} called while the driver module loads; call NDIS from DriverEntry and the handlers`);
    this.verifier.checkRunning();
    this.callPath.push(call);
    this.trace.record('ndis', { driver: driver.name, call, ...fields });
    const irql = this.irql;
    irql.callDepth++;
    try {
      if (irql.level > maxIrqlOf(call)) {
        this.verifier.report('IrqlTooHighForCall', { driver: driver.name, message: `${call} at ${irqlName(irql.level)}: it may be called at IRQL <= ${irqlName(maxIrqlOf(call))} only${irql.level >= DISPATCH_LEVEL && this.heldLocks.count === 0 ? ' (this handler runs at DISPATCH_LEVEL: queue a work item, NdisQueueIoWorkItem, to do it at PASSIVE_LEVEL)' : ''}` });
      }
      return body();
    } finally {
      irql.callDepth--;
      this.callPath.pop();
    }
  }

  /**
   * Dispatch IRQL Tracking: a driver sets a *_DISPATCH_LEVEL flag (bit 0x1 of each datapath flag
   * word) only when it knows it runs at DISPATCH_LEVEL. NDIS trusts the flag instead of testing the
   * IRQL, so one set at PASSIVE_LEVEL (flags saved from a DPC and passed on later from a work item,
   * say) would run everything below at the wrong IRQL. Clearing it at DISPATCH_LEVEL is allowed
   * (the page: clear it when the IRQL is not known). Called inside `enter`, before the call's body.
   */
  checkDispatchFlag(driver: DriverRecord, call: string, flags: unknown, flagName: string): void {
    if (typeof flags === 'number' && (flags & 1) !== 0 && this.irql.level < DISPATCH_LEVEL) {
      this.verifier.report('DispatchFlagBelowDispatch', { driver: driver.name, message: `${call} with ${flagName} at ${irqlName(this.irql.level)}: set it only when the IRQL is DISPATCH_LEVEL (the handler's own flags say so; flags saved from one handler do not hold in another)` });
    }
  }

  /**
   * After a handler returned: it must give back every lock it took and the IRQL NDIS called it
   * at (SpinLockBalanced). A run that goes on past the finding (the rule demoted) drops the locks.
   */
  private checkReturnState(driver: DriverRecord, handler: string, label: string, object: string | undefined, level: number, returnedAt: number, locksBefore: number): void {
    if (this.heldLocks.count > locksBefore) {
      const left = this.heldLocks.dropAbove(locksBefore);
      this.withPath(label, () => this.verifier.report('HandlerReturnedWithLockHeld', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} returned holding ${left.map((h) => `${h.handle} (${h.how})`).join(', ')}` }));
    } else if (returnedAt !== level) {
      this.withPath(label, () => this.verifier.report('HandlerReturnedAtWrongIrql', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} was called at ${irqlName(level)} and returned at ${irqlName(returnedAt)}` }));
    }
  }

  /** Records a finding (fatal ones stop the machine and throw BugCheck). */
  report(rule: string, report: { driver: string; object?: string; message: string }): void {
    this.verifier.report(rule, report);
  }

  /**
   * Where in `driverName`'s source `finding` arose: the innermost frame of that driver's file on
   * the stack of the thread that runs it (its worker, asked over its channel, or this one). When
   * its code is not on that stack (a watchdog, a check made after a handler returned, a worker
   * that hung: a stuck thread's stack cannot be read from here, and the worker is stopped before
   * the finding is made), the handler the finding is about (the rule's, HANDLER_OF_RULE, or the
   * driver's innermost on the call path) is noted, and placeFindings puts the finding at that
   * handler's declaration after the run. Only the reporting path reads a stack.
   */
  private locate(driverName: string, finding: Finding): SourceLocation | undefined {
    if (this.thrownAt && finding.rule === 'HandlerThrew') return this.thrownAt;
    const driver = this.drivers.find((d) => d.name === driverName);
    if (!driver?.positions) return undefined;
    const call = locationIn(driver.stackNow ? driver.stackNow() : stackHere(), driver.positions);
    if (call || driver.source === undefined) return call;
    const handler = HANDLER_OF_RULE[finding.rule] ?? finding.callPath.findLast((frame) => frame.startsWith(`${driverName}!`));
    if (handler !== undefined) this.unplaced.push({ finding, driver, handler });
    return undefined;
  }

  /** Where the handler whose HandlerThrew is being reported threw, while it is (invoke). */
  private thrownAt: SourceLocation | undefined;

  /** Findings made with none of their driver's code on the stack, and the handler each is about (locate). */
  private readonly unplaced: { finding: Finding; driver: DriverRecord; handler: string }[] = [];

  /**
   * Gives each finding made with none of its driver's code on the stack the place of the handler
   * it is about: where that handler is declared in the driver's source (kind 'handler'), if it is
   * declared where it can be read (core/ndis/handler-places.ts, which is imported only here, with
   * acorn, and only when there is such a finding). The run's callers call it when the run is over;
   * it reads only source text, so nothing the driver does at run time can change or break it.
   */
  async placeFindings(): Promise<void> {
    if (this.unplaced.length === 0) return;
    let handlerPlaces: typeof import('./handler-places.ts').handlerPlaces;
    try {
      ({ handlerPlaces } = await import('./handler-places.ts'));
    } catch {
      // A module that does not load (a site chunk missing offline): the findings go without places, the run is the same.
      return;
    }
    for (const { finding, driver, handler } of this.unplaced.splice(0)) {
      if (finding.location) continue;
      driver.places ??= handlerPlaces(driver.source!, driver.positions!.fileName);
      const location = handlerLocation(driver.places, driver.positions!.fileName, handler);
      if (location) finding.location = location;
    }
  }

  /** Reports a finding with `frame` on the call path (for checks made after a handler returned). */
  withPath<T>(frame: string, body: () => T): T {
    this.callPath.push(frame);
    try {
      return body();
    } finally {
      this.callPath.pop();
    }
  }

  private stoppedError(): BugCheck {
    return new BugCheck(this.verifier.stopped!);
  }

  /**
   * Runs the scheduler until it has nothing left or the machine stops. A BugCheck ends the run
   * and is not an error of the runtime: the finding says what happened.
   */
  /** A choice NDIS may make either way (NDIS_DECISIONS), seeded unless the run fixed it. */
  decide(decision: NdisDecision): number {
    return this.scheduler.choose(NDIS_DECISIONS[decision].length, decision);
  }

  run(maxSteps = 1_000_000): Finding | undefined {
    try {
      while (!this.verifier.stopped && this.scheduler.step()) {
        if (this.scheduler.steps > maxSteps) throw new Error(`still busy after ${maxSteps} steps: ${this.scheduler.pendingLabels().slice(0, 5).join(', ')}`);
      }
    } catch (error) {
      if (!(error instanceof BugCheck)) throw error;
    }
    return this.verifier.stopped;
  }

  /** Posts a runtime operation; a BugCheck inside it just stops the machine. */
  post(label: string, body: () => void, options: Pick<PostOptions, 'channel' | 'delayNs' | 'background'> = {}): number {
    return this.scheduler.post(label, () => {
      if (this.verifier.stopped) return;
      body();
    }, options);
  }

  /** Runs asynchronous steps one after another, then `done`. */
  sequence(steps: ((next: () => void) => void)[], done: () => void): void {
    const run = (i: number) => {
      if (this.verifier.stopped) return;
      if (i === steps.length) return done();
      steps[i]!(() => this.post('continue', () => run(i + 1), { channel: 'pnp-continue' }));
    };
    run(0);
  }

  /** Watches a pended operation: if it is still pending after the limit, the verifier says so. */
  watchdog(label: string, stillPending: () => boolean, report: () => void): number {
    return this.scheduler.post(`watchdog: ${label}`, () => {
      if (!this.verifier.stopped && stillPending()) {
        try {
          report();
        } catch (error) {
          if (!(error instanceof BugCheck)) throw error;
        }
      }
    }, { delayNs: this.pendingLimitNs, stillPending: () => !this.verifier.stopped && stillPending() });
  }

  /**
   * Runs the scheduler inside the current step until `done()` holds, the machine stops or nothing
   * is left to run: what a call that NDIS finishes "within the context" of itself does. Whatever
   * the driver never completes is found by the operation's own watchdog meanwhile.
   */
  runNested(done: () => boolean, label: string): void {
    onAnotherThread(this.irql, label, () => {
      const limit = this.scheduler.steps + 1_000_000;
      while (!done() && !this.verifier.stopped && this.scheduler.step()) {
        if (this.scheduler.steps > limit) throw new Error(`${label}: still busy after 1000000 nested steps`);
      }
    });
    if (!done() && !this.verifier.stopped) this.trace.record('note', { object: label, text: 'nothing left to run and it has not finished' });
  }

  /**
   * Walks a chain a driver handed over and checks it: the records (SharedMemoryCorrupted) and
   * that `owner` owns every NBL in it (NblNotOwned). Returns the NBL indices, or undefined after
   * a finding.
   */
  takeChain(driver: DriverRecord, head: unknown, call: string, object: string): number[] | undefined {
    if (!(head instanceof NET_BUFFER_LIST)) {
      this.report('InvalidParameter', { driver: driver.name, object, message: `${call}: NetBufferLists is ${describe(head)}, not a NET_BUFFER_LIST` });
      return undefined;
    }
    try {
      this.pool.checkChain(head.index);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      this.verifier.report('SharedMemoryCorrupted', { driver: driver.name, object, message: `${call}: ${error.message}` });
      return undefined;
    }
    const nbls: number[] = [];
    for (let i = head.index; ; ) {
      nbls.push(i);
      const next = this.pool.nblField(i, NBL_NEXT);
      if (next === 0) break;
      i = next - 1;
    }
    return nbls;
  }

  ownerText(nbl: number): string {
    const owner = this.pool.ownerOf(nbl);
    if (owner === 0) return 'is free (never allocated, or already freed)';
    if (owner === NDIS_OWNER) return 'NDIS holds (sent and not yet completed, or given twice)';
    if (owner >= MINIPORT_OWNER_BASE) return 'belongs to a miniport';
    const d = this.drivers.find((x) => x.owner === owner);
    return `belongs to ${d ? d.name : `owner ${owner}`}`;
  }
}
