// Hostile submissions for the confinement tests: each is a lab's reference solution with a prelude
// that attacks from inside the driver, written as a student who has read NIC Lab's source would.
// A prelude that gets anywhere makes the driver fail where it would otherwise pass, so the score
// says whether the attack worked: full marks mean it got nowhere.
//
// The prelude runs before the solution's own imports (sucrase compiles them in place), and wraps
// the `require` its module function was given, so that it sees the `ndis` module and every
// argument NDIS passes to the solution's handlers.

/** Tries every way out of the compartment it can think of; what it reached is in `loot`. */
const ESCAPE_PROBE = String.raw`
declare let require: any;
declare const module: any;
const loot: string[] = [];
const g: any = globalThis;
const tryGet = (name: string, get: () => unknown) => {
  try {
    const value: any = get();
    if (value !== undefined && value !== null && value !== false && value !== '') loot.push(name);
  } catch {}
};
for (const name of ['process', 'require', 'Buffer', 'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts',
  'navigator', 'indexedDB', 'caches', 'localStorage', 'Worker', 'SharedWorker', 'BroadcastChannel', 'postMessage', 'self',
  'window', 'document', 'performance', 'setTimeout', 'queueMicrotask', 'SharedArrayBuffer', 'Atomics', 'WebAssembly',
  'WeakRef', 'FinalizationRegistry', 'global', 'Deno', 'Bun', 'structuredClone', 'crypto']) {
  tryGet('global ' + name, () => g[name]);
}
const ndisModule = require('ndis');
const someNdisFunction = ndisModule.NdisRegisterProtocolDriver ?? ndisModule.NdisFRegisterFilterDriver;
tryGet('process via an NDIS function\'s constructor', () => someNdisFunction.constructor('return process')());
tryGet('process via Function', () => Function('return typeof process === "undefined" ? undefined : process')());
tryGet('process via the async function constructor', () => (async function () {}).constructor('return process')());
tryGet('process via the generator constructor', () => (function* () {}).constructor('return process')().next().value);
tryGet('process via indirect eval', () => (0, eval)('typeof process === "undefined" ? undefined : process'));
tryGet('a dynamic import through Function', () => Function('return imp' + 'ort("node:fs")')());
tryGet('process via require', () => require('process'));
tryGet('fs via require', () => require('fs'));
tryGet('process via console', () => (console as any).constructor('return process')());
tryGet('process via module', () => module.constructor('return process')());
// Not engine code: the attacker's probes of a real clock and randomness, which confinement must refuse.
tryGet('a real clock', () => Date.now());
tryGet('a real date', () => new Date().getTime());
tryGet('randomness', () => Math.random() + 1);
tryGet('an engine stack', () => new Error('probe').stack);
tryGet('call sites', () => {
  (Error as any).prepareStackTrace = (_e: unknown, sites: any[]) => sites;
  const sites: any = new Error('probe').stack;
  return Array.isArray(sites) ? sites.map((s) => s.getThis?.() ?? s.getFunction?.()).find((x) => x) : undefined;
});
tryGet('a writable built-in', () => {
  (Array.prototype as any).includesAll = 1;
  return (Array.prototype as any).includesAll;
});
tryGet('the engine\'s source', () => /\{\s*\[native code\]\s*\}/.test(Function.prototype.toString.call(someNdisFunction)) ? undefined : 'source');
`;

/** The probe as a prelude: the driver fails at load (`LOOT <what>...`) if it reached anything. */
const ESCAPE_PRELUDE = `${ESCAPE_PROBE}
if (loot.length > 0) throw new Error('LOOT ' + loot.join(', '));
`;

/**
 * The probe as a protocol driver of its own that registers and does nothing else: `Reached()`
 * lists what it got hold of ('' for nothing). The worker host's and the page's tests load it.
 */
export const SANDBOX_PROBE = `${ESCAPE_PROBE}
import { NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS, NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 } from 'ndis';
export function Reached() { return loot.join(','); }
export function DriverEntry() {
  return NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'hostile',
    BindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },
    UnbindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },
    OpenAdapterCompleteHandlerEx() {}, CloseAdapterCompleteHandlerEx() {},
    NetPnPEventHandler() { return NDIS_STATUS_SUCCESS; },
  }).Status;
}
`;

/**
 * A prelude that looks, in every object it can reach, for a mark an earlier run left, and leaves
 * its own mark on each: in DriverEntry (the `ndis` module, the globals, the built-ins) and in each
 * handler (its arguments, their prototypes, what NDIS calls return). Finding one is state that
 * survived from an earlier run, and the driver then fails (`SURVIVED <path>`).
 */
