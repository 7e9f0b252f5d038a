// Every driver on its own thread (a Web Worker in a browser, a worker_thread in Node). The core
// loads the driver over comlink, then calls its handlers through the driver's call channel and
// answers its NDIS calls there, synchronously both ways, as NDIS's calling convention is: a
// handler's status decides what NDIS does next, an NDIS call's result what the driver does next.
//
// The core waits for a handler with Atomics.wait, so it must run where blocking is allowed: Node's
// main thread, or (in a page) the lab's runtime worker, never the page's main thread. While it
// waits it serves the driver's NDIS calls, and any call those make into another driver, nested on
// one logical thread: so the order of everything, and the trace, are those of the in-process host.
//
// A watchdog bounds each handler call in wall-clock time: a driver that does not return is stopped
// (its thread terminated) and the machine halts with DriverHung; a driver that scribbles on its
// channel halts it with SharedMemoryCorrupted. Neither touches the other drivers' threads, the
// core's state or the page.

import * as Comlink from 'comlink';
import { spawnBundledThread, isNode, type Thread } from './thread.ts';
import { CallChannel, ChannelTimeout, FOR_CORE } from './channel.ts';
import { Endpoint } from './endpoint.ts';
import { DRIVER_CONSOLE_CALL, type DriverConsoleSink, type DriverHost, type DriverLoad } from './driver-host.ts';
import { driverText } from './confinement.ts';
import type { DriverWorkerApi, DriverWorkerData, LiveAnswer, LiveCommand } from './driver-worker.ts';
import { DriverLoadError, type DriverModule, type LoadedDriver } from '../ndis/driver-loader.ts';
import type { DriverSourceMap } from '../ndis/source-positions.ts';
import { ndisFunctionNames } from '../ndis/local-api.ts';
import { planPool } from '../memory/nbl-pool.ts';
import { controlBytes } from '../live/control.ts';
import type { DriverLivePlan } from '../live/plan.ts';

/** How the live stack (core/live) reaches one driver's thread. */
export interface LiveWorker {
  /** The live control function in the worker (over the call channel). */
  control(command: LiveCommand, plan?: DriverLivePlan): LiveAnswer;
  /** Where the postMessage baseline's ports are posted before 'enter'. */
  mailbox: MessagePort | undefined;
}

export interface WorkerHostOptions {
  /** Wall-clock milliseconds one handler call may take, NDIS calls included: 5000 by default. */
  watchdogMs?: number;
}

const CONSOLE_LEVELS: ReadonlySet<string> = new Set(['log', 'info', 'warn', 'error', 'debug']);
/** Console lines a driver's module may print while it loads that are kept (the rest are dropped there). */
export const LOAD_CONSOLE_LINES = 200;
/** Wall-clock ms a driver's load may take beyond one handler call's watchdog (see load). */
const LOAD_ALLOWANCE_MS = 10_000;

/** The driver worker's module: a variable for Node (see spawnBundledThread), the literal for bundlers. */
const DRIVER_WORKER = './driver-worker.ts';
const newDriverWorker = () => new Worker(new URL('./driver-worker.ts', import.meta.url), { type: 'module', name: 'driver' });

/**
 * Browser: a driver worker started ahead, its module fetched and evaluated, waiting for the data
 * that makes it some driver's thread (see startDriverWorkerAhead). Used once, then forgotten: no
 * run gets a thread another driver has run in. `failed`: its module did not load (the error
 * event fires before anyone adopts it, so it is kept here and the spare is not used).
 */
let spare: { worker: Worker; failed: boolean } | undefined;

function takeDriverWorker(): Worker {
  const taken = spare;
  spare = undefined;
  if (taken && !taken.failed) return taken.worker;
  taken?.worker.terminate();
  return newDriverWorker();
}

const spawnDriverThread = (data: DriverWorkerData, transfer: Transferable[]): Promise<Thread> =>
  spawnBundledThread(new URL(DRIVER_WORKER, import.meta.url), takeDriverWorker, data, { detached: true, transfer });

