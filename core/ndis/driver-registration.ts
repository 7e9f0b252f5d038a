// Drivers registering with NDIS and leaving it: NdisRegisterProtocolDriver and
// NdisFRegisterFilterDriver (from DriverEntry, characteristics checked as NDIS checks them),
// NdisDeregisterProtocolDriver and NdisFDeregisterFilterDriver (NDIS unbinds or detaches what is
// still open within the call), and the system unloading a driver through the DriverUnload it set.

import type { NdisEngine } from './engine.ts';
import type { FilterStacks } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { StackOperations } from './stack-operations.ts';
import type { DriverRecord, DriverObject, ProtocolCharacteristics, FilterCharacteristics } from './driver-record.ts';
import type { NdisHandle } from './handle.ts';
import { BugCheck } from '../verifier/verifier.ts';
import { checkCharacteristics, type CharacteristicsCheck } from './characteristics.ts';
import { thrownByDriver } from './source-positions.ts';
import { describe } from './describe.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_FAILURE } from './status.ts';

export class DriverRegistration {
  constructor(private readonly rt: NdisEngine, private readonly protocols: ProtocolBindings, private readonly filters: FilterStacks, private readonly operations: StackOperations) {}

  /** NdisRegisterProtocolDriver, on behalf of `driver`. */
  registerProtocol(driver: DriverRecord, context: unknown, characteristics: ProtocolCharacteristics): { Status: number; NdisProtocolHandle: NdisHandle | null } {
    // NDIS_PROTOCOL_DRIVER_CHARACTERISTICS: the open and close completion handlers are required
    // (ProtocolOpenAdapterCompleteEx, ProtocolCloseAdapterCompleteEx: "is a required function"),
    // since any open or close may pend.
    const required = ['BindAdapterHandlerEx', 'UnbindAdapterHandlerEx', 'OpenAdapterCompleteHandlerEx', 'CloseAdapterCompleteHandlerEx', 'NetPnPEventHandler'] as const;
    const problems = required.filter((h) => typeof characteristics?.[h] !== 'function').map((h) => `missing ${h}`);
    this.reportMissingHandlers(driver, 'NdisRegisterProtocolDriver', 'NDIS_PROTOCOL_DRIVER_CHARACTERISTICS', problems);
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
    this.reportMissingHandlers(driver, 'NdisFRegisterFilterDriver', 'NDIS_FILTER_DRIVER_CHARACTERISTICS', problems);
    const { Status, handle } = this.register(driver, 'NdisFRegisterFilterDriver', checkCharacteristics('filter', characteristics, problems), context, 'filter');
    if (handle) driver.filter = c;
    return { Status, NdisFilterDriverHandle: handle };
  }

  /**
   * RequiredHandlerMissing: the characteristics lack a handler NDIS requires (seed 002: "The
   * ProtocolNetPnPEvent function is required in protocol drivers"), so the registration fails
   * with NDIS_STATUS_BAD_CHARACTERISTICS and the driver cannot load. A finding as well as the
   * load error, so grading names the rule the driver broke.
   */
  private reportMissingHandlers(driver: DriverRecord, call: string, structure: string, problems: string[]): void {
    if (problems.length === 0 || driver.kind) return;
    this.rt.report('RequiredHandlerMissing', { driver: driver.name, object: `driver ${driver.name}`, message: `${call}: ${structure} is ${problems.join('; ')}: NDIS requires ${problems.length === 1 ? 'it' : 'them'} and fails the registration with NDIS_STATUS_BAD_CHARACTERISTICS, so DriverEntry cannot succeed` });
  }

  /** What both registrations share: refuse a second one or bad characteristics, else admit the driver. */
  private register(driver: DriverRecord, call: string, check: CharacteristicsCheck, context: unknown, kind: 'protocol' | 'filter'): { Status: number; handle: NdisHandle | null } {
    if (driver.kind) {
      driver.refusal = `${call}: the driver is already registered`;
      return { Status: NDIS_STATUS_FAILURE, handle: null };
    }
    if (check.status !== undefined) {
      driver.refusal = `${call}: ${check.problems.join('; ')}`;
      this.rt.trace.record('refused', { driver: driver.name, call, why: driver.refusal });
      return { Status: check.status, handle: null };
    }
    driver.kind = kind;
    driver.driverContext = context;
    driver.minorNdisVersion = check.minorNdisVersion;
    driver.handle = this.rt.newHandle(kind === 'protocol' ? 'protocol' : 'filterDriver', driver.name, driver);
    return { Status: NDIS_STATUS_SUCCESS, handle: driver.handle };
  }

