// The grading child's heartbeat: how the parent learns that a driver has stopped giving control
// back, and in which handler. A driver that does not return (`while (true) {}`) blocks the
// child's only thread, so nothing the child does after that moment can say so: the child says,
// before, which handler it is entering and leaving, and the parent's wall clock decides the rest.
//
// The child (HeartbeatWriter) writes one line per event to a pipe of its own (fd 4), engine code
// writing engine facts: the run it starts (scenario index, seed), and each driver handler it
// enters and leaves (runtime.handlerWatch, called from NdisRuntime.invoke), with the trace event
// that entered it. Each line carries the whole state (depth, which outermost call this is, the
// innermost and outermost handlers, the one last left), so the parent reads only the last line of
// what has arrived and a lost line costs nothing. A driver reaches neither the pipe nor the writer
// (confined: its compartment holds only the ndis module, a console and timers that throw), and
// the labels are the engine's (`<driver file name>!<handler>`).
//
// The parent (HeartbeatReader) calls the driver hung when, once a run has begun,
//   - nothing has arrived for `hangMs` (a handler that spins, a getter or a promise callback of the
//     driver's that spins while NDIS has control, the module's own top-level code), or
//   - the same outermost handler call has been open for `hangMs` while lines keep coming (a handler
//     that loops calling NDIS, which calls the driver back).
//   - one run (a scenario under a seed) has lasted RUN_LIMIT_FACTOR times `hangMs` (a driver that
//     keeps NDIS busy without end, each handler returning: a timer or work item that re-queues
//     itself at once, a promise callback that calls NDIS again and again).
// The first two are the worker host's watchdog (core/host/worker-host.ts: one handler call, NDIS
// calls and the handlers they lead to included, within a wall-clock bound), seen from another
// process; a run of the course's labs takes 10 to 50 ms.

/** The child's file descriptor for the heartbeat (the parent's spawn gives it stdio[4], a pipe). */
export const HEARTBEAT_FD = 4;

/** Longest label written or read (a driver's name is its file name, which the submitter chose). */
const LABEL_LIMIT = 200;
/** Longest line the parent parses; a longer one is not the engine's and is skipped. */
const LINE_LIMIT = 2048;

interface Frame {
  label: string;
  event: number;
}

/** The state one heartbeat line carries. */
export interface HeartbeatState {
  /** Index in the lab's scenarios, and the seed, of the run under way. */
  scenario: number;
  seed: number;
  /** Handler calls open (0: NDIS, or driver code outside any handler, has control). */
  depth: number;
  /** How many outermost handler calls this run has entered (a new one is a new count). */
  outer: number;
  /** The innermost open handler and its trace event. */
  inner?: Frame;
  /** The outermost open handler. */
  outermost?: string;
  /** The handler last left, and its trace event. */
  left?: Frame;
}

/** The child's side: engine code calls it; it writes a line per event with `write`. */
export class HeartbeatWriter {
  private readonly stack: Frame[] = [];
  private outer = 0;
  private scenario = -1;
  private seed = 0;
  private left: Frame | undefined;
  /** What NdisRuntime.invoke calls (runtime.handlerWatch). */
  readonly watch = {
    enter: (label: string, event: number): void => {
      if (this.stack.length === 0) this.outer++;
      this.stack.push({ label: label.slice(0, LABEL_LIMIT), event });
      this.emit();
    },
    leave: (): void => {
      this.left = this.stack.pop();
      this.emit();
    },
  };

  constructor(private readonly write: (line: string) => void) {}

  /** A run of scenario `scenario` (its index in the lab) under `seed` begins: before any driver code of it runs. */
  runStarted(scenario: number, seed: number): void {
    this.stack.length = 0;
    this.outer = 0;
    this.left = undefined;
    this.scenario = scenario;
    this.seed = seed;
    this.emit();
  }

  private emit(): void {
    const inner = this.stack.at(-1);
    this.write(`${JSON.stringify([this.scenario, this.seed, this.stack.length, this.outer, inner?.label ?? null, inner?.event ?? 0, this.stack[0]?.label ?? null, this.left?.label ?? null, this.left?.event ?? 0])}\n`);
  }
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isLabel = (s: unknown): s is string => typeof s === 'string' && s.length <= LABEL_LIMIT;

/** A heartbeat line as the parent takes it: the engine's shape, or undefined. */
export function parseHeartbeat(line: string): HeartbeatState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 9) return undefined;
  const [scenario, seed, depth, outer, inner, innerEvent, outermost, left, leftEvent] = value as unknown[];
  if (!isCount(scenario) || !isCount(seed) || !isCount(depth) || !isCount(outer) || !isCount(innerEvent) || !isCount(leftEvent)) return undefined;
  if (depth > 0 ? !isLabel(inner) || !isLabel(outermost) : inner !== null || outermost !== null) return undefined;
  if (left !== null && !isLabel(left)) return undefined;
  return {
    scenario, seed, depth, outer,
    ...(depth > 0 ? { inner: { label: inner as string, event: innerEvent }, outermost: outermost as string } : {}),
    ...(left !== null ? { left: { label: left, event: leftEvent } } : {}),
  };
}