const SURVIVAL_PRELUDE = String.raw`
declare let require: any;
const MARK = Symbol.for('nic-lab survival probe');
let survived: string | undefined;
const seen = new Set<unknown>();
function visit(value: any, path: string, depth: number): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value) || depth > 5) return;
  seen.add(value);
  try {
    if (Object.prototype.hasOwnProperty.call(value, MARK)) survived ??= path;
    else if (!Object.isFrozen(value)) Object.defineProperty(value, MARK, { value: path, enumerable: false, configurable: true });
  } catch {}
  let keys: (string | symbol)[] = [];
  try { keys = ArrayBuffer.isView(value) ? [] : Reflect.ownKeys(value); } catch {}
  for (const key of keys) {
    if (key === MARK) continue;
    let d: PropertyDescriptor | undefined;
    try { d = Object.getOwnPropertyDescriptor(value, key); } catch {}
    if (!d) continue;
    if ('value' in d) visit(d.value, path + '.' + String(key), depth + 1);
    else { visit(d.get, path + '.get ' + String(key), depth + 1); visit(d.set, path + '.set ' + String(key), depth + 1); }
  }
  try { visit(Object.getPrototypeOf(value), path + '.__proto__', depth + 1); } catch {}
}
function check(where: string): void {
  if (survived) throw new Error('SURVIVED ' + survived + ' (found in ' + where + ')');
}
const realRequire = require;
const probed = (fn: any, name: string) => function (this: unknown, ...args: unknown[]) {
  args.forEach((a, i) => visit(a, name + ' argument ' + i, 0));
  check(name);
  const result = fn.apply(this, args);
  visit(result, name + ' result', 0);
  return result;
};
require = (specifier: string) => {
  const ndis = realRequire(specifier);
  visit(ndis, 'ndis', 0);
  visit(globalThis, 'globalThis', 0);
  for (const root of [Object, Array, Function, Promise, Uint8Array, DataView, Error, Map, Set, WeakMap, Reflect, JSON, Math, Symbol])
    visit(root, 'built-in ' + (root as any).name, 0);
  visit(realRequire, 'require', 0);
  check('the module');
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ndis)) {
    if (typeof value !== 'function') { wrapped[name] = value; continue; }
    wrapped[name] = name === 'NdisRegisterProtocolDriver' || name === 'NdisFRegisterFilterDriver'
      ? (...args: any[]) => {
          const chars = args[args.length - 1];
          const handlers: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(chars)) handlers[k] = typeof v === 'function' ? probed(v, k) : v;
          args[args.length - 1] = handlers;
          return probed(value, name)(...args);
        }
      : probed(value, name);
  }
  return wrapped;
};
`;

/**
 * A prelude that looks, in every object it can reach (the `ndis` module, every handler's
 * arguments, what NDIS calls return, their fields, prototypes and getters: a NET_BUFFER's Data),
 * for the machine's memory: a buffer bigger than the view it came from, or any view or buffer of a
 * megabyte or more (the frames NDIS hands out are a few KiB). Finding one, the driver fails
 * (`GRABBED <path>`): with it, it could write the NIC's counters or the NBL pool's records.
 */
