// The protocols' datapath: NdisSendNetBufferLists down to the top filter module (or the miniport),
// sends completed back to the binding that sent them (ProtocolSendNetBufferListsComplete), receives
// indicated to each Running binding whose own packet filter accepts them
// (ProtocolReceiveNetBufferLists) and given back with NdisReturnNetBufferLists, NDIS's loopback of
// sends (NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK, NDIS_PACKET_TYPE_ALL_LOCAL), and status indications
// (ProtocolStatusEx). The protocols' side of filter.ts's ProtocolEdge.

import type { NdisEngine } from './engine.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { FilterStacks, ProtocolEdge } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { Binding } from './binding.ts';
import { NDIS_OWNER, type DriverRecord, type StatusIndication } from './driver-record.ts';
import { NBL_NEXT, NBL_SOURCE, NBL_FIRST_NB, NBL_NBL_FLAGS, NB_NEXT, NB_DATA_LENGTH } from '../memory/nbl-pool.ts';
import { statusName } from './status.ts';
import { limitText } from './limits.ts';
import { NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, NdisDeviceStateD0 } from './constants.ts';
import { acceptingTypes, destinationKey, takesLocalSends, copyNetBufferData, filterTakes, NO_MULTICAST_LIST } from './packet-filter.ts';

/** loopbackKind: not an NBL NDIS made for a loopback; one for the other bindings only; one the sender takes too. */
const NOT_LOOPBACK = 0;
const LOOPBACK_TO_OTHERS = 1;
const LOOPBACK_TO_SENDER_TOO = 2;

export class ProtocolDatapath implements Omit<ProtocolEdge, 'pnpToProtocols'> {
  /** Per NBL: which send it is on (so a watchdog knows if the NBL it watches is still that send). */
  private readonly sendGeneration: Uint32Array;
  private sendCount = 0;
  private readonly bindings: readonly Binding[];

  constructor(private readonly rt: NdisEngine, private readonly protocols: ProtocolBindings, private readonly filters: FilterStacks) {
    this.bindings = protocols.bindings;
    const count = rt.pool.layout.nblCount;
    this.sendGeneration = new Uint32Array(count);
    this.rxRefs = new Int32Array(count);
    this.accepts = new Int32Array(count);
    this.destination = new Float64Array(count);
    this.takenBy = new Int32Array(count);
    this.subset = new Int32Array(count);
    this.loopbackKind = new Uint8Array(count);
    this.loopbackSource = new Int32Array(count);
  }

  /**
   * Per NBL being indicated: the NDIS_PACKET_TYPE_* bits that accept it without a multicast list
   * (packet-filter.ts acceptingTypes), and its destination address (a key, -1 for none): each
   * binding's own list decides NDIS_PACKET_TYPE_MULTICAST (filterTakes).
   */
  private readonly accepts: Int32Array;
  private readonly destination: Float64Array;
  /** Per NBL being indicated: bit t set if the indication's t-th target binding takes it. */
  private readonly takenBy: Int32Array;
  /** The NBLs of one indication that one binding takes, in order (scratch: no allocation per frame). */
  private readonly subset: Int32Array;
  /** Per NBL: whether NDIS made it for a loopback, and for whom (NOT_LOOPBACK...). */
  private readonly loopbackKind: Uint8Array;
  /** Per loopback NBL: the SourceHandle id of the send it was copied from (the sender's). */
  private readonly loopbackSource: Int32Array;