  /**
   * The system unloads `driver`: it calls the DriverUnload routine the driver set in its
   * DriverObject (PASSIVE_LEVEL), which deregisters it; NDIS unbinds or detaches what is still
   * open within that call. Then what the driver left behind is a finding. A driver that set no
   * DriverUnload cannot be unloaded, as on Windows: the trace says so and nothing happens.
   */
  unloadDriver(driver: DriverRecord, done: () => void = () => {}): void {
    // After the PnP work queued before it; then on a channel of its own, so that the unbinds and
    // detaches NDIS queues on the PnP channel can run inside the deregistration.
    this.rt.post(`unload ${driver.name}`, () => this.rt.post(`DriverUnload ${driver.name}`, () => {
      if (driver.unloaded) return done();
      const object = driver.driverObject!;
      // The driver wrote the member: reading it may run its code (a getter), which must not throw into NDIS.
      let routine: unknown;
      try {
        routine = driver.field ? driver.field(object, 'DriverUnload') : object.DriverUnload;
      } catch (error) {
        if (error instanceof BugCheck || this.rt.verifier.stopped) throw error;
        this.rt.withPath(`${driver.name}!DriverUnload`, () => this.rt.report('HandlerThrew', { driver: driver.name, message: `reading DriverObject.DriverUnload threw ${thrownByDriver(error, driver.positions)}` }));
        return done();
      }
      if (typeof routine !== 'function') {
        this.rt.trace.record('note', { object: `driver ${driver.name}`, text: 'the driver set no DriverUnload in its DriverObject: it cannot be unloaded' });
        return done();
      }
      this.rt.invoke(driver, 'DriverUnload', undefined, false, () => (routine as (o: DriverObject) => void)(object));
      driver.unloaded = true;
      this.rt.trace.record('unload', { driver: driver.name });
      this.rt.withPath(`${driver.name}!DriverUnload`, () => this.checkUnloaded(driver));
      done();
    }, { channel: `unload ${driver.name}` }), { channel: 'pnp' });
  }

  /** What a driver must have undone by the time its DriverUnload returns. */
  private checkUnloaded(driver: DriverRecord): void {
    const call = driver.kind === 'filter' ? 'NdisFDeregisterFilterDriver' : 'NdisDeregisterProtocolDriver';
    if (!driver.deregistered && driver.kind) {
      this.rt.report('UnloadWithoutDeregistering', { driver: driver.name, message: `DriverUnload returned without calling ${call}: NDIS still has the driver registered, and would call into code that is gone` });
    }
    let nbls = 0;
    for (let i = 0; i < this.rt.pool.layout.nblCount; i++) if (this.rt.pool.ownerOf(i) === driver.owner) nbls++;
    if (nbls > 0) {
      this.rt.report('UnloadWithNblsAllocated', { driver: driver.name, message: `the driver unloaded with ${nbls} NBL(s) it allocated and never freed (NdisFreeNetBufferList before NdisFreeNetBufferListPool, both before unload)` });
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
    if (this.rt.resolve<DriverRecord>(handle, kind) !== driver) {
      this.rt.report('InvalidHandle', { driver: driver.name, message: `${call} expects the handle ${kind === 'protocol' ? 'NdisRegisterProtocolDriver' : 'NdisFRegisterFilterDriver'} returned to this driver; it got ${describe(handle)}` });
      return;
    }
    const inHandler = this.rt.callPath.find((frame) => frame.startsWith(`${driver.name}!`) && frame !== `${driver.name}!DriverUnload` && frame !== `${driver.name}!DriverEntry`);
    if (inHandler) {
      this.rt.report('DeregisterFromNdisEntryPoint', { driver: driver.name, message: `${call} from ${inHandler.slice(driver.name.length + 1)}, a handler NDIS called: call it from DriverUnload (or from DriverEntry after an error)` });
      return;
    }
    if (kind === 'protocol') {
      for (const binding of this.protocols.bindings.filter((b) => b.protocol === driver && b.sm.is('Paused', 'Running'))) {
        let unbound = false;
        this.protocols.removeNow(binding, () => { unbound = true; });
        this.rt.runNested(() => unbound || binding.state === 'Unbound', `${call}: unbind ${binding.name}`);
      }
    } else {
      for (const module of this.filters.all().filter((m) => m.driver === driver)) {
        let detached = false;
        this.operations.removeFilter(module, () => { detached = true; });
        this.rt.runNested(() => detached, `${call}: detach ${module.name}`);
      }
    }
    driver.deregistered = true;
    this.rt.forgetHandle(driver.handle!);
    this.rt.trace.record('deregistered', { driver: driver.name });
  }
}
