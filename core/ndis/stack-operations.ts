// The operations NDIS performs on a whole driver stack, as scenarios drive them: cable changes,
// a power cycle, orderly and surprise removal, inserting and removing a filter in a running
// stack. Each is a sequence of the runtime's steps (PnP events, pause, restart, unbind, detach,
// halt) posted on the 'pnp' channel, so its timing against traffic is the seed's to choose.

import type { NdisRuntime, Binding, DriverRecord } from './runtime.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { FilterModule } from './filter.ts';
import {
  NetEventQueryPower, NetEventSetPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice,
  NdisDeviceStateD0, NdisDeviceStateD3, NDIS_PAUSE_LOW_POWER, NDIS_PAUSE_ATTACH_FILTER, NDIS_PAUSE_DETACH_FILTER,
  NDIS_PAUSE_MINIPORT_DEVICE_REMOVE,
} from './constants.ts';
import { NDIS_STATUS_SUCCESS } from './status.ts';
import { netPnPEventNotification } from './structures.ts';

type Step = (next: () => void) => void;

export class StackOperations {
  /** Operations waiting for their adapter: NDIS runs one PnP operation per device at a time. */
  private readonly waiting = new Map<MiniportAdapter, (() => void)[]>();
  private readonly busy = new Set<MiniportAdapter>();

  constructor(private readonly rt: NdisRuntime) {}

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

  /** Every binding over the adapter that is bound (not Unbound, Opening or Closing). */
  private bound(adapter: MiniportAdapter): Binding[] {
    return this.rt.bindingsOf(adapter).filter((b) => b.sm.is('Paused', 'Restarting', 'Running', 'Pausing'));
  }

  /** A PnP event to each bound binding of the adapter in turn (the device power state of a power event). */
  private toBindings(adapter: MiniportAdapter, code: number, powerState?: number, statuses?: Map<Binding, number>): Step[] {
    return this.bound(adapter).map((b) => (next) => this.rt.pnpEvent(b, code, (status) => {
      statuses?.set(b, status);
      next();
    }, powerState));
  }

  /** Plugs or pulls the cable `link`; the adapters at either end indicate NDIS_STATUS_LINK_STATE. */
  setLink(link: number, up: boolean): void {
    this.post(`link ${link} ${up ? 'up' : 'down'}`, () => {
      this.rt.machine.wire.setUp(link, up);
      for (const adapter of this.rt.adapters) adapter.scheduleDevice();
    });
  }

  /**
   * A sleep and wake, in the order "Handling PnP Events and Power Management Events in a Protocol
   * Driver" gives under NetEventSetPower: NetEventQueryPower(D3) to each binding (it must
   * succeed), NetEventSetPower(D3), and after the set-power request NDIS pauses the stack
   * (NDIS_PAUSE_LOW_POWER) and the adapter goes to D3 (OID_PNP_SET_POWER); back to the working
   * state, the adapter goes to D0 and NDIS restarts the stack before the set-power request,
   * NetEventSetPower(D0). The link state goes Unknown, then Connected when the link is back.
   */
  powerCycle(adapter: MiniportAdapter, done: () => void = () => {}): void {
    const rt = this.rt;
    this.exclusive(adapter, `power cycle ${adapter.name}`, (finish) => {
      rt.sequence([
        ...this.toBindings(adapter, NetEventQueryPower, NdisDeviceStateD3),
        ...this.toBindings(adapter, NetEventSetPower, NdisDeviceStateD3),
        (next) => rt.pauseAdapter(adapter, next, NDIS_PAUSE_LOW_POWER),
        (next) => {
          adapter.setPower(NdisDeviceStateD3);
          rt.trace.record('power', { adapter: adapter.name, state: 'D3' });
          next();
        },
        (next) => {
          adapter.setPower(NdisDeviceStateD0);
          rt.trace.record('power', { adapter: adapter.name, state: 'D0' });
          next();
        },
        (next) => rt.restartAdapter(adapter, next),
        (next) => rt.sequence(this.toBindings(adapter, NetEventSetPower, NdisDeviceStateD0), next),
      ], () => {
        finish();
        done();
      });
    });
  }

