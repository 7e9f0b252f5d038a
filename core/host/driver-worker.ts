// A driver's own thread. It views the machine's NBL pool directly (zero-copy, like the core),
// reaches NDIS only through the call channel, and is locked down (core/host/confinement.ts) before
// the driver's code runs: the driver's compartment has no network, storage, threads or real timers. Control (load, then serve) comes over
// comlink; once serving, the thread lives in the channel's call loop, blocked in Atomics.wait
// whenever it is not running one of the driver's handlers.
//
// Live mode (core/live): the core sends a plan through the live control function this thread
// hands back with the driver's exports. From then on the driver's datapath NDIS calls are served
// here, into rings, and the thread runs the live pump (core/live/driver-pump.ts) instead of
// waiting on the channel, serving the core's control requests between batches. The worker keeps
// what the pump needs as the driver hands it to NDIS: its characteristics (registration) and the
// context of each binding and module (NdisOpenAdapterEx, NdisFSetAttributes).

import * as Comlink from 'comlink';
import { threadContext } from './thread.ts';
import { CallChannel, FOR_DRIVER } from './channel.ts';
import { Endpoint, toErrorInfo, type ErrorInfo } from './endpoint.ts';
import { confineDrivers, type ConsoleSink } from './confinement.ts';
import { DRIVER_CONSOLE_CALL } from './driver-host.ts';
import { NblPool } from '../memory/nbl-pool.ts';
import type { Region } from '../memory/map.ts';
import { NetBufferViews } from '../ndis/net-buffer-list.ts';
import { NdisHandle, issueHandle } from '../ndis/handle.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING } from '../ndis/status.ts';
import { LOCAL_NDIS } from '../ndis/local-api.ts';
import { loadDriverModule, DriverLoadError } from '../ndis/driver-loader.ts';
import { SourcePositions, stackHere, framesOf, type DriverSourceMap } from '../ndis/source-positions.ts';
import { LiveControl } from '../live/control.ts';
import { DriverPump, type CapturedDriver, type LivePorts, type PumpStats } from '../live/driver-pump.ts';
import { loadHeapStatistics, heapFiguresOf, countCollections, type HeapFigures, type GcFigures } from '../live/heap.ts';
import type { DriverLivePlan } from '../live/plan.ts';

export interface DriverWorkerData {
  channel: SharedArrayBuffer;
  memory: SharedArrayBuffer;
  pool: { region: Region; bufferBytes: number };
  /** The live control block (core/live/control.ts), which only NDIS's code on each thread holds. */
  live: SharedArrayBuffer;
  /** Where the core posts the ports of the postMessage baseline before it enters live mode. */
  mailbox?: MessagePort;
}

export interface DriverWorkerApi {
  /**
   * Compiles and loads the driver; its exports come back encoded (see codec.ts), with the live
   * control function (`live`) next to them.
   */
  load(source: string, fileName: string, ndisFunctions: string[], lengths?: number[]): Promise<{ exports?: unknown; sourceMap?: DriverSourceMap; live?: unknown; field?: unknown; loadError?: string; error?: ErrorInfo; console?: [string, string][] }>;
  /** Enters the call loop for good. */
  serve(): void;
}

/** The live control function's commands. */
export type LiveCommand = 'enter' | 'stats';

/** What the live control function answers. */
export interface LiveAnswer {
  heap: HeapFigures | undefined;
  /** Collections since the thread went live (with 'stats', once the run is over). */
  gc?: GcFigures | undefined;
  stats?: PumpStats;
  /** NBLs left in the driver's live reserve. */
  reserved?: number[];
}

/** The driver's NDIS calls that live mode serves on this thread. */
const LIVE_FUNCTIONS = [
  'NdisSendNetBufferLists', 'NdisReturnNetBufferLists', 'NdisFSendNetBufferLists', 'NdisFSendNetBufferListsComplete',
  'NdisFIndicateReceiveNetBufferLists', 'NdisFReturnNetBufferLists', 'NdisAllocateNetBufferAndNetBufferList', 'NdisFreeNetBufferList',
  'KeGetCurrentIrql', 'NDIS_CURRENT_IRQL', 'NdisAcquireSpinLock', 'NdisReleaseSpinLock', 'NdisDprAcquireSpinLock', 'NdisDprReleaseSpinLock',
];

