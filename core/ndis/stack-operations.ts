// The operations NDIS performs on a whole driver stack, as scenarios drive them: cable changes,
// a power cycle, orderly and surprise removal, inserting and removing a filter in a running
// stack. Each is a sequence of the runtime's steps (PnP events, pause, restart, unbind, detach,
// halt) posted on the 'pnp' channel, so its timing against traffic is the seed's to choose.

import type { NdisEngine } from './engine.ts';
import type { DriverRecord } from './driver-record.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { FilterModule, FilterStacks } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { PnpDelivery } from './pnp-delivery.ts';
import {
  NetEventQueryPower, NetEventSetPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice,
  NdisDeviceStateD0, NdisDeviceStateD3, NDIS_PAUSE_LOW_POWER, NDIS_PAUSE_ATTACH_FILTER, NDIS_PAUSE_DETACH_FILTER,
  NDIS_PAUSE_MINIPORT_DEVICE_REMOVE, NetEventPause, NetEventRestart, NetEventBindsComplete, NDIS_PAUSE_NDIS_INTERNAL, NdisDevicePnPEventSurpriseRemoved,
} from './constants.ts';
import { NDIS_STATUS_SUCCESS } from './status.ts';

type Step = (next: () => void) => void;

export class StackOperations {
  /** Operations waiting for their adapter: NDIS runs one PnP operation per device at a time. */
  private readonly waiting = new Map<MiniportAdapter, (() => void)[]>();
  private readonly busy = new Set<MiniportAdapter>();

  constructor(private readonly rt: NdisEngine, private readonly adapters: readonly MiniportAdapter[], private readonly filters: FilterStacks, private readonly protocols: ProtocolBindings, private readonly pnp: PnpDelivery) {}

  /**
   * Starts the stack as NDIS does: initialize each adapter (Paused), bind each protocol to it
   * (each bind finishes, pended or not, before the next), then restart bottom-up to Running; when
   * every adapter is up, NetEventBindsComplete to each protocol, once, with a NULL context ("the
   * protocol has bound to all the adapters it can bind to").
   */
  startStack(done: () => void = () => {}): void {
    this.rt.post('start stack', () => {
      const protocols = this.rt.drivers.filter((d) => d.kind === 'protocol' && !d.deregistered);
      const filters = this.rt.drivers.filter((d) => d.kind === 'filter' && !d.deregistered);
      this.rt.sequence(this.adapters.map((adapter) => (nextAdapter: () => void) => {
        adapter.initialize();
        for (const f of filters) this.filters.attach(f, adapter);
        this.rt.sequence(protocols.map((p) => (next: () => void) => void this.protocols.bind(p, adapter, () => next())), () => this.restartAdapter(adapter, nextAdapter));
      }), () => this.rt.sequence(protocols.map((p) => (next: () => void) => this.pnp.toProtocol(p, NetEventBindsComplete, () => next())), done));
    }, { channel: 'pnp' });
  }

  /** Restarts the adapter, then each Paused binding over it (bottom-up). */
  restartStack(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.rt.post(`restart ${adapter.name}`, () => this.restartAdapter(adapter, done), { channel: 'pnp' });
  }

  /** Restart bottom-up: the adapter, each Paused filter module, each Paused binding. */
  restartAdapter(adapter: MiniportAdapter, done: () => void): void {
    adapter.restart();
    const modules = this.filters.modules(adapter).filter((m) => m.state === 'Paused');
    // A module whose restart fails stays Paused, and nothing above it is restarted: no data could pass it.
    let failed = false;
    this.rt.sequence([
      ...modules.map((m) => (next: () => void) => failed ? next() : this.filters.restart(m, (status) => {
        if (status !== NDIS_STATUS_SUCCESS) failed = true;
        next();
      })),
      (next: () => void) => failed ? next() : this.rt.sequence(this.protocols.bindingsOf(adapter, 'Paused').map((b) => (n: () => void) => this.pnp.pnpEvent(b, NetEventRestart, () => n())), next),
    ], done);
  }

  /** Pause top-down: each Running binding, each Running filter module from the top, the adapter. */
  pauseStack(adapter: MiniportAdapter, done: () => void = () => {}, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    this.rt.post(`pause ${adapter.name}`, () => this.pauseAdapter(adapter, done, reason), { channel: 'pnp' });
  }

