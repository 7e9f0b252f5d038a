// What the grading child process does to itself after the engine has loaded and before any
// submitted code runs. Node's permission model (set on the command line by sandbox.ts) stops
// file writes, file reads other than the NIC's wasm, child processes and workers; it does not
// cover the network or the process object, and a driver shares its JavaScript realm with the
// grader. So this removes every way out that is left (network globals, native bindings, builtin
// module access, process control, real timers) and freezes the built-in objects, so that a driver
// cannot replace, say, Array.prototype.filter and have the grader's own checks pass it.

import { NETWORK_AND_STORAGE } from '../host/sandbox.ts';

/** Globals a driver could reach the network, other threads or the loader through (the driver worker's list and Node's own). */
const REMOVED_GLOBALS = [
  ...NETWORK_AND_STORAGE, 'Request', 'Response', 'Headers', 'FormData',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'require', 'module', 'exports', '__filename', '__dirname',
];

/**
 * Members of `process` that reach native code, builtin modules, other processes or the IPC channel.
 * (`process.channel` stays: Node's own IPC code reads it. A driver could close the channel with
 * it, which ends in a zero, or write to it, which the parent ignores without the job's nonce.)
 */
const REMOVED_PROCESS_MEMBERS = [
  'binding', '_linkedBinding', 'dlopen', 'getBuiltinModule', '_getActiveHandles', '_getActiveRequests',
  'send', 'disconnect', '_channel', 'mainModule', 'openStdin', 'stdin',
  'chdir', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'umask', '_kill', 'report',
  'setSourceMapsEnabled', 'setUncaughtExceptionCaptureCallback', 'loadEnvFile', '_debugProcess', '_startProfilerIdleNotifier',
];

/** Ends of the process a driver must not call (each throws an error naming itself instead). */
const REFUSED_PROCESS_CALLS = ['exit', 'reallyExit', 'abort', 'kill', '_rawDebug'];

/** The standard built-ins, frozen with everything reachable from them. */
const INTRINSIC_NAMES = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Date', 'RegExp',
  'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError',
  'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Proxy', 'Reflect', 'JSON', 'Math', 'Atomics', 'Intl',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'WebAssembly',
  'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey', 'structuredClone', 'queueMicrotask',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
];

/**
 * Properties that ordinary code assigns on instances (`this.name = ...` in an Error subclass).
 * Once their prototype is frozen such an assignment would throw (the "override mistake"), so
 * they become accessors whose setter gives the instance its own property instead.
 */
const OVERRIDABLE: [string, string[]][] = [
  ['Object', ['toString', 'toLocaleString', 'valueOf', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']],
  ['Error', ['name', 'message', 'constructor', 'toString']],
  ['EvalError', ['name', 'message', 'constructor']],
  ['RangeError', ['name', 'message', 'constructor']],
  ['ReferenceError', ['name', 'message', 'constructor']],
  ['SyntaxError', ['name', 'message', 'constructor']],
  ['TypeError', ['name', 'message', 'constructor']],
  ['URIError', ['name', 'message', 'constructor']],
  ['AggregateError', ['name', 'message', 'constructor']],
  ['Function', ['toString']],
];

const hasOwn = Object.hasOwn;
const defineProperty = Object.defineProperty;

function makeOverridable(target: object, key: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (!descriptor || !('value' in descriptor) || !descriptor.configurable) return;
  const value: unknown = descriptor.value;
  defineProperty(target, key, {
    get: () => value,
    set(this: object, replacement: unknown) {
      if (this === target) throw new TypeError(`Cannot assign to ${key}: the built-in objects are frozen while a submission is graded`);
      if (hasOwn(this, key)) (this as Record<string, unknown>)[key] = replacement;
      else defineProperty(this, key, { value: replacement, writable: true, enumerable: true, configurable: true });
    },
    enumerable: descriptor.enumerable ?? false,
    configurable: false,
  });
}

/** Freezes `roots` and every object reachable from them through properties and prototypes. */
function deepFreeze(roots: unknown[]): void {
  const seen = new Set<unknown>();
  const queue = [...roots];
  while (queue.length > 0) {
    const value = queue.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    Object.freeze(value);
    queue.push(Object.getPrototypeOf(value));
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
      queue.push(descriptor.value, descriptor.get, descriptor.set);
    }
  }
}

/** The built-ins that have no global name (generator and iterator prototypes, %TypedArray%). */
function hiddenIntrinsics(): unknown[] {
  return [
    Object.getPrototypeOf(Int8Array),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(async function* () {}),
    Object.getPrototypeOf((function* () {})()),
    Object.getPrototypeOf((async function* () {})()),
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(new Map().entries()),
    Object.getPrototypeOf(new Set().values()),
    Object.getPrototypeOf(''[Symbol.iterator]()),
    Object.getPrototypeOf('x'.matchAll(/x/g)),
  ];
}

function refuse(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available while a submission is graded`);
  };
}

/** Locks the process down; returns the IPC send and the exit the child itself keeps. */
export function lockdown(): { send: (message: unknown, sent?: () => void) => void; exit: (code: number) => void } {
  if (typeof process.send !== 'function') throw new Error('the grading child must be started with an IPC channel');
  const send = process.send.bind(process) as (message: unknown, sent?: () => void) => void;
  const exit = (process as unknown as { reallyExit(code: number): void }).reallyExit.bind(process);
  const g = globalThis as Record<string, unknown>;

  for (const name of REMOVED_GLOBALS) delete g[name];
  const proc = process as unknown as Record<string, unknown>;
  for (const name of REMOVED_PROCESS_MEMBERS) {
    try {
      delete proc[name];
    } catch {
      // a non-configurable member: shadow it instead
    }
    if (name in proc) defineProperty(proc, name, { value: undefined, writable: false, configurable: false });
  }
  for (const name of REFUSED_PROCESS_CALLS) defineProperty(proc, name, { value: refuse(`process.${name}`), writable: false, configurable: false });
  defineProperty(proc, 'env', { value: Object.freeze({}), writable: false, configurable: false });
  // eval is already refused (--disallow-code-generation-from-strings); removing it also removes a name.
  delete g.eval;

  for (const [name, keys] of OVERRIDABLE) {
    const prototype = (g[name] as { prototype?: object } | undefined)?.prototype;
    if (prototype) for (const key of keys) makeOverridable(prototype, key);
  }
  // Reading each global first makes Node's lazily defined ones (crypto...) real values.
  const intrinsics = INTRINSIC_NAMES.filter((name) => name in g).map((name) => [name, g[name]] as const);
  deepFreeze([...intrinsics.map(([, value]) => value), ...hiddenIntrinsics()]);
  for (const [name, value] of intrinsics) defineProperty(g, name, { value, writable: false, enumerable: false, configurable: false });
  defineProperty(g, 'globalThis', { value: g, writable: false, enumerable: false, configurable: false });
  return { send, exit };
}
