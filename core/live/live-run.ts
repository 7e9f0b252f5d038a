// One live run of the traffic protocol (labs/reference/stack-protocol.ts) over a filter: both brought
// up over two cabled NICs in the worker host, switched to live mode, `frames` numbered frames sent
// from the first binding to the second, then stopped. The stack benchmarks (core/bench/stack-live.ts)
// run it in Node with the counting filter; the browser test and `npm run bench:web` run it in
// Chromium, with the drivers and the miniport in Web Workers: the same code path. The web lab's
// Live traffic runs it with the learner's filter, watching progress, stalls and a Stop button.

import { NdisRuntime } from '../ndis/runtime.ts';
import { wallClockMs } from '../sched/wall-clock.ts';
import type { Finding } from '../verifier/verifier.ts';
import { LiveStack, type LiveReport } from './live-stack.ts';
import type { LiveTransport } from './plan.ts';
import type { MiniportStats } from './miniport-pump.ts';
import type { TrafficReport } from '../../labs/reference/stack-protocol.ts';

export interface LiveRunSources {
  filter: string;
  protocol: string;
  /** The file name the filter is loaded as (its findings name it); "counting-filter.ts" if not given. */
  filterFile?: string;
}

/** How the caller follows a run and may end it early (all optional; wall-clock times). */
export interface LiveRunWatch {
  /** Called every `progressMs` while the traffic runs, with the protocol's counts and the ms since the first send. */
  onProgress?(traffic: TrafficReport, elapsedMs: number): void;
  progressMs?: number;
  /**
   * Ends the run when no frame has arrived for this long: a filter that drops, keeps or loses
   * frames stops the protocol's window, and nothing else would end the run before its deadline.
   */
  stallMs?: number;
  /** The worker host's watchdog: wall-clock ms a handler may take (5,000 if not given). */
  watchdogMs?: number;
  /** Sees the runtime once it exists, before any driver loads (to follow its trace). */
  observe?(runtime: NdisRuntime): void;
}

/** The stack could not be brought up: a driver broke a rule on the way (the finding says which). */
export class LiveBringUpError extends Error {
  constructor(readonly finding: Finding) {
    super(`the stack did not come up: ${finding.rule}: ${finding.message}`);
    this.name = 'LiveBringUpError';
  }
}

/** The machine and the traffic of a run. */
export interface LiveRunShape {
  rxRingEntries: number;
  txRingEntries: number;
  /** Most frames between sent and received. */
  window: number;
  /** NBLs per chain the protocol sends. */
  chain: number;
  /** Frame length without FCS, 60 to 1514 bytes. */
  frameBytes: number;
  poolBytes: number;
  spscBytes: number;
  transport: LiveTransport;
}

/** Small: for tests. */
export const TEST_SHAPE: LiveRunShape = { rxRingEntries: 256, txRingEntries: 256, window: 64, chain: 16, frameBytes: 60, poolBytes: 4 << 20, spscBytes: 1 << 20, transport: 'rings' };

export interface LiveRun {
  /** [sent, completed, received, damaged or out of order, first error] from the protocol. */
  traffic: TrafficReport;
  report: LiveReport;
  /** Wall-clock ms from the first send to the last frame received (0 if they did not all arrive). */
  elapsedMs: number;
  /** Why the traffic ended before every frame arrived, when no finding did: a stall or the deadline. */
  cutShort?: string;
  /** The filter registered no datapath handlers, so its modules were bypassed and it had no thread. */
  filterBypassed: boolean;
}

