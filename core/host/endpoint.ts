// One side of the synchronous call protocol between the core and a driver worker. `call` sends a
// request and waits for its answer; while it waits, the other side may make requests of its own
// (a handler calling NDIS, NDIS reading the driver's OID request) and they are served in place,
// nested, exactly as the same calls nest on one thread in the in-process host. So there is no
// reentrancy deadlock, and the order of everything is the in-process order.
//
// Requests:  call {f, t, a} (run this side's function f with this t and arguments a)
//            ndis {n, a}    (driver -> core: the NDIS function named n)
//            where {}       (core -> driver: the frames of the driver's file on the driver's stack
//                            now, for a finding's place in its source; only on the reporting path)
//            get {o, p} | set {o, p, v} | has {o, p} | keys {o} | del {o, p}   (this side's object o)
// Answers:   ret {v, r?} | err {e: {name, message, stack}}   (r: the fields, now, of the answering
//            side's own objects an ndis request passed in)
// Every message also carries `s`: typed arrays of the receiver that the sender changed.

import { CallChannel, ChannelCorrupted, ChannelTimeout, type Side, FOR_CORE, FOR_DRIVER } from './channel.ts';
import { wallClockMs } from '../sched/wall-clock.ts';
import { Codec, CodecError, type CodecOptions, type Remote } from './codec.ts';
import { carryStack, driverText, stackOf } from './confinement.ts';

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

/** An exception thrown on the other side, rethrown here with its name, message and stack. */
export class RemoteError extends Error {
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
    if (info.stack) {
      this.stack = info.stack;
      carryStack(this, info.stack);
    }
  }
}

type Message = Record<string, unknown> & { k: string };

export interface EndpointOptions extends Omit<CodecOptions, 'remote' | 'side'> {
  side: Side;
  /** Serves an `ndis` request (the core side only). */
  ndis?: (name: string, args: unknown[]) => unknown;
  /** Driver side: answers a `where` request (source-positions.ts framesOf of this thread's stack). */
  where?: () => string;
  /** Core side: how long one call may wait for its answer (wall-clock ms); Infinity to wait for ever. */
  timeoutMs?: number;
  /**
   * Errors that must unwind this side's stack instead of being answered (the core's BugCheck:
   * the machine has stopped, nobody is to be answered any more).
   */
  unwinds?: (error: unknown) => boolean;
  /** Core side: a reason to refuse any call now (the machine stopped, the thread is gone). */
  refuse?: () => string | undefined;
  /** Core side: the channel failed (watchdog, garbage); must throw what stops the machine. */
  broken?: (error: ChannelTimeout | ChannelCorrupted | CodecError) => never;
}

/** The NDIS calls that block the caller while NDIS runs the machine on (core/ndis/synchronization.ts). */
const WAITS: ReadonlySet<string> = new Set(['NdisWaitEvent', 'NdisMSleep']);

export class Endpoint {
  readonly codec: Codec;
  private readonly peer: Side;

  constructor(readonly channel: CallChannel, private readonly options: EndpointOptions) {
    this.peer = options.side === FOR_CORE ? FOR_DRIVER : FOR_CORE;
    const remote: Remote = {
      call: (f, t, a) => this.request({ k: 'call', f, t: this.codec.encode(t), a: a.map((v) => this.codec.encode(v)) }),
      get: (o, p) => this.request({ k: 'get', o, p }),
      set: (o, p, v) => void this.request({ k: 'set', o, p, v: this.codec.encode(v) }),
      has: (o, p) => this.request({ k: 'has', o, p }) === true,
      keys: (o) => (this.request({ k: 'keys', o }) as unknown[]).map(String),
      remove: (o, p) => void this.request({ k: 'del', o, p }),
    };
    this.codec = new Codec({ ...options, side: options.side === FOR_CORE ? 'c' : 'd', remote });
  }

  /** Calls an NDIS function on the core (driver side). */
  ndis(name: string, args: unknown[]): unknown {
    return this.request({ k: 'ndis', n: name, a: args.map((v) => this.codec.encode(v)) });
  }

  /** Sends a request and serves the other side until its answer comes; returns the decoded answer. */
  request(message: Message): unknown {
    const refusal = this.options.refuse?.();
    if (refusal) throw new RemoteError({ name: 'Error', message: refusal });
    const limit = this.options.timeoutMs ?? Infinity;
    // The watchdog runs from the request to its answer, through every NDIS call the driver makes
    // meanwhile: a handler that loops calling NDIS is as hung as one that loops alone. Except a
    // wait (NdisWaitEvent, NdisMSleep): NDIS runs the rest of the machine inside it, which is
    // not the driver's time, so the deadline moves by what the wait took.
    let deadline = limit === Infinity ? Infinity : wallClockMs() + limit;
    this.send(message);
    for (;;) {
      const incoming = this.receive(deadline);
      if (incoming.k === 'ret') {
        return this.checked(() => {
          // The other side's objects passed in, as they are now (refreshes this side's copies).
          if (Array.isArray(incoming.r)) for (const arg of incoming.r) this.codec.decode(arg);
          return this.codec.decode(incoming.v);
        });
      }
      if (incoming.k === 'err') throw new RemoteError(errorInfo(incoming.e));
      const waits = incoming.k === 'ndis' && deadline !== Infinity && WAITS.has(String(incoming.n));
      const started = waits ? wallClockMs() : 0;
      this.answer(incoming);
      if (waits) deadline += wallClockMs() - started;
    }
  }

