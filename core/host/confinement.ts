// Confinement of driver code, the same wherever a driver runs (the grading child, a driver's
// worker thread, the web lab's workers, `nic-lab run`): Hardened JavaScript (the `ses` package).
//
// - `confineDrivers()` locks the realm down once, before any driver code runs: every built-in
//   object is frozen (so a driver cannot rewrite Array.prototype.filter under the grader's own
//   checks, nor leave state on a shared object for a later run to find), and the Function
//   constructors reachable through prototypes are made inert (`f.constructor('return process')`
//   throws), so nothing of the host can be regained from a function the driver is handed.
// - Each driver module is evaluated in a Compartment of its own (`driverCompartment`): its global
//   object holds only the standard built-ins and the endowments given here. No `process`, no
//   `require`, no `fetch`, `indexedDB`, `caches`, `navigator`, `WebSocket`, `importScripts`, no
//   real clock (`Date.now()` and `Math.random()` throw) and no dynamic `import()` (SES refuses
//   source that contains one, and its eval and Function evaluate in the compartment, refusing it
//   again). What a driver reaches is what the `ndis` module and its handlers' arguments give it.
// - Errors are tamed: a driver reads no stack (`error.stack` is ''), so it cannot learn where it is
//   running from the engine's frames; the engine reads the frames with `stackOf` (SES's
//   start-compartment `getStackString`) to point findings at the learner's lines, and the call
//   sites of its own stack with `readCallSites` (a finding's place: source-positions.ts stackHere).
//
// Why this holds and what it does not cover: core/grading/README.md, "Grading untrusted code: the threat model".

import 'ses';
import { protectMachineMemory } from '../memory/protect.ts';

type Lockdown = (options?: Record<string, string>) => void;
type CompartmentConstructor = new (options: { globals: Record<string, unknown>; __options__: true }) => { globalThis: Record<string, unknown>; evaluate(code: string): unknown };

const ses = globalThis as unknown as { lockdown: Lockdown; harden?: <T>(value: T) => T; Compartment: CompartmentConstructor; getStackString?: (error: unknown) => string };

/**
 * The options every confined realm is locked down with. `errorTaming: 'safe'` hides stacks from
 * driver code; `overrideTaming: 'moderate'` keeps `this.name = ...` in an Error subclass (and the
 * other common assignments over a frozen prototype's property) working; the console stays the
 * host's own (drivers get their own, `driverConsole`); uncaught errors and rejections are left to
 * the platform (the grading child and the workers handle them themselves); SES reports nothing.
 */
const LOCKDOWN_OPTIONS = { errorTaming: 'safe', overrideTaming: 'moderate', consoleTaming: 'unsafe', stackFiltering: 'verbose', errorTrapping: 'none', unhandledRejectionTrapping: 'none', reporting: 'none' } as const;

let lockedDown = false;
const beforeLockdown: (() => void)[] = [];
/** Engine values whose kind reaches driver code (classes of objects NDIS hands it), hardened at lockdown. */
const hardenAtLockdown: unknown[] = [];

/** Runs `step` just before the realm is locked down (what must change an intrinsic, e.g. a getter). */
export function onLockdown(step: () => void): void {
  if (lockedDown) throw new Error('the realm is already locked down');
  beforeLockdown.push(step);
}

/**
 * Locks this realm down for driver code (once; later calls do nothing). Call it after the engine's
 * modules have loaded and before the first driver is: from then on no built-in can change.
 */
export function confineDrivers(): void {
  if (lockedDown) return;
  // Views of the machine's memory stop giving out their buffer (core/memory/protect.ts).
  protectMachineMemory();
  for (const step of beforeLockdown.splice(0)) step();
  ses.lockdown(LOCKDOWN_OPTIONS);
  lockedDown = true;
  installCallSiteReader();
  for (const value of hardenAtLockdown.splice(0)) ses.harden!(value);
}

