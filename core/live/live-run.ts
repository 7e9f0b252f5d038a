// One live run of the stack benchmarks' drivers: the counting filter and the stack protocol brought
// up over two cabled NICs in the worker host, switched to live mode, `frames` numbered frames sent
// from the first binding to the second, then stopped. The stack benchmarks (core/bench/stack-live.ts)
// run it in Node; the browser test and `npm run bench:web` run it in Chromium, with the drivers and
// the miniport in Web Workers: the same code path.

import { NdisRuntime } from '../ndis/runtime.ts';
import { wallClockMs } from '../sched/wall-clock.ts';
import { LiveStack, type LiveReport } from './live-stack.ts';
import type { LiveTransport } from './plan.ts';
import type { MiniportStats } from './miniport-pump.ts';
import type { TrafficReport } from '../bench/stack-protocol.ts';

export interface LiveRunSources {
  filter: string;
  protocol: string;
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
}

export async function liveRun(sources: LiveRunSources, frames: number, shape: LiveRunShape = TEST_SHAPE): Promise<LiveRun> {
  const rt = await NdisRuntime.create({
    nics: 2, seed: 1, host: 'worker', rxRingEntries: shape.rxRingEntries, txRingEntries: shape.txRingEntries,
    poolBytes: shape.poolBytes, spscBytes: shape.spscBytes, captureBytes: 0,
  });
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    await rt.loadDriver(sources.filter, 'counting-filter.ts');
    const protocol = await rt.loadDriver(sources.protocol, 'stack-protocol.ts');
    rt.startStack();
    rt.run();
    if (rt.stopped) throw new Error(`the stack did not come up: ${rt.stopped.rule}: ${rt.stopped.message}`);
    const live = await LiveStack.start(rt, { transport: shape.transport });
    // A live run is free-running: real time measures it and bounds the wait (see wall-clock.ts).
    const start = wallClockMs();
    const deadline = start + 30_000 + frames / 50;
    live.call(protocol, 'StartTraffic', 0, 1, frames, shape.frameBytes, shape.window, shape.chain);
    let traffic = [0, 0, 0, 0, null] as TrafficReport;
    const poll = async (done: (t: TrafficReport) => boolean) => {
      for (;;) {
        traffic = [...live.call<TrafficReport>(protocol, 'TrafficReport')] as TrafficReport;
        if (done(traffic) || live.finding || wallClockMs() > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    await poll((t) => t[2] >= frames);
    const elapsedMs = traffic[2] >= frames ? wallClockMs() - start : 0;
    // The last send completions travel the other way and may land just after the last receive.
    await poll((t) => t[1] >= frames);
    await live.settle();
    return { traffic, report: await live.stop(), elapsedMs };
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