/**
 * Starts the next driver's worker now, while nothing waits for it, so the next load skips the
 * worker's start and its module's fetch and evaluation: about half of a Run in the web lab (the
 * web/README.md's figures). Browser only: Node's threads take their data when they start, and
 * Node's runs are batches where one thread's start does not show.
 */
export function startDriverWorkerAhead(): void {
  if (isNode || spare) return;
  const started = { worker: newDriverWorker(), failed: false };
  started.worker.addEventListener('error', () => void (started.failed = true), { once: true });
  spare = started;
}

/** Whether a driver worker started ahead is waiting for the next load. */
export function driverWorkerWaiting(): boolean {
  return spare !== undefined && !spare.failed;
}

export class WorkerHost implements DriverHost {
  readonly kind = 'worker';
  readonly watchdogMs: number;
  private readonly threads: Thread[] = [];
  /** The live control block of this host's machine (core/live/control.ts), made with the first load. */
  liveControl: SharedArrayBuffer | undefined;
  private readonly live = new WeakMap<object, LiveWorker>();
  private readonly mailboxes: MessagePort[] = [];
  console?: DriverConsoleSink;

  constructor(options: WorkerHostOptions = {}) {
    this.watchdogMs = options.watchdogMs ?? 5000;
  }

  async load(request: DriverLoad): Promise<LoadedDriver> {
    const channel = CallChannel.create();
    if (!(request.memory instanceof SharedArrayBuffer)) throw new TypeError('drivers in workers need the machine in shared memory');
    this.liveControl ??= new SharedArrayBuffer(controlBytes(planPool(request.pool.region, request.pool.bufferBytes).nblCount));
    const mailbox = typeof MessageChannel === 'function' ? new MessageChannel() : undefined;
    if (mailbox) this.mailboxes.push(mailbox.port1);
    const data: DriverWorkerData = { channel: channel.buffer, memory: request.memory, pool: request.pool, live: this.liveControl, ...(mailbox ? { mailbox: mailbox.port2 } : {}) };
    const thread = await spawnDriverThread(data, mailbox ? [mailbox.port2] : []);
    this.threads.push(thread);
    let dead = false;
    const stop = () => {
      dead = true;
      void thread.terminate();
    };

    const names = ndisFunctionNames(request.ndis);
    const allowed = new Set(names);
    const endpoint = new Endpoint(channel, {
      side: FOR_CORE,
      views: request.views,
      handle: (id) => request.handleById(id) ?? { id },
      ndis: (name, args) => {
        if (name === DRIVER_CONSOLE_CALL) return void this.consoleLine(request.fileName, args[0], args[1]);
        if (!allowed.has(name)) throw new TypeError(`${name} is not an NDIS function`);
        return (request.ndis[name] as (...a: unknown[]) => unknown)(...args);
      },
      timeoutMs: this.watchdogMs,
      unwinds: request.unwinds,
      refuse: () => (dead || request.stopped() ? 'the machine has stopped' : undefined),
      broken: (error) => {
        // Where the stuck handler is now cannot be read: its thread runs the driver's code and
        // answers no 'where' (the channel is the only way in), and it is stopped here first. The
        // finding gets the declaration of the handler on the call path (engine.ts locate).
        stop();
        if (error instanceof ChannelTimeout) request.fail('DriverHung', `${request.fileName} did not return within ${this.watchdogMs} ms (wall clock); its thread was stopped`);
        request.fail('SharedMemoryCorrupted', `${request.fileName} corrupted its call channel: ${error.message}`);
      },
    });

    const remote = Comlink.wrap<DriverWorkerApi>(await thread.comlink());
    // The module's own code runs in this load: a top level that never finishes is DriverHung too.
    // The load also locks the new thread down and compiles the driver (0.8 s measured on a loaded
    // 2-core machine), so it gets LOAD_ALLOWANCE_MS more than a handler call.
    const loadLimitMs = this.watchdogMs + LOAD_ALLOWANCE_MS;
    const loaded = await new Promise<Awaited<ReturnType<typeof remote.load>>>((resolve, reject) => {
      const watchdog = setTimeout(() => {
        stop();
        try {
          request.fail('DriverHung', `${request.fileName}: its module code (the top level, run as it loads) did not finish within ${loadLimitMs} ms (wall clock); its thread was stopped`);
        } catch (error) {
          reject(error);
        }
      }, loadLimitMs);
      remote.load(request.source, request.fileName, names, names.map((name) => (request.ndis[name] as (...args: unknown[]) => unknown).length)).then(resolve, reject).finally(() => clearTimeout(watchdog));
    });
    // What the module's top-level code printed (the core was not listening on the channel yet).
    for (const [level, text] of Array.isArray(loaded.console) ? loaded.console.slice(0, LOAD_CONSOLE_LINES) : []) this.consoleLine(request.fileName, level, text);
    if (loaded.loadError !== undefined) {
      stop();
      throw new DriverLoadError(request.fileName, loaded.loadError);
    }
    if (loaded.error) {
      stop();
      throw new DriverLoadError(request.fileName, `failed while loading: ${loaded.error.message}`);
    }
    // The thread now lives in its call loop; this promise settles only when it is terminated.
    remote.serve().catch(() => {});
    const module = endpoint.codec.decode(loaded.exports) as DriverModule;
    const control = endpoint.codec.decode(loaded.live) as (command: LiveCommand, plan?: DriverLivePlan) => string;
    this.live.set(module, { control: (command, plan) => JSON.parse(control(command, plan)) as LiveAnswer, mailbox: mailbox?.port1 });
    const field = loaded.field === undefined ? undefined : (endpoint.codec.decode(loaded.field) as (object: object, key: string) => unknown);
    // The driver's frames are on its thread's stack: the core asks for them when it records a
    // finding. Whatever comes back is only text to locate in (source-positions.ts locationIn);
    // a thread that is gone or stopped answers nothing, and a finding then has no place.
    const stack = () => {
      try {
        const frames = endpoint.request({ k: 'where' });
        return typeof frames === 'string' ? frames : '';
      } catch {
        return '';
      }
    };
    return { exports: module, sourceMap: sourceMapFrom(loaded.sourceMap, request.fileName), stack, ...(field ? { field } : {}) };
  }

