// What one benchmark reports in `nic-lab bench --json`, and the median that every figure is.

export interface BenchResult {
  name: string;
  /** Median packets (frames) per second over the runs. */
  pps: number;
  /** Median payload rate in gigabits per second, for benchmarks that move large frames. */
  gbps?: number;
  /** Each run's packets per second, in the order they ran. */
  runs: number[];
  /** How many runs the median was taken over. */
  median_of: number;
  /** What was measured and what limits it, in a sentence or two. */
  notes?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Builds a result from per-run packet rates (and, for gbps, the frame size in bytes). */
export function resultOf(name: string, runs: number[], frameBytes?: number, notes?: string): BenchResult {
  const pps = median(runs);
  const result: BenchResult = { name, pps: Math.round(pps), runs: runs.map(Math.round), median_of: runs.length };
  if (frameBytes !== undefined) result.gbps = Number(((pps * frameBytes * 8) / 1e9).toFixed(3));
  if (notes) result.notes = notes;
  return result;
}

/** A benchmark measured in seconds per job (grading) rather than in packets. */
export interface TimedBenchResult {
  name: string;
  /** Median seconds over the runs. */
  seconds: number;
  /** Each run's seconds, in the order they ran. */
  runs: number[];
  median_of: number;
  notes?: string;
}
