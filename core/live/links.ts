// The two ways an NBL chain crosses from one live thread to the next. RingOut/RingIn carry chain
// heads through an SpscRing in the machine's memory: the chains a pass pushes are published with
// one store when the pass flushes, and a batch taken is released with one store (the live stack's
// own path). PortOut/PortIn carry every NBL as its own postMessage (the naive baseline the
// benchmark compares with): a producer unlinks the chain and posts each NBL; a consumer takes
// them with receiveMessageOnPort, one at a time. At the end of a pass flushAll rings each
// consumer that was sent something once, however many links lead to it.

import { SpscRing } from '../memory/spsc-ring.ts';
import { NBL_NEXT, type NblPool } from '../memory/nbl-pool.ts';
import type { LiveControl } from './control.ts';

export interface LinkOut {
  /** Hands the chain at `head` over at the next flush; `entryBits` is 0 or SECOND_KIND. Returns false when full. */
  push(head: number, entryBits: number): boolean;
  /**
   * Makes everything pushed since the last flush visible. Returns the consumer's bell bit
   * (1 << its thread) if anything was, else 0 (see flushAll).
   */
  flush(): number;
}

/** Flushes every link out of a thread and rings each consumer's bell once. */
export function flushAll(outs: readonly LinkOut[], control: LiveControl): void {
  let bells = 0;
  for (let i = 0; i < outs.length; i++) bells |= outs[i]!.flush();
  if (bells !== 0) control.ringAll(bells);
}

export interface LinkIn {
  /** Entries waiting (a lower bound for ports). */
  waiting(): number;
  /** Takes up to `max` entries, calling `visit` with each; returns how many were taken. */
  take(max: number, visit: (entry: number) => void): number;
}

export class RingOut implements LinkOut {
  /** Entries written since the last flush, not yet published. */
  private pending = 0;

  constructor(private readonly ring: SpscRing, private readonly consumer: number) {}

  push(head: number, entryBits: number): boolean {
    const ring = this.ring;
    const pending = this.pending;
    if (ring.reserve(pending + 1) <= pending) return false;
    ring.set(pending, (head | entryBits) >>> 0);
    this.pending = pending + 1;
    return true;
  }

  flush(): number {
    if (this.pending === 0) return 0;
    this.ring.publish(this.pending);
    this.pending = 0;
    return 1 << this.consumer;
  }
}

/** What a consumer does when the producer's head index cannot be right: report, and unwind. */
export type RingCorrupted = (message: string) => never;

export class RingIn implements LinkIn {
  constructor(private readonly ring: SpscRing, private readonly corrupted: RingCorrupted) {}

  waiting(): number {
    try {
      return this.ring.available();
    } catch (error) {
      return this.corrupted((error as Error).message);
    }
  }

  take(max: number, visit: (entry: number) => void): number {
    const ring = this.ring;
    const available = this.waiting();
    const n = available < max ? available : max;
    for (let i = 0; i < n; i++) visit(ring.get(i));
    if (n > 0) ring.release(n);
    return n;
  }
}

/** Node's synchronous receive (worker_threads.receiveMessageOnPort). */
export type ReceiveMessageOnPort = (port: MessagePort) => { message: unknown } | undefined;

/**
 * The postMessage link counts what it posted in the (otherwise unused) head word of the ring
 * set aside for it, so a consumer about to park can see that something is on its way.
 */
function counterWord(memory: SharedArrayBuffer, ringOffset: number): { words: Int32Array; index: number } {
  return { words: new Int32Array(memory), index: (ringOffset + 64) >> 2 };
}

export class PortOut implements LinkOut {
  private readonly counter: { words: Int32Array; index: number };
  /** Something was posted since the consumer's bell was last looked at. */
  private unrung = false;

  constructor(private readonly port: MessagePort, memory: SharedArrayBuffer, ringOffset: number, private readonly pool: NblPool, private readonly consumer: number) {
    this.counter = counterWord(memory, ringOffset);
  }

  push(head: number, entryBits: number): boolean {
    let nbl = head;
    let posted = 0;
    // Each NBL on its own: the chain is undone, as a stack built on messages would pass packets.
    for (let guard = 0; guard < this.pool.layout.nblCount && this.pool.isIndex(nbl); guard++) {
      const next = this.pool.nblField(nbl, NBL_NEXT);
      this.pool.setNblField(nbl, NBL_NEXT, 0);
      this.port.postMessage((nbl | entryBits) >>> 0);
      posted++;
      if (next === 0) break;
      nbl = next - 1;
    }
    Atomics.add(this.counter.words, this.counter.index, posted);
    this.unrung = true;
    return true;
  }

  flush(): number {
    if (!this.unrung) return 0;
    this.unrung = false;
    return 1 << this.consumer;
  }
}

export class PortIn implements LinkIn {
  private readonly counter: { words: Int32Array; index: number };
  private taken = 0;

  constructor(private readonly port: MessagePort, memory: SharedArrayBuffer, ringOffset: number, private readonly receive: ReceiveMessageOnPort) {
    this.counter = counterWord(memory, ringOffset);
  }

  waiting(): number {
    return (Atomics.load(this.counter.words, this.counter.index) - this.taken) | 0;
  }

  take(max: number, visit: (entry: number) => void): number {
    let n = 0;
    while (n < max) {
      const received = this.receive(this.port);
      if (!received) break;
      this.taken++;
      n++;
      visit(Number(received.message) >>> 0);
    }
    return n;
  }
}
