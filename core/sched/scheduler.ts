// The deterministic scheduler: NDIS's freedom, made explicit and seeded. Work the runtime may
// do next (complete a send, deliver a pended completion, fire a timer, run a work item, step the
// device) is posted as a task on a channel. Tasks on one channel run in order; between
// channels, any ready head may go next, and the seeded generator picks which. When nothing is
// ready, virtual time jumps to the earliest due task. Same seed, same choices, same trace.

import { Prng } from './prng.ts';
import type { Trace } from '../trace/trace.ts';

export interface Clock {
  now(): bigint;
  /** Moves time forward to `t` (never back). */
  advanceTo(t: bigint): void;
}

/** What a task is to the run: work keeps it going; see PostOptions for the other two. */
type TaskKind = 'work' | 'background' | 'watchdog';

interface Task {
  id: number;
  label: string;
  channel: string;
  due: bigint;
  run: () => void;
  kind: TaskKind;
  stillPending?: () => boolean;
}

export interface PostOptions {
  /** Tasks on the same channel run in the order posted. Default: a channel of its own. */
  channel?: string;
  /** Earliest virtual time, relative to now, in nanoseconds. */
  delayNs?: bigint | number;
  /**
   * A task that does not keep the run going by itself: the next firing of a periodic timer,
   * which always has one more. Background tasks run as time passes for other work; when they
   * are all that is left (watchdogs aside, below), step() has nothing to run, so a run ends
   * instead of ticking forever.
   */
  background?: boolean;
  /**
   * Marks a watchdog: when only background tasks and watchdogs are left, the run goes on (and
   * the background tasks with it) only while some watchdog's `stillPending` says what it watches
   * has not completed yet; else the run is over and those watchdogs would have found nothing.
   * With no background task left, watchdogs run at their time as any task does.
   */
  stillPending?: () => boolean;
}

export class Scheduler {
  private readonly channels = new Map<string, Task[]>();
  private readonly prng: Prng;
  private nextId = 1;
  /** Steps taken. */
  steps = 0;
  /**
   * Channels whose task is running now, outermost first. A step taken inside a task (a driver's
   * wait runs the scheduler nested) skips them: a channel's next task starts only once the one
   * before it has finished, nested or not.
   */
  private readonly running: string[] = [];
  /** Tasks waiting, by kind (TaskKind). */
  private readonly waiting: Record<TaskKind, number> = { work: 0, background: 0, watchdog: 0 };

  constructor(seed: bigint | number, private readonly clock: Clock, private readonly trace?: Trace) {
    this.prng = new Prng(seed, 0x5c4ed);
  }

  /** Queues `run`; returns an id for cancel(). */
  post(label: string, run: () => void, options: PostOptions = {}): number {
    const id = this.nextId++;
    const channel = options.channel ?? `#${id}`;
    const delay = BigInt(options.delayNs ?? 0);
    if (delay < 0n) throw new RangeError(`a task cannot be due in the past (${delay} ns)`);
    const queue = this.channels.get(channel) ?? [];
    const kind: TaskKind = options.background ? 'background' : options.stillPending ? 'watchdog' : 'work';
    this.waiting[kind]++;
    queue.push({ id, label, channel, due: this.clock.now() + delay, run, kind, ...(options.stillPending ? { stillPending: options.stillPending } : {}) });
    this.channels.set(channel, queue);
    return id;
  }

  /** Decisions fixed by name (force): what `choose` returns for them instead of a seeded pick. */
  private readonly forced = new Map<string, number>();

  /**
   * A seeded choice among `n` things NDIS may legally do (0..n-1), for decisions made inside a
   * step, such as whether a queued work item runs before the call that queued it returns.
   * `decision` names it, so a test or scenario can fix it (force) and the trace says which it was.
   */
  choose(n: number, decision?: string): number {
    const fixed = decision === undefined ? undefined : this.forced.get(decision);
    // A forced decision still draws, so fixing one leaves every other choice of the seed as it was.
    const drawn = this.prng.below(n);
    const pick = fixed !== undefined && fixed < n ? fixed : drawn;
    this.trace?.record('choice', { of: n, pick, ...(decision !== undefined ? { decision } : {}), ...(fixed !== undefined ? { forced: true } : {}) });
    return pick;
  }

  /** Fixes the named decision to `pick` for every `choose` that names it. */
  force(decision: string, pick: number): void {
    if (!Number.isInteger(pick) || pick < 0) throw new RangeError(`decision "${decision}": a pick is an integer 0..n-1, not ${pick}`);
    this.forced.set(decision, pick);
  }