  /**
   * NdisSendNetBufferLists: the NBLs go down the binding's filter stack with PortNumber and
   * SendFlags (NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK is acted on where they reach the miniport: loopBack).
   */
  sendFromProtocol(driver: DriverRecord, handle: unknown, head: unknown, port: number, flags: number): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisSendNetBufferLists');
    if (!binding) return;
    const object = `binding ${binding.name}`;
    if (binding.state !== 'Running') {
      this.rt.verifier.report('ProtocolSendWhileNotRunning', { driver: driver.name, object, message: `NdisSendNetBufferLists while the binding is ${binding.state}` });
      return;
    }
    const nbls = this.rt.takeChain(driver, head, 'NdisSendNetBufferLists', object);
    if (!nbls) return;
    const source = binding.handle!.id;
    for (const nbl of nbls) {
      if (this.rt.pool.ownerOf(nbl) !== driver.owner) {
        this.rt.verifier.report('NblNotOwned', { driver: driver.name, object, message: `NdisSendNetBufferLists with NBL ${nbl}, which ${this.rt.ownerText(nbl)}` });
        return;
      }
      // The protocol sets SourceHandle (NdisSendNetBufferLists Remarks); NDIS returns the NBL by it.
      const set = this.rt.pool.nblField(nbl, NBL_SOURCE);
      if (set !== source) {
        this.rt.verifier.report('SendSourceHandleWrong', { driver: driver.name, object, message: `NdisSendNetBufferLists with NBL ${nbl} whose SourceHandle is ${this.rt.sourceHandleText(set)}: set each NBL's SourceHandle to the NdisBindingHandle you send on (${binding.handle}) before the call, as NdisSendNetBufferLists's Remarks require; NDIS returns the NBL to whoever SourceHandle names` });
        return;
      }
    }
    for (const nbl of nbls) {
      this.rt.pool.transfer(nbl, driver.owner, NDIS_OWNER);
      this.filters.originated(nbl, source);
    }
    binding.sendsOutstanding += nbls.length;
    this.rt.trace.record('send', { object, nbls: nbls.length });
    this.watchSends(binding, nbls);
    this.filters.sendBelow(binding.adapter, this.filters.modules(binding.adapter).length, nbls, port >>> 0, flags >>> 0);
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
    const outstanding = (nbl: number) => this.sendGeneration[nbl] === generation;
    this.rt.scheduler.post(`send watchdog ${binding.name}`, () => {
      if (this.rt.verifier.stopped) return;
      const late = nbls.filter(outstanding);
      const inModules = late.filter((nbl) => this.filters.all().some((m) => m.heldSends.has(nbl))).length;
      if (late.length > inModules) {
        this.rt.trace.record('note', { object: `binding ${binding.name}`, text: `${late.length - inModules} of ${nbls.length} NBL(s) sent are still in the miniport ${limitText(this.rt.sendLimitNs)} later (NdisTimedDataSend's limit)` });
      }
    }, { delayNs: this.rt.sendLimitNs, channel: 'send watchdogs', stillPending: () => !this.rt.verifier.stopped && nbls.some(outstanding) });
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
   * Receives that reached the top of the stack, indicated to every Running or Pausing binding over
   * the adapter whose own packet filter (and, for NDIS_PACKET_TYPE_MULTICAST, own multicast list)
   * accepts them (NDIS keeps a filter and a list per binding and gives the miniport their OR and
   * union, so a frame one binding's filter let in is not another's): each binding gets
   * the NBLs it takes, chained in order. An NBL no binding takes goes back down at once. Without
   * RESOURCES each binding holds its NBLs until it returns them; with RESOURCES they are back in
   * the indicating layer's hands when the handlers return, and never come back down.
   */
  indicateToProtocols(adapter: MiniportAdapter, nbls: number[], flags: number): void {
    const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
    const pool = this.rt.pool;
    const bytes = this.rt.machine.bytes;
    // A Pausing binding still gets receives: NDIS pauses top-down, so the layers below go on
    // indicating until they pause ("Pausing a driver stack"); the protocol handles them as usual.
    const targets = this.bindings.filter((b) => b.adapter === adapter && b.sm.is('Running', 'Pausing') && b.protocol.protocol?.ReceiveNetBufferListsHandler);
    if (targets.length > 31) throw new Error(`${targets.length} bindings to ${adapter.name}: the runtime indicates to at most 31 on one adapter`);
    // Who takes what is decided for the whole indication before any handler runs: a handler may
    // return NBLs (the last return of a loopback frees it) or set its filter meanwhile. Bit t of
    // takenBy[nbl] is targets[t]; every count is made before the first binding has had them.
    let unwanted = 0;
    let anyTaker = 0;
    for (const nbl of nbls) {
      const destination = destinationKey(pool, bytes, pool.nblField(nbl, NBL_FIRST_NB) - 1);
      this.destination[nbl] = destination;
      this.accepts[nbl] = acceptingTypes(adapter.addressKey, NO_MULTICAST_LIST, destination);
      let takers = 0;
      let refs = 0;
      for (let t = 0; t < targets.length; t++) {
        if (this.takes(targets[t]!, nbl)) {
          takers |= 1 << t;
          refs++;
        }
      }
      this.takenBy[nbl] = takers;
      anyTaker |= takers;
      this.rxRefs[nbl] = resources ? 0 : refs;
      if (refs === 0) unwanted++;
    }
    if (unwanted > 0 && !resources) this.filters.returnBelow(adapter, this.filters.modules(adapter).length, unwanted === nbls.length ? nbls : nbls.filter((nbl) => this.takenBy[nbl] === 0));
    if (unwanted === nbls.length) return;
    this.rt.trace.record('receive', { adapter: adapter.name, nbls: nbls.length, flags, to: targets.filter((_, t) => anyTaker & (1 << t)).map((b) => b.name) });
    for (let t = 0; t < targets.length; t++) {
      if ((anyTaker & (1 << t)) === 0) continue;
      const binding = targets[t]!;
      let n = 0;
      for (const nbl of nbls) if (this.takenBy[nbl]! & (1 << t)) this.subset[n++] = nbl;
      // Chained for this binding: NDIS splits an indication by binding, and a binding before it
      // may have relinked the NBLs it was given.
      for (let i = 0; i < n; i++) pool.setNblField(this.subset[i]!, NBL_NEXT, i + 1 < n ? this.subset[i + 1]! + 1 : 0);
      if (resources) binding.lentWithResources.clear();
      const into = resources ? binding.lentWithResources : binding.held;
      for (let i = 0; i < n; i++) into.add(this.subset[i]!);
      const head = this.subset[0]!;
      const handler = binding.protocol.protocol!.ReceiveNetBufferListsHandler!;
      this.rt.invoke(binding.protocol, 'ProtocolReceiveNetBufferLists', `binding ${binding.name}`, false, () => handler(binding.context, this.rt.views.nbl(head), 0, n, this.rt.irql.withDispatchFlag(flags)));
    }
  }

