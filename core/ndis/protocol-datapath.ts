// The protocols' datapath: NdisSendNetBufferLists down to the top filter module (or the miniport),
// sends completed back to the binding that sent them (ProtocolSendNetBufferListsComplete), receives
// indicated to each Running binding (ProtocolReceiveNetBufferLists) and given back with
// NdisReturnNetBufferLists, and status indications (ProtocolStatusEx). The protocols' side of
// filter.ts's ProtocolEdge.

import type { NdisEngine } from './engine.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { FilterStacks, ProtocolEdge } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { Binding } from './binding.ts';
import { NDIS_OWNER, type DriverRecord, type StatusIndication } from './driver-record.ts';
import { NBL_NEXT, NBL_SOURCE } from '../memory/nbl-pool.ts';
import { statusName } from './status.ts';
import { limitText } from './limits.ts';
import { NDIS_RECEIVE_FLAGS_RESOURCES } from './constants.ts';

export class ProtocolDatapath implements Omit<ProtocolEdge, 'pnpToProtocols'> {
  /** Per NBL: which send it is on (so a watchdog knows if the NBL it watches is still that send). */
  private readonly sendGeneration: Uint32Array;
  private sendCount = 0;
  private readonly bindings: readonly Binding[];

  constructor(private readonly rt: NdisEngine, private readonly protocols: ProtocolBindings, private readonly filters: FilterStacks) {
    this.bindings = protocols.bindings;
    this.sendGeneration = new Uint32Array(rt.pool.layout.nblCount);
    this.rxRefs = new Int32Array(rt.pool.layout.nblCount);
  }

