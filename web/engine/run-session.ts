// One run as the page holds it: the timeline events, snapshots and frames streamed from the lab
// runtime worker, then its outcome. The live views ask it what the machine looked like at a
// trace position (the latest snapshot at or before it), which is how playback and scrubbing
// both work.

import type { ConsoleLine, FrameView, RunChunk, RunOutcome, Snapshot, TimelineEvent } from './protocol.ts';

/** Index of the last item whose `n` is <= `n`, or -1. Items are sorted by `n`. */
function lastAtOrBefore(items: readonly { n: number }[], n: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.n <= n) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export class RunSession extends EventTarget {
  readonly events: TimelineEvent[] = [];
  readonly snapshots: Snapshot[] = [];
  readonly frames: FrameView[] = [];
  /** What the drivers printed, in order. */
  readonly console: ConsoleLine[] = [];
  /** Registered names by the trace's driver names ("driver" -> "protocol-binding"). */
  readonly driverNames: Record<string, string> = {};
  outcome: RunOutcome | undefined;
  /** Why the run ended without an outcome (hung, stopped, an error). */
  failure: string | undefined;

  constructor(readonly lab: string, readonly scenario: string, readonly seed: number) {
    super();
  }

  get done(): boolean {
    return this.outcome !== undefined || this.failure !== undefined;
  }

  /**
   * Resolves once the run is over and every timeline event it kept has arrived: the chunks come
   * on a channel of their own, so the outcome may arrive before the last of them.
   */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.failure !== undefined || (this.outcome && this.events.length >= this.outcome.eventsShown)) {
          this.removeEventListener('update', check);
          resolve();
        }
      };
      this.addEventListener('update', check);
      check();
    });
  }

  /** The last trace event number received. */
  get lastEvent(): number {
    return this.events.at(-1)?.n ?? 0;
  }

  add(chunk: RunChunk): void {
    this.events.push(...chunk.events);
    this.snapshots.push(...chunk.snapshots);
    this.frames.push(...chunk.frames);
    this.console.push(...chunk.console);
    Object.assign(this.driverNames, chunk.names);
    this.dispatchEvent(new Event('update'));
  }

  finish(outcome: RunOutcome): void {
    this.outcome = outcome;
    this.dispatchEvent(new Event('update'));
  }

  fail(why: string): void {
    this.failure = why;
    this.dispatchEvent(new Event('update'));
  }

  /** The machine as last sampled at or before trace event `n`. */
  snapshotAt(n: number): Snapshot | undefined {
    const i = lastAtOrBefore(this.snapshots, n);
    return i < 0 ? this.snapshots[0] : this.snapshots[i];
  }

  /** Index of the snapshot `snapshotAt(n)` returns. */
  snapshotIndexAt(n: number): number {
    return Math.max(0, lastAtOrBefore(this.snapshots, n));
  }

  /** Up to `count` events ending at `n`. */
  eventsUpTo(n: number, count: number): TimelineEvent[] {
    const end = lastAtOrBefore(this.events, n) + 1;
    return this.events.slice(Math.max(0, end - count), end);
  }

  /** Console lines printed up to trace event `n`. */
  consoleUpTo(n: number): ConsoleLine[] {
    return this.console.slice(0, lastAtOrBefore(this.console, n) + 1);
  }

  /** Frames seen up to trace event `n`. */
  framesUpTo(n: number): FrameView[] {
    return this.frames.slice(0, lastAtOrBefore(this.frames, n) + 1);
  }
}