  /**
   * Whether `binding` takes NBL `nbl` of the indication under way. A received frame: if its filter
   * has one of the bits that accept it, or MULTICAST for a group in its own list (filterTakes). A
   * loopback: the sender only if it asked (NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK) and its filter and
   * list accept the frame ("NDIS identifies all the NET_BUFFER structures that contain data that
   * matches the receive criteria for the binding"); any other binding only if its filter takes
   * local sends (ALL_LOCAL, or PROMISCUOUS without NO_LOCAL: "Looping Back NDIS Packets"), whatever
   * the frame's destination.
   */
  private takes(binding: Binding, nbl: number): boolean {
    const kind = this.loopbackKind[nbl]!;
    if (kind === NOT_LOOPBACK || binding.sourceId === this.loopbackSource[nbl]) {
      if (kind === LOOPBACK_TO_OTHERS) return false;
      return filterTakes(binding.packetFilter, binding.multicastKeys, this.accepts[nbl]!, this.destination[nbl]!);
    }
    return takesLocalSends(binding.packetFilter);
  }

  /**
   * NDIS's loopback of sends about to reach `adapter`'s miniport, `flags` their SendFlags. Each
   * frame (NET_BUFFER) someone takes is copied into an NBL of NDIS's own, marked
   * NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET with the send's SourceHandle, and indicated up from the
   * miniport's edge (through the filter modules) as a task of the adapter's, at DISPATCH_LEVEL and
   * without RESOURCES, like a receive; the send itself goes on to the wire. Who takes it is
   * `takes`. The docs do not say when the indication comes: here after the send call returned and
   * before its completion (the copy is made now, so the sender may free its NBL as soon as the
   * send completes). A send the miniport will not carry out (not Running, in a low-power state,
   * removed) loops nothing back. With no binding that could take a loopback and no
   * NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK this is one pass over the bindings: nothing is allocated.
   *
   * A filter module's own send (its SourceHandle is the module's NdisFilterHandle) loops back as
   * NdisFSendNetBufferLists says of the flag: "By default, NDIS does not loop back data to the
   * driver that submitted the send request. An overlying driver can override this behavior by
   * setting this flag. When this flag is set, NDIS identifies all the NET_BUFFER structures that
   * contain data that matches the receive criteria for the binding. NDIS indicates NET_BUFFER
   * structures that match the criteria to the overlying driver. This flag has no affect on ...
   * looping back, on other bindings." The docs do not say what a module's receive criteria are, or
   * where its loopback comes in; here they are what the miniport takes (the adapter's packet filter,
   * the bindings' OR, and its multicast list, the union): a module sees what the miniport
   * indicates, so it gets back what it would have received had another station sent it. Its copy
   * comes up from the miniport's edge, as every loopback does, so it reaches the module in
   * FilterReceiveNetBufferLists, after the modules below it; the module passes it up or returns it
   * like any receive, and above it the bindings take it only if they take local sends (for them it
   * is another driver's send). A frame of the module's that only those bindings take (no flag, or
   * outside the module's criteria) is indicated from just above the module, so the module does not
   * get its own data back; the modules below it do not see that one either.
   */
  loopBack(adapter: MiniportAdapter, nbls: number[], flags: number): void {
    if (!adapter.sm.is('Running') || adapter.removed || adapter.powerState !== NdisDeviceStateD0) return;
    const check = (flags & NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK) !== 0;
    let local = 0;
    for (const b of this.bindings) if (b.adapter === adapter && b.handle && takesLocalSends(b.packetFilter)) local++;
    if (!check && local === 0) return;
    const pool = this.rt.pool;
    const bytes = this.rt.machine.bytes;
    let made: number[] | undefined;
    for (const nbl of nbls) {
      const source = pool.nblField(nbl, NBL_SOURCE);
      let sender: Binding | undefined;
      for (const b of this.bindings) if (b.adapter === adapter && b.handle && b.sourceId === source) sender = b;
      // Not a binding's: a filter module's own send asks for its loopback with the flag too (only a module that receives can take it).
      const senderModule = check && sender === undefined ? this.moduleWithSource(adapter, source) : -1;
      // The other bindings that take local sends (the sender's own ALL_LOCAL does not loop back to it).
      const others = local - (sender && takesLocalSends(sender.packetFilter) ? 1 : 0);
      for (let nb = pool.nblField(nbl, NBL_FIRST_NB) - 1, guard = 0; nb >= 0 && guard < pool.layout.nblCount; nb = pool.nbField(nb, NB_NEXT) - 1, guard++) {
        const toSender = check && (sender !== undefined || senderModule >= 0) && this.senderTakes(adapter, sender, destinationKey(pool, bytes, nb));
        if (!toSender && others === 0) continue;
        const length = pool.nbField(nb, NB_DATA_LENGTH);
        if (length > pool.layout.bufferBytes) continue; // not a frame the wire carries either
        const copy = pool.allocate(NDIS_OWNER, length);
        if (copy < 0) {
          this.rt.trace.record('note', { object: `adapter ${adapter.name}`, text: 'the NBL pool is exhausted: a loopback was dropped' });
          continue;
        }
        if (!copyNetBufferData(pool, bytes, nb, pool.bufferAddress(copy), length)) {
          pool.release(copy, NDIS_OWNER); // the records describe less data than they say: the send fails below
          continue;
        }
        pool.setNblField(copy, NBL_NBL_FLAGS, NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
        pool.setNblField(copy, NBL_SOURCE, source);
        this.loopbackKind[copy] = toSender ? LOOPBACK_TO_SENDER_TOO : LOOPBACK_TO_OTHERS;
        this.loopbackSource[copy] = source;
        (made ??= []).push(copy);
      }
    }
    if (!made) return;
    const list = made;
    this.rt.trace.record('loopback', { adapter: adapter.name, nbls: list.length, checkForLoopback: check });
    this.rt.post(`loopback ${adapter.name}`, () => {
      // The adapter paused or went away meanwhile: it indicates nothing, and neither does NDIS for it.
      if (!adapter.sm.is('Running')) for (const nbl of list) this.releaseLoopback(nbl);
      else this.indicateLoopbacks(adapter, list);
    }, { channel: `adapter ${adapter.name}` });
  }

  /**
   * Whether the sender of a frame to `destination` (a key) takes it back under
   * NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: a binding by its own filter and multicast list; a filter
   * module (no `binding`) by what the miniport takes (its packet filter and multicast list).
   */
  private senderTakes(adapter: MiniportAdapter, binding: Binding | undefined, destination: number): boolean {
    if (binding) return filterTakes(binding.packetFilter, binding.multicastKeys, acceptingTypes(adapter.addressKey, NO_MULTICAST_LIST, destination), destination);
    return (adapter.packetFilter & acceptingTypes(adapter.addressKey, adapter.multicastKeys, destination)) !== 0;
  }

  /**
   * The position in `adapter`'s stack of the module whose NdisFilterHandle has id `source` and that
   * has FilterReceiveNetBufferLists, or -1. `source` is the NBL's SourceHandle, which a module sets
   * on the NBLs it originates to its own handle ("NdisFSendNetBufferLists": "A filter driver must
   * set the SourceHandle member of each NET_BUFFER_LIST structure that it originates to the same
   * value that it passes to the NdisFilterHandle parameter"): one that does not gets no loopback.
   */
  private moduleWithSource(adapter: MiniportAdapter, source: number): number {
    const modules = this.filters.modules(adapter);
    for (let i = 0; i < modules.length; i++) if (modules[i]!.handle.id === source && modules[i]!.characteristics.ReceiveNetBufferListsHandler) return i;
    return -1;
  }

  /**
   * Where a loopback copy comes up `adapter`'s stack from: the miniport's edge (-1), except a copy
   * of a filter module's own send that only other bindings take, which starts just above that
   * module (loopBack says why).
   */
  private loopbackStart(adapter: MiniportAdapter, nbl: number): number {
    if (this.loopbackKind[nbl] !== LOOPBACK_TO_OTHERS) return -1;
    const modules = this.filters.modules(adapter);
    for (let i = 0; i < modules.length; i++) if (modules[i]!.handle.id === this.loopbackSource[nbl]) return i;
    return -1;
  }

  /** Indicates NDIS's loopback copies up the stack: one indication, or one for each place they start from (a chain of several senders' NBLs). */
  private indicateLoopbacks(adapter: MiniportAdapter, list: number[]): void {
    const first = this.loopbackStart(adapter, list[0]!);
    let mixed = false;
    for (let i = 1; i < list.length && !mixed; i++) mixed = this.loopbackStart(adapter, list[i]!) !== first;
    if (!mixed) {
      this.filters.indicateAbove(adapter, first, list, 0);
      return;
    }
    const starts = list.map((nbl) => this.loopbackStart(adapter, nbl));
    for (const from of new Set(starts)) this.filters.indicateAbove(adapter, from, list.filter((_, i) => starts[i] === from), 0);
  }

  /** A receive come back down to the miniport's edge: if NDIS made it for a loopback, it is freed here (true). */
  releaseLoopback(nbl: number): boolean {
    if (this.loopbackKind[nbl] === NOT_LOOPBACK) return false;
    this.loopbackKind[nbl] = NOT_LOOPBACK;
    this.loopbackSource[nbl] = 0;
    this.rt.pool.release(nbl, NDIS_OWNER);
    return true;
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
