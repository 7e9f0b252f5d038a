// The NDIS runtime: drivers, the adapters they bind to, and the operations NDIS performs on them
// (bind, restart, pause, unbind, PnP events), run one step at a time by the seeded scheduler in
// virtual time. Every call between NDIS and a driver goes through `invoke` (NDIS calling a
// handler) or `enter` (a driver calling NDIS): both trace the call, keep the call path the
// verifier cites, and turn a driver's mistakes into findings instead of exceptions in the core.
//
// This file holds the runtime and the protocol side; the miniport is miniport.ts, the
// learner-facing functions are api.ts.

import { Machine, type MachineOptions } from '../nic/machine.ts';
import { Scheduler } from '../sched/scheduler.ts';
import { Trace } from '../trace/trace.ts';
import { toPcapng } from '../trace/pcapng.ts';
import type { CaptureRecord } from '../trace/capture.ts';
import { Verifier, BugCheck, type Finding } from '../verifier/verifier.ts';
import { ruleById } from '../verifier/rules.ts';
import { NblPool, ChainError, NBL_NEXT, NBL_SOURCE } from '../memory/nbl-pool.ts';
import { NetBufferViews, NET_BUFFER_LIST } from './net-buffer-list.ts';
import { StateMachine } from './state-machine.ts';
import { NdisHandle, issueHandle } from './handle.ts';
import { netPnPEventNotification, isNetPnPEventNotification, protocolPauseParameters, protocolRestartParameters, devicePowerState, bindParameters, type NET_PNP_EVENT_NOTIFICATION, type NDIS_STATUS_INDICATION, type NDIS_BIND_PARAMETERS } from './structures.ts';
export { NdisHandle };
import { PROTOCOL_BINDING, type BindingState, type BindingEvent } from './states.ts';
import { MiniportAdapter, MINIPORT_OWNER_BASE } from './miniport.ts';
import { DriverLoadError, type LoadedDriver } from './driver-loader.ts';
import { SourcePositions, thrownByDriver } from './source-positions.ts';
import { InProcessHost, type DriverHost } from '../host/driver-host.ts';
import { WorkerHost } from '../host/worker-host.ts';
import { createNdisApi } from './api.ts';
import { FilterStacks, type FilterCharacteristics } from './filter.ts';
import { StackOperations } from './stack-operations.ts';
import { checkCharacteristics, checkOpenParameters, type CharacteristicsCheck } from './characteristics.ts';
import { describe } from './describe.ts';
import { parseOidRequest, oidRequestHeaderProblem } from './oid-request.ts';
import { IrqlState, maxIrqlOf, irqlName } from './irql.ts';
import { HeldLocks, onAnotherThread } from './synchronization.ts';
export { describe };
import { NetBufferListPools } from './net-buffer-list-pool.ts';
import { MdlAllocation } from './mdl-allocation.ts';
import {
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_FAILURE,
  NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_INVALID_STATE, isNdisStatus, statusName, ndisSucceeded,
} from './status.ts';
import {
  NetEventPause, NetEventRestart, NetEventSetPower, NetEventQueryPower, NDIS_PAUSE_NDIS_INTERNAL, NDIS_PAUSE_UNBIND_PROTOCOL, NET_PNP_EVENT_NAMES, NDIS_RECEIVE_FLAGS_RESOURCES,
  PNP_EVENTS_THAT_MUST_SUCCEED, PNP_EVENTS_WITH_NULL_CONTEXT, DISPATCH_LEVEL,
} from './constants.ts';

/** Owner id in the NBL pool for NBLs in NDIS's hands (sent, not yet completed). */
export const NDIS_OWNER = 999;


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

interface PendingPnp {
  notification: NetPnPEventNotification;
  done: (status: number) => void;
  watchdog: number;
}

/** A protocol's binding to one adapter: the seven states of seed 000 and what the verifier tracks. */
export class Binding {
  readonly sm: StateMachine<BindingState, BindingEvent>;
  context: unknown = undefined;
  /** The NdisBindingHandle NdisOpenAdapterEx gave out, while it is valid. */
  handle: NdisHandle | undefined;
  bindContext: NdisHandle | undefined;
  bindDone: ((status: number) => void) | undefined;
  bindWatchdog = 0;
  unbindContext: NdisHandle | undefined;
  unbindDone: (() => void) | undefined;
  unbindWatchdog = 0;
  opened = false;
  closed = false;
  /** NdisCloseAdapterEx returned PENDING and ProtocolCloseAdapterCompleteEx has not come yet. */
  closePending = false;
  /** The SourceHandle NDIS stamps on this binding's sends (its binding handle's id). */
  sourceId = 0;
  /** Set once NdisUnbindAdapter returned: from then on the handle may only be closed. */
  unbindRequested = false;
  pendingPnp: PendingPnp | undefined;
  sendsOutstanding = 0;
  oidsOutstanding = 0;
  /** Receive NBLs indicated to this binding without RESOURCES and not yet returned. */
  readonly held = new Set<number>();
  /** NBLs last indicated to this binding with NDIS_RECEIVE_FLAGS_RESOURCES (not the protocol's to return). */
  readonly lentWithResources = new Set<number>();

  get receivesHeld(): number {
    return this.held.size;
  }

  constructor(readonly name: string, readonly protocol: DriverRecord, readonly adapter: MiniportAdapter, runtime: NdisRuntime) {
    this.sm = new StateMachine(PROTOCOL_BINDING, `binding ${name}`, (t) => runtime.trace.record('state', { object: t.object, from: t.from, to: t.to, on: t.on }));
  }

  get state(): BindingState {
    return this.sm.state;
  }
}

export interface RuntimeOptions extends Partial<MachineOptions> {
  seed?: number | bigint;
  /** How long (virtual ns) a pended bind, unbind or PnP event may stay pending: 1 s by default. */
  pendingLimitNs?: bigint;
  /** How long (virtual ns) a send may stay outstanding before SendNotCompletedInTime: 1 s by default. */
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
}

