// Grading: every scenario of a lab under N seeds; a scenario passes only if it passes under all
// of them. A failing scenario still runs every seed, so the report can name both the first
// failing seed (its failures and findings) and the seed whose failing trace is shortest (the
// easiest one to replay). Scores come from the trace and the machine, never from driver output.

import type { SourceLocation } from '../verifier/verifier.ts';
import { runScenario, type ReferenceDrivers } from '../scenario/runner.ts';
import { variantValues } from '../scenario/variants.ts';
import { sha256Hex } from '../trace/trace.ts';
import type { Lab, Scenario } from '../scenario/schema.ts';
import type { NdisRuntime } from '../ndis/runtime.ts';

export interface ScenarioReport {
  id: string;
  title: string;
  hidden: boolean;
  points: number;
  maxPoints: number;
  passed: boolean;
  /** The first seed it failed under; `failures` and `findings` are that run's. */
  failingSeed?: number;
  /** The failing seed whose trace has the fewest events (ties: the lower seed). */
  shortestFailingSeed?: number;
  /** Events in that trace: `nic-lab run <lab>:<scenario> --seed <shortestFailingSeed>` replays it. */
  shortestTraceEvents?: number;
  /** Every seed it failed under, in order. */
  failingSeeds?: number[];
  failures: string[];
  /** `location`: the driver's line that made the call, for the learner to read; no score reads it. */
  findings: { rule: string; driver: string; message: string; event: number; location?: SourceLocation }[];
}

export interface GradeReport {
  lab: string;
  score: number;
  maxScore: number;
  scenarios: ScenarioReport[];
  /** The variant values graded against: the student's (options.student), else the defaults. */
  variants: Record<string, number>;
  /** SHA-256 over every run's trace hash, in order: equal reports come from equal runs. */
  traceHash: string;
}

export interface GradeOptions {
  /** Seeds per scenario (a scenario's own `seeds` wins). Default 8. */
  seeds?: number;
  /** First seed (seeds are first, first + 1, ...). Default 1. */
  firstSeed?: number;
  /** The student whose variant of the lab's values the scenarios use (see the lab's `variants`). */
  student?: string;
  /** Sees each run's runtime before it starts (progress reports, a watchdog's heartbeat). */
  observe?: (rt: NdisRuntime, scenario: Scenario, seed: number) => void;
  /** Told how long each scenario took, all its seeds (wall-clock seconds; JUnit's `time`). Kept out of the report, which equal runs make equal. */
  onScenarioTime?: (index: number, seconds: number) => void;
}


/** One scenario graded under its seeds: its report, and each run's trace hash in order. */
export async function gradeScenario(lab: Lab, scenario: Scenario, source: string, file: string, references: ReferenceDrivers, options: GradeOptions = {}): Promise<{ report: ScenarioReport; hashes: string[] }> {
  const hashes: string[] = [];
  const seeds = scenario.seeds ?? options.seeds ?? 8;
  let report: ScenarioReport = { id: scenario.id, title: scenario.title, hidden: scenario.hidden, points: scenario.points, maxPoints: scenario.points, passed: true, failures: [], findings: [] };
  for (let i = 0; i < seeds; i++) {
    const seed = (options.firstSeed ?? 1) + i;
    const run = await runScenario(lab, scenario, source, file, seed, references, { student: options.student, ...(options.observe ? { observe: (rt: NdisRuntime) => options.observe!(rt, scenario, seed) } : {}) });
    hashes.push(run.traceHash);
    if (run.passed) continue;
    if (report.passed) {
      report = {
        ...report, points: 0, passed: false, failingSeed: seed, shortestFailingSeed: seed, shortestTraceEvents: run.traceLength, failingSeeds: [], failures: run.failures,
        findings: run.findings.map((f) => ({ rule: f.rule, driver: f.driver, message: f.message, event: f.event, ...(f.location ? { location: f.location } : {}) })),
      };
    } else if (run.traceLength < report.shortestTraceEvents!) {
      report.shortestFailingSeed = seed;
      report.shortestTraceEvents = run.traceLength;
    }
    report.failingSeeds!.push(seed);
  }
  return { report, hashes };
}

/** SHA-256 over every run's trace hash, in order (the report's traceHash). */
export function traceHashOf(hashes: readonly string[]): Promise<string> {
  return sha256Hex(hashes.join('\n'));
}

export async function gradeLab(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions = {}): Promise<GradeReport> {
  const hashes: string[] = [];
  const scenarios: ScenarioReport[] = [];
  for (const [index, scenario] of lab.scenarios.entries()) {
    // Wall-clock time, outside the engine: it only feeds the `time` reported to JUnit and
    // Gradescope; no run, trace or verdict reads it, so replays stay seed-for-seed.
    const started = performance.now();
    const graded = await gradeScenario(lab, scenario, source, file, references, options);
    hashes.push(...graded.hashes);
    scenarios.push(graded.report);
    options.onScenarioTime?.(index, (performance.now() - started) / 1000);
  }
  return {
    lab: lab.id,
    score: scenarios.reduce((n, s) => n + s.points, 0),
    maxScore: scenarios.reduce((n, s) => n + s.maxPoints, 0),
    scenarios,
    variants: variantValues(lab, options.student),
    traceHash: await traceHashOf(hashes),
  };
}
