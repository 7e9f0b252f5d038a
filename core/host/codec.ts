// Values across the boundary between the core and a driver's worker. A driver's handlers and NDIS's
// functions pass each other handles, NBLs, contexts, request structures and callbacks; what
// crosses the call channel must be JSON, yet both sides must keep identity (`nbl === myNbl`, the
// context NDIS hands back is the driver's own object) and see each other's writes.
//
//  - numbers, strings, booleans, null: as they are; undefined, NaN, bigint: tagged.
//  - NDIS handles: by id; the driver side keeps one mirror per id.
//  - NET_BUFFER_LIST / NET_BUFFER / MDL: by pool index; both sides view the same shared memory.
//  - views of the machine's memory (a NET_BUFFER's Data, memory NDIS allocated, an MDL's bytes):
//    by address and length, a view of the same bytes on the other side (NDIS checks what it gets).
//  - functions: by id; the other side gets a stub that calls back across the channel.
//  - objects the driver owns (contexts, characteristics, OID requests): by reference; the core
//    gets a Proxy whose reads and writes go to the driver's object (the driver is waiting in a
//    call whenever the core runs, so it can answer).
//  - objects the core owns (bind parameters, PnP notifications, status indications): by value
//    with an id; the driver side keeps one mirror per id, refreshed each time it crosses, and the
//    fields of a mirror passed back are written into the core's object.
//  - typed arrays: by value with an id; each side syncs the other's copy at every message, so a
//    query's InformationBuffer filled by the core is filled in the driver's own array.
// Arrays are copied. Anything else (symbols, class instances with private state) is refused.

import { NdisHandle } from '../ndis/handle.ts';
import { NET_BUFFER_LIST, NET_BUFFER, type NetBufferViews } from '../ndis/net-buffer-list.ts';
import { isMdl } from '../ndis/mdl.ts';
import { bufferOf, rangeIn } from '../memory/protect.ts';

export type Owner = 'c' | 'd';

/** How one side reaches the other for what lives there. */
export interface Remote {
  call(fn: number, thisArg: unknown, args: unknown[]): unknown;
  get(ref: number, key: string): unknown;
  set(ref: number, key: string, value: unknown): void;
  has(ref: number, key: string): boolean;
  keys(ref: number): string[];
  remove(ref: number, key: string): void;
}

export interface CodecOptions {
  side: Owner;
  views: NetBufferViews;
  /** Core: the handle with this id; driver: a mirror made on first sight. */
  handle(id: number, kind: string, label: string): unknown;
  remote: Remote;
}

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;
const TYPED: Record<string, new (values: number[]) => TypedArray> = { Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array };

/** The largest number of the other side's typed arrays one side keeps in sync. */
const MIRRORED_ARRAYS = 256;

export class CodecError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export class Codec {
  readonly side: Owner;
  private readonly other: Owner;
  // What this side owns and has sent: id <-> thing.
  private readonly ownIds = new Map<object, number>();
  private readonly own = new Map<number, object>();
  private nextId = 1;
  // What the other side owns, as this side sees it.
  private readonly stubs = new Map<number, (...args: unknown[]) => unknown>();
  private readonly proxies = new Map<number, object>();
  private readonly mirrors = new Map<number, object>();
  private readonly remoteIds = new WeakMap<object, number>();
  /** The other side's typed arrays, with the bytes they had when last synced. */
  private readonly arrays = new Map<number, { array: TypedArray; synced: number[] }>();

  constructor(private readonly options: CodecOptions) {
    this.side = options.side;
    this.other = options.side === 'c' ? 'd' : 'c';
  }

  // ---- encoding --------------------------------------------------------------------------------

