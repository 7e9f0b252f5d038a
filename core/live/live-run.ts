// One live run of the stack benchmarks' drivers, small enough for a test: the counting filter and
// the stack protocol brought up over two cabled NICs in the worker host, switched to live mode,
// `frames` numbered frames sent from the first binding to the second, then stopped. The browser
// test runs it in Chromium (drivers and the miniport in Web Workers) to show that live mode is the
// same code path there as in Node.

import { NdisRuntime } from '../ndis/runtime.ts';
import { LiveStack } from './live-stack.ts';
import type { MiniportStats } from './miniport-pump.ts';
import type { TrafficReport } from '../bench/stack-protocol.ts';

export interface LiveRunSources {
  filter: string;
  protocol: string;
}

export interface LiveRunResult {
  /** [sent, completed, received, damaged or out of order, first error] from the protocol. */
  traffic: TrafficReport;
  finding: string | undefined;
  /** NBLs not back home after the run. */
  outstanding: number;
  threads: string[];
  sent: number[];
  indicated: number[];
}

/** Longest wait for the frames, in wall-clock ms. */
const TIMEOUT_MS = 20_000;

export async function liveRun(sources: LiveRunSources, frames: number): Promise<LiveRunResult> {
  const rt = await NdisRuntime.create({ nics: 2, seed: 4, host: 'worker', rxRingEntries: 256, txRingEntries: 256, poolBytes: 4 << 20, spscBytes: 1 << 20, captureBytes: 0 });
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    await rt.loadDriver(sources.filter, 'counting-filter.ts');
    const protocol = await rt.loadDriver(sources.protocol, 'stack-protocol.ts');
    rt.startStack();
    rt.run();
    const live = await LiveStack.start(rt);
    live.call(protocol, 'StartTraffic', 0, 1, frames, 60, 64, 16);
    // Wall clock, outside the engine: a live run is free-running, and this only bounds the wait.
    const deadline = performance.now() + TIMEOUT_MS;
    let traffic: TrafficReport;
    for (;;) {
      traffic = [...live.call<TrafficReport>(protocol, 'TrafficReport')] as TrafficReport;
      if ((traffic[2] >= frames && traffic[1] >= frames) || live.finding || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await live.settle();
    const report = await live.stop();
    const miniport = report.threads[0]?.stats as MiniportStats | undefined;
    return {
      traffic,
      finding: report.finding ? `${report.finding.rule}: ${report.finding.message}` : undefined,
      outstanding: report.outstanding,
      threads: report.threads.map((t) => t.thread),
      sent: miniport?.sent ?? [],
      indicated: miniport?.indicated ?? [],
    };
  } finally {
    await rt.close();
  }
}
