// The core's thread in the browser test page: runs the reference run and answers over comlink.

import * as Comlink from 'comlink';
import { referenceRun } from '../reference-run.ts';
import { SANDBOX_PROBE } from '../../testing/hostile-drivers.ts';
import { NdisRuntime } from '../../ndis/runtime.ts';
import { liveRunSummary } from '../../live/live-run.ts';
import { startDriverWorkerAhead, driverWorkerWaiting } from '../worker-host.ts';
import type { ReferenceSources } from '../reference-run.ts';

/** Loads the hostile probe driver in a Web Worker; returns what it could reach ('' for nothing). */
async function probeSandbox(): Promise<string> {
  const rt = await NdisRuntime.create({ nics: 1, host: 'worker' });
  try {
    const driver = await rt.loadDriver(SANDBOX_PROBE, 'hostile.ts');
    return (driver.exports.Reached as () => string)();
  } finally {
    await rt.close();
  }
}

/** A driver whose bind handler never returns: the watchdog must stop its Web Worker. */
async function hungDriver(): Promise<string | undefined> {
  const source = SANDBOX_PROBE.replace('BindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; }', 'BindAdapterHandlerEx() { for (;;) {} }');
  const rt = await NdisRuntime.create({ nics: 1, host: 'worker', watchdogMs: 300 });
  try {
    await rt.loadDriver(source, 'hung.ts');
    rt.startStack();
    rt.run();
    return rt.stopped?.rule;
  } finally {
    await rt.close();
  }
}

/**
 * A driver worker started ahead, then a run: whether it was waiting before, whether the run took
 * it (the first of the run's loads does), what the run gave, and what a driver can reach in the
 * next one started ahead.
 */
async function runWithWorkerAhead(sources: ReferenceSources, seed: number) {
  startDriverWorkerAhead();
  const waitingBefore = driverWorkerWaiting();
  const run = await referenceRun(sources, 'worker', seed);
  const waitingAfter = driverWorkerWaiting();
  startDriverWorkerAhead();
  const reached = await probeSandbox();
  return { waitingBefore, waitingAfter, run, reached, waitingAtEnd: driverWorkerWaiting() };
}

const api = { referenceRun, probeSandbox, hungDriver, liveRun: liveRunSummary, runWithWorkerAhead };
export type CoreWorkerApi = typeof api;
Comlink.expose(api);