  /**
   * Asks every filter module (bottom-up) and then every binding whether the adapter may go.
   * If one fails (only QueryRemoveDevice may), NetEventCancelRemoveDevice goes to those that
   * agreed. `done` learns whether the removal may proceed.
   */
  queryRemove(adapter: MiniportAdapter, done: (mayRemove: boolean) => void): void {
    const rt = this.rt;
    const agreedModules: FilterModule[] = [];
    const statuses = new Map<Binding, number>();
    let vetoed = false;
    const modules = rt.filters.modules(adapter);
    rt.sequence([
      ...modules.map((m): Step => (next) => {
        const status = rt.filters.pnpEvent(m, netPnPEventNotification(NetEventQueryRemoveDevice));
        if (status === NDIS_STATUS_SUCCESS) agreedModules.push(m);
        else vetoed = true;
        next();
      }),
      (next) => rt.sequence(this.toBindings(adapter, NetEventQueryRemoveDevice, undefined, statuses), next),
    ], () => {
      if ([...statuses.values()].some((s) => s !== NDIS_STATUS_SUCCESS)) vetoed = true;
      if (!vetoed) return done(true);
      rt.trace.record('note', { object: `adapter ${adapter.name}`, text: 'the removal was vetoed: NetEventCancelRemoveDevice to those that agreed' });
      const agreedBindings = [...statuses].filter(([, s]) => s === NDIS_STATUS_SUCCESS).map(([b]) => b);
      rt.sequence([
        ...agreedModules.map((m): Step => (next) => {
          rt.filters.pnpEvent(m, netPnPEventNotification(NetEventCancelRemoveDevice));
          next();
        }),
        ...agreedBindings.map((b): Step => (next) => rt.pnpEvent(b, NetEventCancelRemoveDevice, () => next())),
      ], () => done(false));
    });
  }

  /** Tears the stack down: pause, unbind every binding, detach the filters top-down, halt. */
  private teardown(adapter: MiniportAdapter, done: () => void): void {
    const rt = this.rt;
    rt.sequence([
      (next) => rt.pauseAdapter(adapter, next, NDIS_PAUSE_MINIPORT_DEVICE_REMOVE),
      (next) => rt.sequence(rt.bindingsOf(adapter, 'Paused').map((b): Step => (n) => rt.unbind(b, n)), next),
      (next) => {
        for (const m of [...rt.filters.modules(adapter)].reverse()) if (m.state === 'Paused') rt.filters.detach(m);
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
      this.teardown(adapter, () => {
        finish();
        done();
      });
    });
  }

  /** A filter inserted into a running stack: pause, attach on top, restart. */
  insertFilter(driver: DriverRecord, adapter: MiniportAdapter, done: () => void = () => {}): void {
    const rt = this.rt;
    this.exclusive(adapter, `insert ${driver.name} over ${adapter.name}`, (finish) => {
      rt.pauseAdapter(adapter, () => {
        rt.filters.attach(driver, adapter);
        rt.restartAdapter(adapter, () => {
          finish();
          done();
        });
      }, NDIS_PAUSE_ATTACH_FILTER);
    });
  }

  /** A filter removed from a running stack: pause, detach, restart. */
  removeFilter(module: FilterModule, done: () => void = () => {}): void {
    const rt = this.rt;
    this.exclusive(module.adapter, `remove ${module.name}`, (finish) => {
      rt.pauseAdapter(module.adapter, () => {
        if (module.state === 'Paused') rt.filters.detach(module);
        rt.restartAdapter(module.adapter, () => {
          finish();
          done();
        });
      }, NDIS_PAUSE_DETACH_FILTER);
    });
  }
}
