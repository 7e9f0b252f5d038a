// The NDIS runtime: drivers, the adapters they bind to, and the operations NDIS performs on them
// (bind, restart, pause, unbind, PnP events), run one step at a time by the seeded scheduler in
// virtual time. This file puts the parts together; each NDIS concept has its own file:
//
//   engine.ts                the scheduler, trace, verifier, handles; NDIS<->driver calls (invoke, enter)
//   driver-registration.ts   NdisRegisterProtocolDriver / NdisFRegisterFilterDriver, deregistration, unload
//   protocol-binding.ts      bind, open, close, unbind (binding.ts: the binding and its states)
//   pnp-delivery.ts          PnP events to protocols
//   protocol-datapath.ts     protocols' sends, receives, returns, status indications
//   protocol-oid-requests.ts protocols' OID requests
//   filter.ts                filter modules: attach, pause, restart, detach, their datapath and OIDs
//   miniport.ts              the miniport over the emulated e1000
//   stack-operations.ts      whole-stack operations: start, pause, restart, power, removal
//   api.ts                   the functions a driver calls (the `ndis` module)
//
// Imports go one way: api and runtime on top, then registration, stack operations, the protocol
// side, filters, the miniport, the engine (core/architecture.test.ts checks there is no circle).

import { Machine } from '../nic/machine.ts';
import { NdisEngine, type RuntimeOptions } from './engine.ts';
import { NdisHandle } from './handle.ts';
import { BugCheck } from '../verifier/verifier.ts';
import { MiniportAdapter } from './miniport.ts';
import { DriverLoadError, type LoadedDriver } from './driver-loader.ts';
import { SourcePositions } from './source-positions.ts';
import { createNdisApi } from './api.ts';
import { FilterStacks } from './filter.ts';
import { StackOperations } from './stack-operations.ts';
import { PnpDelivery } from './pnp-delivery.ts';
import { ProtocolBindings } from './protocol-binding.ts';
import { ProtocolDatapath } from './protocol-datapath.ts';
import { ProtocolOidRequests } from './protocol-oid-requests.ts';
import { DriverRegistration } from './driver-registration.ts';
import { NetBufferListPools } from './net-buffer-list-pool.ts';
import { MdlAllocation } from './mdl-allocation.ts';
import { TestHarness } from './test-harness.ts';
import type { Binding } from './binding.ts';
import type { BindingState } from './states.ts';
import type { DriverRecord, DriverObject } from './driver-record.ts';
import { NDIS_STATUS_PENDING, statusName, ndisSucceeded } from './status.ts';
import { NDIS_PAUSE_NDIS_INTERNAL } from './constants.ts';
import { describe } from './describe.ts';

export { NdisHandle, describe };
export type { RuntimeOptions };
export { Binding } from './binding.ts';
export { NDIS_OWNER } from './driver-record.ts';
export type { DriverRecord, DriverObject, ProtocolCharacteristics, BindParameters, StatusIndication, NetPnPEventNotification } from './driver-record.ts';

export class NdisRuntime extends NdisEngine {
  readonly adapters: MiniportAdapter[] = [];
  /** Every binding NDIS made (protocol-binding.ts), in order. */
  readonly bindings: Binding[] = [];
  readonly filters: FilterStacks;
  readonly pnp: PnpDelivery;
  readonly protocols: ProtocolBindings;
  readonly datapath: ProtocolDatapath;
  readonly oids: ProtocolOidRequests;
  /** Whole-stack operations: start, pause, restart, link changes, power, removal, filter insertion. */
  readonly operations: StackOperations;
  readonly registration: DriverRegistration;
  /** Drivers' NBL and NET_BUFFER pools, and the memory and MDLs NDIS allocates for them. */
  readonly nblPools: NetBufferListPools;
  readonly mdls: MdlAllocation;
  /** An NDISTest-style harness that sends into a filter stack from above whatever its state (test-harness.ts). */
  readonly harness: TestHarness;

