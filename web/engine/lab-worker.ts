// The lab runtime worker: runs learners' drivers with each driver in a worker of its own (the
// worker host) and grades them with the in-process host (fast; the same traces),
// off the page's thread, so the page never freezes and a driver that hangs takes only this
// worker down (the page's watchdog terminates it and starts another). The page talks to it
// through comlink (LabWorkerApi); the heartbeat in shared memory tells the watchdog it is alive.

import * as Comlink from 'comlink';
import { withholdGlobals, NETWORK_AND_STORAGE } from '../../core/host/sandbox.ts';
import { runScenario } from '../../core/scenario/runner.ts';
import { gradeLab } from '../../core/grading/grade.ts';
import { nicModule } from '../../core/nic/module.ts';
import { bugCheckScreen, type Finding } from '../../core/verifier/verifier.ts';
import type { NdisRuntime } from '../../core/ndis/runtime.ts';
import { labById, references, type CourseLab } from '../labs/catalog.ts';
import { Heartbeat } from './heartbeat.ts';
import { RunRecorder } from './recorder.ts';
import type { FindingView, GradeOutcome, GradeProgress, GradeRequest, LabWorkerApi, RunChunk, RunOutcome, RunRequest } from './protocol.ts';

/** Wall-clock ms one handler may take in a Run before the worker host stops it (the page waits 5 s). */
const RUN_WATCHDOG_MS = 2000;

/** The name the learner's driver runs under (findings and traces cite it). */
export const DRIVER_FILE = 'driver.ts';

let heartbeat: Heartbeat | undefined;

function lab(id: string): CourseLab {
  const found = labById(id);
  if (!found) throw new Error(`there is no lab "${id}"`);
  return found;
}

/** The heartbeat follows the run: every event but a driver's own NDIS calls is progress. */
function watch(rt: NdisRuntime): void {
  const beat = heartbeat;
  if (!beat) return;
  rt.trace.onEvent((event) => {
    if (event.kind === 'handler') beat.enter(`${event.driver}!${event.handler}`, event.n);
    else if (event.kind !== 'ndis') beat.beat();
  });
}

function findingView(f: Finding, seed: number, scenario?: string): FindingView {
  return {
    rule: f.rule, statement: f.statement, source: f.seed, severity: f.severity, bugCheck: f.bugCheck, driver: f.driver,
    ...(f.object !== undefined ? { object: f.object } : {}),
    message: f.message, event: f.event, callPath: f.callPath, seed, ...(scenario ? { scenario } : {}),
  };
}

const api: LabWorkerApi & { ready(): Promise<void> } = {
  init(buffer: SharedArrayBuffer) {
    heartbeat = new Heartbeat(buffer);
  },

  /** Compiles the NIC while fetch is still there, then takes the network away from drivers. */
  async ready() {
    await nicModule();
    // Grading runs drivers on this thread: they get no network or storage (Run's drivers get their own sandboxed workers).
    withholdGlobals(NETWORK_AND_STORAGE);
  },

  async run(request: RunRequest, onChunk: (chunk: RunChunk) => void): Promise<RunOutcome> {
    const course = lab(request.lab);
    const scenario = course.scenarios.find((s) => s.id === request.scenario);
    if (!scenario) throw new Error(`lab ${request.lab} has no scenario "${request.scenario}"`);
    heartbeat?.reset();
    let recorder: RunRecorder | undefined;
    // Run puts each driver in its own Web Worker (the worker host): sandboxed, and a handler that
    // does not return is stopped by the host's watchdog with DriverHung, well before the page's.
    const run = await runScenario(course, scenario, request.source, DRIVER_FILE, request.seed, references, { host: 'worker', watchdogMs: RUN_WATCHDOG_MS, observe: (rt) => {
      watch(rt);
      recorder = new RunRecorder(rt, (chunk) => void onChunk(chunk));
    } });
    recorder?.finish();
    const stopped = run.runtime?.stopped;
    const pcapng = run.runtime ? run.runtime.pcapng() : new Uint8Array(0);
    const outcome: RunOutcome = {
      lab: request.lab, scenario: scenario.id, seed: request.seed, passed: run.passed, failures: run.failures,
      findings: run.findings.map((f) => findingView(f, request.seed, scenario.id)),
      traceHash: run.traceHash, traceLength: run.traceLength, pcapng, eventsShown: recorder?.eventsShown ?? 0,
      ...(stopped ? { bugCheck: bugCheckScreen(stopped) } : {}),
    };
    return Comlink.transfer(outcome, [pcapng.buffer]);
  },

  async grade(request: GradeRequest, onProgress: (progress: GradeProgress) => void): Promise<GradeOutcome> {
    const course = lab(request.lab);
    heartbeat?.reset();
    return gradeLab(course, request.source, DRIVER_FILE, references, {
      seeds: request.seeds,
      observe: (rt, scenario, seed) => {
        watch(rt);
        void onProgress({ scenario: scenario.id, scenarioIndex: course.scenarios.indexOf(scenario), scenarioCount: course.scenarios.length, seed });
      },
    });
  },
};

export type LabWorkerRemote = typeof api;

Comlink.expose(api);