  /** Driver side: serves requests for ever (the worker's idle loop). */
  serveForever(): never {
    for (;;) this.serveOne();
  }

  /** Driver side: waits for one request from the other side and serves it. */
  serveOne(): void {
    this.answer(this.receive(Infinity));
  }

  private answer(message: Message): void {
    let reply: Message;
    try {
      if (message.k === 'ndis') {
        const args = Array.isArray(message.a) ? message.a.map((v) => this.codec.decode(v)) : [];
        const v = this.codec.encode(this.serveNdis(String(message.n), args));
        // NDIS may write into a structure of its own that the driver passed in (the results of a
        // clone's NdisFOidRequest that completed at once): its fields go back with the answer, so
        // the driver's copy reads them as the driver in-process reads the same object.
        const refreshed = args.filter((arg) => this.codec.isOwnObject(arg)).map((arg) => this.codec.encode(arg));
        reply = refreshed.length > 0 ? { k: 'ret', v, r: refreshed } : { k: 'ret', v };
      } else {
        reply = { k: 'ret', v: this.codec.encode(this.serve(message)) };
      }
    } catch (error) {
      if (this.options.unwinds?.(error)) throw error;
      reply = { k: 'err', e: toErrorInfo(error) };
    }
    this.send(reply);
  }

  private serve(m: Message): unknown {
    const codec = this.codec;
    switch (m.k) {
      case 'call': {
        const fn = codec.owned(m.f);
        if (typeof fn !== 'function') throw new TypeError(`no function ${String(m.f)} to call`);
        const args = Array.isArray(m.a) ? m.a.map((v) => codec.decode(v)) : [];
        return (fn as (...a: unknown[]) => unknown).apply(codec.decode(m.t), args);
      }
      case 'ndis': return this.serveNdis(String(m.n), Array.isArray(m.a) ? m.a.map((v) => codec.decode(v)) : []);
      case 'where': {
        if (!this.options.where) throw new TypeError('this side has no driver stack to read');
        return this.options.where();
      }
      case 'get': return (this.object(m.o) as Record<string, unknown>)[String(m.p)];
      case 'set': {
        (this.object(m.o) as Record<string, unknown>)[String(m.p)] = codec.decode(m.v);
        return undefined;
      }
      case 'has': return String(m.p) in this.object(m.o);
      case 'keys': return Object.keys(this.object(m.o));
      case 'del': {
        delete (this.object(m.o) as Record<string, unknown>)[String(m.p)];
        return undefined;
      }
      default: throw new TypeError(`unknown request ${JSON.stringify(m.k)}`);
    }
  }

  private serveNdis(name: string, args: unknown[]): unknown {
    if (!this.options.ndis) throw new TypeError('this side serves no NDIS calls');
    return this.options.ndis(name, args);
  }

  private object(id: unknown): object {
    const object = this.codec.owned(id);
    if (object === undefined || (typeof object !== 'object' && typeof object !== 'function')) throw new TypeError(`no object ${String(id)} was passed across`);
    return object;
  }

  private send(message: Message): void {
    const changed = this.codec.changedArrays();
    this.channel.send(this.peer, changed.length > 0 ? { ...message, s: changed } : message);
  }

  private receive(deadline: number): Message {
    return this.checked(() => {
      const message = this.channel.receive(this.options.side, deadline === Infinity ? Infinity : Math.max(0, deadline - wallClockMs())) as Message;
      if (message === null || typeof message !== 'object' || typeof message.k !== 'string') throw new ChannelCorrupted('a message without a kind came through the call channel');
      if (message.s) this.codec.applyArrays(message.s);
      return message;
    });
  }

  /** Runs `body`; a failure of this channel goes to `broken` (which stops the machine). */
  private checked<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (this.options.broken && (error instanceof ChannelTimeout || error instanceof ChannelCorrupted || error instanceof CodecError)) this.options.broken(error);
      throw error;
    }
  }
}

/** What was thrown (often by a driver: every field is its to make), as data to send across. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const stack = stackOf(error);
    return { name: driverText(error.name, 200), message: driverText(error.message), ...(stack ? { stack } : {}) };
  }
  return { name: 'Error', message: `threw a non-Error value: ${driverText(error)}` };
}

function errorInfo(raw: unknown): ErrorInfo {
  const e = (raw ?? {}) as Partial<ErrorInfo>;
  return { name: String(e.name ?? 'Error'), message: String(e.message ?? ''), ...(typeof e.stack === 'string' ? { stack: e.stack } : {}) };
}
