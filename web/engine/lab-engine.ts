// The page's side of the lab runtime: one dedicated worker that runs and grades drivers, driven
// through comlink, and a wall-clock watchdog over its heartbeat. A driver stuck in a handler
// (`while (true) {}`) stops the heartbeat; after `hangAfterMs` the watchdog terminates the
// worker, turns what it knows (the handler last entered, its trace event) into a DriverHung
// finding with its bug check screen, and starts a fresh worker for the next run. The page and
// whatever the learner typed are untouched: they never lived in the worker.

import * as Comlink from 'comlink';
import { ruleById } from '../../core/verifier/rules.ts';
import { bugCheckScreen, type Finding } from '../../core/verifier/verifier.ts';
import { Heartbeat } from './heartbeat.ts';
import type { LabWorkerRemote } from './lab-worker.ts';
import type { FindingView, GradeOutcome, GradeProgress, GradeRequest, LiveOutcome, LiveProgress, LiveRequest, RunChunk, RunOutcome, RunRequest } from './protocol.ts';

/** The worker stopped answering: the finding and the screen to show. */
export class DriverHungError extends Error {
  constructor(readonly finding: FindingView, readonly screen: string) {
    super(finding.message);
    this.name = 'DriverHungError';
  }
}

/** The learner pressed Stop. */
export class RunStoppedError extends Error {
  constructor() {
    super('stopped: the run was cancelled');
    this.name = 'RunStoppedError';
  }
}

export interface LabEngineOptions {
  /** How long (wall-clock ms) the worker may go without a heartbeat before it is declared hung. */
  hangAfterMs: number;
}

interface Operation {
  reject: (error: Error) => void;
  seed: number;
  scenario?: string;
  /** The learner's source it runs: a DriverHung finding names where its hung handler is declared. */
  source?: string;
}

/** Wall-clock ms the fresh worker gets to say where a hung handler is declared before the finding goes without it. */
const DECLARATION_WAIT_MS = 5000;

export class LabEngine {
  private worker: Worker | undefined;
  private remote: Comlink.Remote<LabWorkerRemote> | undefined;
  private starting: Promise<Comlink.Remote<LabWorkerRemote>> | undefined;
  /** Created with the first worker: SharedArrayBuffer exists only once the page is isolated. */
  private heartbeatMemory: Heartbeat | undefined;
  private operation: Operation | undefined;
  /** Workers started so far (the first, and one more after each hang or stop). */
  generation = 0;

  constructor(private readonly options: LabEngineOptions) {}

  private get heartbeat(): Heartbeat {
    this.heartbeatMemory ??= new Heartbeat();
    return this.heartbeatMemory;
  }

  get busy(): boolean {
    return this.operation !== undefined;
  }

  /** Starts the worker ahead of the first run (the NIC module compiles there). */
  warmUp(): Promise<unknown> {
    return this.ensureWorker();
  }

  run(request: RunRequest, onChunk: (chunk: RunChunk) => void): Promise<RunOutcome> {
    return this.guard({ reject: () => {}, seed: request.seed, scenario: request.scenario, source: request.source }, (remote) => remote.run(request, Comlink.proxy(onChunk)));
  }

  grade(request: GradeRequest, onProgress: (progress: GradeProgress) => void): Promise<GradeOutcome> {
    const operation: Operation = { reject: () => {}, seed: 1, source: request.source };
    return this.guard(operation, (remote) => remote.grade(request, Comlink.proxy((progress: GradeProgress) => {
      // The watchdog names the seed and scenario that were running if this one hangs.
      operation.seed = progress.seed;
      operation.scenario = progress.scenario;
      onProgress(progress);
    })));
  }

  /** Live traffic through the learner's filter (a filter lab's); the watchdog covers it as it covers Run. */
  live(request: LiveRequest, onProgress: (progress: LiveProgress) => void): Promise<LiveOutcome> {
    return this.guard({ reject: () => {}, seed: 1, source: request.source }, (remote) => remote.live(request, Comlink.proxy(onProgress)));
  }