const GRAB_PRELUDE = String.raw`
declare let require: any;
const MiB = 1 << 20;
let grabbed: string | undefined;
const seenByGrabber = new Set<unknown>();
function big(value: any): boolean {
  try { if (value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object SharedArrayBuffer]') return value.byteLength >= MiB; } catch {}
  try { if (ArrayBuffer.isView(value)) return (value as any).byteLength >= MiB; } catch {}
  return false;
}
function grab(value: any, path: string, depth: number): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seenByGrabber.has(value) || depth > 6) return;
  seenByGrabber.add(value);
  if (big(value)) { grabbed ??= path; return; }
  if (ArrayBuffer.isView(value)) {
    try { const buffer = (value as any).buffer; if (buffer.byteLength > (value as any).byteLength) grabbed ??= path + '.buffer'; } catch {}
    return;
  }
  let keys: (string | symbol)[] = [];
  try { keys = Reflect.ownKeys(value); } catch {}
  for (const key of keys) {
    let d: PropertyDescriptor | undefined;
    try { d = Object.getOwnPropertyDescriptor(value, key); } catch {}
    if (!d) continue;
    if ('value' in d) grab(d.value, path + '.' + String(key), depth + 1);
    else { grab(d.get, path + '.get ' + String(key), depth + 1); grab(d.set, path + '.set ' + String(key), depth + 1); }
  }
  // Getters on its prototype (NET_BUFFER.Data, Next...), read as a driver reads them.
  let proto: any;
  try { proto = Object.getPrototypeOf(value); } catch {}
  if (proto && proto !== Object.prototype && proto !== Function.prototype && proto !== Array.prototype) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d && d.get) { try { grab(d.get.call(value), path + '.' + String(key), depth + 1); } catch {} }
    }
    grab(proto, path + '.__proto__', depth + 1);
  }
}
function checkGrab(where: string): void {
  if (grabbed) throw new Error('GRABBED ' + grabbed + ' (in ' + where + ')');
}
const grabberRequire = require;
const grabbing = (fn: any, name: string) => function (this: unknown, ...args: unknown[]) {
  args.forEach((a, i) => grab(a, name + ' argument ' + i, 0));
  checkGrab(name);
  const result = fn.apply(this, args);
  grab(result, name + ' result', 0);
  checkGrab(name + ' result');
  return result;
};
require = (specifier: string) => {
  const ndis = grabberRequire(specifier);
  grab(ndis, 'ndis', 0);
  checkGrab('the module');
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ndis)) {
    if (typeof value !== 'function') { wrapped[name] = value; continue; }
    wrapped[name] = name === 'NdisRegisterProtocolDriver' || name === 'NdisFRegisterFilterDriver'
      ? (...args: any[]) => {
          const chars = args[args.length - 1];
          const handlers: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(chars)) handlers[k] = typeof v === 'function' ? grabbing(v, k) : v;
          args[args.length - 1] = handlers;
          return grabbing(value, name)(...args);
        }
      : grabbing(value, name);
  }
  return wrapped;
};
`;

/**
 * A prelude for a protocol driver that sends nothing and yet passes a `counter` expectation on
 * GPTC: when its adapter is open it allocates an NBL, takes the machine's memory from the
 * NET_BUFFER (its Data's buffer, or the record's own fields), finds the NIC's register block by
 * the MAC address in RAL0/RAH0 (the bind parameters give it) and writes `count` into GPTC.
 */
export function counterForger(count: number): string {
  return String.raw`
declare let require: any;
const forgerRequire = require;
let mac: number[] = [];
let poolHandle: unknown;
function memoryOf(nb: any): Uint32Array | undefined {
  const routes = [() => nb.Data.buffer, () => nb.words?.buffer, () => nb.views?.pool?.words?.buffer];
  for (const route of routes) {
    try { const buffer = route(); if (buffer && buffer.byteLength > 1 << 20) return new Uint32Array(buffer); } catch {}
  }
  return undefined;
}
function forge(ndis: any): void {
  try {
    const nbl = ndis.NdisAllocateNetBufferAndNetBufferList(poolHandle, 0, 0, null, 0, 60);
    const words = memoryOf(ndis.NET_BUFFER_LIST_FIRST_NB(nbl));
    ndis.NdisFreeNetBufferList(nbl);
    if (!words) return;
    const ral = (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0;
    const rah = (mac[4]! | (mac[5]! << 8) | 0x80000000) >>> 0;
    for (let i = 0; i + 1 < words.length; i++) {
      if (words[i] === ral && words[i + 1] === rah) {
        words[i - 0x5400 / 4 + 0x4080 / 4] = ${count}; // RAL0 is register 0x5400, GPTC 0x4080
        return;
      }
    }
  } catch {}
}
require = (specifier: string) => {
  const ndis = forgerRequire(specifier);
  return {
    ...ndis,
    NdisRegisterProtocolDriver: (context: unknown, chars: any) => ndis.NdisRegisterProtocolDriver(context, {
      ...chars,
      BindAdapterHandlerEx: (ctx: unknown, bindContext: unknown, parameters: any) => {
        mac = Array.from(parameters.CurrentMacAddress.slice(0, parameters.MacAddressLength)) as number[];
        return chars.BindAdapterHandlerEx(ctx, bindContext, parameters);
      },
    }),
    NdisAllocateNetBufferListPool: (...args: unknown[]) => (poolHandle = ndis.NdisAllocateNetBufferListPool(...args)),
    NdisOpenAdapterEx: (...args: unknown[]) => {
      const result = ndis.NdisOpenAdapterEx(...args);
      forge(ndis);
      return result;
    },
  };
};
`;
}

/** `solution` with `prelude` before everything else (its imports included). */
function withPrelude(prelude: string, solution: string): string {
  return `${prelude}\n${solution}`;
}

