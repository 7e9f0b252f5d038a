// The one place outside the benchmarks where core/ reads real time. Every caller is outside the
// deterministic engine on purpose, and nothing it measures reaches a trace:
//   - the worker host's watchdog (core/host): it catches a driver that never returns, which virtual
//     time cannot see (no virtual time passes while a handler runs); it only decides DriverHung;
//   - live mode (core/live): the free-running mode, whose busy times, settle and run timeouts are
//     measurements of this machine, not of the scenario.
// Runs that must replay use the scheduler's virtual clock and the seeded Prng (core/sched).

/** Wall-clock milliseconds (performance.now(); it allocates a heap number in Node 20). */
export function wallClockMs(): number {
  // Real time on purpose: only the watchdog and live mode call this (see above); never in a trace.
  return performance.now();
}