  /** Cancels what is running: the worker is terminated and replaced. */
  stop(): void {
    const operation = this.operation;
    if (!operation) return;
    this.restartWorker();
    operation.reject(new RunStoppedError());
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    this.starting = undefined;
  }

  private ensureWorker(): Promise<Comlink.Remote<LabWorkerRemote>> {
    if (this.remote) return Promise.resolve(this.remote);
    this.starting ??= (async () => {
      const worker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module', name: 'lab runtime' });
      this.worker = worker;
      this.generation++;
      const remote = Comlink.wrap<LabWorkerRemote>(worker);
      await remote.init(this.heartbeat.buffer);
      await remote.ready();
      if (this.worker !== worker) throw new RunStoppedError();
      this.remote = remote;
      return remote;
    })();
    return this.starting;
  }

  private restartWorker(): void {
    this.dispose();
  }

  private async guard<T>(operation: Operation, call: (remote: Comlink.Remote<LabWorkerRemote>) => Promise<T>): Promise<T> {
    if (this.operation) throw new Error('the lab runtime is busy with another run; wait for it or press Stop');
    const remote = await this.ensureWorker();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        settled = true;
        clearInterval(timer);
        this.operation = undefined;
      };
      operation.reject = (error) => {
        if (settled) return;
        finish();
        reject(error);
      };
      this.operation = operation;
      let beats = this.heartbeat.beats;
      /** The watchdog fired: the finding is on its way (the fresh worker is asked where the handler is declared). */
      let hanging = false;
      let lastBeatAt = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        if (this.heartbeat.beats !== beats) {
          beats = this.heartbeat.beats;
          lastBeatAt = now;
        } else if (now - lastBeatAt > this.options.hangAfterMs && !hanging) {
          hanging = true;
          const hung = this.hungFinding(operation);
          this.restartWorker();
          void this.declaredAt(operation, hung.finding).then(() => operation.reject(new DriverHungError(hung.finding, hung.screen)));
        }
      }, Math.min(250, this.options.hangAfterMs / 4));
      call(remote).then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Adds to a DriverHung finding where its handler is declared in the learner's source. The stuck
   * worker's stack cannot be read (it is terminated; it could not answer while stuck), so this is
   * the declaration, not the line it hung at, and a fresh worker (the next run's) reads it from the
   * source this side holds. Never rejects: without an answer in time the finding has no place.
   */
  private async declaredAt(operation: Operation, finding: FindingView): Promise<void> {
    const label = finding.callPath[0];
    if (operation.source === undefined || label === undefined) return;
    let stopWaiting = () => {};
    try {
      const asked = this.ensureWorker().then((remote) => remote.handlerDeclaration(operation.source!, label));
      const waited = new Promise<undefined>((resolve) => {
        const timer = setTimeout(resolve, DECLARATION_WAIT_MS);
        stopWaiting = () => clearTimeout(timer);
      });
      const location = await Promise.race([asked, waited]);
      if (location) finding.location = location;
    } catch {
      // A worker that does not start: the finding goes without a place.
    } finally {
      stopWaiting();
    }
  }

  private hungFinding(operation: Operation): { finding: FindingView; screen: string } {
    const rule = ruleById('DriverHung');
    const last = this.heartbeat.lastHandler();
    const label = last?.label ?? 'the driver';
    const seconds = (this.options.hangAfterMs / 1000).toFixed(1);
    const finding: FindingView = {
      rule: rule.id, statement: rule.statement, source: rule.seed, severity: rule.severity, bugCheck: rule.bugCheck,
      driver: last ? label.split('!')[0]! : 'driver',
      message: `${label} did not return within ${seconds} s of wall-clock time; the watchdog stopped the lab runtime`,
      event: last?.event ?? 0, callPath: last ? [label] : [], seed: operation.seed,
      ...(operation.scenario ? { scenario: operation.scenario } : {}),
    };
    const asFinding: Finding = { ...finding, seed: rule.seed };
    return { finding, screen: bugCheckScreen(asFinding) };
  }
}
