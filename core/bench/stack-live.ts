// Benchmarks of the whole NDIS stack running live (core/live), each the median of several runs on
// fresh machines:
//   stack-live-64B         the stack-protocol driver's worker sends numbered 64-byte frames through
//   stack-live-1500B       the counting filter's worker, the live miniport and the e1000 (one thread),
//                          a cable, the second e1000 and its miniport, back up through the filter to
//                          the protocol's binding on the second NIC, which checks and returns them
//   stack-postmessage-64B  the same threads and code, every NBL its own postMessage between them
// The protocol checks every frame (length, sequence number in order, two words derived from it);
// a lost, damaged or reordered frame, a finding, or an NBL that does not come home makes the
// benchmark throw instead of reporting a rate.

import { readFileSync } from 'node:fs';
import type { LiveReport } from '../live/live-stack.ts';
import { liveRun, type LiveRunShape } from '../live/live-run.ts';
import type { LiveTransport } from '../live/plan.ts';
import type { HeapFigures, GcFigures } from '../live/heap.ts';
import { median, resultOf, type BenchResult } from './result.ts';

const FILTER = new URL('../../labs/reference/counting-filter.ts', import.meta.url);
const PROTOCOL = new URL('../../labs/reference/stack-protocol.ts', import.meta.url);
/**
 * Descriptors per NIC receive ring, and the most frames the protocol keeps between sent and
 * received. Frames it has returned hold their receive descriptors until the miniport reposts them,
 * and new sends can overtake those returns (they travel other rings), so the receive ring is sized
 * for twice the window and more: a frame that finds no descriptor is dropped, as on hardware.
 * The window has to cover the time a frame spends going round the three threads, wake-ups
 * included (~16 µs each here): with 512 frames the threads waited on each other (1.5 Mpps), with
 * 3,072 they are kept busy.
 */
const RX_ENTRIES = 8192;
const TX_ENTRIES = 4096;
const WINDOW = 3072;
const CHAIN = 64;

interface StackRun {
  pps: number;
  report: LiveReport;
}

const sources = () => ({ filter: readFileSync(FILTER, 'utf8'), protocol: readFileSync(PROTOCOL, 'utf8') });

/** The benchmarks' machine: see the window and ring sizes above. */
export const BENCH_SHAPE: LiveRunShape = {
  rxRingEntries: RX_ENTRIES, txRingEntries: TX_ENTRIES, window: WINDOW, chain: CHAIN, frameBytes: 60,
  poolBytes: 48 << 20, spscBytes: 2 << 20, transport: 'rings',
};

/** One run: bring the stack up, go live, move `frames` frames of `size` bytes (without FCS), stop. */
async function stackRun(name: string, size: number, frames: number, transport: LiveTransport): Promise<StackRun> {
  const { traffic, report, elapsedMs } = await liveRun(sources(), frames, { ...BENCH_SHAPE, frameBytes: size, transport });
  const [sent, completed, received, errors, firstError] = traffic;
  if (report.finding) throw new Error(`${name}: ${report.finding.rule}: ${report.finding.message}`);
  if (received !== frames || errors !== 0 || completed !== frames) {
    throw new Error(`${name}: ${received} of ${frames} frames arrived (${sent} sent, ${completed} completed), ${errors} damaged or out of order${firstError ? `: ${firstError}` : ''}`);
  }
  if (report.outstanding !== 0) throw new Error(`${name}: ${report.outstanding} NBL(s) did not come home after the run`);
  return { pps: frames / (elapsedMs / 1000), report };
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const heapText = (h: HeapFigures | undefined) => (h ? `${mb(h.usedBytes)} MiB used (young ${mb(h.newSpaceBytes)}, old ${mb(h.oldSpaceBytes)})` : 'n/a');

const gcText = (g: GcFigures | undefined, frames: number) =>
  (g ? `${g.scavenges} young and ${g.fullCollections} full collections while live (${mb(g.youngBytesCollected)} MiB collected, ${(g.youngBytesCollected / frames).toFixed(2)} B/frame)` : 'collections n/a');

/** Per thread: busy ns per frame, parks, heap before -> after and collections (of the run with the median rate). */
function threadNotes(run: StackRun, frames: number): string {
  return run.report.threads.map((t) => {
    const busy = t.stats ? `${Math.round((t.stats.busyMs * 1e6) / frames)} ns/frame busy, ${t.stats.parks} parks, ${t.stats.chains} chains taken (${(frames / t.stats.chains).toFixed(1)} frames per chain)` : 'no stats';
    return `${t.thread}: ${busy}, heap ${heapText(t.heapBefore)} -> ${heapText(t.heapAfter)}, ${gcText(t.gc, frames)}`;
  }).join('; ');
}

export interface StackBenchOptions {
  runs?: number;
  frames?: number;
}

async function benchStack(name: string, size: number, transport: LiveTransport, runs: number, frames: number, what: string): Promise<BenchResult> {
  const results: StackRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await stackRun(name, size, frames, transport));
  const rates = results.map((r) => r.pps);
  const middle = median(rates);
  const typical = results.reduce((best, r) => (Math.abs(r.pps - middle) < Math.abs(best.pps - middle) ? r : best));
  return resultOf(name, rates, size === 60 ? 64 : size + 4,
    `${what}; ${frames} frames per run, window ${WINDOW}, chains of ${CHAIN}, ${RX_ENTRIES}/${TX_ENTRIES}-entry RX/TX rings. Threads (run nearest the median): ${threadNotes(typical, frames)}`);
}

const PATH = 'protocol worker -> counting filter worker -> live miniport + e1000 thread -> cable -> e1000 -> filter -> protocol (checks, returns)';

export function benchStackLive(size: 64 | 1518, options: StackBenchOptions = {}): Promise<BenchResult> {
  const name = size === 64 ? 'stack-live-64B' : 'stack-live-1500B';
  return benchStack(name, size - 4, 'rings', options.runs ?? 5, options.frames ?? (size === 64 ? 10_000_000 : 3_000_000), `${PATH}, NBL chain heads through SPSC rings`);
}

export function benchStackPostMessage(options: StackBenchOptions = {}): Promise<BenchResult> {
  return benchStack('stack-postmessage-64B', 60, 'postmessage', options.runs ?? 5, options.frames ?? 200_000, `${PATH}, each NBL its own postMessage (received with receiveMessageOnPort)`);
}