const { data, port } = await threadContext<DriverWorkerData>();
// Taken before the sandbox takes `process` away: heap figures, and (Node) the synchronous receive
// the postMessage baseline uses.
const v8 = await loadHeapStatistics();
const receiveOnPort = data.mailbox && typeof process !== 'undefined' && process.versions?.node
  ? ((await import('node:worker_threads')).receiveMessageOnPort as unknown as LivePorts['receive'])
  : undefined;
// The pool's header is rewritten with the values the core wrote: the same layout from the same region.
const workerPool = new NblPool(data.memory, data.pool.region, data.pool.bufferBytes);
// The core holds the MDL table; this thread checks MDLs by the pool's layout alone.
workerPool.mdlTableLive = false;
const views = new NetBufferViews(workerPool);
const handles = new Map<number, NdisHandle>();
views.handleOf = (id) => handles.get(id);
const channel = new CallChannel(data.channel);
const turn = new Int32Array(data.channel, 0, 1);
const endpoint = new Endpoint(channel, {
  side: FOR_DRIVER,
  views,
  handle: (id, kind, label) => {
    let handle = handles.get(id);
    if (!handle) handles.set(id, (handle = issueHandle(kind, id, label)));
    return handle;
  },
  // The core is recording a finding while the driver is in an NDIS call (or idle: then no frame
  // is the driver's): this thread's stack holds the driver's frames, the core's does not.
  where: () => (positions ? framesOf(stackHere(), positions.fileName) : ''),
});

let loading = false;
/**
 * For each NDIS function, what live mode serves it with on this thread (set while live): the
 * driver's `ndis` module is frozen, so its functions look here instead of being swapped.
 */
const liveNdis = new Map<string, { local: ((...args: unknown[]) => unknown) | undefined }>();
/** The loaded driver's source map, for the frames of a datapath handler that throws while live. */
let positions: SourcePositions | undefined;
const captured: CapturedDriver = { protocol: undefined, filter: undefined, contexts: new Map() };
let pump: DriverPump | undefined;
let entering = false;
/** True while the live pump runs on this thread. */
let live = false;
/** Control requests being served while live (NDIS calls then reach the core, which is waiting). */
let inControl = 0;
/** Counts this thread's garbage collections from 'enter' to the first 'stats'. */
let stopCounting: (() => GcFigures) | undefined;
let collections: GcFigures | undefined;

/** Console lines printed while the module loads, sent back with the load's answer. */
let loadConsole: [string, string][] = [];
/**
 * The driver's console: a line goes to the core over the channel, in order with the driver's NDIS
 * calls (the core then records it where the run is). While the module loads the core is not
 * listening, so lines wait for the load's answer; while live, the datapath's lines are dropped.
 */
const consoleSink: ConsoleSink = (level, text) => {
  if (loading) {
    if (loadConsole.length < 200) loadConsole.push([level, text]);
    return;
  }
  if (live && inControl === 0) return;
  endpoint.ndis(DRIVER_CONSOLE_CALL, [level, text]);
};

const idOf = (value: unknown): number | undefined => {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'number' ? id : undefined;
};
const statusOf = (result: unknown): unknown => (result as { Status?: unknown } | null)?.Status;

/** What the worker keeps of a successful NDIS call, for live mode. */
const CAPTURE: Record<string, (args: unknown[], result: unknown) => void> = {
  NdisRegisterProtocolDriver: (args, result) => {
    if (statusOf(result) === NDIS_STATUS_SUCCESS) captured.protocol = args[1] as Record<string, unknown>;
  },
  NdisFRegisterFilterDriver: (args, result) => {
    if (statusOf(result) === NDIS_STATUS_SUCCESS) captured.filter = args[2] as Record<string, unknown>;
  },
  NdisOpenAdapterEx: (args, result) => {
    // A pended open gives its handle at once too; if the open fails later the binding never
    // reaches a live plan, so the stale entry is never read.
    const id = idOf((result as { NdisBindingHandle?: unknown } | null)?.NdisBindingHandle);
    const status = statusOf(result);
    if ((status === NDIS_STATUS_SUCCESS || status === NDIS_STATUS_PENDING) && id !== undefined) captured.contexts.set(id, args[1]);
  },
  NdisFSetAttributes: (args, result) => {
    const id = idOf(args[0]);
    if (result === NDIS_STATUS_SUCCESS && id !== undefined) captured.contexts.set(id, args[1]);
  },
};

/**
 * The live control function (called by the core over the call channel). It answers in JSON: the
 * driver side's objects would cross as references, read back one field at a time.
 */
function liveControl(command: LiveCommand, plan?: DriverLivePlan): string {
  return JSON.stringify(liveCommand(command, plan));
}

