// Threads for the NIC, benchmarks and drivers: one way to start a worker and talk to it,
// whether it is a Node worker_thread or a browser Web Worker.
//
// The parent calls spawnThread(entryUrl, data); the module at entryUrl calls threadContext() to
// get that data and a port back to the parent. Only control messages use the port: packets move
// through shared memory (see core/memory).

import type { Endpoint as ComlinkEndpoint } from 'comlink';

export interface ThreadPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The same port as comlink wants it (comlink.wrap / comlink.expose). */
  comlink(): Promise<ComlinkEndpoint>;
}

export interface Thread extends ThreadPort {
  onError(listener: (error: Error) => void): void;
  terminate(): Promise<void>;
}

/** Node's ports speak EventEmitter; comlink's adapter makes them look like a browser port. */
async function nodeComlink(port: unknown): Promise<ComlinkEndpoint> {
  const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs');
  return nodeEndpoint(port);
}

/** The parts of a browser worker's global scope this module uses. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

export interface SpawnOptions {
  /** Node: the thread does not keep the process alive (a driver thread left blocked must not). */
  detached?: boolean;
  /** Objects in `data` to transfer rather than copy (MessagePorts). */
  transfer?: Transferable[];
}

/** Starts the module at `entry` on a new thread; `data` arrives there through threadContext(). */
export async function spawnThread(entry: URL, data: unknown, options: SpawnOptions = {}): Promise<Thread> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(new URL('./node-worker-boot.mjs', import.meta.url), {
      workerData: { entry: entry.href, data },
      transferList: (options.transfer ?? []) as never[],
    });
    if (options.detached) worker.unref();
    return {
      postMessage: (message) => worker.postMessage(message),
      onMessage: (listener) => void worker.on('message', listener),
      comlink: () => nodeComlink(worker),
      onError: (listener) => void worker.on('error', listener),
      terminate: async () => void (await worker.terminate()),
    };
  }
  return adoptWorker(new Worker(entry, { type: 'module' }), data, options.transfer ?? []);
}

/**
 * A thread whose module a built site must contain. Bundlers (Vite) find a worker's module only in
 * the literal `new Worker(new URL('./x.ts', import.meta.url))`, so the caller writes that literal in
 * `browserWorker`; Node starts `nodeEntry` through the tsx boot. The caller builds `nodeEntry`
 * from a variable, not the literal, or a bundler would also copy the source into the site.
 */
export async function spawnBundledThread(nodeEntry: URL, browserWorker: () => Worker, data: unknown, options: SpawnOptions = {}): Promise<Thread> {
  if (isNode) return spawnThread(nodeEntry, data, options);
  return adoptWorker(browserWorker(), data, options.transfer ?? []);
}

/**
 * A browser Worker the caller created itself, as a Thread: bundlers (Vite) find a worker's module
 * only in the literal `new Worker(new URL('./x.ts', import.meta.url))`, so code that must work in
 * a built site creates its worker that way and hands it here with its data.
 */
export function adoptWorker(worker: Worker, data: unknown, transfer: Transferable[] = []): Thread {
  worker.postMessage({ __threadData: data }, transfer);
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    comlink: async () => worker,
    onError: (listener) =>
      // A module that fails to load gives an ErrorEvent with no message.
      worker.addEventListener('error', (event) => listener(new Error(event.message || 'the worker failed to load its module or threw before saying why'))),
    terminate: async () => worker.terminate(),
  };
}

/** Inside a thread: the data the parent passed, and the port back to it. */
export async function threadContext<T>(): Promise<{ data: T; port: ThreadPort }> {
  if (isNode) {
    const { workerData, parentPort } = await import('node:worker_threads');
    if (!parentPort) throw new Error('threadContext() called outside a worker thread');
    return {
      data: (workerData as { data: T }).data,
      port: {
        postMessage: (message) => parentPort.postMessage(message),
        onMessage: (listener) => void parentPort.on('message', listener),
        comlink: () => nodeComlink(parentPort),
      },
    };
  }
  const scope = globalThis as unknown as WorkerScope;
  const data = await new Promise<T>((resolve) => {
    const first = (event: MessageEvent) => {
      const message = event.data as { __threadData?: T } | undefined;
      if (message && '__threadData' in message) {
        scope.removeEventListener('message', first);
        resolve(message.__threadData as T);
      }
    };
    scope.addEventListener('message', first);
  });
  return {
    data,
    port: {
      postMessage: (message) => scope.postMessage(message),
      onMessage: (listener) => scope.addEventListener('message', (event) => listener(event.data)),
      comlink: async () => scope as unknown as ComlinkEndpoint,
    },
  };
}
