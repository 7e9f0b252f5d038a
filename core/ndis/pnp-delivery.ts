// PnP events to protocol bindings: NDIS calls ProtocolNetPnPEvent with a NET_PNP_EVENT_NOTIFICATION
// whose Buffer the docs give per event, the driver returns a status or pends and calls
// NdisCompleteNetPnPEvent, and NDIS finishes the event (a pause, a restart) when it has the final
// status. Seed 002 (ProtocolNetPnPEvent) gives the rules checked here.

import type { NdisEngine } from './engine.ts';
import { limitText } from './limits.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { FilterStacks } from './filter.ts';
import type { Binding } from './binding.ts';
import type { DriverRecord, NetPnPEventNotification } from './driver-record.ts';
import { netPnPEventNotification, isNetPnPEventNotification, protocolPauseParameters, protocolRestartParameters, devicePowerState } from './structures.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_FAILURE, statusName } from './status.ts';
import { NetEventPause, NetEventRestart, NetEventSetPower, NetEventQueryPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice, NetEventBindList, NetEventReconfigure, PNP_EVENTS_THROUGH_FILTERS, NDIS_PAUSE_NDIS_INTERNAL, NET_PNP_EVENT_NAMES, PNP_EVENTS_THAT_MUST_SUCCEED, PNP_EVENTS_WITH_NULL_CONTEXT } from './constants.ts';

export class PnpDelivery {
  constructor(private readonly rt: NdisEngine, private readonly adapters: readonly MiniportAdapter[], private readonly bindings: readonly Binding[], private readonly filters: FilterStacks) {}

