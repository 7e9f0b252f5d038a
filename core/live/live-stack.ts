// Live mode: a stack brought up deterministically (drivers in workers, startStack, run until every
// binding and module is Running) is switched to run freely. The core hands each thread its rings
// and the NBLs it may allocate, and from then on frames move without the core: the protocol's
// worker, each filter's worker and the live miniport thread (which also runs the NIC) pass NBL
// chain heads through SPSC rings in the machine's memory, each checking what it takes
// (acceptor.ts). Control requests still reach a driver over its call channel (LiveStack.call).
//
// Stopping ends the run: the threads leave their pumps, the first finding (if any) stops the
// runtime's machine through its verifier, and the report says what each thread did and whether
// every NBL came home. The deterministic runtime's bookkeeping (bindings, modules, the miniport's
// rings) does not follow what happened live, so the runtime is closed afterwards, not stepped on.

import { spawnBundledThread, type Thread } from '../host/thread.ts';
import { wallClockMs } from '../sched/wall-clock.ts';
import { WorkerHost, type LiveWorker } from '../host/worker-host.ts';
import type { LiveAnswer } from '../host/driver-worker.ts';
import { SpscRing } from '../memory/spsc-ring.ts';
import { BugCheck, type Finding } from '../verifier/verifier.ts';
import type { MiniportAdapter } from '../ndis/miniport.ts';
import { NDIS_OWNER, type NdisRuntime, type DriverRecord } from '../ndis/runtime.ts';
import { DESC_SIZE } from '../../wasm/e1000/registers.ts';
import { NB_BUFFER } from '../memory/nbl-pool.ts';
import { LiveControl, ROLE_OWN, holderWord, type LiveFinding } from './control.ts';
import type { HeapFigures, GcFigures } from './heap.ts';
import type { PumpStats } from './driver-pump.ts';
import type { MiniportStats } from './miniport-pump.ts';
import type { MiniportWorkerData } from './miniport.worker.ts';
import type { BindingPlan, DriverLivePlan, LiveTransport, MiniportLivePlan, ModulePlan, NeighbourPlan, AdapterPlan } from './plan.ts';

export interface LiveOptions {
  /** 'rings' (the live stack) or 'postmessage' (every NBL its own message: the baseline). */
  transport?: LiveTransport;
  /** Empty passes over its rings a thread makes before it parks (default 50: on 2 cores spinning starves the thread with work). */
  spins?: number;
  /** Longest park in ms before a thread looks at its call channel again (default 2). */
  parkMs?: number;
  /** Frames per NIC per device step on the miniport thread (default 64: see INDICATE_MAX in miniport-pump.ts). */
  budget?: number;
}

export interface ThreadReport {
  thread: string;
  heapBefore: HeapFigures | undefined;
  heapAfter: HeapFigures | undefined;
  /** Garbage collections while live (Node only). */
  gc: GcFigures | undefined;
  stats: PumpStats | MiniportStats | undefined;
}

export interface LiveReport {
  /** The finding that stopped the run, as the runtime's verifier recorded it. */
  finding: Finding | undefined;
  threads: ThreadReport[];
  /** NBLs not back where they belong (free, or a miniport's receive buffer): 0 after a clean run. */
  outstanding: number;
}

interface Layer {
  holder: number;
  thread: number;
  name: string;
}

/** The miniport thread is bell 0; drivers follow in load order. */
const MINIPORT_THREAD = 0;

export class LiveStack {
  private stopped: Promise<LiveReport> | undefined;

  private constructor(
    private readonly runtime: NdisRuntime,
    readonly control: LiveControl,
    private readonly miniport: Thread,
    private readonly miniportStopped: Promise<{ stats: MiniportStats; heap: HeapFigures | undefined; gc: GcFigures | undefined }>,
    private readonly miniportHeap: HeapFigures | undefined,
    private readonly workers: { driver: DriverRecord; worker: LiveWorker; thread: number; heap: HeapFigures | undefined }[],
    private readonly startHolders: Int32Array,
  ) {}