export class NdisRuntime {
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly verifier: Verifier;
  readonly pool: NblPool;
  readonly views: NetBufferViews;
  readonly adapters: MiniportAdapter[];
  readonly drivers: DriverRecord[] = [];
  readonly bindings: Binding[] = [];
  readonly pendingLimitNs: bigint;
  readonly sendLimitNs: bigint;
  /** What NdisReadConfiguration finds: keyword -> integer. */
  readonly configuration: ReadonlyMap<string, number>;
  /** Per NBL: which send it is on (so a watchdog knows if the NBL it watches is still that send). */
  private readonly sendGeneration: Uint32Array;
  private sendCount = 0;
  readonly filters: FilterStacks;
  /** Drivers' NBL and NET_BUFFER pools, and the memory and MDLs NDIS allocates for them. */
  readonly nblPools: NetBufferListPools;
  readonly mdls: MdlAllocation;
  /** Whole-stack operations: link changes, power, removal, filter insertion. */
  readonly operations: StackOperations;
  private readonly callPath: string[] = [];
  private readonly handles = new Map<number, unknown>();
  private readonly handleObjects = new Map<number, NdisHandle>();
  private nextHandle = 1;
  /** Where drivers run. */
  readonly host: DriverHost;
  /** The driver whose module is being loaded (it may not call NDIS before DriverEntry). */
  private loading: DriverRecord | undefined;
  /** The processor's IRQL, and whether a driver's NDIS call is in progress (irql.ts). */
  readonly irql = new IrqlState();
  /** The spin locks and read-write locks held now (synchronization.ts). */
  readonly heldLocks = new HeldLocks();
  /** Told as each driver handler is entered (its label, its trace event) and left: the grading child's heartbeat (core/sandbox/heartbeat.ts). */
  handlerWatch: { enter(label: string, event: number): void; leave(): void } | undefined;

  private constructor(readonly machine: Machine, readonly seed: number | bigint, options: RuntimeOptions) {
    this.host = typeof options.host === 'object' ? options.host : options.host === 'worker' ? new WorkerHost({ watchdogMs: options.watchdogMs }) : new InProcessHost();
    this.trace = new Trace(() => machine.clockNs);
    for (const id of options.demote ?? []) ruleById(id); // an unknown rule id is a mistake worth hearing about
    this.verifier = new Verifier(this.trace, () => [...this.callPath], new Set(options.demote ?? []));
    this.scheduler = new Scheduler(seed, { now: () => machine.clockNs, advanceTo: (t) => machine.setClock(t) }, this.trace);
    this.pool = new NblPool(machine.memory.buffer, machine.layout.pool);
    this.views = new NetBufferViews(this.pool);
    this.views.handleOf = (id) => this.handleObjects.get(id);
    this.nblPools = new NetBufferListPools(this);
    this.mdls = new MdlAllocation(this);
    this.rxRefs = new Int32Array(this.pool.layout.nblCount);
    this.pendingLimitNs = options.pendingLimitNs ?? 1_000_000_000n;
    this.sendLimitNs = options.sendLimitNs ?? 1_000_000_000n;
    this.configuration = new Map(Object.entries(options.configuration ?? {}));
    this.sendGeneration = new Uint32Array(this.pool.layout.nblCount);
    this.adapters = machine.nics.map((nic, i) => new MiniportAdapter(this, nic, `nic${i}`, i));
    this.filters = new FilterStacks(this);
    this.operations = new StackOperations(this);
  }

