// What a driver's worker takes away from its own global scope before the driver's code runs: the
// network, storage, other threads and real time. A driver talks to nothing but NDIS, and all of
// its time is the machine's virtual time, so that every run can be replayed.

/** Globals a driver must not reach (those absent on a platform are simply absent). */
export const REMOVED_GLOBALS = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebTransport', 'EventSource', 'importScripts',
  'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker', 'process', 'require',
] as const;

/** Real timers, replaced by functions that throw and point at NDIS's virtual-time timers. */
export const TIMER_GLOBALS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

export function virtualTimeOnly(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available to drivers: time is virtual. Use NdisAllocateTimerObject and NdisSetTimerObject, or NdisQueueIoWorkItem.`);
  };
}

/** Strips `scope` (the worker's globalThis). Returns what could not be removed, for the record. */
export function sandboxScope(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): string[] {
  const kept: string[] = [];
  const replace = (name: string, value: unknown) => {
    try {
      Object.defineProperty(scope, name, { value, writable: false, configurable: false, enumerable: false });
    } catch {
      try {
        delete scope[name];
      } catch {
        // fall through to the check below
      }
    }
    if (scope[name] !== value) kept.push(name);
  };
  for (const name of REMOVED_GLOBALS) if (name in scope) replace(name, undefined);
  for (const name of TIMER_GLOBALS) replace(name, virtualTimeOnly(name));
  return kept;
}
