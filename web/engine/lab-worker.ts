// The lab runtime worker: runs learners' drivers with each driver in a worker of its own (the
// worker host) and grades them with the in-process host (fast; the same traces),
// off the page's thread, so the page never freezes and a driver that hangs takes only this
// worker down (the page's watchdog terminates it and starts another). The next Run's driver
// worker is started ahead, while the learner reads or types. The page talks to it
// through comlink (LabWorkerApi); the heartbeat in shared memory tells the watchdog it is alive.

import * as Comlink from 'comlink';
import { confineDrivers } from '../../core/host/confinement.ts';
import { runScenario } from '../../core/scenario/runner.ts';
import { gradeLab } from '../../core/grading/grade.ts';
import { nicModule } from '../../core/nic/module.ts';
import { bugCheckScreen, type Finding, type SourceLocation } from '../../core/verifier/verifier.ts';
import { handlerLocation } from '../../core/ndis/handler-labels.ts';
import type { NdisRuntime } from '../../core/ndis/runtime.ts';
import { DriverLoadError } from '../../core/ndis/driver-loader.ts';
import { startDriverWorkerAhead } from '../../core/host/worker-host.ts';
import { liveRun, LiveBringUpError, type LiveRunShape } from '../../core/live/live-run.ts';
import type { PumpStats } from '../../core/live/driver-pump.ts';
import { labById, references, type CourseLab } from '../labs/catalog.ts';
import { Heartbeat } from './heartbeat.ts';
import { seedStatementsOf } from '../../labs/seed-statements.ts';
import { RunRecorder } from './recorder.ts';
import { DRIVER_FILE, type FindingView, type GradeOutcome, type GradeProgress, type GradeRequest, type LabWorkerApi, type LiveOutcome, type LiveProgress, type LiveRequest, type RunChunk, type RunOutcome, type RunRequest } from './protocol.ts';

/** Wall-clock ms one handler may take in a Run before the worker host stops it (the page waits 5 s). */
const RUN_WATCHDOG_MS = 2000;


/**
 * The machine Live traffic runs on: the stack benchmark's shape at half the memory (24 MiB of NBLs
 * and buffers, not 48, so a page does not hold more than it needs), and so half its window: the
 * rate is below the benchmark's (web/README.md, the page's figures).
 */
const LIVE_SHAPE: LiveRunShape = { rxRingEntries: 4096, txRingEntries: 2048, window: 1536, chain: 64, frameBytes: 60, poolBytes: 24 << 20, spscBytes: 1 << 20, transport: 'rings' };
/** Live traffic stops when no frame has arrived for this long (wall clock). */
const LIVE_STALL_MS = 2000;
/** The most frames one Live traffic run sends. */
const LIVE_MAX_FRAMES = 100_000_000;

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

function findingView(f: Finding, seed: number, lab: string, scenario?: string): FindingView {
  const statements = seedStatementsOf(f.rule, lab);
  return {
    rule: f.rule, statement: f.statement, source: f.seed, severity: f.severity, bugCheck: f.bugCheck, driver: f.driver,
    ...(f.object !== undefined ? { object: f.object } : {}),
    message: f.message, event: f.event, callPath: f.callPath, seed, ...(scenario ? { scenario } : {}),
    ...(f.location ? { location: f.location } : {}),
    ...(statements.length > 0 ? { seedStatements: statements } : {}),
  };
}

