// The loop every live thread runs: passes over its rings, a few empty passes of spinning, then a
// park on its bell; and the busy-time estimate the benchmark reports per thread.
//
// Busy time is a measurement of this machine, in real time (see wall-clock.ts). Only one pass in
// TIME_SAMPLE is timed, because reading the clock allocates (a heap number) in Node 20.

import { LiveStopped } from './acceptor.ts';
import { wallClockMs } from '../sched/wall-clock.ts';

/** One pass in this many is timed (a power of two). */
export const TIME_SAMPLE = 256;

export interface LoopStats {
  /** Wall-clock ms spent in passes that moved something (estimated from one pass in TIME_SAMPLE). */
  busyMs: number;
  /** Wall-clock ms from entering the pump to leaving it. */
  liveMs: number;
}

export interface PumpLoop {
  /** False once the live run is over. */
  live(): boolean;
  /** One pass over the thread's rings; returns the work done (0: nothing was waiting). */
  pass(): number;
  /** Sleeps until a neighbour rings (or returns at once if something arrived meanwhile). */
  park(): void;
  /** Empty passes before parking. */
  spins: number;
  stats: LoopStats;
}

/** Runs `loop` until the live run ends or a finding stops it (LiveStopped). */
export function runPumpLoop(loop: PumpLoop): void {
  const started = wallClockMs();
  let idle = 0;
  let passes = 0;
  let since = 0;
  try {
    while (loop.live()) {
      const sampled = (++passes & (TIME_SAMPLE - 1)) === 0;
      if (sampled) since = wallClockMs();
      if (loop.pass() > 0) {
        if (sampled) loop.stats.busyMs += (wallClockMs() - since) * TIME_SAMPLE;
        idle = 0;
        continue;
      }
      if (++idle < loop.spins) continue;
      idle = 0;
      loop.park();
    }
  } catch (error) {
    if (!(error instanceof LiveStopped)) throw error;
  } finally {
    loop.stats.liveMs = wallClockMs() - started;
  }
}
