// The live datapath inside a driver's worker. While the stack runs live, the driver's datapath NDIS
// calls (NdisSendNetBufferLists, NdisFSendNetBufferLists, NdisFIndicateReceiveNetBufferLists,
// their completions and returns, NBL allocation and freeing; and the IRQL and spin lock functions
// a datapath handler uses, at DISPATCH_LEVEL) do not cross to the core: they hand
// the chain's head to the ring of the neighbouring layer, published when the pump's pass ends.
// The pump drains the rings coming in a few chains at a time, checks each chain (acceptor.ts)
// and calls the driver's own handlers with the contexts it registered, on this thread. When every
// ring is empty it spins a little, then parks on its bell; a control request from the core (over the call channel) is served between
// batches. A finding anywhere stops every thread; the pump returns when the run stops.

import { NblPool } from '../memory/nbl-pool.ts';
import { SpscRing } from '../memory/spsc-ring.ts';
import { NET_BUFFER_LIST, type NetBufferViews } from '../ndis/net-buffer-list.ts';
import { ROLE_OWN, holderWord, type LiveControl } from './control.ts';
import { ChainAcceptor, LiveStopped, arrivalOf, Arrival } from './acceptor.ts';
import { RingIn, RingOut, PortIn, PortOut, flushAll, type LinkIn, type LinkOut, type ReceiveMessageOnPort } from './links.ts';
import { SECOND_KIND, type DriverLivePlan, type NeighbourPlan } from './plan.ts';
import { runPumpLoop } from './pump-loop.ts';
import { thrownByDriver, type SourcePositions } from '../ndis/source-positions.ts';
import { NdisHandle } from '../ndis/handle.ts';
import {
  DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, NDIS_SEND_FLAGS_DISPATCH_LEVEL, NDIS_RETURN_FLAGS_DISPATCH_LEVEL,
} from '../ndis/constants.ts';

/** What the worker saw the driver hand NDIS: its characteristics and the context of each handle. */
export interface CapturedDriver {
  protocol: Record<string, unknown> | undefined;
  filter: Record<string, unknown> | undefined;
  /** NdisBindingHandle / NdisFilterHandle id -> ProtocolBindingContext / FilterModuleContext. */
  contexts: Map<number, unknown>;
}

/** The worker's side of the postMessage baseline: a port per ring offset, each way. */
export interface LivePorts {
  out: Map<number, MessagePort>;
  in: Map<number, MessagePort>;
  receive: ReceiveMessageOnPort;
}

/** How the pump reaches the call channel between batches. */
export interface ControlPoll {
  /** A request from the core is waiting. */
  pending(): boolean;
  /** Serves it (and whatever it calls, nested). */
  serve(): void;
}

export interface PumpStats {
  /** Wall-clock ms spent in passes that moved something (see pump-loop.ts). */
  busyMs: number;
  /** Wall-clock ms from entering the pump to leaving it. */
  liveMs: number;
  parks: number;
  /** Chains taken from rings. */
  chains: number;
}

/**
 * Chains taken from one ring per pass; what they produce is published when the pass ends. Small,
 * so the next thread can start on the first chains while this one handles the rest: with large
 * batches the whole window moved through the threads as one lump and only one thread worked at a
 * time (1.5 Mpps with 64, 2.2 with 4, same frames and cores).
 */
const BATCH = 4;
type Fn = (...args: unknown[]) => unknown;

interface Input {
  link: LinkIn;
  visit: (entry: number) => void;
}

/** One layer's rings to a neighbour, as this thread sees them. */
interface Side {
  plan: NeighbourPlan;
  /** Towards the neighbour: down if it is below, up if above. */
  out: LinkOut;
}