function liveCommand(command: LiveCommand, plan?: DriverLivePlan): LiveAnswer {
  if (command === 'stats') {
    if (stopCounting) {
      collections = stopCounting();
      stopCounting = undefined;
    }
    return { heap: heapFiguresOf(v8), gc: collections, ...(pump ? { stats: pump.stats, reserved: pump.reserved } : {}) };
  }
  if (command !== 'enter' || !plan) throw new TypeError(`unknown live command ${String(command)}`);
  let ports: LivePorts | undefined;
  if (plan.transport === 'postmessage') ports = receivePorts();
  pump = new DriverPump(plan, new LiveControl(data.live, views.pool.layout.nblCount), data.memory, views, captured, ports, positions);
  entering = true;
  const heap = heapFiguresOf(v8);
  stopCounting = countCollections(v8);
  return { heap };
}

/** The postMessage baseline's ports, which the core posted to the mailbox before 'enter'. */
function receivePorts(): LivePorts {
  const receive = receiveOnPort;
  const message = data.mailbox && receive ? receive(data.mailbox) : undefined;
  const ports = message?.message as { out: [number, MessagePort][]; in: [number, MessagePort][] } | undefined;
  if (!ports || !receive) throw new Error('the postMessage transport needs its ports in the mailbox (Node only)');
  return { out: new Map(ports.out), in: new Map(ports.in), receive };
}

/** Runs the live pump until the run stops, with the driver's datapath calls served here. */
function runLive(pump: DriverPump): void {
  for (const name of LIVE_FUNCTIONS) {
    const slot = liveNdis.get(name);
    if (slot) slot.local = pump.ndis[name] as (...args: unknown[]) => unknown;
  }
  live = true;
  try {
    pump.run({
      pending: () => Atomics.load(turn, 0) === FOR_DRIVER,
      serve: () => {
        inControl++;
        try {
          endpoint.serveOne();
        } finally {
          inControl--;
        }
      },
    });
  } finally {
    live = false;
    for (const slot of liveNdis.values()) slot.local = undefined;
  }
}

const api: DriverWorkerApi = {
  async load(source, fileName, ndisFunctions, lengths = []) {
    const ndis: Record<string, unknown> = { ...LOCAL_NDIS };
    for (const [index, name] of ndisFunctions.entries()) {
      const capture = CAPTURE[name];
      const slot: { local: ((...args: unknown[]) => unknown) | undefined } = { local: undefined };
      liveNdis.set(name, slot);
      ndis[name] = (...args: unknown[]) => {
        const local = slot.local;
        if (local !== undefined) return local(...args);
        // While the module loads the core is not listening on the channel yet; NDIS is for DriverEntry on.
        if (loading) throw new Error(`${name} called while the driver module loads; call NDIS from DriverEntry and the handlers`);
        // While live the core answers the channel only during its own control requests.
        if (live && inControl === 0) throw new Error(`${name} cannot be called from the datapath while the stack runs live; only the datapath functions (${LIVE_FUNCTIONS.join(', ')}) can`);
        const result = endpoint.ndis(name, args);
        capture?.(args, result);
        return result;
      };
      // The name and arity of the core's function, so that a driver here sees what it sees in-process.
      Object.defineProperty(ndis[name], 'name', { value: name });
      Object.defineProperty(ndis[name], 'length', { value: lengths[index] ?? 0 });
    }
    confineDrivers();
    loading = true;
    loadConsole = [];
    try {
      const loaded = await loadDriverModule(source, fileName, ndis, consoleSink);
      positions = new SourcePositions(loaded.sourceMap);
      // NIC Lab's reader of the driver's copy of an object NDIS handed it (DriverObject.DriverUnload).
      const field = (object: unknown, key: unknown) => (object !== null && typeof object === 'object' && typeof key === 'string' ? (object as Record<string, unknown>)[key] : undefined);
      return { exports: endpoint.codec.encode(loaded.exports), sourceMap: loaded.sourceMap, live: endpoint.codec.encode(liveControl), field: endpoint.codec.encode(field), console: loadConsole };
    } catch (error) {
      if (error instanceof DriverLoadError) return { loadError: error.reason, console: loadConsole };
      return { error: toErrorInfo(error), console: loadConsole };
    } finally {
      loading = false;
    }
  },
  serve() {
    for (;;) {
      endpoint.serveOne();
      if (entering && pump) {
        entering = false;
        runLive(pump);
      }
    }
  },
};


Comlink.expose(api, await port.comlink());