const api: LabWorkerApi & { ready(): Promise<void> } = {
  init(buffer: SharedArrayBuffer) {
    heartbeat = new Heartbeat(buffer);
  },

  /** Compiles the NIC, then locks this thread down before any driver runs on it. */
  async ready() {
    await nicModule();
    // Grading runs drivers on this thread, each in a compartment of its own (Run's drivers get
    // their own workers, locked down the same way): no network, storage or page for them.
    confineDrivers();
    startDriverWorkerAhead();
  },

  async run(request: RunRequest, onChunk: (chunk: RunChunk) => void): Promise<RunOutcome> {
    const course = lab(request.lab);
    const scenario = course.scenarios.find((s) => s.id === request.scenario);
    if (!scenario) throw new Error(`lab ${request.lab} has no scenario "${request.scenario}"`);
    heartbeat?.reset();
    let recorder: RunRecorder | undefined;
    // Run puts each driver in its own Web Worker (the worker host): sandboxed, and a handler that
    // does not return is stopped by the host's watchdog with DriverHung, well before the page's.
    const run = await runScenario(course, scenario, request.source, DRIVER_FILE, request.seed, course.referenceSources, { host: 'worker', watchdogMs: RUN_WATCHDOG_MS, observe: (rt) => {
      watch(rt);
      const recording = new RunRecorder(rt, (chunk) => void onChunk(chunk));
      recorder = recording;
      // The drivers' console.log lines, in order with the trace (core/host carries them).
      rt.host.console = (file, level, text) => recording.console(file, level, text);
    } });
    recorder?.finish();
    startDriverWorkerAhead();
    const stopped = run.runtime?.stopped;
    const pcapng = run.runtime ? run.runtime.pcapng() : new Uint8Array(0);
    const outcome: RunOutcome = {
      lab: request.lab, scenario: scenario.id, seed: request.seed, passed: run.passed, failures: run.failures,
      findings: run.findings.map((f) => findingView(f, request.seed, request.lab, scenario.id)),
      traceHash: run.traceHash, traceLength: run.traceLength, pcapng, eventsShown: recorder?.eventsShown ?? 0,
      ...(stopped ? { bugCheck: bugCheckScreen(stopped) } : {}),
    };
    return Comlink.transfer(outcome, [pcapng.buffer]);
  },

  async grade(request: GradeRequest, onProgress: (progress: GradeProgress) => void): Promise<GradeOutcome> {
    const course = lab(request.lab);
    heartbeat?.reset();
    return gradeLab(course, request.source, DRIVER_FILE, course.referenceSources, {
      seeds: request.seeds,
      observe: (rt, scenario, seed) => {
        watch(rt);
        void onProgress({ scenario: scenario.id, scenarioIndex: course.scenarios.indexOf(scenario), scenarioCount: course.scenarios.length, seed });
      },
    });
  },

  /**
   * Live traffic: the learner's filter on both NICs' stacks between the traffic protocol
   * (labs/reference/stack-protocol.ts) and the live miniport, every driver in its own worker, the
   * frames counted and checked by the protocol. Filter labs only: a protocol lab's driver would
   * have to make the traffic itself.
   */
  async live(request: LiveRequest, onProgress: (progress: LiveProgress) => void): Promise<LiveOutcome> {
    const course = lab(request.lab);
    if (course.kind !== 'filter') throw new Error(`Live traffic runs a filter driver; lab ${course.id} is a ${course.kind} lab`);
    if (!Number.isInteger(request.frames) || request.frames < 1 || request.frames > LIVE_MAX_FRAMES) throw new RangeError(`Live traffic sends 1 to ${LIVE_MAX_FRAMES} frames; asked for ${request.frames}`);
    if (!Number.isInteger(request.frameBytes) || request.frameBytes < 60 || request.frameBytes > 1514) throw new RangeError(`frames are 60 to 1514 bytes (without the FCS); asked for ${request.frameBytes}`);
    heartbeat?.reset();
    const outcome: LiveOutcome = {
      lab: course.id, frames: request.frames, frameBytes: request.frameBytes, sent: 0, completed: 0, received: 0, damaged: 0,
      elapsedMs: 0, framesPerSecond: 0, bitsPerSecond: 0, threads: [], outstanding: 0, filterBypassed: false,
    };
    try {
      const run = await liveRun(
        { filter: request.source, filterFile: DRIVER_FILE, protocol: references.trafficProtocol },
        request.frames,
        { ...LIVE_SHAPE, frameBytes: request.frameBytes },
        {
          stallMs: LIVE_STALL_MS,
          watchdogMs: RUN_WATCHDOG_MS,
          observe: watch,
          onProgress: ([sent, completed, received], elapsedMs) => {
            heartbeat?.beat();
            void onProgress({ sent, completed, received, elapsedMs });
          },
        },
      );
      const [sent, completed, received, damaged, firstDamage] = run.traffic;
      Object.assign(outcome, { sent, completed, received, damaged, elapsedMs: run.elapsedMs, outstanding: run.report.outstanding, filterBypassed: run.filterBypassed });
      if (firstDamage) outcome.firstDamage = firstDamage;
      if (run.elapsedMs > 0) {
        outcome.framesPerSecond = request.frames / (run.elapsedMs / 1000);
        outcome.bitsPerSecond = outcome.framesPerSecond * (request.frameBytes + 4) * 8;
      }
      outcome.threads = run.report.threads.map((t) => {
        const stats = t.stats as PumpStats | undefined;
        return { thread: t.thread, busyNsPerFrame: stats && received > 0 ? Math.round((stats.busyMs * 1e6) / received) : 0, parks: stats?.parks ?? 0, chains: stats?.chains ?? 0 };
      });
      if (run.report.finding) {
        outcome.finding = findingView(run.report.finding, 1, request.lab);
        outcome.bugCheck = bugCheckScreen(run.report.finding);
      }
      if (run.cutShort) outcome.cutShort = run.cutShort;
    } catch (error) {
      if (error instanceof LiveBringUpError) {
        outcome.finding = findingView(error.finding, 1, request.lab);
        outcome.bugCheck = bugCheckScreen(error.finding);
        outcome.problem = 'the stack did not come up: your filter broke a rule on the way (the finding below). Run the lab\'s scenarios to watch where.';
      } else if (error instanceof DriverLoadError) {
        outcome.problem = `your driver did not load: ${error.message}`;
      } else {
        outcome.problem = error instanceof Error ? error.message : String(error);
      }
    }
    startDriverWorkerAhead();
    return outcome;
  },

  async handlerDeclaration(source: string, label: string): Promise<SourceLocation | undefined> {
    if (typeof source !== 'string' || typeof label !== 'string' || !label.startsWith(`${DRIVER_FILE.replace(/\.[jt]s$/, '')}!`)) return undefined;
    // Only after a hang: acorn is not loaded for a driver that does not hang.
    const { handlerPlaces } = await import('../../core/ndis/handler-places.ts');
    return handlerLocation(handlerPlaces(source, DRIVER_FILE), DRIVER_FILE, label);
  },
};

export type LabWorkerRemote = typeof api;

Comlink.expose(api);