  /** NdisSendNetBufferLists. */
  sendFromProtocol(driver: DriverRecord, handle: unknown, head: unknown, _port: number, _flags: number): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisSendNetBufferLists');
    if (!binding) return;
    const object = `binding ${binding.name}`;
    if (binding.state !== 'Running') {
      this.rt.verifier.report('ProtocolSendWhileNotRunning', { driver: driver.name, object, message: `NdisSendNetBufferLists while the binding is ${binding.state}` });
      return;
    }
    const nbls = this.rt.takeChain(driver, head, 'NdisSendNetBufferLists', object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (this.rt.pool.ownerOf(nbl) !== driver.owner) {
        this.rt.verifier.report('NblNotOwned', { driver: driver.name, object, message: `NdisSendNetBufferLists with NBL ${nbl}, which ${this.rt.ownerText(nbl)}` });
        return;
      }
    }
    for (const nbl of nbls) {
      this.rt.pool.transfer(nbl, driver.owner, NDIS_OWNER);
      this.rt.pool.setNblField(nbl, NBL_SOURCE, binding.handle!.id);
    }
    binding.sendsOutstanding += nbls.length;
    this.rt.trace.record('send', { object, nbls: nbls.length });
    this.watchSends(binding, nbls);
    this.filters.sendBelow(binding.adapter, this.filters.modules(binding.adapter).length, nbls);
  }

  /**
   * Driver Verifier's NdisTimedDataSend: a send still outstanding after sendLimitNs (30 s). The
   * protocol cannot be holding it: a filter module that still has it is reported by that module's
   * own watchdog (filter.ts, SendNotCompletedInTime); one still in the miniport is NDIS's (the
   * cable is out, say), and the trace says so.
   */
  private watchSends(binding: Binding, nbls: number[]): void {
    const generation = ++this.sendCount;
    for (const nbl of nbls) this.sendGeneration[nbl] = generation;
    this.rt.scheduler.post(`send watchdog ${binding.name}`, () => {
      if (this.rt.verifier.stopped) return;
      const late = nbls.filter((nbl) => this.sendGeneration[nbl] === generation);
      const inModules = late.filter((nbl) => this.filters.all().some((m) => m.heldSends.has(nbl))).length;
      if (late.length > inModules) {
        this.rt.trace.record('note', { object: `binding ${binding.name}`, text: `${late.length - inModules} of ${nbls.length} NBL(s) sent are still in the miniport ${limitText(this.rt.sendLimitNs)} later (NdisTimedDataSend's limit)` });
      }
    }, { delayNs: this.rt.sendLimitNs, channel: 'send watchdogs' });
  }

  /** Completed sends that reached the top of the stack: back to the protocols that sent them. */
  completeToProtocols(nbls: number[]): void {
    const byBinding = new Map<Binding, number[]>();
    for (const nbl of nbls) {
      const source = this.rt.pool.nblField(nbl, NBL_SOURCE);
      const binding = this.bindings.find((b) => b.sourceId === source);
      if (!binding) continue;
      const list = byBinding.get(binding) ?? [];
      list.push(nbl);
      byBinding.set(binding, list);
    }
    for (const [binding, list] of byBinding) {
      this.rt.post(`send complete ${binding.name}`, () => {
        for (let i = 0; i < list.length; i++) {
          this.sendGeneration[list[i]!] = 0; // completed: no longer watched
          this.rt.pool.transfer(list[i]!, NDIS_OWNER, binding.protocol.owner);
          this.rt.pool.setNblField(list[i]!, NBL_NEXT, i + 1 < list.length ? list[i + 1]! + 1 : 0);
        }
        binding.sendsOutstanding -= list.length;
        const handler = binding.protocol.protocol!.SendNetBufferListsCompleteHandler;
        if (handler) this.rt.invoke(binding.protocol, 'ProtocolSendNetBufferListsComplete', `binding ${binding.name}`, false, () => handler(binding.context, this.rt.views.nbl(list[0]!), this.rt.irql.withDispatchFlag(0)));
      }, { channel: `binding ${binding.name}` });
    }
  }

  /**
   * Receives that reached the top of the stack, indicated to every Running or Pausing binding over the
   * adapter. Without RESOURCES each binding holds them until it returns them; with RESOURCES they
   * are back in the indicating layer's hands when the handlers return, and never come back down.
   */
  indicateToProtocols(adapter: MiniportAdapter, nbls: number[], flags: number): void {
    const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
    // A Pausing binding still gets receives: NDIS pauses top-down, so the layers below go on
    // indicating until they pause ("Pausing a driver stack"); the protocol handles them as usual.
    const targets = this.bindings.filter((b) => b.adapter === adapter && b.sm.is('Running', 'Pausing') && b.protocol.protocol?.ReceiveNetBufferListsHandler);
    for (const nbl of nbls) this.rxRefs[nbl] = resources ? 0 : targets.length;
    if (targets.length === 0) {
      if (!resources) this.filters.returnBelow(adapter, this.filters.modules(adapter).length, nbls);
      return;
    }
    this.rt.trace.record('receive', { adapter: adapter.name, nbls: nbls.length, flags, to: targets.map((b) => b.name) });
    for (const binding of targets) {
      if (resources) binding.lentWithResources.clear();
      for (const nbl of nbls) (resources ? binding.lentWithResources : binding.held).add(nbl);
      const handler = binding.protocol.protocol!.ReceiveNetBufferListsHandler!;
      this.rt.invoke(binding.protocol, 'ProtocolReceiveNetBufferLists', `binding ${binding.name}`, false, () => handler(binding.context, this.rt.views.nbl(nbls[0]!), 0, nbls.length, this.rt.irql.withDispatchFlag(flags)));
    }
  }

  /** Per NBL: bindings that still have to give a receive back. */
  private readonly rxRefs: Int32Array;

  private dropReceiveRef(adapter: MiniportAdapter, nbl: number): void {
    if (--this.rxRefs[nbl]! === 0) this.filters.returnBelow(adapter, this.filters.modules(adapter).length, [nbl]);
  }

  /** NdisReturnNetBufferLists. */
  returnFromProtocol(driver: DriverRecord, handle: unknown, head: unknown, _flags: number): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisReturnNetBufferLists');
    if (!binding) return;
    const object = `binding ${binding.name}`;
    const nbls = this.rt.takeChain(driver, head, 'NdisReturnNetBufferLists', object);
    if (!nbls) return;
    for (const nbl of nbls) {
      if (!binding.held.has(nbl)) {
        if (binding.lentWithResources.has(nbl)) {
          this.rt.verifier.report('ReturnedResourcesNbl', { driver: driver.name, object, message: `NdisReturnNetBufferLists with NBL ${nbl}, indicated with NDIS_RECEIVE_FLAGS_RESOURCES: it went back when ProtocolReceiveNetBufferLists returned` });
        } else {
          this.rt.verifier.report('NblNotOwned', { driver: driver.name, object, message: `NdisReturnNetBufferLists with NBL ${nbl}, which the binding does not hold (returned twice, or never indicated to it)` });
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
   * A status indication from the miniport (NDIS_STATUS_LINK_STATE...), up through the filter
   * modules that have a FilterStatus handler to every bound protocol's ProtocolStatusEx.
   */
  indicateStatusToProtocols(adapter: MiniportAdapter, indication: StatusIndication): void {
    this.rt.trace.record('status', { adapter: adapter.name, status: statusName(indication.StatusCode) });
    for (const binding of this.bindings.filter((b) => b.adapter === adapter && !b.sm.is('Unbound', 'Opening', 'Closing'))) {
      const handler = binding.protocol.protocol?.StatusHandlerEx;
      if (handler) this.rt.invoke(binding.protocol, 'ProtocolStatusEx', `binding ${binding.name}`, false, () => handler(binding.context, indication));
    }
  }
}
