// `nic-lab bench`: runs the datapath benchmarks in this process, one after another (never two at
// once: on a 2-core machine they would measure each other), and prints a table or one JSON object.

import os from 'node:os';
import type { BenchResult, TimedBenchResult } from '../bench/result.ts';
import { benchPostMessage } from '../bench/postmessage.ts';
import { benchRingSab } from '../bench/ring-sab.ts';
import { benchRingWasm, benchNicLoopback } from '../bench/nic-datapath.ts';
import { benchStackLive, benchStackPostMessage } from '../bench/stack-live.ts';
import { benchGradeLab, benchGradeBatch } from '../bench/grading.ts';

interface BenchSpec {
  name: string;
  run(quick: boolean): Promise<BenchResult | TimedBenchResult>;
}

const RUNS = 5;

const BENCHES: BenchSpec[] = [
  { name: 'postmessage-per-packet-64B', run: (q) => benchPostMessage(q ? 1 : RUNS, q ? 5_000 : 200_000) },
  { name: 'ring-sab-64B', run: (q) => benchRingSab(q ? 1 : RUNS, q ? 200_000 : 20_000_000) },
  { name: 'ring-wasm-64B', run: (q) => benchRingWasm(q ? 1 : RUNS, q ? 200_000 : 20_000_000) },
  { name: 'nic-loopback-64B', run: (q) => benchNicLoopback(64, q ? 1 : RUNS, q ? 100_000 : 10_000_000) },
  { name: 'nic-loopback-1500B', run: (q) => benchNicLoopback(1518, q ? 1 : RUNS, q ? 50_000 : 3_000_000) },
  { name: 'stack-postmessage-64B', run: (q) => benchStackPostMessage(q ? { runs: 1, frames: 5_000 } : { runs: RUNS }) },
  { name: 'stack-live-64B', run: (q) => benchStackLive(64, q ? { runs: 1, frames: 50_000 } : { runs: RUNS }) },
  { name: 'stack-live-1500B', run: (q) => benchStackLive(1518, q ? { runs: 1, frames: 20_000 } : { runs: RUNS }) },
  { name: 'grade-lab', run: (q) => benchGradeLab(q ? 1 : RUNS, q ? 1 : 8) },
  { name: 'grade-batch-200', run: (q) => benchGradeBatch(q ? 4 : 200, q ? 1 : 8, 2) },
];

export const BENCH_NAMES = BENCHES.map((b) => b.name);

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; v8: string; platform: string; arch: string };
  results: (BenchResult | TimedBenchResult)[];
  /** Ring rates as a multiple of the per-packet postMessage baseline measured in the same run. */
  speedupOverPostMessage?: Record<string, number>;
  /** The live stack's rates as a multiple of the same stack on per-packet postMessage. */
  speedupOverStackPostMessage?: Record<string, number>;
}

export async function runBenchmarks(options: { quick?: boolean; only?: string[] } = {}): Promise<BenchReport> {
  const unknown = (options.only ?? []).filter((n) => !BENCH_NAMES.includes(n));
  if (unknown.length > 0) throw new RangeError(`unknown benchmark ${unknown.join(', ')}; names: ${BENCH_NAMES.join(', ')}`);
  const selected = options.only ? BENCHES.filter((b) => options.only!.includes(b.name)) : BENCHES;
  const results: (BenchResult | TimedBenchResult)[] = [];
  for (const bench of selected) results.push(await bench.run(options.quick ?? false));
  const report: BenchReport = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      v8: process.versions.v8,
      platform: process.platform,
      arch: process.arch,
    },
    results,
  };
  const rates = results.filter((r): r is BenchResult => 'pps' in r);
  const baseline = rates.find((r) => r.name === 'postmessage-per-packet-64B');
  if (baseline) {
    report.speedupOverPostMessage = Object.fromEntries(
      rates.filter((r) => r !== baseline).map((r) => [r.name, Number((r.pps / baseline.pps).toFixed(1))]),
    );
  }
  const stackBaseline = rates.find((r) => r.name === 'stack-postmessage-64B');
  if (stackBaseline) {
    report.speedupOverStackPostMessage = Object.fromEntries(
      rates.filter((r) => r.name.startsWith('stack-live-')).map((r) => [r.name, Number((r.pps / stackBaseline.pps).toFixed(1))]),
    );
  }
  return report;
}

export async function runBenchCommand(options: { json: boolean; quick: boolean; only: string[] | undefined }): Promise<number> {
  const report = await runBenchmarks(options);
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const m = report.machine;
  console.log(`${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`);
  for (const r of report.results) {
    if (!('pps' in r)) {
      console.log(`${r.name.padEnd(28)}${`${r.seconds.toFixed(3)} s`.padStart(12)}   median of ${r.median_of}${r.notes ? `\n${' '.repeat(28)}${r.notes}` : ''}`);
      continue;
    }
    const rate = `${(r.pps / 1e6).toFixed(2)} Mpps`.padStart(12);
    const gbps = r.gbps !== undefined ? `  ${r.gbps.toFixed(2)} Gb/s` : '';
    const speedup = report.speedupOverPostMessage?.[r.name];
    console.log(`${r.name.padEnd(28)}${rate}${gbps}${speedup !== undefined ? `  (${speedup}x postMessage)` : ''}   median of ${r.median_of}`);
  }
  return 0;
}