/** The solution with a prelude that tries every way out of the compartment it can think of. */
export function escapingDriver(solution: string): string {
  return withPrelude(ESCAPE_PRELUDE, solution);
}

/** The solution with a prelude that fails once it reaches the machine's memory (`GRABBED <path>`). */
export function grabbingDriver(solution: string): string {
  return withPrelude(GRAB_PRELUDE, solution);
}

/** The solution with a prelude that fails once it finds state an earlier run left behind. */
export function survivingDriver(solution: string): string {
  return withPrelude(SURVIVAL_PRELUDE, solution);
}

/**
 * A driver that describes the world it runs in and fails with that description (`WORLD ...`): the
 * names and kinds of its globals, the `ndis` module's shape, what a stack and the clock say,
 * which built-ins are frozen. Graded and `nic-lab run` must give it the same text.
 */
export const WORLD_DESCRIBER = String.raw`
import * as ndis from 'ndis';
const g: any = globalThis;
const attempt = (f: () => unknown) => { try { return String(f()); } catch (e) { return 'throws ' + (e as Error).name + ': ' + (e as Error).message; } };
const world = [
  Reflect.ownKeys(g).map((k) => String(k) + ':' + typeof g[k]).sort().join(','),
  Object.keys(ndis).sort().map((k) => k + ':' + typeof (ndis as any)[k]).join(','),
  attempt(() => Function.prototype.toString.call(ndis.NdisRegisterProtocolDriver)),
  attempt(() => (ndis.NdisRegisterProtocolDriver as any).name + '/' + ndis.NdisRegisterProtocolDriver.length),
  attempt(() => new Error('x').stack),
  // The attacker asks for a real clock and randomness (confined, both throw): probes, not engine code.
  attempt(() => Date.now()),
  attempt(() => Math.random()),
  attempt(() => [Object.isFrozen(Array.prototype), Object.isFrozen(ndis), Object.isFrozen(ndis.NdisRegisterProtocolDriver)].join()),
  attempt(() => Object.getOwnPropertyNames(console).join()),
  attempt(() => (null as any).x),
  attempt(() => new Array(2 ** 32)),
];
/** FNV-1a of the long parts, so that the whole description fits in a finding. */
const fnv = (text: string) => { let h = 0x811c9dc5; for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0; return h.toString(16); };
export function DriverEntry(): number {
  throw new Error('WORLD ' + world.map((part) => (part.length > 120 ? 'fnv ' + fnv(part) : part)).join(' | '));
}
`;

/**
 * A prelude for the web lab: from every scope it can reach (its own global, the worker's through
 * NDIS's functions or the prototype chain, `WorkerGlobalScope.prototype` where fetch, indexedDB
 * and caches live in Chromium) it deletes the learner's database, caches and files, and reaches
 * for the network (each request names `/__hostile/`). Confined, it does none of it.
 */
export const PAGE_WRECKER = String.raw`
declare let require: any;
const g: any = globalThis;
const scopes: (() => any)[] = [
  () => g, () => g.self, () => Function('return this')(), () => Object.getPrototypeOf(g),
  () => (require('ndis').NdisRegisterProtocolDriver as any).constructor('return self')(),
  () => (async function () {}).constructor('return self')(),
  () => (console as any).log.constructor('return self')(),
];
for (const get of scopes) {
  let scope: any;
  try { scope = get(); } catch { continue; }
  if (!scope) continue;
  for (const s of [scope, Object.getPrototypeOf(scope)]) {
    if (!s) continue;
    try { s.indexedDB.deleteDatabase('nic-lab'); } catch {}
    try { s.indexedDB.databases().then((dbs: any[]) => dbs.forEach((d) => s.indexedDB.deleteDatabase(d.name))); } catch {}
    try { s.caches.keys().then((keys: string[]) => keys.forEach((k) => s.caches.delete(k))); } catch {}
    try { s.navigator.storage.getDirectory().then((d: any) => d.removeEntry('nic-lab', { recursive: true })); } catch {}
    try { s.fetch('/__hostile/fetch'); } catch {}
    try { new s.WebSocket('ws://' + s.location.host + '/__hostile/socket'); } catch {}
    try { new s.EventSource('/__hostile/events'); } catch {}
    try { s.importScripts('/__hostile/import-scripts.js'); } catch {}
    try { s.localStorage.clear(); } catch {}
    try { s.postMessage({ hostile: true }); } catch {}
  }
}
try { Function('return imp' + 'ort("/__hostile/import.js")')(); } catch {}
try { Function('return imp' + 'ort("data:text/javascript,fetch(\'/__hostile/data-module\')")')(); } catch {}
`;