  /** `reason`: the NDIS_PAUSE_* bits the bindings find in NDIS_PROTOCOL_PAUSE_PARAMETERS.PauseReason. */
  pauseAdapter(adapter: MiniportAdapter, done: () => void, reason = NDIS_PAUSE_NDIS_INTERNAL): void {
    const modules = [...this.filters.modules(adapter)].reverse().filter((m) => m.state === 'Running');
    this.rt.sequence([
      ...this.protocols.bindingsOf(adapter, 'Running').map((b) => (next: () => void) => this.pnp.pnpEvent(b, NetEventPause, () => next(), reason)),
      ...modules.map((m) => (next: () => void) => this.filters.pause(m, next, reason)),
    ], () => adapter.pause(done));
  }

  private post(label: string, body: () => void): void {
    this.rt.post(label, body, { channel: 'pnp' });
  }

  /** Runs `body` when no other operation is under way on `adapter`; `body` calls `finish` when done. */
  private exclusive(adapter: MiniportAdapter, label: string, body: (finish: () => void) => void): void {
    const start = () => {
      this.busy.add(adapter);
      this.post(label, () => body(() => {
        this.busy.delete(adapter);
        const next = this.waiting.get(adapter)?.shift();
        if (next) next();
      }));
    };
    if (!this.busy.has(adapter)) return start();
    const queue = this.waiting.get(adapter) ?? [];
    queue.push(start);
    this.waiting.set(adapter, queue);
  }

  /**
   * An event about the adapter (PNP_EVENTS_THROUGH_FILTERS) up through its filter modules to the
   * protocols bound to it, as one step of a sequence; `status` gets what the lowest layer that
   * handled it returned (the protocols' first failure, if no module has a FilterNetPnPEvent).
   */
  private upTheStack(adapter: MiniportAdapter, code: number, detail?: number, status?: (s: number) => void): Step {
    return (next) => this.filters.pnpAbove(adapter, -1, code, detail, (s) => {
      status?.(s);
      next();
    });
  }

  /** Plugs or pulls the cable `link`; the adapters at either end indicate NDIS_STATUS_LINK_STATE. */
  setLink(link: number, up: boolean): void {
    this.post(`link ${link} ${up ? 'up' : 'down'}`, () => {
      this.rt.machine.wire.setUp(link, up);
      for (const adapter of this.adapters) adapter.scheduleDevice();
    });
  }

  /**
   * A sleep and wake, in the order "Handling PnP Events and Power Management Events in a Protocol
   * Driver" gives under NetEventSetPower (each power event up through the filter modules, which
   * pass it on with NdisFNetPnPEvent): NetEventQueryPower(D3) to each binding (it must
   * succeed), NetEventSetPower(D3), and after the set-power request NDIS pauses the stack
   * (NDIS_PAUSE_LOW_POWER) and the adapter goes to D3 (OID_PNP_SET_POWER); back to the working
   * state, the adapter goes to D0 and NDIS restarts the stack before the set-power request,
   * NetEventSetPower(D0). The link state goes Unknown, then Connected when the link is back.
   */
  powerCycle(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.exclusive(adapter, `power cycle ${adapter.name}`, (finish) => {
      this.rt.sequence([...this.sleepSteps(adapter), ...this.wakeSteps(adapter)], () => {
        finish();
        done();
      });
    });
  }

  /**
   * The first half of a power cycle, left there: the adapter goes to D3 (QueryPower, SetPower, the
   * pause, OID_PNP_SET_POWER) and stays in it, its stack Paused, until `wake`. An adapter already
   * in a low-power state is left as it is.
   */
  sleep(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.exclusive(adapter, `sleep ${adapter.name}`, (finish) => {
      this.rt.sequence(adapter.powerState === NdisDeviceStateD0 ? this.sleepSteps(adapter) : [], () => {
        finish();
        done();
      });
    });
  }

  /** The second half: a sleeping adapter back to D0, its stack restarted, then SetPower(D0). An adapter in D0 is left as it is. */
  wake(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.exclusive(adapter, `wake ${adapter.name}`, (finish) => {
      this.rt.sequence(adapter.powerState !== NdisDeviceStateD0 ? this.wakeSteps(adapter) : [], () => {
        finish();
        done();
      });
    });
  }

  /** To D3: QueryPower(D3) and SetPower(D3) up the stack, the pause (NDIS_PAUSE_LOW_POWER), then OID_PNP_SET_POWER. */
  private sleepSteps(adapter: MiniportAdapter): Step[] {
    return [
      this.upTheStack(adapter, NetEventQueryPower, NdisDeviceStateD3),
      this.upTheStack(adapter, NetEventSetPower, NdisDeviceStateD3),
      (next) => this.pauseAdapter(adapter, next, NDIS_PAUSE_LOW_POWER),
      (next) => {
        adapter.setPower(NdisDeviceStateD3);
        this.rt.trace.record('power', { adapter: adapter.name, state: 'D3' });
        next();
      },
    ];
  }