  private constructor(machine: Machine, seed: number | bigint, options: RuntimeOptions) {
    super(machine, seed, options);
    this.nblPools = new NetBufferListPools(this);
    this.mdls = new MdlAllocation(this);
    this.filters = new FilterStacks(this);
    for (const [i, nic] of machine.nics.entries()) this.adapters.push(new MiniportAdapter(this, nic, `nic${i}`, i, this.filters, this.adapters));
    this.pnp = new PnpDelivery(this, this.adapters, this.bindings, this.filters);
    this.protocols = new ProtocolBindings(this, this.adapters, this.bindings, this.pnp);
    this.datapath = new ProtocolDatapath(this, this.protocols, this.filters);
    // What comes out of the top of a filter stack: the protocols' datapath, and their PnP events.
    const datapath = this.datapath;
    const pnp = this.pnp;
    const harness = (this.harness = new TestHarness(this, this.filters));
    this.filters.connect({
      // The test harness's own sends (test-harness.ts) end at the top of the stack; the rest go to the protocols that sent them.
      completeToProtocols: (nbls) => datapath.completeToProtocols(harness.claim(nbls)),
      indicateToProtocols: (adapter, nbls, flags) => datapath.indicateToProtocols(adapter, nbls, flags),
      indicateStatusToProtocols: (adapter, indication) => datapath.indicateStatusToProtocols(adapter, indication),
      loopBack: (adapter, nbls, flags) => datapath.loopBack(adapter, nbls, flags),
      releaseLoopback: (nbl) => datapath.releaseLoopback(nbl),
      pnpToProtocols: (adapter, code, detail, done) => pnp.toAdapterBindings(adapter, code, detail, done),
    });
    this.oids = new ProtocolOidRequests(this, this.protocols, this.filters);
    const oids = this.oids;
    this.protocols.connectCloses((binding) => oids.restoreAfterClose(binding));
    this.operations = new StackOperations(this, this.adapters, this.filters, this.protocols, this.pnp);
    this.registration = new DriverRegistration(this, this.protocols, this.filters, this.operations);
  }

  static async create(options: RuntimeOptions = {}): Promise<NdisRuntime> {
    const seed = options.seed ?? 1;
    const machine = await Machine.create({ nics: 1, ...options, seed });
    const runtime = new NdisRuntime(machine, seed, options);
    if (machine.layout.config.captureBytes > 0) machine.capture.start();
    return runtime;
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
        handleById: (id) => this.handleById(id),
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
    if (loaded.stack) driver.stackNow = loaded.stack;
    // Where its handlers are declared is read from the source this thread was given, not from the driver's thread (which may have hung).
    driver.source = source;
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

  /** The system unloads `driver` through the DriverUnload it set (driver-registration.ts). */
  unloadDriver(driver: DriverRecord, done: () => void = () => {}): void {
    this.registration.unloadDriver(driver, done);
  }

  // ---- what scenarios and tests drive (each part has the rest) --------------------------------

  /** Starts the stack: initialize, attach, bind, restart bottom-up (stack-operations.ts). */
  startStack(done: () => void = () => {}): void {
    this.operations.startStack(done);
  }

  /** Pauses the adapter's stack top-down. */
  pauseStack(adapter: MiniportAdapter, done: () => void = () => {}, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    this.operations.pauseStack(adapter, done, reason);
  }

  /** Restarts the adapter's stack bottom-up. */
  restartStack(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.operations.restartStack(adapter, done);
  }

  /** Pauses the binding if it runs, then unbinds it. */
  removeBinding(binding: Binding, done: () => void = () => {}): void {
    this.protocols.removeBinding(binding, done);
  }

  /** A PnP event for `protocol` (pnp-delivery.ts protocolEvent says where each code goes); `adapter` narrows it to one adapter. */
  protocolEvent(protocol: DriverRecord, code: number, done: () => void = () => {}, adapter?: number): void {
    this.pnp.protocolEvent(protocol, code, done, adapter);
  }

  bindingsOf(adapter: MiniportAdapter, state?: BindingState): Binding[] {
    return this.protocols.bindingsOf(adapter, state);
  }

  /** The binding of `protocol` to adapter `index`, if any. */
  binding(protocol: string, adapter = 0): Binding | undefined {
    return this.protocols.binding(protocol, adapter);
  }
}