export class DriverPump {
  /** The live NDIS datapath functions, by NDIS name. */
  readonly ndis: Record<string, Fn>;
  readonly stats: PumpStats = { busyMs: 0, liveMs: 0, parks: 0, chains: 0 };
  private readonly inputs: Input[] = [];
  /** Every link out of this thread, flushed at the end of each pass. */
  private readonly outs: LinkOut[] = [];
  private readonly pool: NblPool;
  private readonly acceptor: ChainAcceptor;
  /** Binding handle id -> the ring down to the layer below. */
  private readonly bindingDown = new Map<number, Side>();
  /** Module handle id -> its rings below and above. */
  private readonly moduleSides = new Map<number, { below: Side; above: Side }>();
  private readonly reserve: Int32Array;
  private reserveCount: number;

  constructor(private readonly plan: DriverLivePlan, private readonly control: LiveControl, memory: SharedArrayBuffer, private readonly views: NetBufferViews, captured: CapturedDriver, ports?: LivePorts, private readonly positions?: SourcePositions) {
    this.pool = views.pool;
    this.acceptor = new ChainAcceptor(this.pool, control, plan.holder);
    this.reserve = Int32Array.from(plan.reserve);
    this.reserveCount = this.reserve.length;
    const outTo = (offset: number, thread: number): LinkOut => {
      let out: LinkOut;
      if (plan.transport === 'postmessage') {
        const port = ports?.out.get(offset);
        if (!port) throw new Error(`no port for the link at 0x${offset.toString(16)}`);
        out = new PortOut(port, memory, offset, this.pool, thread);
      } else {
        out = new RingOut(new SpscRing(memory, offset), thread);
      }
      this.outs.push(out);
      return out;
    };
    const inFrom = (offset: number, from: NeighbourPlan): LinkIn => {
      if (plan.transport === 'postmessage') {
        const port = ports?.in.get(offset);
        if (!port || !ports) throw new Error(`no port for the link at 0x${offset.toString(16)}`);
        return new PortIn(port, memory, offset, ports.receive);
      }
      return new RingIn(new SpscRing(memory, offset), (message) => this.acceptor.stop('SharedMemoryCorrupted', from.name, `the ring from ${from.name}: ${message}`));
    };
    const handler = (characteristics: Record<string, unknown> | undefined, name: string): Fn => {
      const fn = characteristics?.[name];
      if (typeof fn !== 'function') throw new Error(`${plan.driver} registered no ${name}; a live stack needs every datapath handler`);
      return fn as Fn;
    };
    const contextOf = (handle: number, object: string): unknown => {
      if (!captured.contexts.has(handle)) throw new Error(`${plan.driver}: no context was registered for ${object}`);
      return captured.contexts.get(handle);
    };

    for (const b of plan.bindings) {
      const context = contextOf(b.handle, b.object);
      const receive = handler(captured.protocol, 'ReceiveNetBufferListsHandler');
      const complete = handler(captured.protocol, 'SendNetBufferListsCompleteHandler');
      this.bindingDown.set(b.handle, { plan: b.below, out: outTo(b.below.down, b.below.thread) });
      this.addInput(inFrom(b.below.up, b.below), false, b.below, b.object, (arrival, nbl, count) => {
        if (arrival === Arrival.Indicate) receive(context, nbl, 0, count, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        else complete(context, nbl, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
      });
    }
    for (const m of plan.modules) {
      const context = contextOf(m.handle, m.object);
      const f = captured.filter;
      const send = handler(f, 'SendNetBufferListsHandler');
      const sendComplete = handler(f, 'SendNetBufferListsCompleteHandler');
      const receive = handler(f, 'ReceiveNetBufferListsHandler');
      const returned = handler(f, 'ReturnNetBufferListsHandler');
      this.moduleSides.set(m.handle, {
        below: { plan: m.below, out: outTo(m.below.down, m.below.thread) },
        above: { plan: m.above, out: outTo(m.above.up, m.above.thread) },
      });
      this.addInput(inFrom(m.below.up, m.below), false, m.below, m.object, (arrival, nbl, count) => {
        if (arrival === Arrival.Indicate) receive(context, nbl, 0, count, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        else sendComplete(context, nbl, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
      });
      this.addInput(inFrom(m.above.down, m.above), true, m.above, m.object, (arrival, nbl) => {
        if (arrival === Arrival.Send) send(context, nbl, 0, NDIS_SEND_FLAGS_DISPATCH_LEVEL);
        else returned(context, nbl, NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
      });
    }
    this.ndis = this.functions();
  }

  /** A ring in: each chain is checked, becomes this driver's, and goes to the handler. */
  private addInput(link: LinkIn, down: boolean, from: NeighbourPlan, object: string, call: (arrival: Arrival, nbl: NET_BUFFER_LIST, count: number) => void): void {
    const { acceptor, views, plan } = this;
    const where = `${object}, from ${from.name}`;
    const visit = (entry: number) => {
      const arrival = arrivalOf(entry, down);
      const count = acceptor.accept(entry, arrival, from.holder, from.name, where);
      this.stats.chains++;
      try {
        call(arrival, views.nbl(entry & 0x7fffffff), count);
      } catch (error) {
        if (error instanceof LiveStopped) throw error;
        acceptor.stop('HandlerThrew', plan.driver, `${object}: a datapath handler threw ${thrownByDriver(error, this.positions)}`);
      }
      if (this.locksHeld > 0) acceptor.stop('HandlerReturnedWithLockHeld', plan.driver, `${object}: a datapath handler returned holding ${this.locksHeld} spin lock(s)`);
    };
    this.inputs.push({ link, visit });
  }

  // ---- spin locks, live ---------------------------------------------------------------------------
  // Datapath handlers run at DISPATCH_LEVEL here, as in the core; a spin lock is a few words of
  // this thread's bookkeeping (ids and how each was taken), never an allocation per packet.

  /** Ids of the spin locks held, in the order taken, and whether each was taken with the Dpr form. */
  private readonly lockIds = new Int32Array(16);
  private readonly lockDpr = new Uint8Array(16);
  private locksHeld = 0;

  private lockId(call: string, handle: unknown): number {
    if (!(handle instanceof NdisHandle) || handle.kind !== 'spinLock') return this.acceptor.stop('InvalidHandle', this.plan.driver, `${call} expects an NDIS_SPIN_LOCK from NdisAllocateSpinLock`);
    return handle.id;
  }

  private heldAt(id: number): number {
    for (let i = 0; i < this.locksHeld; i++) if (this.lockIds[i] === id) return i;
    return -1;
  }

  private acquireLock(call: string, handle: unknown, dpr: boolean): void {
    const id = this.lockId(call, handle);
    if (this.heldAt(id) >= 0) this.acceptor.stop('LockAcquiredRecursively', this.plan.driver, `${call} on a spin lock this processor already holds: it would spin for ever`);
    if (this.locksHeld === this.lockIds.length) this.acceptor.stop('LockAcquiredRecursively', this.plan.driver, `${call}: more than ${this.lockIds.length} spin locks held at once`);
    this.lockIds[this.locksHeld] = id;
    this.lockDpr[this.locksHeld++] = dpr ? 1 : 0;
  }

  private releaseLock(call: string, handle: unknown, dpr: boolean): void {
    const at = this.heldAt(this.lockId(call, handle));
    if (at < 0) this.acceptor.stop('LockNotHeld', this.plan.driver, `${call} on a spin lock that is not held`);
    if ((this.lockDpr[at] === 1) !== dpr) this.acceptor.stop('SpinLockReleaseMismatch', this.plan.driver, `${call} on a spin lock taken with ${dpr ? 'NdisAcquireSpinLock' : 'NdisDprAcquireSpinLock'}`);
    for (let i = at + 1; i < this.locksHeld; i++) {
      this.lockIds[i - 1] = this.lockIds[i]!;
      this.lockDpr[i - 1] = this.lockDpr[i]!;
    }
    this.locksHeld--;
  }

  // ---- the driver's datapath NDIS calls, live --------------------------------------------------

  private functions(): Record<string, Fn> {
    const { plan, acceptor } = this;
    const nblOf = (call: string, value: unknown): number => {
      if (!(value instanceof NET_BUFFER_LIST)) return acceptor.stop('InvalidParameter', plan.driver, `${call}: NetBufferLists is not a NET_BUFFER_LIST`);
      return value.index;
    };
    const idOf = (handle: unknown): number => {
      const id = (handle as { id?: unknown } | null)?.id;
      return typeof id === 'number' ? id : -1;
    };
    const bindingSide = (call: string, handle: unknown): Side => {
      const side = this.bindingDown.get(idOf(handle));
      if (!side) return acceptor.stop('InvalidHandle', plan.driver, `${call} expects the NdisBindingHandle of a binding running live`);
      return side;
    };
    const moduleSides = (call: string, handle: unknown): { below: Side; above: Side } => {
      const sides = this.moduleSides.get(idOf(handle));
      if (!sides) return acceptor.stop('InvalidHandle', plan.driver, `${call} expects the NdisFilterHandle of a module running live`);
      return sides;
    };
    const push = (call: string, side: Side, head: number, bits: number) => {
      if (!side.out.push(head, bits)) {
        acceptor.stop('SharedMemoryCorrupted', side.plan.name, `${call}: the ring to ${side.plan.name} is full, which no correct consumer leaves it (its tail index is stuck or was overwritten)`);
      }
    };
    // SendFlags are not carried live: a ring entry is an NBL chain's head and its kind, and the
    // miniport thread does no loopback, so NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK loops nothing back
    // here, a protocol's send or a filter module's (the deterministic runtime does:
    // protocol-datapath.ts loopBack). The packet filter and the multicast list are the miniport's
    // (one binding per adapter live, so they are that binding's own).
    return {
      NdisSendNetBufferLists: (handle, nbls) => push('NdisSendNetBufferLists', bindingSide('NdisSendNetBufferLists', handle), nblOf('NdisSendNetBufferLists', nbls), 0),
      NdisReturnNetBufferLists: (handle, nbls) => push('NdisReturnNetBufferLists', bindingSide('NdisReturnNetBufferLists', handle), nblOf('NdisReturnNetBufferLists', nbls), SECOND_KIND),
      NdisFSendNetBufferLists: (handle, nbls) => push('NdisFSendNetBufferLists', moduleSides('NdisFSendNetBufferLists', handle).below, nblOf('NdisFSendNetBufferLists', nbls), 0),
      NdisFReturnNetBufferLists: (handle, nbls) => push('NdisFReturnNetBufferLists', moduleSides('NdisFReturnNetBufferLists', handle).below, nblOf('NdisFReturnNetBufferLists', nbls), SECOND_KIND),
      NdisFIndicateReceiveNetBufferLists: (handle, nbls) => push('NdisFIndicateReceiveNetBufferLists', moduleSides('NdisFIndicateReceiveNetBufferLists', handle).above, nblOf('NdisFIndicateReceiveNetBufferLists', nbls), 0),
      NdisFSendNetBufferListsComplete: (handle, nbls) => push('NdisFSendNetBufferListsComplete', moduleSides('NdisFSendNetBufferListsComplete', handle).above, nblOf('NdisFSendNetBufferListsComplete', nbls), SECOND_KIND),
      NdisAllocateNetBufferAndNetBufferList: (_pool, _contextSize, _backfill, mdl, dataOffset, dataLength) => this.allocate(mdl, dataOffset, dataLength),
      NdisFreeNetBufferList: (nbl) => this.free(nbl),
      KeGetCurrentIrql: () => DISPATCH_LEVEL,
      NDIS_CURRENT_IRQL: () => DISPATCH_LEVEL,
      NdisAcquireSpinLock: (lock) => this.acquireLock('NdisAcquireSpinLock', lock, false),
      NdisReleaseSpinLock: (lock) => this.releaseLock('NdisReleaseSpinLock', lock, false),
      NdisDprAcquireSpinLock: (lock) => this.acquireLock('NdisDprAcquireSpinLock', lock, true),
      NdisDprReleaseSpinLock: (lock) => this.releaseLock('NdisDprReleaseSpinLock', lock, true),
    };
  }

  /** NdisAllocateNetBufferAndNetBufferList from this driver's live reserve (null when it is empty). */
  private allocate(mdl: unknown, dataOffset: unknown, dataLength: unknown): NET_BUFFER_LIST | null {
    const pool = this.pool;
    const offset = typeof dataOffset === 'number' ? dataOffset : 0;
    const length = typeof dataLength === 'number' ? dataLength : -1;
    if (mdl !== null && mdl !== undefined) throw new TypeError('NdisAllocateNetBufferAndNetBufferList: the live datapath carries NET_BUFFERs over their own buffers only; pass MdlChain = null here (MDL chains run on the deterministic stack)');
    if (!Number.isInteger(length) || length < 0 || !Number.isInteger(offset) || offset < 0 || offset + length > pool.layout.bufferBytes) {
      throw new RangeError(`NdisAllocateNetBufferAndNetBufferList: DataOffset ${String(dataOffset)} + DataLength ${String(dataLength)} must fit a ${pool.layout.bufferBytes}-byte buffer`);
    }
    if (this.reserveCount === 0) return null;
    const i = this.reserve[--this.reserveCount]!;
    pool.resetRecords(i, offset, length);
    this.control.holders[i] = holderWord(this.plan.holder, ROLE_OWN);
    this.control.origins[i] = this.plan.holder;
    return this.views.nbl(i);
  }

  /** NdisFreeNetBufferList: back into the reserve, if this driver allocated it and holds it. */
  private free(nbl: unknown): void {
    const index = nbl instanceof NET_BUFFER_LIST ? nbl.index : -1;
    const mine = holderWord(this.plan.holder, ROLE_OWN);
    if (index < 0 || this.control.holders[index] !== mine || this.control.origins[index] !== this.plan.holder) {
      this.acceptor.stop('NblNotOwned', this.plan.driver, `NdisFreeNetBufferList with ${index < 0 ? 'something that is not an NBL' : `NBL ${index}, which the driver did not allocate or does not hold now`}`);
    }
    this.control.holders[index] = 0;
    this.reserve[this.reserveCount++] = index;
  }

  /** NBLs still in the reserve (free, for this driver to allocate). */
  get reserved(): number[] {
    return Array.from(this.reserve.subarray(0, this.reserveCount));
  }

  // ---- the pump --------------------------------------------------------------------------------

  /** Runs until the live run stops (or a finding stops it); control requests are served between passes. */
  run(control: ControlPoll): void {
    const { inputs, outs } = this;
    runPumpLoop({
      live: () => this.control.live,
      pass: () => {
        if (control.pending()) control.serve();
        let work = 0;
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i]!;
          work += input.link.take(BATCH, input.visit);
        }
        flushAll(outs, this.control);
        return work;
      },
      park: () => this.park(control),
      spins: this.plan.spins,
      stats: this.stats,
    });
  }

  /** Raises the need-wakeup flag, takes a last look, and sleeps on the bell. */
  private park(control: ControlPoll): void {
    const live = this.control;
    const thread = this.plan.thread;
    const snapshot = live.bellSnapshot(thread);
    live.raise(thread);
    let waiting = !live.live || control.pending();
    for (let i = 0; !waiting && i < this.inputs.length; i++) waiting = this.inputs[i]!.link.waiting() > 0;
    if (waiting) {
      live.lower(thread);
      return;
    }
    this.stats.parks++;
    live.park(thread, snapshot, this.plan.parkMs);
  }
}
