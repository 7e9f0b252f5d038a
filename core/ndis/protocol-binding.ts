// Protocol bindings: NDIS binds a protocol to an adapter (ProtocolBindAdapterEx, in which the driver
// calls NdisOpenAdapterEx), and unbinds it (ProtocolUnbindAdapterEx, in which it calls
// NdisCloseAdapterEx); a driver may ask for an unbind itself (NdisUnbindAdapter). Seeds 000, 001
// and 003 give the rules checked here; the binding's states are states.ts PROTOCOL_BINDING.

import type { NdisEngine } from './engine.ts';
import { limitText } from './limits.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { PnpDelivery } from './pnp-delivery.ts';
import { Binding } from './binding.ts';
import type { BindingState } from './states.ts';
import type { DriverRecord } from './driver-record.ts';
import type { NdisHandle } from './handle.ts';
import { bindParameters } from './structures.ts';
import { checkOpenParameters } from './characteristics.ts';
import { describe } from './describe.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_INVALID_STATE, statusName } from './status.ts';
import { NetEventPause, NDIS_PAUSE_UNBIND_PROTOCOL } from './constants.ts';

export class ProtocolBindings {
  /**
   * `bindings`: every binding NDIS made, in the order it made them (Unbound ones stay, for the
   * record); the runtime's list, which PnP delivery reads too.
   */
  constructor(private readonly rt: NdisEngine, private readonly adapters: readonly MiniportAdapter[], readonly bindings: Binding[], private readonly pnp: PnpDelivery) {}

  /** What NDIS does once a binding is closed (protocol-oid-requests.ts restoreAfterClose: the miniport's filter and multicast list without it); set once, when the runtime is put together. */
  private afterClose: (binding: Binding) => void = () => {};

  connectCloses(afterClose: (binding: Binding) => void): void {
    this.afterClose = afterClose;
  }

  bindingsOf(adapter: MiniportAdapter, state?: BindingState): Binding[] {
    return this.bindings.filter((b) => b.adapter === adapter && (state === undefined || b.state === state));
  }