  /** A console line from a driver's thread, which is not trusted to send a well-formed one. */
  private consoleLine(fileName: string, level: unknown, text: unknown): void {
    this.console?.(fileName, CONSOLE_LEVELS.has(level as string) ? (level as 'log') : 'log', driverText(text));
  }

  /** The live side of the driver whose exports `module` are (see core/live). */
  liveWorker(module: object): LiveWorker | undefined {
    return this.live.get(module);
  }

  async close(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.terminate()));
    for (const port of this.mailboxes.splice(0)) port.close();
  }
}

/**
 * The source map a driver's worker sent with its exports, taken field by field: the driver's own
 * code ran in that worker before the answer was built, so it is not trusted to be well formed.
 * What is not a map becomes an empty one (stack positions then stay as the engine gave them).
 */
function sourceMapFrom(raw: unknown, fileName: string): DriverSourceMap {
  const given = (raw ?? {}) as { map?: { mappings?: unknown; sources?: unknown; names?: unknown }; firstLineColumns?: unknown };
  const mappings = typeof given.map?.mappings === 'string' ? given.map.mappings : '';
  const columns = given.firstLineColumns;
  return {
    fileName,
    map: { version: 3, sources: [fileName], names: [], mappings },
    firstLineColumns: typeof columns === 'number' && Number.isInteger(columns) && columns >= 0 ? columns : 0,
  };
}