  /** Back to D0: OID_PNP_SET_POWER, the restart, then SetPower(D0) up the stack. */
  private wakeSteps(adapter: MiniportAdapter): Step[] {
    return [
      (next) => {
        adapter.setPower(NdisDeviceStateD0);
        this.rt.trace.record('power', { adapter: adapter.name, state: 'D0' });
        next();
      },
      (next) => this.restartAdapter(adapter, next),
      this.upTheStack(adapter, NetEventSetPower, NdisDeviceStateD0),
    ];
  }

  /**
   * NetEventQueryRemoveDevice up the stack: the filter modules from the bottom (each passes it on
   * or answers for those above it), then the bindings. If it fails (only QueryRemoveDevice may),
   * NetEventCancelRemoveDevice goes up the same way, to the bindings that agreed. `done` learns
   * whether the removal may proceed.
   */
  queryRemove(adapter: MiniportAdapter, done: (mayRemove: boolean) => void): void {
    let verdict = NDIS_STATUS_SUCCESS;
    this.rt.sequence([this.upTheStack(adapter, NetEventQueryRemoveDevice, undefined, (s) => { verdict = s; })], () => {
      if (verdict === NDIS_STATUS_SUCCESS) return done(true);
      this.rt.trace.record('note', { object: `adapter ${adapter.name}`, text: 'the removal was vetoed: NetEventCancelRemoveDevice up the stack' });
      this.rt.sequence([this.upTheStack(adapter, NetEventCancelRemoveDevice)], () => done(false));
    });
  }

  /** Tears the stack down: pause, unbind every binding, detach the filters top-down, halt. */
  private teardown(adapter: MiniportAdapter, done: () => void): void {
    const rt = this.rt;
    rt.sequence([
      (next) => this.pauseAdapter(adapter, next, NDIS_PAUSE_MINIPORT_DEVICE_REMOVE),
      (next) => rt.sequence(this.protocols.bindingsOf(adapter, 'Paused').map((b): Step => (n) => this.protocols.unbind(b, n)), next),
      (next) => {
        for (const m of [...this.filters.modules(adapter)].reverse()) if (m.state === 'Paused') this.filters.detach(m);
        next();
      },
      (next) => {
        if (adapter.state === 'Paused') adapter.halt();
        next();
      },
    ], done);
  }

  /** An orderly removal: QueryRemoveDevice, then (unless vetoed) the teardown. */
  removeDevice(adapter: MiniportAdapter, done: (removed: boolean) => void = () => {}): void {
    this.exclusive(adapter, `remove ${adapter.name}`, (finish) => {
      this.queryRemove(adapter, (mayRemove) => {
        if (!mayRemove) {
          finish();
          return done(false);
        }
        this.teardown(adapter, () => {
          finish();
          done(true);
        });
      });
    });
  }

  /** The hardware disappears: sends fail, the link is Unknown, then the teardown (no query). */
  surpriseRemove(adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.exclusive(adapter, `surprise removal ${adapter.name}`, (finish) => {
      adapter.surpriseRemove();
      this.rt.trace.record('note', { object: `adapter ${adapter.name}`, text: 'surprise removal: the hardware is gone' });
      // NdisDevicePnPEventSurpriseRemoved down the filter modules (FilterDevicePnPEventNotify), before the teardown.
      this.filters.devicePnpBelow(adapter, this.filters.modules(adapter).length, NdisDevicePnPEventSurpriseRemoved);
      this.teardown(adapter, () => {
        finish();
        done();
      });
    });
  }

  /** A filter inserted into a running stack: pause, attach on top, restart. */
  insertFilter(driver: DriverRecord, adapter: MiniportAdapter, done: () => void = () => {}): void {
    this.exclusive(adapter, `insert ${driver.name} over ${adapter.name}`, (finish) => {
      this.pauseAdapter(adapter, () => {
        this.filters.attach(driver, adapter);
        this.restartAdapter(adapter, () => {
          finish();
          done();
        });
      }, NDIS_PAUSE_ATTACH_FILTER);
    });
  }

  /** A filter removed from a running stack: pause, detach, restart. */
  removeFilter(module: FilterModule, done: () => void = () => {}): void {
    this.exclusive(module.adapter, `remove ${module.name}`, (finish) => {
      this.pauseAdapter(module.adapter, () => {
        if (module.state === 'Paused') this.filters.detach(module);
        this.restartAdapter(module.adapter, () => {
          finish();
          done();
        });
      }, NDIS_PAUSE_DETACH_FILTER);
    });
  }
}