  /**
   * An event about the adapter to each binding over it that is bound, one after another; `done`
   * gets NDIS_STATUS_SUCCESS, or the first failure. NetEventCancelRemoveDevice goes to the
   * bindings that agreed to the NetEventQueryRemoveDevice before it (one that vetoed never
   * prepared to go).
   */
  toAdapterBindings(adapter: MiniportAdapter, code: number, detail: number | undefined, done: (status: number) => void): void {
    const bound = this.bindings.filter((b) => b.adapter === adapter && b.sm.is('Paused', 'Restarting', 'Running', 'Pausing'));
    const targets = code === NetEventCancelRemoveDevice ? bound.filter((b) => b.agreedToRemove) : bound;
    let failure: number | undefined;
    this.rt.sequence(targets.map((b) => (next: () => void) => this.pnpEvent(b, code, (status) => {
      if (code === NetEventQueryRemoveDevice) b.agreedToRemove = status === NDIS_STATUS_SUCCESS;
      if (code === NetEventCancelRemoveDevice) b.agreedToRemove = false;
      if (status !== NDIS_STATUS_SUCCESS && failure === undefined) failure = status;
      next();
    }, detail)), () => done(failure ?? NDIS_STATUS_SUCCESS));
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
    const status = this.rt.invoke(protocol, `ProtocolNetPnPEvent(${eventName})`, `binding ${binding.name}`, true, () => protocol.protocol!.NetPnPEventHandler!(context, notification));
    if (status === NDIS_STATUS_PENDING) {
      const watchdog = this.rt.watchdog(`${eventName} ${binding.name}`, () => binding.pendingPnp?.notification === notification, () =>
        this.rt.verifier.report('PnPPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolNetPnPEvent returned NDIS_STATUS_PENDING for ${eventName} and NdisCompleteNetPnPEvent had not been called ${limitText(this.rt.pendingLimitNs)} later` }));
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
    const object = `binding ${binding.name}`;
    this.checkStatus(protocol, object, code, status);
    if (code === NetEventPause) {
      if (binding.sendsOutstanding > 0) {
        this.rt.verifier.report('PauseCompletedWithSendsOutstanding', { driver: protocol.name, object, message: `the pause completed with ${binding.sendsOutstanding} send(s) not yet completed` });
      }
      if (binding.receivesHeld > 0) {
        this.rt.verifier.report('ReceivesHeldAcrossPause', { driver: protocol.name, object, message: `the binding paused while the protocol held ${binding.receivesHeld} received NBL(s)` });
      }
      binding.sm.fire('PauseComplete');
    } else if (code === NetEventRestart) {
      binding.sm.fire(status === NDIS_STATUS_SUCCESS ? 'RestartComplete' : 'RestartFailed');
    }
    done(status);
  }

  /**
   * What seed 002 says of the status a protocol gave an event (returned, or to NdisCompleteNetPnPEvent).
   * NDIS_STATUS_NOT_SUPPORTED is always a finding here, never an unbind: the seed (and "Handling PnP
   * Events and Power Management Events in a Protocol Driver") let only an NDIS 5.x protocol return
   * it to NetEventSetPower to be unbound, and every protocol here is NDIS 6 (NdisRegisterProtocolDriver
   * refuses another MajorNdisVersion; NDIS 5's NdisRegisterProtocol is not in the API).
   */
  private checkStatus(protocol: DriverRecord, object: string, code: number, status: number): void {
    const eventName = NET_PNP_EVENT_NAMES[code] ?? `NetEvent ${code}`;
    if (status === NDIS_STATUS_NOT_SUPPORTED) {
      this.rt.verifier.report('PnPNotSupportedReturned', { driver: protocol.name, object, message: `${eventName} got NDIS_STATUS_NOT_SUPPORTED; an NDIS 6 protocol returns NDIS_STATUS_SUCCESS for events it does not handle (NDIS_STATUS_NOT_SUPPORTED is for NDIS 5 protocols: a \`default:\` case in ProtocolNetPnPEvent should return NDIS_STATUS_SUCCESS)` });
    } else if (status !== NDIS_STATUS_SUCCESS && PNP_EVENTS_THAT_MUST_SUCCEED.has(code)) {
      this.rt.verifier.report('PnPEventMustSucceed', { driver: protocol.name, object, message: `${eventName} must succeed; the driver returned ${statusName(status)}` });
    } else if (code === NetEventQueryRemoveDevice && status !== NDIS_STATUS_SUCCESS && status !== NDIS_STATUS_FAILURE) {
      this.rt.verifier.report('QueryRemoveVetoNotFailure', { driver: protocol.name, object, message: `NetEventQueryRemoveDevice was vetoed with ${statusName(status)}; a protocol that cannot release the device fails it with NDIS_STATUS_FAILURE` });
    }
  }

  /** Protocol-wide events NDIS gave with a NULL ProtocolBindingContext and that are pending (NdisCompleteNetPnPEvent with a NULL handle). */
  private readonly pendingForDriver = new Map<DriverRecord, { notification: NetPnPEventNotification; done: (status: number) => void; watchdog: number }>();

  /**
   * An event for the protocol as a whole, once, with a NULL ProtocolBindingContext: NetEventBindList,
   * NetEventBindsComplete (seed 002), and a NetEventReconfigure that is not about one binding.
   * NetEventBindList's Buffer is the protocol's bind list, the adapters' names as REG_MULTI_SZ
   * (UTF-16, each name ended by a NUL, the list by another).
   */
  toProtocol(protocol: DriverRecord, code: number, done: (status: number) => void = () => {}): void {
    const eventName = NET_PNP_EVENT_NAMES[code] ?? `NetEvent ${code}`;
    const object = `protocol ${protocol.name}`;
    const buffer = code === NetEventBindList ? multiSz(this.adapters.map((a) => `\\Device\\${a.name}`)) : null;
    const notification = netPnPEventNotification(code, buffer, buffer ? buffer.byteLength : 0);
    const status = this.rt.invoke(protocol, `ProtocolNetPnPEvent(${eventName})`, object, true, () => protocol.protocol!.NetPnPEventHandler!(null, notification));
    if (status === NDIS_STATUS_PENDING) {
      const watchdog = this.rt.watchdog(`${eventName} ${protocol.name}`, () => this.pendingForDriver.get(protocol)?.notification === notification, () =>
        this.rt.verifier.report('PnPPendingNeverCompleted', { driver: protocol.name, object, message: `ProtocolNetPnPEvent returned NDIS_STATUS_PENDING for ${eventName} and NdisCompleteNetPnPEvent had not been called ${limitText(this.rt.pendingLimitNs)} later` }));
      this.pendingForDriver.set(protocol, { notification, done, watchdog });
      return;
    }
    this.checkStatus(protocol, object, code, status);
    done(status);
  }

  /** NdisCompleteNetPnPEvent on behalf of a driver. */
  completePnp(driver: DriverRecord, bindingHandle: unknown, event: unknown, status: number): void {
    const forDriver = this.pendingForDriver.get(driver);
    if ((bindingHandle === null || bindingHandle === undefined) && forDriver && forDriver.notification === event) {
      this.pendingForDriver.delete(driver);
      this.rt.scheduler.cancel(forDriver.watchdog);
      const code = forDriver.notification.NetPnPEvent.NetEvent;
      this.rt.post(`finish ${NET_PNP_EVENT_NAMES[code]} ${driver.name}`, () => {
        this.checkStatus(driver, `protocol ${driver.name}`, code, status);
        forDriver.done(status);
      }, { channel: `protocol ${driver.name}` });
      return;
    }
    const binding = this.bindingForCompletion(bindingHandle, event, driver);
    const pending = binding?.pendingPnp;
    if (!binding || !pending || pending.notification !== event) {
      const eventName = isNetPnPEventNotification(event) ? NET_PNP_EVENT_NAMES[event.NetPnPEvent.NetEvent] ?? `NetEvent ${event.NetPnPEvent.NetEvent}` : 'an unknown event';
      this.rt.verifier.report('PnPCompleteWithoutPending', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: `NdisCompleteNetPnPEvent for ${eventName}, which is not pending${binding ? '' : ' on that binding'} (completed twice, or never pended)` });
      return;
    }
    binding.pendingPnp = undefined;
    this.rt.scheduler.cancel(pending.watchdog);
    const notification = pending.notification;
    // NDIS finishes the event after the call returns, as a separate step.
    this.rt.post(`finish ${NET_PNP_EVENT_NAMES[notification.NetPnPEvent.NetEvent]} ${binding.name}`, () => this.finishPnp(binding, notification, status, pending.done), { channel: `binding ${binding.name}` });
  }

  private bindingForCompletion(handle: unknown, event: unknown, driver: DriverRecord): Binding | undefined {
    const byHandle = this.rt.resolve<Binding>(handle, 'binding');
    if (byHandle) return byHandle;
    // BindList and BindsComplete come with a NULL binding: find the binding the event was given to.
    return this.bindings.find((b) => b.protocol === driver && b.pendingPnp?.notification === event);
  }

  /**
   * A PnP event a scenario (or a test) sends `protocol`: NULL-context events once to the protocol
   * (a NetEventReconfigure without an adapter too); events about an adapter
   * (PNP_EVENTS_THROUGH_FILTERS) up through the filter modules of `adapter`, or of each adapter the
   * protocol is bound to; the others (a NetEventReconfigure for one binding,
   * NetEventIMReEnableDevice) to the protocol's binding on `adapter`, or each of its bindings.
   */
  protocolEvent(protocol: DriverRecord, code: number, done: () => void = () => {}, adapterIndex?: number): void {
    this.rt.post(`${NET_PNP_EVENT_NAMES[code] ?? code} to ${protocol.name}`, () => {
      if (PNP_EVENTS_WITH_NULL_CONTEXT.has(code) || (code === NetEventReconfigure && adapterIndex === undefined)) return this.toProtocol(protocol, code, () => done());
      const bindings = this.bindings.filter((b) => b.protocol === protocol && b.state !== 'Unbound' && (adapterIndex === undefined || b.adapter === this.adapters[adapterIndex]));
      if (PNP_EVENTS_THROUGH_FILTERS.has(code)) {
        const adapters = adapterIndex !== undefined ? [this.adapters[adapterIndex]!] : [...new Set(bindings.map((b) => b.adapter))];
        return this.rt.sequence(adapters.map((a) => (next: () => void) => this.filters.pnpAbove(a, -1, code, undefined, () => next())), done);
      }
      this.rt.sequence(bindings.map((b) => (next: () => void) => this.pnpEvent(b, code, () => next())), done);
    }, { channel: 'pnp' });
  }

}

/** Names as a REG_MULTI_SZ: UTF-16 code units, each name ended by a NUL and the list by another. */
function multiSz(names: string[]): Uint16Array {
  const text = `${names.join('\0')}\0\0`;
  return Uint16Array.from(text, (c) => c.charCodeAt(0));
}