  encode(value: unknown, seen: Set<object> = new Set()): unknown {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) ? value : ['n', String(value)];
      case 'undefined':
        return ['u'];
      case 'bigint':
        return ['b', value.toString()];
      case 'function': {
        const remote = this.remoteIds.get(value);
        if (remote !== undefined) return ['f', this.other, remote];
        return ['f', this.side, this.idOf(value)];
      }
      case 'object':
        return value === null ? null : this.encodeObject(value, seen);
      default:
        throw new CodecError(`a ${typeof value} cannot be passed between a driver and NDIS`);
    }
  }

  private encodeObject(value: object, seen: Set<object>): unknown {
    if (value instanceof NdisHandle) return ['h', value.id, value.kind, value.label];
    if (value instanceof NET_BUFFER_LIST) return ['l', value.index];
    if (value instanceof NET_BUFFER) return ['nb', value.index];
    if (isMdl(value)) return ['md', value.index];
    const range = rangeIn(bufferOf(this.options.views.pool.bytes), value);
    if (range) return ['m', range.offset, range.length];
    if (Array.isArray(value)) {
      if (seen.has(value)) throw new CodecError('an array that contains itself cannot be passed between a driver and NDIS');
      seen.add(value);
      return ['a', value.map((item) => this.encode(item, seen))];
    }
    if (ArrayBuffer.isView(value)) return this.encodeArray(value as TypedArray);
    const remote = this.remoteIds.get(value);
    if (remote !== undefined) {
      // The other side's object coming home. A mirror carries its fields back.
      if (this.side === 'c') return ['o', this.other, remote, null];
      return ['o', this.other, remote, seen.has(value) ? null : (seen.add(value), this.fields(value, seen))];
    }
    const id = this.idOf(value);
    if (this.side === 'd') return ['o', this.side, id, null];
    if (seen.has(value)) return ['o', this.side, id, null];
    seen.add(value);
    return ['o', this.side, id, this.fields(value, seen)];
  }

  private fields(value: object, seen: Set<object>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = this.encode((value as Record<string, unknown>)[key], seen);
    return out;
  }

  private encodeArray(array: TypedArray): unknown {
    const name = array.constructor.name;
    if (!(name in TYPED)) throw new CodecError(`a ${name} cannot be passed between a driver and NDIS`);
    const remote = this.remoteIds.get(array);
    if (remote !== undefined) return ['t', this.other, remote, name, Array.from(array)];
    return ['t', this.side, this.idOf(array), name, Array.from(array)];
  }

  private idOf(thing: object): number {
    let id = this.ownIds.get(thing);
    if (id === undefined) {
      id = this.nextId++;
      this.ownIds.set(thing, id);
      this.own.set(id, thing);
    }
    return id;
  }

  /** Whether `value` is a plain object of this side's that has crossed (not a handle, NBL or view, nor the other side's). */
  isOwnObject(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
    if (value instanceof NdisHandle || value instanceof NET_BUFFER_LIST || value instanceof NET_BUFFER || isMdl(value)) return false;
    return this.ownIds.has(value) && !this.remoteIds.has(value);
  }

  // ---- decoding --------------------------------------------------------------------------------

  decode(wire: unknown): unknown {
    if (wire === null || typeof wire === 'string' || typeof wire === 'boolean' || typeof wire === 'number') return wire;
    if (!Array.isArray(wire) || typeof wire[0] !== 'string') throw new CodecError(`not an encoded value: ${String(wire).slice(0, 40)}`);
    switch (wire[0]) {
      case 'u': return undefined;
      case 'n': return Number(wire[1]);
      case 'b': return BigInt(String(wire[1]));
      case 'a': return (wire[1] as unknown[]).map((item) => this.decode(item));
      case 'h': return this.options.handle(Number(wire[1]), String(wire[2] ?? ''), String(wire[3] ?? ''));
      case 'l': return this.nbl(wire[1]);
      case 'nb': return this.nb(wire[1]);
      case 'md': return this.mdl(wire[1]);
      case 'm': return this.memory(wire[1], wire[2]);
      case 'f': return wire[1] === this.side ? this.ownThing(wire[2], 'function') : this.stub(Number(wire[2]));
      case 'o': return wire[1] === this.side ? this.homecoming(wire[2], wire[3]) : this.foreign(Number(wire[2]), wire[3]);
      case 't': return this.decodeArray(wire);
      default: throw new CodecError(`unknown value tag ${JSON.stringify(wire[0])}`);
    }
  }

  private nbl(index: unknown): unknown {
    // An index that is not in the pool comes through as what the driver passed: something that is
    // not an NBL, which NDIS's checks report.
    return typeof index === 'number' && this.options.views.pool.isIndex(index) ? this.options.views.nbl(index) : { index };
  }

  private nb(index: unknown): unknown {
    try {
      return this.options.views.nb(Number(index));
    } catch {
      return { index };
    }
  }

  private mdl(index: unknown): unknown {
    try {
      return this.options.views.mdl(Number(index));
    } catch {
      return { index };
    }
  }

  /** The same bytes of the machine's memory as a view on this side. */
  private memory(offset: unknown, length: unknown): Uint8Array {
    const bytes = this.options.views.pool.bytes;
    if (typeof offset !== 'number' || typeof length !== 'number' || !Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new CodecError(`not a range of the machine's memory: ${String(offset)} + ${String(length)}`);
    }
    return bytes.subarray(offset, offset + length);
  }

  private ownThing(id: unknown, what: string): object {
    const thing = this.own.get(Number(id));
    if (!thing) throw new CodecError(`no ${what} ${String(id)} was passed across`);
    return thing;
  }

  /** One of this side's objects, sent back; a mirror's fields come with it. */
  private homecoming(id: unknown, fields: unknown): object {
    const object = this.ownThing(id, 'object');
    if (fields && typeof fields === 'object') {
      for (const [key, value] of Object.entries(fields as Record<string, unknown>)) (object as Record<string, unknown>)[key] = this.decode(value);
    }
    return object;
  }

  /** The other side's object: a live Proxy (core side) or a refreshed mirror (driver side). */
  private foreign(id: number, fields: unknown): object {
    if (this.side === 'c') {
      let proxy = this.proxies.get(id);
      if (!proxy) {
        proxy = this.proxyFor(id);
        this.proxies.set(id, proxy);
        this.remoteIds.set(proxy, id);
      }
      return proxy;
    }
    let mirror = this.mirrors.get(id) as Record<string, unknown> | undefined;
    if (!mirror) {
      mirror = {};
      this.mirrors.set(id, mirror);
      this.remoteIds.set(mirror, id);
    }
    if (fields && typeof fields === 'object') {
      for (const [key, value] of Object.entries(fields as Record<string, unknown>)) mirror[key] = this.decode(value);
    }
    return mirror;
  }

  private proxyFor(id: number): object {
    const remote = this.options.remote;
    return new Proxy({}, {
      get: (_target, key) => (typeof key === 'symbol' ? undefined : remote.get(id, key)),
      set: (_target, key, value) => {
        if (typeof key === 'symbol') return false;
        remote.set(id, key, value);
        return true;
      },
      has: (_target, key) => typeof key !== 'symbol' && remote.has(id, key),
      deleteProperty: (_target, key) => {
        if (typeof key !== 'symbol') remote.remove(id, key);
        return true;
      },
      ownKeys: () => remote.keys(id),
      getOwnPropertyDescriptor: (_target, key) => {
        if (typeof key === 'symbol' || !remote.has(id, key)) return undefined;
        return { value: remote.get(id, key), writable: true, enumerable: true, configurable: true };
      },
    });
  }

  private stub(id: number): (...args: unknown[]) => unknown {
    let stub = this.stubs.get(id);
    if (!stub) {
      const remote = this.options.remote;
      stub = function (this: unknown, ...args: unknown[]) {
        return remote.call(id, this, args);
      };
      this.stubs.set(id, stub);
      this.remoteIds.set(stub, id);
    }
    return stub;
  }

  private decodeArray(wire: unknown[]): TypedArray {
    const [, owner, rawId, name, values] = wire;
    const Type = TYPED[String(name)];
    if (!Type || !Array.isArray(values)) throw new CodecError(`not an encoded typed array (${String(name)})`);
    const id = Number(rawId);
    if (owner === this.side) {
      const array = this.ownThing(id, 'array') as TypedArray;
      copyInto(array, values);
      return array;
    }
    const known = this.arrays.get(id);
    if (known && known.array.length === values.length && known.array.constructor === Type) {
      copyInto(known.array, values);
      known.synced = values.slice();
      return known.array;
    }
    const array = new Type(values as number[]);
    this.remoteIds.set(array, id);
    this.arrays.set(id, { array, synced: values.slice() });
    if (this.arrays.size > MIRRORED_ARRAYS) this.arrays.delete(this.arrays.keys().next().value!);
    return array;
  }

  // ---- keeping typed arrays in step -------------------------------------------------------------

  /** The other side's arrays this side changed since the last message: [id, values] pairs. */
  changedArrays(): [number, number[]][] {
    const out: [number, number[]][] = [];
    for (const [id, entry] of this.arrays) {
      const { array, synced } = entry;
      let same = array.length === synced.length;
      for (let i = 0; same && i < array.length; i++) same = array[i] === synced[i];
      if (!same) {
        entry.synced = Array.from(array);
        out.push([id, entry.synced]);
      }
    }
    return out;
  }

  /** Applies the other side's changes to this side's arrays. */
  applyArrays(changes: unknown): void {
    if (!Array.isArray(changes)) return;
    for (const change of changes) {
      if (!Array.isArray(change) || !Array.isArray(change[1])) continue;
      const array = this.own.get(Number(change[0]));
      if (array && ArrayBuffer.isView(array)) copyInto(array as TypedArray, change[1]);
    }
  }

  /** This side's object or function with this id (what the other side holds a stub or proxy of). */
  owned(id: unknown): object | undefined {
    return this.own.get(Number(id));
  }
}

function copyInto(array: TypedArray, values: unknown[]): void {
  const n = Math.min(array.length, values.length);
  for (let i = 0; i < n; i++) array[i] = Number(values[i]);
}
