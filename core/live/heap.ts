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

/**
 * The garbage collections a thread made while it ran live (V8's GCProfiler, started when the
 * thread goes live and stopped when it reports). Per-packet garbage would show as scavenges in
 * proportion to the frames; what is left is the thread's one-time setup and per-batch odds.
 */
export interface GcFigures {
  /** Young-generation collections. */
  scavenges: number;
  /** Full (mark-compact) collections. */
  fullCollections: number;
  /** Bytes the scavenges took out of the young generation (garbage, and survivors moved on). */
  youngBytesCollected: number;
}

interface GcStatistics {
  gcType: string;
  beforeGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] };
  afterGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] };
}

type V8 = {
  getHeapStatistics(): { used_heap_size: number; total_heap_size: number };
  getHeapSpaceStatistics(): { space_name: string; space_used_size: number }[];
  GCProfiler?: new () => { start(): void; stop(): { statistics: GcStatistics[] } | undefined };
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

/** Starts counting this thread's collections; the function returned stops and reports. */
export function countCollections(module: V8 | undefined): (() => GcFigures) | undefined {
  if (!module?.GCProfiler) return undefined;
  const profiler = new module.GCProfiler();
  profiler.start();
  return () => {
    const figures: GcFigures = { scavenges: 0, fullCollections: 0, youngBytesCollected: 0 };
    const young = (side: GcStatistics['beforeGC']) => side.heapSpaceStatistics.find((x) => x.spaceName === 'new_space')?.spaceUsedSize ?? 0;
    for (const gc of profiler.stop()?.statistics ?? []) {
      if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep' || gc.gcType === 'MinorMarkCompact') {
        figures.scavenges++;
        figures.youngBytesCollected += Math.max(0, young(gc.beforeGC) - young(gc.afterGC));
      } else if (gc.gcType === 'MarkSweepCompact') {
        figures.fullCollections++;
      }
    }
    return figures;
  };
}
