// Grading: every scenario of a lab under N seeds; a scenario passes only if it passes under all
// of them. The report names the first failing seed (replay it to see the failure) and the
// findings of that run. Scores come from the trace and the machine, never from driver output.

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
  failingSeed?: number;
  failures: string[];
  findings: { rule: string; driver: string; message: string; event: number }[];
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
  /** The student whose per-student variant values the scenarios use (`nic-lab grade --student ID`). */
  student?: string;
  /** Sees each run's runtime before it starts (progress reports, a watchdog's heartbeat). */
  observe?: (rt: NdisRuntime, scenario: Scenario, seed: number) => void;
}

export async function gradeLab(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions = {}): Promise<GradeReport> {
  const hashes: string[] = [];
  const scenarios: ScenarioReport[] = [];
  for (const scenario of lab.scenarios) {
    const seeds = scenario.seeds ?? options.seeds ?? 8;
    let report: ScenarioReport = { id: scenario.id, title: scenario.title, hidden: scenario.hidden, points: scenario.points, maxPoints: scenario.points, passed: true, failures: [], findings: [] };
    for (let i = 0; i < seeds; i++) {
      const seed = (options.firstSeed ?? 1) + i;
      const run = await runScenario(lab, scenario, source, file, seed, references, { student: options.student, ...(options.observe ? { observe: (rt: NdisRuntime) => options.observe!(rt, scenario, seed) } : {}) });
      hashes.push(run.traceHash);
      if (!run.passed) {
        report = {
          ...report, points: 0, passed: false, failingSeed: seed, failures: run.failures,
          findings: run.findings.map((f) => ({ rule: f.rule, driver: f.driver, message: f.message, event: f.event })),
        };
        break;
      }
    }
    scenarios.push(report);
  }
  return {
    lab: lab.id,
    score: scenarios.reduce((n, s) => n + s.points, 0),
    maxScore: scenarios.reduce((n, s) => n + s.maxPoints, 0),
    scenarios,
    variants: variantValues(lab, options.student),
    traceHash: await sha256Hex(hashes.join('\n')),
  };
}