  static async create(options: RuntimeOptions = {}): Promise<NdisRuntime> {
    const seed = options.seed ?? 1;
    const machine = await Machine.create({ nics: 1, ...options, seed });
    const runtime = new NdisRuntime(machine, seed, options);
    if (machine.layout.config.captureBytes > 0) machine.capture.start();
    return runtime;
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

  /** The name of the driver whose binding or filter module has handle id `id` (an NBL's SourceHandle). */
  sourceDriverName(id: number): string {
    const target = this.handles.get(id) as { protocol?: { name?: unknown }; driver?: { name?: unknown } } | undefined;
    const name = target?.protocol?.name ?? target?.driver?.name;
    return typeof name === 'string' ? name : 'a driver';
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
      this.verifier.report('HandlerThrew', { driver: driver.name, ...(object ? { object } : {}), message: `${handler} threw ${thrownByDriver(error, driver.positions)}` });
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
  post(label: string, body: () => void, options: { channel?: string; delayNs?: bigint | number } = {}): number {
    return this.scheduler.post(label, () => {
      if (this.verifier.stopped) return;
      body();
    }, options);
  }

  // ---- drivers --------------------------------------------------------------------------------

  /** Compiles a driver in the runtime's host, calls its DriverEntry, and expects it to register. */
  async loadDriver(source: string, fileName: string): Promise<DriverRecord> {
    const name = fileName.replace(/^.*[\\/]/, '').replace(/\.[jt]s$/, '');
    if (this.drivers.some((d) => d.name === name)) throw new DriverLoadError(fileName, `a driver named ${name} is already loaded`);
    const driver: DriverRecord = { name, owner: this.drivers.length + 1, kind: undefined, handle: undefined, driverContext: undefined, protocol: undefined, exports: {} };
    this.loading = driver;
    let loaded: LoadedDriver;
    try {
      loaded = await this.host.load({
        source, fileName, ndis: createNdisApi(this, driver),
        memory: this.machine.memory.buffer, pool: { region: this.machine.layout.pool, bufferBytes: this.pool.layout.bufferBytes }, views: this.views,
        handleById: (id) => this.handleObjects.get(id),
        fail: (rule, message) => this.verifier.halt(rule, { driver: name, message }),
        unwinds: (error) => error instanceof BugCheck,
        stopped: () => this.verifier.stopped !== undefined,
      });
    } finally {
      this.loading = undefined;
    }
    const module = loaded.exports;
    driver.exports = module;
    driver.field = loaded.field;
    // No DriverUnload member until the driver sets one: a driver in a worker sets it on its own
    // copy, which NDIS's copy would overwrite each time it crosses if it had the member.
    driver.driverObject = { DriverName: `\\Driver\\${name}` };
    driver.positions = new SourcePositions(loaded.sourceMap);
    this.drivers.push(driver);
    this.trace.record('load', { driver: name });
    // DriverEntry(DriverObject, RegistryPath), as the system calls it.
    const registryPath = `\\Registry\\Machine\\System\\CurrentControlSet\\Services\\${name}`;
    const status = this.invoke(driver, 'DriverEntry', undefined, true, () => (module.DriverEntry as (o: DriverObject, p: string) => unknown)(driver.driverObject!, registryPath));
    if (!ndisSucceeded(status) || status === NDIS_STATUS_PENDING) {
      throw new DriverLoadError(fileName, `DriverEntry returned ${statusName(status)}; it must register and return NDIS_STATUS_SUCCESS${driver.refusal ? ` (${driver.refusal})` : ''}`);
    }
    if (!driver.kind) throw new DriverLoadError(fileName, 'DriverEntry returned without calling NdisRegisterProtocolDriver or NdisFRegisterFilterDriver');
    return driver;
  }

  /** NdisRegisterProtocolDriver, on behalf of `driver`. */
  registerProtocol(driver: DriverRecord, context: unknown, characteristics: ProtocolCharacteristics): { Status: number; NdisProtocolHandle: NdisHandle | null } {
    const required = ['BindAdapterHandlerEx', 'UnbindAdapterHandlerEx', 'NetPnPEventHandler'] as const;
    const problems = required.filter((h) => typeof characteristics?.[h] !== 'function').map((h) => `missing ${h}`);
    const { Status, handle } = this.register(driver, 'NdisRegisterProtocolDriver', checkCharacteristics('protocol', characteristics, problems), context, 'protocol');
    if (handle) driver.protocol = characteristics;
    return { Status, NdisProtocolHandle: handle };
  }

  /** NdisFRegisterFilterDriver, on behalf of `driver`. */
  registerFilter(driver: DriverRecord, context: unknown, characteristics: FilterCharacteristics): { Status: number; NdisFilterDriverHandle: NdisHandle | null } {
    const c = characteristics ?? {};
    const pairs: [keyof FilterCharacteristics, keyof FilterCharacteristics][] = [
      ['SendNetBufferListsHandler', 'SendNetBufferListsCompleteHandler'],
      ['ReceiveNetBufferListsHandler', 'ReturnNetBufferListsHandler'],
    ];
    const problems = [
      ...(['AttachHandler', 'DetachHandler', 'RestartHandler', 'PauseHandler'] as const).filter((h) => typeof c[h] !== 'function').map((h) => `missing ${h}`),
      ...pairs.filter(([a, b]) => (typeof c[a] === 'function') !== (typeof c[b] === 'function')).map(([a, b]) => `${a} and ${b} go together`),
    ];
    const { Status, handle } = this.register(driver, 'NdisFRegisterFilterDriver', checkCharacteristics('filter', characteristics, problems), context, 'filter');
    if (handle) driver.filter = c;
    return { Status, NdisFilterDriverHandle: handle };
  }

  /** What both registrations share: refuse a second one or bad characteristics, else admit the driver. */
  private register(driver: DriverRecord, call: string, check: CharacteristicsCheck, context: unknown, kind: 'protocol' | 'filter'): { Status: number; handle: NdisHandle | null } {
    if (driver.kind) {
      driver.refusal = `${call}: the driver is already registered`;
      return { Status: NDIS_STATUS_FAILURE, handle: null };
    }
    if (check.status !== undefined) {
      driver.refusal = `${call}: ${check.problems.join('; ')}`;
      this.trace.record('refused', { driver: driver.name, call, why: driver.refusal });
      return { Status: check.status, handle: null };
    }
    driver.kind = kind;
    driver.driverContext = context;
    driver.minorNdisVersion = check.minorNdisVersion;
    driver.handle = this.newHandle(kind === 'protocol' ? 'protocol' : 'filterDriver', driver.name, driver);
    return { Status: NDIS_STATUS_SUCCESS, handle: driver.handle };
  }

  // ---- unload and deregistration --------------------------------------------------------------

  /**
   * The system unloads `driver`: it calls the DriverUnload routine the driver set in its
   * DriverObject (PASSIVE_LEVEL), which deregisters it; NDIS unbinds or detaches what is still
   * open within that call. Then what the driver left behind is a finding. A driver that set no
   * DriverUnload cannot be unloaded, as on Windows: the trace says so and nothing happens.
   */
  unloadDriver(driver: DriverRecord, done: () => void = () => {}): void {
    // After the PnP work queued before it; then on a channel of its own, so that the unbinds and
    // detaches NDIS queues on the PnP channel can run inside the deregistration.
    this.post(`unload ${driver.name}`, () => this.post(`DriverUnload ${driver.name}`, () => {
      if (driver.unloaded) return done();
      const object = driver.driverObject!;
      // The driver wrote the member: reading it may run its code (a getter), which must not throw into NDIS.
      let routine: unknown;
      try {
        routine = driver.field ? driver.field(object, 'DriverUnload') : object.DriverUnload;
      } catch (error) {
        if (error instanceof BugCheck || this.verifier.stopped) throw error;
        this.withPath(`${driver.name}!DriverUnload`, () => this.report('HandlerThrew', { driver: driver.name, message: `reading DriverObject.DriverUnload threw ${thrownByDriver(error, driver.positions)}` }));
        return done();
      }
      if (typeof routine !== 'function') {
        this.trace.record('note', { object: `driver ${driver.name}`, text: 'the driver set no DriverUnload in its DriverObject: it cannot be unloaded' });
        return done();
      }
      this.invoke(driver, 'DriverUnload', undefined, false, () => (routine as (o: DriverObject) => void)(object));
      driver.unloaded = true;
      this.trace.record('unload', { driver: driver.name });
      this.withPath(`${driver.name}!DriverUnload`, () => this.checkUnloaded(driver));
      done();
    }, { channel: `unload ${driver.name}` }), { channel: 'pnp' });
  }

  /** What a driver must have undone by the time its DriverUnload returns. */
  private checkUnloaded(driver: DriverRecord): void {
    const call = driver.kind === 'filter' ? 'NdisFDeregisterFilterDriver' : 'NdisDeregisterProtocolDriver';
    if (!driver.deregistered && driver.kind) {
      this.report('UnloadWithoutDeregistering', { driver: driver.name, message: `DriverUnload returned without calling ${call}: NDIS still has the driver registered, and would call into code that is gone` });
    }
    let nbls = 0;
    for (let i = 0; i < this.pool.layout.nblCount; i++) if (this.pool.ownerOf(i) === driver.owner) nbls++;
    if (nbls > 0) {
      this.report('UnloadWithNblsAllocated', { driver: driver.name, message: `the driver unloaded with ${nbls} NBL(s) it allocated and never freed (NdisFreeNetBufferList before NdisFreeNetBufferListPool, both before unload)` });
    }
  }

  /**
   * NdisDeregisterProtocolDriver / NdisFDeregisterFilterDriver (PASSIVE_LEVEL). NDIS unbinds each
   * open binding (pausing it first) or detaches each module within the call, running the stack
   * until they are done, then forgets the driver: its handle is invalid from then on. Not from a
   * handler NDIS called (the docs: a deadlock): DeregisterFromNdisEntryPoint, and nothing happens.
   */
  deregister(driver: DriverRecord, handle: unknown, call: 'NdisDeregisterProtocolDriver' | 'NdisFDeregisterFilterDriver'): void {
    const kind = call === 'NdisDeregisterProtocolDriver' ? 'protocol' : 'filterDriver';
    if (this.resolve<DriverRecord>(handle, kind) !== driver) {
      this.report('InvalidHandle', { driver: driver.name, message: `${call} expects the handle ${kind === 'protocol' ? 'NdisRegisterProtocolDriver' : 'NdisFRegisterFilterDriver'} returned to this driver; it got ${describe(handle)}` });
      return;
    }
    const inHandler = this.callPath.find((frame) => frame.startsWith(`${driver.name}!`) && frame !== `${driver.name}!DriverUnload` && frame !== `${driver.name}!DriverEntry`);
    if (inHandler) {
      this.report('DeregisterFromNdisEntryPoint', { driver: driver.name, message: `${call} from ${inHandler.slice(driver.name.length + 1)}, a handler NDIS called: call it from DriverUnload (or from DriverEntry after an error)` });
      return;
    }
    if (kind === 'protocol') {
      for (const binding of this.bindings.filter((b) => b.protocol === driver && b.sm.is('Paused', 'Running'))) {
        let unbound = false;
        this.removeNow(binding, () => { unbound = true; });
        this.runNested(() => unbound || binding.state === 'Unbound', `${call}: unbind ${binding.name}`);
      }
    } else {
      for (const module of this.filters.all().filter((m) => m.driver === driver)) {
        let detached = false;
        this.operations.removeFilter(module, () => { detached = true; });
        this.runNested(() => detached, `${call}: detach ${module.name}`);
      }
    }
    driver.deregistered = true;
    this.handles.delete(driver.handle!.id);
    this.handleObjects.delete(driver.handle!.id);
    this.trace.record('deregistered', { driver: driver.name });
  }

  /**
   * Runs the scheduler inside the current step until `done()` holds, the machine stops or nothing
   * is left to run: what a call that NDIS finishes "within the context" of itself does. Whatever
   * the driver never completes is found by the operation's own watchdog meanwhile.
   */
  private runNested(done: () => boolean, label: string): void {
    onAnotherThread(this, label, () => {
      const limit = this.scheduler.steps + 1_000_000;
      while (!done() && !this.verifier.stopped && this.scheduler.step()) {
        if (this.scheduler.steps > limit) throw new Error(`${label}: still busy after 1000000 nested steps`);
      }
    });
    if (!done() && !this.verifier.stopped) this.trace.record('note', { object: label, text: 'nothing left to run and it has not finished' });
  }

  // ---- stack operations --------------------------------------------------------------------

  /**
   * Starts the stack as NDIS does: initialize each adapter (Paused), bind each protocol to it
   * (each bind finishes, pended or not, before the next), then restart bottom-up to Running.
   */
  startStack(done: () => void = () => {}): void {
    this.post('start stack', () => {
      const protocols = this.drivers.filter((d) => d.kind === 'protocol' && !d.deregistered);
      const filters = this.drivers.filter((d) => d.kind === 'filter' && !d.deregistered);
      this.sequence(this.adapters.map((adapter) => (nextAdapter: () => void) => {
        adapter.initialize();
        for (const f of filters) this.filters.attach(f, adapter);
        this.sequence(protocols.map((p) => (next: () => void) => void this.bind(p, adapter, () => next())), () => this.restartAdapter(adapter, nextAdapter));
      }), done);
    }, { channel: 'pnp' });
  }

  bindingsOf(adapter: MiniportAdapter, state?: BindingState): Binding[] {
    return this.bindings.filter((b) => b.adapter === adapter && (state === undefined || b.state === state));
  }

  /** Restarts the adapter, then each Paused binding over it (bottom-up). */
  restartStack(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.post(`restart ${adapter.name}`, () => this.restartAdapter(adapter, done), { channel: 'pnp' });
  }

  /** Restart bottom-up: the adapter, each Paused filter module, each Paused binding. */
  restartAdapter(adapter: MiniportAdapter, done: () => void): void {
    adapter.restart();
    const modules = this.filters.modules(adapter).filter((m) => m.state === 'Paused');
    this.sequence([
      ...modules.map((m) => (next: () => void) => this.filters.restart(m, () => next())),
      (next: () => void) => this.sequence(this.bindingsOf(adapter, 'Paused').map((b) => (n: () => void) => this.pnpEvent(b, NetEventRestart, () => n())), next),
    ], done);
  }

  /** Pause top-down: each Running binding, each Running filter module from the top, the adapter. */
  pauseStack(adapter: MiniportAdapter, done: () => void = () => {}, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    this.post(`pause ${adapter.name}`, () => this.pauseAdapter(adapter, done, reason), { channel: 'pnp' });
  }

  /** `reason`: the NDIS_PAUSE_* bits the bindings find in NDIS_PROTOCOL_PAUSE_PARAMETERS.PauseReason. */
  pauseAdapter(adapter: MiniportAdapter, done: () => void, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    const modules = [...this.filters.modules(adapter)].reverse().filter((m) => m.state === 'Running');
    this.sequence([
      ...this.bindingsOf(adapter, 'Running').map((b) => (next: () => void) => this.pnpEvent(b, NetEventPause, () => next(), reason)),
      ...modules.map((m) => (next: () => void) => this.filters.pause(m, next, reason)),
    ], () => adapter.pause(done));
  }

  /**
   * A status indication from the miniport (NDIS_STATUS_LINK_STATE...), up through the filter
   * modules that have a FilterStatus handler to every bound protocol's ProtocolStatusEx.
   */
  indicateStatusToProtocols(adapter: MiniportAdapter, indication: StatusIndication): void {
    this.trace.record('status', { adapter: adapter.name, status: statusName(indication.StatusCode) });
    for (const binding of this.bindings.filter((b) => b.adapter === adapter && !b.sm.is('Unbound', 'Opening', 'Closing'))) {
      const handler = binding.protocol.protocol?.StatusHandlerEx;
      if (handler) this.invoke(binding.protocol, 'ProtocolStatusEx', `binding ${binding.name}`, false, () => handler(binding.context, indication));
    }
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
  private watchdog(label: string, stillPending: () => boolean, report: () => void): number {
    return this.scheduler.post(`watchdog: ${label}`, () => {
      if (!this.verifier.stopped && stillPending()) {
        try {
          report();
        } catch (error) {
          if (!(error instanceof BugCheck)) throw error;
        }
      }
    }, { delayNs: this.pendingLimitNs });
  }

  /** NDIS calls ProtocolBindAdapterEx for a new binding; `done` gets the bind's final status. */
  bind(protocol: DriverRecord, adapter: MiniportAdapter, done: (status: number) => void): Binding {
    const binding = new Binding(`${protocol.name}/${adapter.name}`, protocol, adapter, this);
    this.bindings.push(binding);
    binding.bindContext = this.newHandle('bindContext', binding.name, binding);
    binding.bindDone = done;
    binding.sm.fire('BindAdapter');
    // ProtocolSection names the protocol's registry key: the name it registered with.
    const registeredName = typeof protocol.protocol!.Name === 'string' ? protocol.protocol!.Name : protocol.name;
    const parameters = bindParameters(adapter.facts(), registeredName, protocol.minorNdisVersion ?? 0);
    const handler = protocol.protocol!.BindAdapterHandlerEx!;
    const status = this.invoke(protocol, 'ProtocolBindAdapterEx', `binding ${binding.name}`, true, () => handler(protocol.driverContext, binding.bindContext!, parameters));
    if (status === NDIS_STATUS_PENDING) {
      binding.bindWatchdog = this.watchdog(`bind ${binding.name}`, () => binding.state === 'Opening' && binding.bindDone !== undefined, () =>
        this.verifier.report('BindPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolBindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteBindAdapterEx had not been called ${this.pendingLimitNs} ns later` }));
    } else {
      this.completeBind(binding, status);
    }
    return binding;
  }

  /** The bind finished (returned or NdisCompleteBindAdapterEx): Paused if it opened, else Unbound. */
  completeBind(binding: Binding, status: number): void {
    const done = binding.bindDone;
    binding.bindDone = undefined;
    this.scheduler.cancel(binding.bindWatchdog);
    if (status === NDIS_STATUS_SUCCESS && binding.opened && !binding.closed) {
      binding.sm.fire('OpenComplete');
    } else {
      if (status === NDIS_STATUS_SUCCESS) {
        this.trace.record('note', { object: `binding ${binding.name}`, text: 'the bind succeeded without an open adapter: treated as a failed bind' });
      }
      binding.sm.fire('OpenFailed');
      binding.handle = undefined;
    }
    done?.(status);
  }

  /**
   * NDIS delivers a PnP event to one binding. `detail` is what the event's Buffer describes: the
   * device power state of NetEventSetPower/QueryPower, the NDIS_PAUSE_* reason of NetEventPause
   * (default NDIS_PAUSE_NDIS_INTERNAL); NetEventRestart's Buffer is built from the stack below.
   */
  pnpEvent(binding: Binding, code: number, done: (status: number) => void, detail?: number): void {
    const protocol = binding.protocol;
    if (code === NetEventPause) binding.sm.fire('Pause');
    if (code === NetEventRestart) binding.sm.fire('Restart');
    const notification = this.notificationFor(binding, code, detail);
    const context = PNP_EVENTS_WITH_NULL_CONTEXT.has(code) ? null : binding.context;
    const eventName = NET_PNP_EVENT_NAMES[code] ?? `NetEvent ${code}`;
    const status = this.invoke(protocol, `ProtocolNetPnPEvent(${eventName})`, `binding ${binding.name}`, true, () => protocol.protocol!.NetPnPEventHandler!(context, notification));
    if (status === NDIS_STATUS_PENDING) {
      const watchdog = this.watchdog(`${eventName} ${binding.name}`, () => binding.pendingPnp?.notification === notification, () =>
        this.verifier.report('PnPPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolNetPnPEvent returned NDIS_STATUS_PENDING for ${eventName} and NdisCompleteNetPnPEvent had not been called ${this.pendingLimitNs} ns later` }));
      binding.pendingPnp = { notification, done, watchdog };
      return;
    }
    this.finishPnp(binding, notification, status, done);
  }

  /** The NET_PNP_EVENT_NOTIFICATION for `code` to `binding`, its Buffer filled as the docs give it per event. */
  private notificationFor(binding: Binding, code: number, detail: number | undefined): NetPnPEventNotification {
    const carried = code === NetEventPause ? protocolPauseParameters(detail ?? NDIS_PAUSE_NDIS_INTERNAL)
      : code === NetEventRestart ? protocolRestartParameters(this.adapters.indexOf(binding.adapter), [...this.filters.modules(binding.adapter)].reverse().map((m) => m.name))
      : (code === NetEventSetPower || code === NetEventQueryPower) && detail !== undefined ? devicePowerState(detail)
      : { Buffer: null, BufferLength: 0 };
    return netPnPEventNotification(code, carried.Buffer, carried.BufferLength);
  }

  /** A PnP event's final status, returned or given to NdisCompleteNetPnPEvent. */
  finishPnp(binding: Binding, notification: NetPnPEventNotification, status: number, done: (status: number) => void): void {
    const protocol = binding.protocol;
    const code = notification.NetPnPEvent.NetEvent;
    const eventName = NET_PNP_EVENT_NAMES[code] ?? `NetEvent ${code}`;
    const object = `binding ${binding.name}`;
    if (status === NDIS_STATUS_NOT_SUPPORTED) {
      this.verifier.report('PnPNotSupportedReturned', { driver: protocol.name, object, message: `${eventName} got NDIS_STATUS_NOT_SUPPORTED; an NDIS 6 protocol returns NDIS_STATUS_SUCCESS for events it does not handle` });
    } else if (status !== NDIS_STATUS_SUCCESS && PNP_EVENTS_THAT_MUST_SUCCEED.has(code)) {
      this.verifier.report('PnPEventMustSucceed', { driver: protocol.name, object, message: `${eventName} must succeed; the driver returned ${statusName(status)}` });
    }
    if (code === NetEventPause) {
      if (binding.sendsOutstanding > 0) {
        this.verifier.report('PauseCompletedWithSendsOutstanding', { driver: protocol.name, object, message: `the pause completed with ${binding.sendsOutstanding} send(s) not yet completed` });
      }
      if (binding.receivesHeld > 0) {
        this.verifier.report('ReceivesHeldAcrossPause', { driver: protocol.name, object, message: `the binding paused while the protocol held ${binding.receivesHeld} received NBL(s)` });
      }
      binding.sm.fire('PauseComplete');
    } else if (code === NetEventRestart) {
      binding.sm.fire(status === NDIS_STATUS_SUCCESS ? 'RestartComplete' : 'RestartFailed');
    }
    done(status);
  }

  /** NdisCompleteNetPnPEvent on behalf of a driver. */
  completePnp(driver: DriverRecord, bindingHandle: unknown, event: unknown, status: number): void {
    const binding = this.bindingForCompletion(bindingHandle, event, driver);
    const pending = binding?.pendingPnp;
    if (!binding || !pending || pending.notification !== event) {
      const eventName = isNetPnPEventNotification(event) ? NET_PNP_EVENT_NAMES[event.NetPnPEvent.NetEvent] ?? `NetEvent ${event.NetPnPEvent.NetEvent}` : 'an unknown event';
      this.verifier.report('PnPCompleteWithoutPending', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: `NdisCompleteNetPnPEvent for ${eventName}, which is not pending${binding ? '' : ' on that binding'} (completed twice, or never pended)` });
      return;
    }
    binding.pendingPnp = undefined;
    this.scheduler.cancel(pending.watchdog);
    const notification = pending.notification;
    // NDIS finishes the event after the call returns, as a separate step.
    this.post(`finish ${NET_PNP_EVENT_NAMES[notification.NetPnPEvent.NetEvent]} ${binding.name}`, () => this.finishPnp(binding, notification, status, pending.done), { channel: `binding ${binding.name}` });
  }

  private bindingForCompletion(handle: unknown, event: unknown, driver: DriverRecord): Binding | undefined {
    const byHandle = this.resolve<Binding>(handle, 'binding');
    if (byHandle) return byHandle;
    // BindList and BindsComplete come with a NULL binding: find the binding the event was given to.
    return this.bindings.find((b) => b.protocol === driver && b.pendingPnp?.notification === event);
  }

  /** NDIS unbinds a Paused binding: ProtocolUnbindAdapterEx, which must close the adapter. */
  unbind(binding: Binding, done: () => void): void {
    const protocol = binding.protocol;
    binding.sm.fire('UnbindAdapter');
    binding.unbindContext = this.newHandle('unbindContext', binding.name, binding);
    binding.unbindDone = done;
    const status = this.invoke(protocol, 'ProtocolUnbindAdapterEx', `binding ${binding.name}`, true, () => protocol.protocol!.UnbindAdapterHandlerEx!(binding.unbindContext!, binding.context));
    if (status === NDIS_STATUS_PENDING) {
      binding.unbindWatchdog = this.watchdog(`unbind ${binding.name}`, () => binding.unbindDone !== undefined, () =>
        this.verifier.report('UnbindPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolUnbindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteUnbindAdapterEx had not been called ${this.pendingLimitNs} ns later` }));
      return;
    }
    this.completeUnbind(binding);
  }

  completeUnbind(binding: Binding): void {
    const done = binding.unbindDone;
    binding.unbindDone = undefined;
    this.scheduler.cancel(binding.unbindWatchdog);
    if (!binding.closed) {
      this.verifier.report('UnbindCompletedWithoutClose', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: 'the unbind completed but NdisCloseAdapterEx was never called for the binding' });
    } else if (binding.closePending) {
      this.verifier.report('UnbindCompletedWithoutClose', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: 'the unbind completed while the close was still pending: NdisCloseAdapterEx returned NDIS_STATUS_PENDING, so wait for ProtocolCloseAdapterCompleteEx' });
    }
    binding.sm.fire('UnbindComplete');
    done?.();
  }

  /** Pauses the binding if it runs, then unbinds it (what NDIS does to remove a binding). */
  removeBinding(binding: Binding, done: () => void = () => {}): void {
    this.post(`remove ${binding.name}`, () => this.removeNow(binding, done), { channel: 'pnp' });
  }

  removeNow(binding: Binding, done: () => void): void {
    const unbind = () => this.unbind(binding, done);
    if (binding.state === 'Running') this.pnpEvent(binding, NetEventPause, () => this.post(`unbind ${binding.name}`, unbind, { channel: 'pnp' }), NDIS_PAUSE_UNBIND_PROTOCOL);
    else if (binding.state === 'Paused') unbind();
    else this.trace.record('note', { object: `binding ${binding.name}`, text: `not removed: the binding is ${binding.state}` });
  }

  /** An event for all bindings of `protocol` (BindList, BindsComplete, Reconfigure...), one binding at a time. */
  protocolEvent(protocol: DriverRecord, code: number, done: () => void = () => {}): void {
    this.post(`${NET_PNP_EVENT_NAMES[code] ?? code} to ${protocol.name}`, () => {
      const targets = this.bindings.filter((b) => b.protocol === protocol && b.state !== 'Unbound');
      this.sequence(targets.map((b) => (next: () => void) => this.pnpEvent(b, code, () => next())), done);
    }, { channel: 'pnp' });
  }

  /** Looks a binding handle up for a driver call, reporting stale handles. */
  bindingFor(driver: DriverRecord, handle: unknown, call: string, allowClosing = false): Binding | undefined {
    const binding = this.resolve<Binding>(handle, 'binding');
    if (!binding) {
      this.report('InvalidHandle', { driver: driver.name, message: `${call} expects an NdisBindingHandle from NdisOpenAdapterEx; it got ${describe(handle)}` });
      return undefined;
    }
    if (binding.protocol !== driver) {
      this.report('InvalidHandle', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} with the binding handle of ${binding.name}, which belongs to ${binding.protocol.name}` });
      return undefined;
    }
    // Seed 001: after NdisUnbindAdapter returns, the handle must be taken as invalid, whether or
    // not the unbind has run yet; only ProtocolUnbindAdapterEx may still close it.
    if (binding.unbindRequested && !(allowClosing && binding.state === 'Closing' && !binding.closed)) {
      this.verifier.report('HandleUsedAfterUnbindAdapter', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} used the binding handle after NdisUnbindAdapter returned` });
      return undefined;
    }
    if (binding.closed) {
      this.verifier.report('HandleUsedAfterClose', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} used the binding handle after NdisCloseAdapterEx` });
      return undefined;
    }
    return binding;
  }

  /** NdisOpenAdapterEx. */
  openAdapter(driver: DriverRecord, protocolHandle: unknown, bindingContext: unknown, openParameters: unknown, bindContext: unknown): { Status: number; NdisBindingHandle: NdisHandle | null; SelectedMediumIndex: number } {
    const refused = (status: number) => ({ Status: status, NdisBindingHandle: null, SelectedMediumIndex: 0 });
    if (this.resolve<DriverRecord>(protocolHandle, 'protocol') !== driver) return refused(NDIS_STATUS_INVALID_PARAMETER);
    const binding = this.resolve<Binding>(bindContext, 'bindContext');
    if (!binding || binding.protocol !== driver || binding.state !== 'Opening' || binding.bindDone === undefined || binding.opened) {
      this.verifier.report('OpenOutsideBind', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: binding ? `NdisOpenAdapterEx for ${binding.name}, whose bind is not in progress (state ${binding.state})` : `NdisOpenAdapterEx with ${describe(bindContext)}, which is not the BindContext of a bind in progress` });
      return refused(NDIS_STATUS_INVALID_STATE);
    }
    const open = checkOpenParameters(openParameters, binding.adapter.name);
    if (typeof open === 'object') {
      this.trace.record('refused', { driver: driver.name, call: 'NdisOpenAdapterEx', why: open.why });
      return refused(open.status);
    }
    binding.context = bindingContext;
    binding.opened = true;
    binding.handle = this.newHandle('binding', binding.name, binding);
    binding.sourceId = binding.handle.id;
    return { Status: NDIS_STATUS_SUCCESS, NdisBindingHandle: binding.handle, SelectedMediumIndex: open };
  }

  /** NdisCloseAdapterEx. */
  closeAdapter(driver: DriverRecord, handle: unknown): number {
    const binding = this.bindingFor(driver, handle, 'NdisCloseAdapterEx', true);
    if (!binding) return NDIS_STATUS_INVALID_PARAMETER;
    const object = `binding ${binding.name}`;
    if (!binding.sm.is('Opening', 'Closing')) {
      this.verifier.report('CloseOutsideBindOrUnbind', { driver: driver.name, object, message: `NdisCloseAdapterEx while the binding is ${binding.state}; outside ProtocolBindAdapterEx and ProtocolUnbindAdapterEx, call NdisUnbindAdapter` });
    }
    if (binding.sendsOutstanding > 0) {
      this.verifier.report('CloseWithSendsOutstanding', { driver: driver.name, object, message: `NdisCloseAdapterEx with ${binding.sendsOutstanding} send(s) not yet completed` });
    }
    if (binding.oidsOutstanding > 0) {
      this.verifier.report('CloseWithOidsOutstanding', { driver: driver.name, object, message: `NdisCloseAdapterEx with ${binding.oidsOutstanding} OID request(s) not yet completed` });
    }
    binding.closed = true;
    binding.handle = undefined;
    // Seed 001: NDIS may finish a close later and call ProtocolCloseAdapterCompleteEx. It does so
    // here, as the seed decides, for unbinds of drivers that have that handler.
    const closeComplete = driver.protocol?.CloseAdapterCompleteHandlerEx;
    if (closeComplete && binding.state === 'Closing' && this.scheduler.choose(2) === 1) {
      binding.closePending = true;
      this.post(`close complete ${binding.name}`, () => {
        binding.closePending = false;
        this.invoke(driver, 'ProtocolCloseAdapterCompleteEx', object, false, () => closeComplete(binding.context));
      }, { channel: `binding ${binding.name}` });
      return NDIS_STATUS_PENDING;
    }
    return NDIS_STATUS_SUCCESS;
  }

  /** NdisUnbindAdapter: NDIS queues the unbind, which may run before the call returns. */
  unbindAdapter(driver: DriverRecord, handle: unknown): number {
    const binding = this.bindingFor(driver, handle, 'NdisUnbindAdapter');
    if (!binding) return NDIS_STATUS_INVALID_PARAMETER;
    const work = () => this.removeNow(binding, () => {});
    // Seed 001: "This work item can run before the call to NdisUnbindAdapter returns."
    if (this.scheduler.choose(2) === 0) {
      this.trace.record('note', { object: `binding ${binding.name}`, text: 'the unbind work item runs before NdisUnbindAdapter returns' });
      work();
    } else {
      this.post(`unbind work item ${binding.name}`, work, { channel: 'pnp' });
    }
    binding.unbindRequested = true;
    return NDIS_STATUS_SUCCESS;
  }

  /** NdisCompleteBindAdapterEx. */
  completeBindFromDriver(driver: DriverRecord, bindContext: unknown, status: number): void {
    const binding = this.resolve<Binding>(bindContext, 'bindContext');
    if (!binding || binding.protocol !== driver || binding.bindDone === undefined) {
      this.trace.record('refused', { driver: driver.name, call: 'NdisCompleteBindAdapterEx', why: 'no bind of this driver is pending with that BindAdapterContext' });
      return;
    }
    this.scheduler.cancel(binding.bindWatchdog);
    this.post(`complete bind ${binding.name}`, () => this.completeBind(binding, status), { channel: `binding ${binding.name}` });
  }

  /** NdisCompleteUnbindAdapterEx. */
  completeUnbindFromDriver(driver: DriverRecord, unbindContext: unknown): void {
    const binding = this.resolve<Binding>(unbindContext, 'unbindContext');
    if (!binding || binding.protocol !== driver || binding.unbindDone === undefined) {
      this.trace.record('refused', { driver: driver.name, call: 'NdisCompleteUnbindAdapterEx', why: 'no unbind of this driver is pending with that UnbindContext' });
      return;
    }
    this.scheduler.cancel(binding.unbindWatchdog);
    this.post(`complete unbind ${binding.name}`, () => this.completeUnbind(binding), { channel: `binding ${binding.name}` });
  }

  // ---- the datapath -----------------------------------------------------------------------------

  /** Runs every adapter's DPC (after the device stepped). */
  dpcAll(): void {
    for (const adapter of this.adapters) adapter.dpc();
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

  /** NdisSendNetBufferLists. */
  sendFromProtocol(driver: DriverRecord, handle: unknown, head: unknown, _port: number, _flags: number): void {
    const binding = this.bindingFor(driver, handle, 'NdisSendNetBufferLists');
    if (!binding) return;
    const object = `binding ${binding.name}`;
    if (binding.state !== 'Running') {
      this.verifier.report('ProtocolSendWhileNotRunning', { driver: driver.name, object, message: `NdisSendNetBufferLists while the binding is ${binding.state}` });
      return;
    }
    const nbls = this.takeChain(driver, head, 'NdisSendNetBufferLists', object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (this.pool.ownerOf(nbl) !== driver.owner) {
        this.verifier.report('NblNotOwned', { driver: driver.name, object, message: `NdisSendNetBufferLists with NBL ${nbl}, which ${this.ownerText(nbl)}` });
        return;
      }
    }
    for (const nbl of nbls) {
      this.pool.transfer(nbl, driver.owner, NDIS_OWNER);
      this.pool.setNblField(nbl, NBL_SOURCE, binding.handle!.id);
    }
    binding.sendsOutstanding += nbls.length;
    this.trace.record('send', { object, nbls: nbls.length });
    this.watchSends(binding, nbls);
    this.filters.sendBelow(binding.adapter, this.filters.modules(binding.adapter).length, nbls);
  }

  /**
   * Driver Verifier's NdisTimedDataSend: a send still outstanding after sendLimitNs is reported
   * (severity error: the machine goes on).
   */
  private watchSends(binding: Binding, nbls: number[]): void {
    const generation = ++this.sendCount;
    for (const nbl of nbls) this.sendGeneration[nbl] = generation;
    this.scheduler.post(`send watchdog ${binding.name}`, () => {
      if (this.verifier.stopped) return;
      const late = nbls.filter((nbl) => this.sendGeneration[nbl] === generation).length;
      if (late > 0) {
        this.withPath('send watchdog', () => this.report('SendNotCompletedInTime', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: `${late} of ${nbls.length} NBL(s) sent were still not completed ${this.sendLimitNs} ns later` }));
      }
    }, { delayNs: this.sendLimitNs, channel: 'send watchdogs' });
  }

  private ownerText(nbl: number): string {
    const owner = this.pool.ownerOf(nbl);
    if (owner === 0) return 'is free (never allocated, or already freed)';
    if (owner === NDIS_OWNER) return 'NDIS holds (sent and not yet completed, or given twice)';
    if (owner >= MINIPORT_OWNER_BASE) return 'belongs to a miniport';
    const d = this.drivers.find((x) => x.owner === owner);
    return `belongs to ${d ? d.name : `owner ${owner}`}`;
  }

  /** Completed sends that reached the top of the stack: back to the protocols that sent them. */
  completeToProtocols(nbls: number[]): void {
    const byBinding = new Map<Binding, number[]>();
    for (const nbl of nbls) {
      const source = this.pool.nblField(nbl, NBL_SOURCE);
      const binding = this.bindings.find((b) => b.sourceId === source);
      if (!binding) continue;
      const list = byBinding.get(binding) ?? [];
      list.push(nbl);
      byBinding.set(binding, list);
    }
    for (const [binding, list] of byBinding) {
      this.post(`send complete ${binding.name}`, () => {
        for (let i = 0; i < list.length; i++) {
          this.sendGeneration[list[i]!] = 0; // completed: no longer watched
          this.pool.transfer(list[i]!, NDIS_OWNER, binding.protocol.owner);
          this.pool.setNblField(list[i]!, NBL_NEXT, i + 1 < list.length ? list[i + 1]! + 1 : 0);
        }
        binding.sendsOutstanding -= list.length;
        const handler = binding.protocol.protocol!.SendNetBufferListsCompleteHandler;
        if (handler) this.invoke(binding.protocol, 'ProtocolSendNetBufferListsComplete', `binding ${binding.name}`, false, () => handler(binding.context, this.views.nbl(list[0]!), this.irql.withDispatchFlag(0)));
      }, { channel: `binding ${binding.name}` });
    }
  }

  /**
   * Receives that reached the top of the stack, indicated to every Running binding over the
   * adapter. Without RESOURCES each binding holds them until it returns them; with RESOURCES they
   * are back in the indicating layer's hands when the handlers return, and never come back down.
   */
  indicateToProtocols(adapter: MiniportAdapter, nbls: number[], flags: number): void {
    const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
    const targets = this.bindingsOf(adapter, 'Running').filter((b) => b.protocol.protocol?.ReceiveNetBufferListsHandler);
    for (const nbl of nbls) this.rxRefs[nbl] = resources ? 0 : targets.length;
    if (targets.length === 0) {
      if (!resources) this.filters.returnBelow(adapter, this.filters.modules(adapter).length, nbls);
      return;
    }
    this.trace.record('receive', { adapter: adapter.name, nbls: nbls.length, flags, to: targets.map((b) => b.name) });
    for (const binding of targets) {
      if (resources) binding.lentWithResources.clear();
      for (const nbl of nbls) (resources ? binding.lentWithResources : binding.held).add(nbl);
      const handler = binding.protocol.protocol!.ReceiveNetBufferListsHandler!;
      this.invoke(binding.protocol, 'ProtocolReceiveNetBufferLists', `binding ${binding.name}`, false, () => handler(binding.context, this.views.nbl(nbls[0]!), 0, nbls.length, this.irql.withDispatchFlag(flags)));
    }
  }

  /** Per NBL: bindings that still have to give a receive back. */
  private readonly rxRefs: Int32Array;

  private dropReceiveRef(adapter: MiniportAdapter, nbl: number): void {
    if (--this.rxRefs[nbl]! === 0) this.filters.returnBelow(adapter, this.filters.modules(adapter).length, [nbl]);
  }

  /** NdisReturnNetBufferLists. */
  returnFromProtocol(driver: DriverRecord, handle: unknown, head: unknown, _flags: number): void {
    const binding = this.bindingFor(driver, handle, 'NdisReturnNetBufferLists');
    if (!binding) return;
    const object = `binding ${binding.name}`;
    const nbls = this.takeChain(driver, head, 'NdisReturnNetBufferLists', object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (!binding.held.has(nbl)) {
        if (binding.lentWithResources.has(nbl)) {
          this.verifier.report('ReturnedResourcesNbl', { driver: driver.name, object, message: `NdisReturnNetBufferLists with NBL ${nbl}, indicated with NDIS_RECEIVE_FLAGS_RESOURCES: it went back when ProtocolReceiveNetBufferLists returned` });
        } else {
          this.verifier.report('NblNotOwned', { driver: driver.name, object, message: `NdisReturnNetBufferLists with NBL ${nbl}, which the binding does not hold (returned twice, or never indicated to it)` });
        }
        return;
      }
    }
    for (const nbl of nbls) {
      binding.held.delete(nbl);
      this.dropReceiveRef(binding.adapter, nbl);
    }
  }

  /**
   * NdisOidRequest: the request goes down the filter stack to the miniport, which completes it
   * later (NDIS returns NDIS_STATUS_PENDING and calls ProtocolOidRequestComplete), as most
   * miniports do. NDIS_STATUS_INVALID_PARAMETER for a Header whose Type or Size is wrong.
   */
  oidFromProtocol(driver: DriverRecord, handle: unknown, request: unknown): number {
    const binding = this.bindingFor(driver, handle, 'NdisOidRequest');
    if (!binding) return NDIS_STATUS_INVALID_PARAMETER;
    const parsed = parseOidRequest(request);
    if (typeof parsed === 'string') {
      this.report('InvalidParameter', { driver: driver.name, object: `binding ${binding.name}`, message: `NdisOidRequest: ${parsed}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    const header = oidRequestHeaderProblem(request as object);
    if (header) {
      this.trace.record('refused', { driver: driver.name, call: 'NdisOidRequest', why: `NdisOidRequest: ${header}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    binding.oidsOutstanding++;
    const object = `binding ${binding.name}`;
    this.trace.record('oid', { object, request: parsed.method ? 'method' : parsed.set ? 'set' : 'query', oid: `0x${(parsed.oid >>> 0).toString(16).padStart(8, '0')}` });
    this.filters.oidBelow(binding.adapter, this.filters.modules(binding.adapter).length, request, parsed, (status) => {
      binding.oidsOutstanding--;
      const complete = binding.protocol.protocol!.OidRequestCompleteHandler;
      if (complete) this.invoke(binding.protocol, 'ProtocolOidRequestComplete', object, false, () => complete(binding.context, request, status));
    });
    return NDIS_STATUS_PENDING;
  }

  /** NdisCancelOidRequest: cancels the binding's request with `requestId`, if it is still below (core/ndis/filter.ts cancelBelow). */
  cancelOidFromProtocol(driver: DriverRecord, handle: unknown, requestId: unknown): void {
    const binding = this.bindingFor(driver, handle, 'NdisCancelOidRequest');
    if (binding) this.filters.cancelBelow(binding.adapter, this.filters.modules(binding.adapter).length, requestId);
  }

  /** The binding of `protocol` to adapter `index`, if any. */
  binding(protocol: string, adapter = 0): Binding | undefined {
    return this.bindings.find((b) => b.protocol.name === protocol && b.adapter === this.adapters[adapter]);
  }
}