  /**
   * Switches a Running stack to live mode. Needs the worker host, every adapter Running with one
   * Running protocol binding on top, filter modules with both datapath handler pairs (or neither:
   * then bypassed), and nothing in flight. Throws, saying what is missing, otherwise.
   */
  static async start(runtime: NdisRuntime, options: LiveOptions = {}): Promise<LiveStack> {
    const host = runtime.host;
    if (!(host instanceof WorkerHost) || !host.liveControl) throw new Error('live mode runs drivers on their own threads: create the runtime with { host: "worker" } and load the drivers first');
    if (runtime.stopped) throw new Error(`the machine has stopped (${runtime.stopped.rule}); it cannot go live`);
    if (runtime.machine.isLive) throw new Error('the machine\'s device already runs live on its own worker; live mode runs it on the miniport thread');
    const transport = options.transport ?? 'rings';
    const tuning = { spins: options.spins ?? 50, parkMs: options.parkMs ?? 2, transport };
    const pool = runtime.pool;
    const nblCount = pool.layout.nblCount;
    const memory = runtime.machine.memory.buffer as unknown as SharedArrayBuffer;
    const control = new LiveControl(host.liveControl, nblCount);
    new Int32Array(control.buffer).fill(0);

    // Threads: the miniport thread, then each driver in load order.
    const threadOf = new Map<DriverRecord, number>(runtime.drivers.map((d, i) => [d, i + 1]));
    const plans = new Map<DriverRecord, DriverLivePlan>();
    const planOf = (driver: DriverRecord): DriverLivePlan => {
      let plan = plans.get(driver);
      if (!plan) plans.set(driver, (plan = { ...tuning, driver: driver.name, holder: driver.owner, thread: threadOf.get(driver)!, reserve: [], bindings: [], modules: [] }));
      return plan;
    };

    // Two rings between each pair of neighbouring layers, in the machine's SPSC region.
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, nblCount)));
    const ringBytes = Math.ceil(SpscRing.bytesFor(capacity) / 64) * 64;
    let nextRing = runtime.machine.layout.spsc.base;
    const spscEnd = runtime.machine.layout.spsc.base + runtime.machine.layout.spsc.bytes;
    const rings: { offset: number; producer: number; consumer: number }[] = [];
    const ring = (producer: number, consumer: number): number => {
      const offset = nextRing;
      nextRing += ringBytes;
      rings.push({ offset, producer, consumer });
      return offset;
    };

    const adapters: AdapterPlan[] = runtime.adapters.map((adapter, index) => {
      LiveStack.checkQuiet(runtime, adapter);
      // Bottom to top: the miniport, the modules on the datapath, the binding; each layer says
      // where its plan takes the rings to the layer below and the layer above.
      let miniportAbove: NeighbourPlan | undefined;
      const layers: (Layer & { below?: (n: NeighbourPlan) => void; above?: (n: NeighbourPlan) => void })[] = [
        { holder: adapter.owner, thread: MINIPORT_THREAD, name: `miniport ${adapter.name}`, above: (n) => (miniportAbove = n) },
      ];
      for (const m of runtime.filters.modules(adapter)) {
        const c = m.characteristics;
        const pairs = Number(typeof c.SendNetBufferListsHandler === 'function') + Number(typeof c.ReceiveNetBufferListsHandler === 'function');
        if (pairs === 1) throw new Error(`${m.object} has only one of its datapath pairs (send, receive); live mode passes both through a module or neither`);
        if (m.state !== 'Running') throw new Error(`${m.object} is ${m.state}; live mode needs a Running stack`);
        if (pairs === 0) continue;
        const plan: ModulePlan = { handle: m.handle.id, adapter: index, object: m.object, below: undefined!, above: undefined! };
        planOf(m.driver).modules.push(plan);
        layers.push({ holder: m.driver.owner, thread: threadOf.get(m.driver)!, name: m.driver.name, below: (n) => (plan.below = n), above: (n) => (plan.above = n) });
      }
      const bindings = runtime.bindingsOf(adapter, 'Running');
      if (bindings.length !== 1) throw new Error(`${adapter.name} has ${bindings.length} Running protocol bindings; live mode runs exactly one per adapter`);
      const binding = bindings[0]!;
      const bindingPlan: BindingPlan = { handle: binding.handle!.id, adapter: index, object: `binding ${binding.name}`, below: undefined! };
      planOf(binding.protocol).bindings.push(bindingPlan);
      layers.push({ holder: binding.protocol.owner, thread: threadOf.get(binding.protocol)!, name: binding.protocol.name, below: (n) => (bindingPlan.below = n) });
      for (let k = 0; k + 1 < layers.length; k++) {
        const lower = layers[k]!;
        const upper = layers[k + 1]!;
        const down = ring(upper.thread, lower.thread);
        const up = ring(lower.thread, upper.thread);
        lower.above?.({ down, up, holder: upper.holder, thread: upper.thread, name: upper.name });
        upper.below?.({ down, up, holder: lower.holder, thread: lower.thread, name: lower.name });
      }
      return LiveStack.adapterPlan(runtime, adapter, index, miniportAbove!);
    });
    if (nextRing > spscEnd) {
      throw new RangeError(`live mode needs ${nextRing - runtime.machine.layout.spsc.base} bytes of SPSC rings (${rings.length} rings of ${capacity} entries); create the runtime with spscBytes of at least that`);
    }
    for (const r of rings) SpscRing.format(memory, r.offset, capacity);

    // Who holds each NBL now, and the free ones shared out as the drivers' live reserves.
    const free: number[] = [];
    for (let i = 0; i < nblCount; i++) {
      const owner = pool.ownerOf(i);
      if (owner === 0) free.push(i);
      else if (owner === NDIS_OWNER) throw new Error(`NBL ${i} is still in NDIS's hands (a send in flight); live mode starts from a quiet stack`);
      else {
        control.holders[i] = holderWord(owner, ROLE_OWN);
        control.origins[i] = owner;
      }
    }
    const startHolders = control.holders.slice();
    const participants = [...plans.values()];
    free.forEach((nbl, i) => participants[i % participants.length]!.reserve.push(nbl));

    // The postMessage baseline: a channel per ring, its ends to the producer and the consumer.
    const portsOf = new Map<number, { out: [number, MessagePort][]; in: [number, MessagePort][]; transfer: MessagePort[] }>();
    if (transport === 'postmessage') {
      const of = (thread: number) => {
        let entry = portsOf.get(thread);
        if (!entry) portsOf.set(thread, (entry = { out: [], in: [], transfer: [] }));
        return entry;
      };
      for (const r of rings) {
        const channel = new MessageChannel();
        of(r.producer).out.push([r.offset, channel.port1]);
        of(r.producer).transfer.push(channel.port1);
        of(r.consumer).in.push([r.offset, channel.port2]);
        of(r.consumer).transfer.push(channel.port2);
      }
    }

    if (runtime.machine.layout.config.captureBytes > 0) runtime.machine.capture.stop();
    control.setLive(true);
    const miniportPlan: MiniportLivePlan = { ...tuning, thread: MINIPORT_THREAD, header: runtime.machine.layout.header, budget: options.budget ?? 64, adapters };
    const miniportPorts = portsOf.get(MINIPORT_THREAD);
    const data: MiniportWorkerData = {
      memory: runtime.machine.memory, module: runtime.machine.module, control: control.buffer,
      pool: { region: runtime.machine.layout.pool, bufferBytes: pool.layout.bufferBytes }, plan: miniportPlan,
      ...(miniportPorts ? { ports: { out: miniportPorts.out, in: miniportPorts.in } } : {}),
    };
    const thread = await spawnMiniportThread(data, miniportPorts?.transfer ?? []);
    const messages = messageQueue(thread);
    const ready = (await messages.next()) as { state: string; heap: HeapFigures | undefined };
    if (ready.state !== 'ready') throw new Error(`the live miniport thread said ${JSON.stringify(ready)}`);
    const miniportStopped = messages.next() as Promise<{ stats: MiniportStats; heap: HeapFigures | undefined; gc: GcFigures | undefined }>;

    const workers: { driver: DriverRecord; worker: LiveWorker; thread: number; heap: HeapFigures | undefined }[] = [];
    try {
      for (const [driver, plan] of plans) {
        const worker = host.liveWorker(driver.exports);
        if (!worker) throw new Error(`${driver.name} was not loaded by this worker host`);
        const ports = portsOf.get(plan.thread);
        if (ports) {
          if (!worker.mailbox) throw new Error('the postMessage baseline needs MessageChannel');
          worker.mailbox.postMessage({ out: ports.out, in: ports.in }, ports.transfer);
        }
        const answer = worker.control('enter', plan);
        workers.push({ driver, worker, thread: plan.thread, heap: answer.heap });
      }
    } catch (error) {
      control.setLive(false);
      await thread.terminate();
      throw error;
    }
    return new LiveStack(runtime, control, thread, miniportStopped, ready.heap, workers, startHolders);
  }

  /** Nothing may be in flight anywhere in the adapter's stack when it goes live. */
  private static checkQuiet(runtime: NdisRuntime, adapter: MiniportAdapter): void {
    if (adapter.state !== 'Running') throw new Error(`${adapter.name} is ${adapter.state}; live mode needs a Running stack (startStack, then run)`);
    if (adapter.sendsOutstanding > 0 || adapter.rxOutstanding > 0) throw new Error(`${adapter.name} has sends or receives in flight; run the runtime until it is idle before going live`);
    for (const m of runtime.filters.modules(adapter)) {
      if (m.heldSends.size + m.heldReceives.size + m.indicatedUp.size + m.ownSendsOutstanding.size + m.ownIndicationsOutstanding.size > 0) {
        throw new Error(`${m.object} holds NBLs; run the runtime until it is idle before going live`);
      }
    }
    for (const b of runtime.bindingsOf(adapter)) {
      if (b.sendsOutstanding > 0 || b.held.size > 0) throw new Error(`binding ${b.name} has NBLs in flight; run the runtime until it is idle before going live`);
    }
    const nic = adapter.nic;
    if (nic.peek('TDH') !== nic.peek('TDT')) throw new Error(`${adapter.name}'s transmit ring is not empty`);
  }

  /** The miniport's receive ring as the deterministic miniport left it: which NBL each descriptor holds. */
  private static adapterPlan(runtime: NdisRuntime, adapter: MiniportAdapter, index: number, above: NeighbourPlan): AdapterPlan {
    const { view } = runtime.machine;
    const pool = runtime.pool;
    const regions = adapter.nic.regions;
    const rxCount = regions.rxRing.bytes / DESC_SIZE;
    const rxNbl: number[] = [];
    for (let i = 0; i < rxCount; i++) {
      const address = view.getUint32(regions.rxRing.base + i * DESC_SIZE, true);
      const nbl = (address - pool.layout.dataBase) / pool.layout.bufferBytes;
      if (!pool.isIndex(nbl) || pool.nbField(nbl, NB_BUFFER) !== address || pool.ownerOf(nbl) !== adapter.owner) {
        throw new Error(`${adapter.name}: RX descriptor ${i} does not hold one of its receive NBLs (address 0x${address.toString(16)})`);
      }
      rxNbl.push(nbl);
    }
    return {
      index, name: adapter.name, holder: adapter.owner, registers: adapter.nic.base,
      txRing: regions.txRing.base, txCount: regions.txRing.bytes / DESC_SIZE, rxRing: regions.rxRing.base, rxCount, rxNbl, above,
    };
  }

  /** The first finding of the live run, once written (the run has stopped). */
  get finding(): LiveFinding | undefined {
    return this.control.finding();
  }

  /** Whether the run is still live (no finding, not stopped). */
  get live(): boolean {
    return this.control.live;
  }

  /** Calls an export of a driver while live (over its call channel, served between batches). */
  call<T>(driver: DriverRecord, name: string, ...args: unknown[]): T {
    const fn = driver.exports[name];
    if (typeof fn !== 'function') throw new TypeError(`${driver.name} exports no function ${name}`);
    const worker = this.workers.find((w) => w.driver === driver);
    if (worker) this.control.ring(worker.thread, true);
    return (fn as (...a: unknown[]) => T)(...args);
  }

  /**
   * Waits (polling every ms, up to `timeoutMs`) until every NBL is held as it was when the run went
   * live: the traffic is over and the last returns and completions have reached home. Resolves
   * to the number still away.
   */
  async settle(timeoutMs = 2000): Promise<number> {
    // Live mode runs freely in real time (see wall-clock.ts).
    const deadline = wallClockMs() + timeoutMs;
    let away = this.outstanding();
    while (away > 0 && this.control.live && wallClockMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      away = this.outstanding();
    }
    return away;
  }

  /** Ends the live run (see the top of this file); the same report however often it is called. */
  stop(): Promise<LiveReport> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<LiveReport> {
    this.control.setLive(false);
    const miniport = await this.miniportStopped;
    await this.miniport.terminate();
    const threads: ThreadReport[] = [{ thread: 'miniport', heapBefore: this.miniportHeap, heapAfter: miniport.heap, gc: miniport.gc, stats: miniport.stats }];
    for (const w of this.workers) {
      let answer: LiveAnswer | undefined;
      // A thread stuck in a handler does not answer: the worker host's watchdog stops it, and the
      // machine, with DriverHung (the report's finding); the threads after it are not asked.
      if (!this.runtime.stopped) {
        try {
          answer = w.worker.control('stats');
        } catch (error) {
          if (!(error instanceof BugCheck)) throw error;
        }
      }
      threads.push({ thread: w.driver.name, heapBefore: w.heap, heapAfter: answer?.heap, gc: answer?.gc, stats: answer?.stats });
    }
    const found = this.control.finding();
    if (found && !this.runtime.stopped) {
      try {
        this.runtime.verifier.halt(found.rule, { driver: found.driver, message: found.message });
      } catch (error) {
        if (!(error instanceof BugCheck)) throw error;
      }
    }
    return { finding: this.runtime.stopped, threads, outstanding: this.outstanding() };
  }

  /**
   * NBLs not held as they were when the run went live: a free one not freed again, a receive
   * buffer not back with its miniport, a driver's NBL still somewhere else.
   */
  outstanding(): number {
    const holders = this.control.holders;
    let away = 0;
    for (let i = 0; i < holders.length; i++) if (holders[i] !== this.startHolders[i]) away++;
    return away;
  }
}

/** The live miniport's module: a variable for Node (see spawnBundledThread), the literal for bundlers. */
const MINIPORT_WORKER = './miniport.worker.ts';
const spawnMiniportThread = (data: MiniportWorkerData, transfer: Transferable[]): Promise<Thread> =>
  spawnBundledThread(new URL(MINIPORT_WORKER, import.meta.url), () => new Worker(new URL('./miniport.worker.ts', import.meta.url), { type: 'module', name: 'live miniport' }), data, { transfer });

/** The thread's messages in order, one promise each. */
function messageQueue(thread: Thread): { next(): Promise<unknown> } {
  const arrived: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  let failed: Error | undefined;
  const rejecters: ((error: Error) => void)[] = [];
  thread.onMessage((message) => {
    const w = waiting.shift();
    rejecters.shift();
    if (w) w(message);
    else arrived.push(message);
  });
  thread.onError((error) => {
    failed = error;
    for (const reject of rejecters.splice(0)) reject(error);
    waiting.length = 0;
  });
  return {
    next: () => {
      if (arrived.length > 0) return Promise.resolve(arrived.shift());
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        rejecters.push(reject);
      });
    },
  };
}