/** Frames V8 keeps of a stack once the realm is locked down (readCallSites: a finding's place is 10 to 15 frames below where it is recorded). */
const LOCKED_STACK_FRAMES = 32;
/** Set while readCallSites captures a stack: the prepareStackTrace installed at lockdown hands it the call sites. */
let siteReader: ((sites: unknown) => void) | undefined;
/** Whether that prepareStackTrace is in place. */
let readerInstalled = false;

/**
 * Right after lockdown, before anything is hardened: the real Error (which SES keeps from every
 * compartment) is frozen as soon as a class that extends it is hardened (DriverLoadError,
 * BugCheck), and from then on neither its prepareStackTrace nor its stackTraceLimit can change.
 * So the engine's own prepareStackTrace goes in now, through SES's start-compartment setter: SES
 * still records every error's call sites for getStackString and hands this function attenuated
 * copies; it returns '' as SES's default does ('safe' taming), so every error's `stack` reads as before.
 */
function installCallSiteReader(): void {
  try {
    const error = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit?: unknown };
    error.prepareStackTrace = (_error: unknown, sites: unknown) => {
      siteReader?.(sites);
      return '';
    };
    error.stackTraceLimit = LOCKED_STACK_FRAMES;
    readerInstalled = true;
  } catch {
    // An SES that refuses: findings then have no place, and nothing else changes.
  }
}

/**
 * Hands `read` V8's call sites of the stack here (what the caller's frames are, by file, line
 * and column, whatever the functions are named). Before lockdown (tests) it swaps this realm's
 * prepareStackTrace and stackTraceLimit for the one read and puts them back: a driver there can
 * reach them, so whatever it left (a getter that throws, a function that lies) is tolerated, and
 * only call sites this function's own prepareStackTrace received are handed on. Never throws;
 * `read` is not called when no stack could be read.
 */
export function readCallSites(read: (sites: unknown) => void, frames: number): void {
  if (lockedDown) {
    if (!readerInstalled) return;
    siteReader = read;
    try {
      void new Error('where').stack;
    } catch {
      // Nothing to hand on.
    } finally {
      siteReader = undefined;
    }
    return;
  }
  let sites: unknown;
  let captured = false;
  const prepare = (_error: unknown, given: unknown): string => {
    sites = given;
    captured = true;
    return '';
  };
  const error = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit?: unknown };
  let savedPrepare: unknown;
  let savedLimit: unknown;
  let swapped = false;
  let limited = false;
  try {
    savedPrepare = error.prepareStackTrace;
    error.prepareStackTrace = prepare;
    swapped = true;
    savedLimit = error.stackTraceLimit;
    error.stackTraceLimit = frames;
    limited = true;
    void new Error('where').stack;
  } catch {
    // Whatever a driver's getter threw: the sites are those `prepare` received, if it ran.
  } finally {
    try {
      if (limited) error.stackTraceLimit = savedLimit;
    } catch {
      // Its setter refused: nothing depends on the limit.
    }
    try {
      if (swapped) error.prepareStackTrace = savedPrepare;
    } catch {
      // As above.
    }
  }
  if (captured) read(sites);
}

/** Whether this realm is locked down (drivers loaded before it are not confined: tests only). */
export function isConfined(): boolean {
  return lockedDown;
}

/** Freezes `value` and everything reachable from it, once the realm is locked down (before, it is a no-op: tests). */
export function hardenForDrivers<T>(value: T): T {
  return lockedDown && ses.harden ? ses.harden(value) : value;
}

/**
 * Hardens `values` (the engine's classes whose instances, or errors, NDIS hands to drivers) when
 * the realm is locked down: a driver that reaches `Object.getPrototypeOf(handle)` must find a
 * frozen prototype, or it could leave state there for a later run or change the engine's methods.
 */
export function hardenWhenConfined(...values: unknown[]): void {
  if (lockedDown) for (const value of values) ses.harden!(value);
  else hardenAtLockdown.push(...values);
}

