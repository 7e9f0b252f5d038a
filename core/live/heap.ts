// Heap figures of the calling thread (Node: v8.getHeapStatistics), for the live benchmark's
// "no allocation per packet" evidence. Undefined where V8's statistics are not available.

export interface HeapFigures {
  /** Bytes of the V8 heap in use. */
  usedBytes: number;
  /** Bytes the V8 heap has reserved. */
  totalBytes: number;
  /** Bytes in use in the young generation (where per-packet garbage would land). */
  newSpaceBytes: number;
  /** Bytes in use in the old generation (where anything kept per packet would pile up). */
  oldSpaceBytes: number;
}

type V8 = {
  getHeapStatistics(): { used_heap_size: number; total_heap_size: number };
  getHeapSpaceStatistics(): { space_name: string; space_used_size: number }[];
};
let v8: Promise<V8 | undefined> | undefined;

/** Loads node:v8 once (call before a sandbox takes `process` away). */
export function loadHeapStatistics(): Promise<V8 | undefined> {
  v8 ??= typeof process !== 'undefined' && process.versions?.node ? import('node:v8').then((m) => m.default as V8) : Promise.resolve(undefined);
  return v8;
}

export async function heapFigures(): Promise<HeapFigures | undefined> {
  return heapFiguresOf(await loadHeapStatistics());
}

export function heapFiguresOf(module: V8 | undefined): HeapFigures | undefined {
  if (!module) return undefined;
  const s = module.getHeapStatistics();
  const space = (name: string) => module.getHeapSpaceStatistics().find((x) => x.space_name === name)?.space_used_size ?? 0;
  return { usedBytes: s.used_heap_size, totalBytes: s.total_heap_size, newSpaceBytes: space('new_space'), oldSpaceBytes: space('old_space') };
}
