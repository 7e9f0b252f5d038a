// Threads for the NIC, benchmarks and (later) drivers: one way to start a worker and talk to it,
// whether it is a Node worker_thread or a browser Web Worker.
//
// The parent calls spawnThread(entryUrl, data); the module at entryUrl calls threadContext() to
// get that data and a port back to the parent. Only control messages use the port: packets move
// through shared memory (see core/memory).

export interface ThreadPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface Thread extends ThreadPort {
  onError(listener: (error: Error) => void): void;
  terminate(): Promise<void>;
}

/** The parts of a browser worker's global scope this module uses. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Starts the module at `entry` on a new thread; `data` arrives there through threadContext(). */
export async function spawnThread(entry: URL, data: unknown): Promise<Thread> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(new URL('./node-worker-boot.mjs', import.meta.url), {
      workerData: { entry: entry.href, data },
    });
    return {
      postMessage: (message) => worker.postMessage(message),
      onMessage: (listener) => void worker.on('message', listener),
      onError: (listener) => void worker.on('error', listener),
      terminate: async () => void (await worker.terminate()),
    };
  }
  const worker = new Worker(entry, { type: 'module' });
  worker.postMessage({ __threadData: data });
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onError: (listener) =>
      worker.addEventListener('error', (event) => listener(new Error(event.message))),
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
    },
  };
}