  /** Removes a task that has not run; returns whether it was there. */
  cancel(id: number): boolean {
    for (const [channel, queue] of this.channels) {
      const at = queue.findIndex((t) => t.id === id);
      if (at >= 0) {
        this.waiting[queue[at]!.kind]--;
        queue.splice(at, 1);
        if (queue.length === 0) this.channels.delete(channel);
        return true;
      }
    }
    return false;
  }

  /** Tasks waiting, all channels (background ones and watchdogs too). */
  get pending(): number {
    let n = 0;
    for (const queue of this.channels.values()) n += queue.length;
    return n;
  }

  /** Labels of the tasks waiting, for diagnostics ("what never completed"). */
  pendingLabels(): string[] {
    return [...this.channels.values()].flat().map((t) => t.label);
  }

  /** The earliest due time among the tasks waiting, or undefined when none is. */
  earliestDue(): bigint | undefined {
    let earliest: bigint | undefined;
    for (const [channel, queue] of this.channels) {
      if (this.running.length > 0 && this.running.includes(channel)) continue;
      const due = queue[0]!.due;
      if (earliest === undefined || due < earliest) earliest = due;
    }
    return earliest;
  }

  /** Moves virtual time forward to `t` without running anything (a wait that timed out). */
  advanceTo(t: bigint): void {
    if (this.clock.now() < t) this.clock.advanceTo(t);
  }

  /**
   * Runs one task: a seeded choice among the channel heads that are due now; if none is due,
   * time first moves to the earliest due head. Returns false when there is nothing to run: no
   * task, or (unless `asTimePasses`) only background tasks and watchdogs that watch nothing.
   */
  step(asTimePasses = false): boolean {
    if (this.channels.size === 0) return false;
    if (!asTimePasses && this.waiting.work === 0 && this.waiting.background > 0 && !this.aWatchdogStillWaits()) return false;
    // Channel heads in a fixed order (by task id), so the choice depends only on the seed.
    let heads = [...this.channels.values()].map((q) => q[0]!).sort((a, b) => a.id - b.id);
    if (this.running.length > 0) heads = heads.filter((t) => !this.running.includes(t.channel));
    if (heads.length === 0) return false;
    let now = this.clock.now();
    let ready = heads.filter((t) => t.due <= now);
    if (ready.length === 0) {
      const earliest = heads.reduce((min, t) => (t.due < min ? t.due : min), heads[0]!.due);
      this.clock.advanceTo(earliest);
      now = earliest;
      ready = heads.filter((t) => t.due <= now);
    }
    const task = ready.length === 1 ? ready[0]! : ready[this.prng.below(ready.length)]!;
    const queue = this.channels.get(task.channel)!;
    queue.shift();
    this.waiting[task.kind]--;
    if (queue.length === 0) this.channels.delete(task.channel);
    this.steps++;
    this.trace?.record('step', { task: task.label, choices: ready.length });
    this.running.push(task.channel);
    try {
      task.run();
    } finally {
      this.running.pop();
    }
    return true;
  }

  /** Whether a waiting watchdog still watches something pending (PostOptions.stillPending). */
  private aWatchdogStillWaits(): boolean {
    if (this.waiting.watchdog === 0) return false;
    for (const queue of this.channels.values()) for (const task of queue) if (task.kind === 'watchdog' && task.stillPending!()) return true;
    return false;
  }

  /** Runs tasks until none is left; throws if that takes more than `maxSteps`. */
  runUntilIdle(maxSteps = 1_000_000): number {
    let steps = 0;
    while (this.step()) {
      if (++steps >= maxSteps) throw new Error(`the scheduler was still busy after ${maxSteps} steps: ${this.pendingLabels().slice(0, 5).join(', ')}`);
    }
    return steps;
  }

  /** Runs the tasks due up to virtual time `t` (inclusive), then sets the clock to `t`. */
  runUntil(t: bigint, maxSteps = 1_000_000): number {
    let steps = 0;
    for (;;) {
      const heads = [...this.channels.values()].map((q) => q[0]!);
      if (!heads.some((h) => h.due <= t)) break;
      // Time passing to `t` fires what falls due on the way, background tasks too.
      if (!this.step(true)) break;
      if (++steps >= maxSteps) throw new Error(`the scheduler was still busy after ${maxSteps} steps`);
    }
    if (this.clock.now() < t) this.clock.advanceTo(t);
    return steps;
  }
}
