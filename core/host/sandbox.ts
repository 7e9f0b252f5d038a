// What a driver's worker takes away from its own global scope before the driver's code runs: the
// network, storage, other threads and real time. A driver talks to nothing but NDIS, and all of
// its time is the machine's virtual time, so that every run can be replayed.

/** The network and storage: what no code that runs a driver needs (absent ones are simply absent). */
export const NETWORK_AND_STORAGE = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebTransport', 'EventSource', 'importScripts',
  'indexedDB', 'caches', 'BroadcastChannel',
] as const;

/** Globals a driver's own thread loses: the network and storage, other threads, the process. */
export const REMOVED_GLOBALS = [...NETWORK_AND_STORAGE, 'Worker', 'SharedWorker', 'process', 'require'] as const;

/** Real timers, replaced by functions that throw and point at NDIS's virtual-time timers. */
export const TIMER_GLOBALS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

export function virtualTimeOnly(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available to drivers: time is virtual. Use NdisAllocateTimerObject and NdisSetTimerObject, or NdisQueueIoWorkItem.`);
  };
}

/** Makes each of `names` undefined (or `value`) for good on `scope`; returns those it could not. */
export function withholdGlobals(names: readonly string[], scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>, value: (name: string) => unknown = () => undefined): string[] {
  const kept: string[] = [];
  for (const name of names) {
    const replacement = value(name);
    try {
      Object.defineProperty(scope, name, { value: replacement, writable: false, configurable: false, enumerable: false });
    } catch {
      try {
        delete scope[name];
      } catch {
        // fall through to the check below
      }
    }
    if (scope[name] !== replacement) kept.push(name);
  }
  return kept;
}

/** Strips `scope` (a driver worker's globalThis). Returns what could not be removed, for the record. */
export function sandboxScope(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): string[] {
  return [
    ...withholdGlobals(REMOVED_GLOBALS.filter((name) => name in scope), scope),
    ...withholdGlobals(TIMER_GLOBALS, scope, virtualTimeOnly),
  ];
}