/** A run may last this many times the hang limit. */
export const RUN_LIMIT_FACTOR = 5;

/** How the parent saw the driver hang. */
export type Hang = { how: 'silent' | 'looping' | 'endless'; state: HeartbeatState };

/** The parent's side: fed what arrives on the pipe, asked on its own clock whether the driver hangs. */
export class HeartbeatReader {
  /** The last state read; undefined until a run has begun (nothing of the driver's can run before). */
  state: HeartbeatState | undefined;
  private lastAt = 0;
  private outerSince = 0;
  private runSince = 0;
  /** The start of a line that has not ended yet (at most LINE_LIMIT bytes; `overflow` past that). */
  private partial: Buffer = Buffer.alloc(0);
  private overflow = false;

  /** Something else from the child showed progress (an IPC message). */
  touch(now: number): void {
    this.lastAt = now;
  }

  feed(chunk: Buffer, now: number): void {
    this.lastAt = now;
    const end = chunk.lastIndexOf(10);
    if (end < 0) {
      this.keepPartial(chunk);
      return;
    }
    const start = chunk.lastIndexOf(10, end - 1) + 1;
    let line: Buffer | undefined;
    if (start > 0) line = chunk.subarray(start, end);
    else if (!this.overflow && this.partial.length + end <= LINE_LIMIT) line = Buffer.concat([this.partial, chunk.subarray(0, end)]);
    this.partial = Buffer.alloc(0);
    this.overflow = false;
    this.keepPartial(chunk.subarray(end + 1));
    if (line === undefined || line.length > LINE_LIMIT) return;
    const state = parseHeartbeat(line.toString('utf8'));
    if (!state) return;
    const previous = this.state;
    if (!previous || previous.scenario !== state.scenario || previous.seed !== state.seed) this.runSince = now;
    if (state.depth > 0 && (!previous || previous.depth === 0 || previous.outer !== state.outer || previous.scenario !== state.scenario || previous.seed !== state.seed)) this.outerSince = now;
    this.state = state;
  }

  private keepPartial(bytes: Buffer): void {
    if (this.overflow) return;
    if (this.partial.length + bytes.length > LINE_LIMIT) {
      this.overflow = true;
      this.partial = Buffer.alloc(0);
      return;
    }
    this.partial = Buffer.concat([this.partial, bytes]);
  }

  /** Whether the driver has kept control for `hangMs` (wall-clock milliseconds) by `now`. */
  hung(now: number, hangMs: number): Hang | undefined {
    const state = this.state;
    if (!state) return undefined;
    if (now - this.lastAt >= hangMs) return { how: 'silent', state };
    if (state.depth > 0 && now - this.outerSince >= hangMs) return { how: 'looping', state };
    if (now - this.runSince >= RUN_LIMIT_FACTOR * hangMs) return { how: 'endless', state };
    return undefined;
  }
}

/** The DriverHung finding's message and trace event for a hang, in the driver's terms. */
export function hangMessage(hang: Hang, hangMs: number): { message: string; event: number; handler: string } {
  const { state } = hang;
  const seconds = `${Number((hangMs / 1000).toFixed(3))} s of wall-clock time`;
  if (hang.how === 'endless') {
    const last = state.inner ?? state.left;
    return {
      handler: last?.label ?? '(none)', event: last?.event ?? 0,
      message: `the run did not finish within ${Number(((RUN_LIMIT_FACTOR * hangMs) / 1000).toFixed(3))} s of wall-clock time: the driver kept NDIS busy without end${last ? ` (last in ${last.label})` : ''}, each handler returning but never letting the scenario finish`,
    };
  }
  if (state.inner && state.outermost) {
    if (hang.how === 'looping') {
      return {
        handler: state.outermost, event: state.inner.event,
        message: `${state.outermost} did not return within ${seconds}: it kept calling NDIS, which kept calling the driver back (last ${state.inner.label}); a handler must return`,
      };
    }
    const nested = state.depth > 1 && state.outermost !== state.inner.label ? ` (NDIS called it from within ${state.outermost})` : '';
    return { handler: state.inner.label, event: state.inner.event, message: `${state.inner.label} did not return within ${seconds}${nested}; a handler must return` };
  }
  if (state.left) {
    return {
      handler: state.left.label, event: state.left.event,
      message: `the driver kept control for ${seconds} after ${state.left.label} returned: NDIS was running code the driver handed it (a getter, a proxy, a promise callback) that did not return`,
    };
  }
  return { handler: '(module code)', event: 0, message: `the driver's module code (its top level, run as it loads) did not finish within ${seconds}` };
}