export async function liveRun(sources: LiveRunSources, frames: number, shape: LiveRunShape = TEST_SHAPE, watch: LiveRunWatch = {}): Promise<LiveRun> {
  const rt = await NdisRuntime.create({
    nics: 2, seed: 1, host: 'worker', rxRingEntries: shape.rxRingEntries, txRingEntries: shape.txRingEntries,
    poolBytes: shape.poolBytes, spscBytes: shape.spscBytes, captureBytes: 0,
    ...(watch.watchdogMs !== undefined ? { watchdogMs: watch.watchdogMs } : {}),
  });
  watch.observe?.(rt);
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    const filter = await rt.loadDriver(sources.filter, sources.filterFile ?? 'counting-filter.ts');
    const protocol = await rt.loadDriver(sources.protocol, 'stack-protocol.ts');
    rt.startStack();
    rt.run();
    if (rt.stopped) {
      // A bring-up finding made with none of the driver's code running gets its handler's declaration.
      await rt.placeFindings();
      throw new LiveBringUpError(rt.stopped);
    }
    const live = await LiveStack.start(rt, { transport: shape.transport });
    // A live run is free-running: real time measures it and bounds the wait (see wall-clock.ts).
    const start = wallClockMs();
    const deadline = start + 30_000 + frames / 50;
    live.call(protocol, 'StartTraffic', 0, 1, frames, shape.frameBytes, shape.window, shape.chain);
    let traffic = [0, 0, 0, 0, null] as TrafficReport;
    let cutShort: string | undefined;
    let lastReceived = -1;
    let lastMoved = start;
    let lastProgress = start;
    const poll = async (done: (t: TrafficReport) => boolean) => {
      for (;;) {
        traffic = [...live.call<TrafficReport>(protocol, 'TrafficReport')] as TrafficReport;
        const now = wallClockMs();
        if (done(traffic) || live.finding) return;
        if (traffic[2] !== lastReceived) {
          lastReceived = traffic[2];
          lastMoved = now;
        }
        if (watch.onProgress && now - lastProgress >= (watch.progressMs ?? 100)) {
          lastProgress = now;
          watch.onProgress(traffic, now - start);
        }
        if (watch.stallMs !== undefined && now - lastMoved > watch.stallMs) cutShort = `no frame arrived for ${(watch.stallMs / 1000).toFixed(1)} s: ${traffic[2]} of ${frames} received, ${traffic[0] - traffic[2]} sent and not received, ${traffic[0] - traffic[1]} sends not completed`;
        else if (now > deadline) cutShort = `the run passed its deadline (${((deadline - start) / 1000).toFixed(0)} s) with ${traffic[2]} of ${frames} frames received`;
        if (cutShort) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    await poll((t) => t[2] >= frames);
    const elapsedMs = traffic[2] >= frames ? wallClockMs() - start : 0;
    // The last send completions travel the other way and may land just after the last receive.
    if (!cutShort) await poll((t) => t[1] >= frames);
    // Stragglers come home before NBLs away are counted (after a stall they have had their time).
    if (!cutShort) await live.settle();
    const report = await live.stop();
    const filterBypassed = !report.threads.some((t) => t.thread === filter.name);
    return { traffic, report, elapsedMs, filterBypassed, ...(cutShort && !report.finding ? { cutShort } : {}) };
  } finally {
    await rt.close();
  }
}

/** What a run shows, as plain data (it crosses from a browser worker to the test). */
export interface LiveRunSummary {
  traffic: TrafficReport;
  finding: string | undefined;
  /** NBLs not back home after the run. */
  outstanding: number;
  threads: string[];
  /** Frames each NIC's miniport sent and indicated. */
  sent: number[];
  indicated: number[];
  elapsedMs: number;
}

export async function liveRunSummary(sources: LiveRunSources, frames: number, shape: LiveRunShape = TEST_SHAPE): Promise<LiveRunSummary> {
  const { traffic, report, elapsedMs } = await liveRun(sources, frames, shape);
  const miniport = report.threads[0]?.stats as MiniportStats | undefined;
  return {
    traffic,
    finding: report.finding ? `${report.finding.rule}: ${report.finding.message}` : undefined,
    outstanding: report.outstanding,
    threads: report.threads.map((t) => t.thread),
    sent: miniport?.sent ?? [],
    indicated: miniport?.indicated ?? [],
    elapsedMs,
  };
}