  /** NDIS calls ProtocolBindAdapterEx for a new binding; `done` gets the bind's final status. */
  bind(protocol: DriverRecord, adapter: MiniportAdapter, done: (status: number) => void): Binding {
    const binding = new Binding(`${protocol.name}/${adapter.name}`, protocol, adapter, this.rt.trace);
    this.bindings.push(binding);
    binding.bindContext = this.rt.newHandle('bindContext', binding.name, binding);
    binding.bindDone = done;
    binding.sm.fire('BindAdapter');
    // ProtocolSection names the protocol's registry key: the name it registered with.
    const registeredName = typeof protocol.protocol!.Name === 'string' ? protocol.protocol!.Name : protocol.name;
    const parameters = bindParameters(adapter.facts(), registeredName, protocol.minorNdisVersion ?? 0);
    const handler = protocol.protocol!.BindAdapterHandlerEx!;
    const status = this.rt.invoke(protocol, 'ProtocolBindAdapterEx', `binding ${binding.name}`, true, () => handler(protocol.driverContext, binding.bindContext!, parameters));
    if (status === NDIS_STATUS_PENDING) {
      binding.bindWatchdog = this.rt.watchdog(`bind ${binding.name}`, () => binding.state === 'Opening' && binding.bindDone !== undefined, () =>
        this.rt.verifier.report('BindPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolBindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteBindAdapterEx had not been called ${limitText(this.rt.pendingLimitNs)} later` }));
    } else {
      if (binding.bindCompleteCalled) this.rt.report('BindCompleteWithoutPending', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolBindAdapterEx called NdisCompleteBindAdapterEx and then returned ${statusName(status)}: a bind completed with NdisCompleteBindAdapterEx is one the handler returned NDIS_STATUS_PENDING for` });
      this.completeBind(binding, status);
    }
    return binding;
  }

  /** The bind finished (returned or NdisCompleteBindAdapterEx): Paused if it opened, else Unbound. */
  completeBind(binding: Binding, status: number): void {
    const done = binding.bindDone;
    binding.bindDone = undefined;
    this.rt.scheduler.cancel(binding.bindWatchdog);
    if (binding.openPending) {
      this.rt.report('OpenPendingNotAwaited', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: `the bind completed (${statusName(status)}) while NdisOpenAdapterEx was still pending: when it returns NDIS_STATUS_PENDING, wait for ProtocolOpenAdapterCompleteEx (return NDIS_STATUS_PENDING from ProtocolBindAdapterEx and call NdisCompleteBindAdapterEx from it, or wait on an event it sets)` });
    }
    if (binding.closePending && status !== NDIS_STATUS_SUCCESS) {
      this.rt.report('FailedBindLeftAdapterOpen', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: `the bind failed (${statusName(status)}) while the NdisCloseAdapterEx it made was still pending: wait for ProtocolCloseAdapterCompleteEx before failing the bind` });
    }
    if (status === NDIS_STATUS_SUCCESS && binding.opened && !binding.closed) {
      binding.sm.fire('OpenComplete');
    } else {
      if (status === NDIS_STATUS_SUCCESS) {
        this.rt.trace.record('note', { object: `binding ${binding.name}`, text: 'the bind succeeded without an open adapter: treated as a failed bind' });
      } else if (binding.opened && !binding.closed) {
        // Seed 003: a bind that fails after NdisOpenAdapterEx closes the adapter before it completes.
        this.rt.report('FailedBindLeftAdapterOpen', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: `the bind failed (${statusName(status)}) with the adapter still open: call NdisCloseAdapterEx before returning the failure or completing the bind with it` });
      }
      binding.sm.fire('OpenFailed');
      binding.handle = undefined;
    }
    done?.(status);
  }

  /** NDIS unbinds a Paused binding: ProtocolUnbindAdapterEx, which must close the adapter. */
  unbind(binding: Binding, done: () => void): void {
    const protocol = binding.protocol;
    binding.sm.fire('UnbindAdapter');
    binding.unbindContext = this.rt.newHandle('unbindContext', binding.name, binding);
    binding.unbindDone = done;
    const status = this.rt.invoke(protocol, 'ProtocolUnbindAdapterEx', `binding ${binding.name}`, true, () => protocol.protocol!.UnbindAdapterHandlerEx!(binding.unbindContext!, binding.context));
    if (status !== NDIS_STATUS_PENDING && status !== NDIS_STATUS_SUCCESS) {
      this.rt.report('UnbindFailed', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolUnbindAdapterEx returned ${statusName(status)}; an unbind cannot fail: close the adapter and return NDIS_STATUS_SUCCESS, or return NDIS_STATUS_PENDING and complete it later` });
    }
    if (status === NDIS_STATUS_PENDING) {
      binding.unbindWatchdog = this.rt.watchdog(`unbind ${binding.name}`, () => binding.unbindDone !== undefined, () =>
        this.rt.verifier.report('UnbindPendingNeverCompleted', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolUnbindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteUnbindAdapterEx had not been called ${limitText(this.rt.pendingLimitNs)} later` }));
      return;
    }
    if (binding.unbindCompleteCalled) this.rt.report('UnbindCompleteWithoutPending', { driver: protocol.name, object: `binding ${binding.name}`, message: `ProtocolUnbindAdapterEx called NdisCompleteUnbindAdapterEx and then returned ${statusName(status)}: an unbind completed with NdisCompleteUnbindAdapterEx is one the handler returned NDIS_STATUS_PENDING for` });
    this.completeUnbind(binding);
  }

  completeUnbind(binding: Binding): void {
    const done = binding.unbindDone;
    binding.unbindDone = undefined;
    this.rt.scheduler.cancel(binding.unbindWatchdog);
    if (!binding.closed) {
      this.rt.verifier.report('UnbindCompletedWithoutClose', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: 'the unbind completed but NdisCloseAdapterEx was never called for the binding' });
    } else if (binding.closePending) {
      this.rt.verifier.report('UnbindCompletedWithoutClose', { driver: binding.protocol.name, object: `binding ${binding.name}`, message: 'the unbind completed while the close was still pending: NdisCloseAdapterEx returned NDIS_STATUS_PENDING, so wait for ProtocolCloseAdapterCompleteEx' });
    }
    binding.sm.fire('UnbindComplete');
    done?.();
  }

  /** Pauses the binding if it runs, then unbinds it (what NDIS does to remove a binding). */
  removeBinding(binding: Binding, done: () => void = () => {}): void {
    this.rt.post(`remove ${binding.name}`, () => this.removeNow(binding, done), { channel: 'pnp' });
  }

  removeNow(binding: Binding, done: () => void): void {
    const unbind = () => this.unbind(binding, done);
    if (binding.state === 'Running') this.pnp.pnpEvent(binding, NetEventPause, () => this.rt.post(`unbind ${binding.name}`, unbind, { channel: 'pnp' }), NDIS_PAUSE_UNBIND_PROTOCOL);
    else if (binding.state === 'Paused') unbind();
    // In the middle of a pause or restart (or the bind): NDIS unbinds once that is done.
    else if (binding.sm.is('Pausing', 'Restarting', 'Opening')) this.rt.post(`unbind ${binding.name} after ${binding.state}`, () => this.removeNow(binding, done), { channel: `binding ${binding.name}`, delayNs: 1_000_000 });
    else this.rt.trace.record('note', { object: `binding ${binding.name}`, text: `not removed: the binding is ${binding.state}` });
  }

  /** Looks a binding handle up for a driver call, reporting stale handles. */
  bindingFor(driver: DriverRecord, handle: unknown, call: string, allowClosing = false): Binding | undefined {
    const binding = this.rt.resolve<Binding>(handle, 'binding');
    if (!binding) {
      this.rt.report('InvalidHandle', { driver: driver.name, message: `${call} expects an NdisBindingHandle from NdisOpenAdapterEx; it got ${describe(handle)}` });
      return undefined;
    }
    if (binding.protocol !== driver) {
      this.rt.report('InvalidHandle', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} with the binding handle of ${binding.name}, which belongs to ${binding.protocol.name}` });
      return undefined;
    }
    // Seed 001: after NdisUnbindAdapter returns, the handle must be taken as invalid, whether or
    // not the unbind has run yet; only ProtocolUnbindAdapterEx may still close it.
    if (binding.unbindRequested && !(allowClosing && binding.state === 'Closing' && !binding.closed)) {
      this.rt.verifier.report('HandleUsedAfterUnbindAdapter', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} used the binding handle after NdisUnbindAdapter returned` });
      return undefined;
    }
    if (binding.openPending && call !== 'NdisCloseAdapterEx') {
      this.rt.report('OpenPendingNotAwaited', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} with the binding handle while NdisOpenAdapterEx is still pending: the binding is not open until ProtocolOpenAdapterCompleteEx reports NDIS_STATUS_SUCCESS` });
    }
    if (binding.closed) {
      this.rt.verifier.report('HandleUsedAfterClose', { driver: driver.name, object: `binding ${binding.name}`, message: `${call} used the binding handle after NdisCloseAdapterEx` });
      return undefined;
    }
    return binding;
  }

  /** NdisOpenAdapterEx. */
  openAdapter(driver: DriverRecord, protocolHandle: unknown, bindingContext: unknown, openParameters: unknown, bindContext: unknown): { Status: number; NdisBindingHandle: NdisHandle | null; SelectedMediumIndex: number } {
    const refused = (status: number) => ({ Status: status, NdisBindingHandle: null, SelectedMediumIndex: 0 });
    if (this.rt.resolve<DriverRecord>(protocolHandle, 'protocol') !== driver) return refused(NDIS_STATUS_INVALID_PARAMETER);
    const binding = this.rt.resolve<Binding>(bindContext, 'bindContext');
    if (!binding || binding.protocol !== driver || binding.state !== 'Opening' || binding.bindDone === undefined || binding.opened) {
      this.rt.verifier.report('OpenOutsideBind', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: binding ? `NdisOpenAdapterEx for ${binding.name}, whose bind is not in progress (state ${binding.state})` : `NdisOpenAdapterEx with ${describe(bindContext)}, which is not the BindContext of a bind in progress` });
      return refused(NDIS_STATUS_INVALID_STATE);
    }
    const open = checkOpenParameters(openParameters, binding.adapter.name);
    if (typeof open === 'object') {
      this.rt.trace.record('refused', { driver: driver.name, call: 'NdisOpenAdapterEx', why: open.why });
      return refused(open.status);
    }
    binding.context = bindingContext;
    binding.opened = true;
    binding.handle = this.rt.newHandle('binding', binding.name, binding);
    binding.sourceId = binding.handle.id;
    // NdisOpenAdapterEx: it may return NDIS_STATUS_PENDING, the handle written, and NDIS completes
    // the open later through ProtocolOpenAdapterCompleteEx (PASSIVE_LEVEL), as the seed decides.
    if (this.rt.decide('open-completion') === 1) {
      binding.openPending = true;
      const openComplete = driver.protocol!.OpenAdapterCompleteHandlerEx!;
      this.rt.post(`open complete ${binding.name}`, () => {
        binding.openPending = false;
        this.rt.invoke(driver, 'ProtocolOpenAdapterCompleteEx', `binding ${binding.name}`, false, () => openComplete(binding.context, NDIS_STATUS_SUCCESS));
      }, { channel: `binding ${binding.name}` });
      return { Status: NDIS_STATUS_PENDING, NdisBindingHandle: binding.handle, SelectedMediumIndex: open };
    }
    return { Status: NDIS_STATUS_SUCCESS, NdisBindingHandle: binding.handle, SelectedMediumIndex: open };
  }

  /** NdisCloseAdapterEx. */
  closeAdapter(driver: DriverRecord, handle: unknown): number {
    const binding = this.bindingFor(driver, handle, 'NdisCloseAdapterEx', true);
    if (!binding) return NDIS_STATUS_INVALID_PARAMETER;
    const object = `binding ${binding.name}`;
    if (!binding.sm.is('Opening', 'Closing')) {
      this.rt.verifier.report('CloseOutsideBindOrUnbind', { driver: driver.name, object, message: `NdisCloseAdapterEx while the binding is ${binding.state}; outside ProtocolBindAdapterEx and ProtocolUnbindAdapterEx, call NdisUnbindAdapter` });
    }
    if (binding.sendsOutstanding > 0) {
      this.rt.verifier.report('CloseWithSendsOutstanding', { driver: driver.name, object, message: `NdisCloseAdapterEx with ${binding.sendsOutstanding} send(s) not yet completed` });
    }
    if (binding.oidsOutstanding > 0) {
      this.rt.verifier.report('CloseWithOidsOutstanding', { driver: driver.name, object, message: `NdisCloseAdapterEx with ${binding.oidsOutstanding} OID request(s) not yet completed` });
    }
    binding.closed = true;
    binding.handle = undefined;
    // Seed 001: NDIS may finish a close later and call ProtocolCloseAdapterCompleteEx (PASSIVE_LEVEL),
    // in an unbind or in a bind that fails after its open; the seed decides.
    const closeComplete = driver.protocol?.CloseAdapterCompleteHandlerEx;
    const pends = closeComplete !== undefined && binding.sm.is('Closing', 'Opening') && this.rt.decide('close-completion') === 1;
    this.afterClose(binding);
    if (pends && closeComplete) {
      binding.closePending = true;
      this.rt.post(`close complete ${binding.name}`, () => {
        binding.closePending = false;
        this.rt.invoke(driver, 'ProtocolCloseAdapterCompleteEx', object, false, () => closeComplete(binding.context));
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
    if (this.rt.decide('unbind-work-item') === 0) {
      this.rt.trace.record('note', { object: `binding ${binding.name}`, text: 'the unbind work item runs before NdisUnbindAdapter returns' });
      work();
    } else {
      this.rt.post(`unbind work item ${binding.name}`, work, { channel: 'pnp' });
    }
    binding.unbindRequested = true;
    return NDIS_STATUS_SUCCESS;
  }

  /** NdisCompleteBindAdapterEx. */
  completeBindFromDriver(driver: DriverRecord, bindContext: unknown, status: number): void {
    const binding = this.rt.resolve<Binding>(bindContext, 'bindContext');
    if (!binding || binding.protocol !== driver || binding.bindDone === undefined || binding.bindCompleteCalled) {
      this.rt.report('BindCompleteWithoutPending', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: `NdisCompleteBindAdapterEx with ${describe(bindContext)}, and no bind of this driver is pending with it (completed twice, or ProtocolBindAdapterEx did not return NDIS_STATUS_PENDING)` });
      return;
    }
    binding.bindCompleteCalled = true;
    this.rt.scheduler.cancel(binding.bindWatchdog);
    // NDIS finishes the bind after the call returns; a bind finished meanwhile (the handler then returned a final status: reported in bind) is not finished twice.
    this.rt.post(`complete bind ${binding.name}`, () => {
      if (binding.bindDone !== undefined) this.completeBind(binding, status);
    }, { channel: `binding ${binding.name}` });
  }

  /** NdisCompleteUnbindAdapterEx. */
  completeUnbindFromDriver(driver: DriverRecord, unbindContext: unknown): void {
    const binding = this.rt.resolve<Binding>(unbindContext, 'unbindContext');
    if (!binding || binding.protocol !== driver || binding.unbindDone === undefined || binding.unbindCompleteCalled) {
      this.rt.report('UnbindCompleteWithoutPending', { driver: driver.name, ...(binding ? { object: `binding ${binding.name}` } : {}), message: `NdisCompleteUnbindAdapterEx with ${describe(unbindContext)}, and no unbind of this driver is pending with it (completed twice, or ProtocolUnbindAdapterEx did not return NDIS_STATUS_PENDING)` });
      return;
    }
    this.rt.scheduler.cancel(binding.unbindWatchdog);
    binding.unbindCompleteCalled = true;
    this.rt.post(`complete unbind ${binding.name}`, () => {
      if (binding.unbindDone !== undefined) this.completeUnbind(binding);
    }, { channel: `binding ${binding.name}` });
  }

  /** The binding of `protocol` to adapter `index`, if any. */
  binding(protocol: string, adapter = 0): Binding | undefined {
    return this.bindings.find((b) => b.protocol.name === protocol && b.adapter === this.adapters[adapter]);
  }
}