/**
 * The built-ins a driver's module gets as parameters of its function rather than through the
 * compartment's global object: a global lookup in a compartment costs ~200 ns (it goes through
 * SES's scope proxy), a parameter ~1 ns. They are the very objects the compartment's globals hold.
 */
export const FAST_GLOBALS = [
  'Object', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Proxy', 'Promise',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError',
  'ArrayBuffer', 'DataView', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'TextEncoder', 'TextDecoder', 'Date', 'RegExp',
  'isNaN', 'isFinite', 'parseInt', 'parseFloat', 'NaN', 'Infinity', 'undefined',
] as const;

export interface DriverCompartment {
  /**
   * Evaluates `code`, a function expression whose header is on the first line, in the compartment;
   * returns the function. Throws the compartment's SyntaxError (or SES's refusal of `import(`).
   */
  evaluate(code: string): unknown;
  /** The values of FAST_GLOBALS in this compartment, in that order. */
  fastGlobals(): unknown[];
}

/**
 * A fresh compartment for one driver module: the standard built-ins and `endowments`, nothing else.
 * Every load gets its own, so nothing one run leaves on its global object reaches the next.
 */
export function driverCompartment(endowments: Record<string, unknown>): DriverCompartment {
  const compartment = new ses.Compartment({ globals: endowments, __options__: true });
  const global = compartment.globalThis;
  return {
    evaluate: (code) => compartment.evaluate(code),
    fastGlobals: () => FAST_GLOBALS.map((name) => global[name]),
  };
}

/** Stacks of errors thrown on another thread (a driver's worker), carried here with them. */
const carriedStacks = new WeakMap<object, string>();

/** Records that `error` stands for one thrown elsewhere, whose frames were `stack`. */
export function carryStack(error: object, stack: string): void {
  carriedStacks.set(error, stack);
}

/**
 * The frames of an error, as the engine may read them: SES keeps them from driver code and gives
 * them to the start compartment through `getStackString` (frame lines only); before lockdown
 * (tests) it is the error's own `stack`.
 */
export function stackOf(error: unknown): string {
  try {
    const carried = typeof error === 'object' && error !== null ? carriedStacks.get(error) : undefined;
    if (carried !== undefined) return carried;
    if (lockedDown && ses.getStackString && typeof error === 'object' && error !== null) return ses.getStackString(error);
    const stack = (error as { stack?: unknown } | null)?.stack;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
}

/** The longest text the engine takes from one value a driver made (a thrown message, a console line). */
export const DRIVER_TEXT_LIMIT = 4096;

/**
 * A value a driver made (a thrown value, a console argument) as text, never throwing and never
 * longer than `limit`: its `toString` may throw, its `message` may be a getter, or 50 MB long.
 */
export function driverText(value: unknown, limit = DRIVER_TEXT_LIMIT): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : String(value);
  } catch {
    try {
      text = Object.prototype.toString.call(value);
    } catch {
      text = '(a value that cannot be shown)';
    }
  }
  if (typeof text !== 'string') text = '(a value that cannot be shown)';
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

/** Where a driver's console output goes (the grading child drops it; `nic-lab run` prints it). */
export type ConsoleSink = (level: 'log' | 'info' | 'warn' | 'error' | 'debug', text: string) => void;

/** The console a driver gets: made for it, hardened, each line capped and reduced to text. */
export function driverConsole(sink: ConsoleSink): Record<string, (...args: unknown[]) => void> {
  const line = (level: Parameters<ConsoleSink>[0]) => (...args: unknown[]) => {
    sink(level, driverText(args.map((a) => driverText(a)).join(' ')));
  };
  return hardenForDrivers({ log: line('log'), info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug') });
}

/** Real timers, replaced by functions that throw and point at NDIS's virtual-time timers. */
export function virtualTimeOnly(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available to drivers: time is virtual. Use NdisAllocateTimerObject and NdisSetTimerObject, or NdisQueueIoWorkItem.`);
  };
}
