// Benchmarks of grading, timed in seconds:
//   grade-lab        one lab's whole scenario set under 8 seeds, in this process (the engine's cost)
//   grade-batch-200  200 submissions (copies and variants of the starter and the solution) through
//                    the sandbox, 2 child processes at a time, as `nic-lab grade-batch` runs them
// Each checks its own outcome (the solution scores full marks, the starter does not, every
// submission is graded) and throws rather than report a time for a wrong result. grade-lab's
// notes also give trace events per second at two traffic sizes: the engine's cost per event
// should not grow with the run's length.

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labById, referenceDrivers } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';
import { findSubmissions, gradeBatch } from '../grading/batch.ts';
import { DEFAULT_LIMITS } from '../sandbox/sandbox.ts';
import { runScenario } from '../scenario/runner.ts';
import { ScenarioSchema } from '../scenario/schema.ts';
import { median, type TimedBenchResult } from './result.ts';

const LAB = 'protocol-binding';

function timedResult(name: string, runs: number[], notes: string): TimedBenchResult {
  return { name, seconds: Number(median(runs).toFixed(3)), runs: runs.map((r) => Number(r.toFixed(3))), median_of: runs.length, notes };
}

/** Events and seconds running the solution with `frames` application frames (the fastest of 3 runs). */
async function trafficRun(frames: number): Promise<{ events: number; seconds: number }> {
  const lab = labById(LAB);
  const scenario = ScenarioSchema.parse({
    id: 'bench-traffic', title: 'traffic', points: 1,
    steps: [{ op: 'start' }, { op: 'traffic', source: 'app', adapter: 0, count: frames }, { op: 'wait', ns: 1_000_000 }],
    expectations: [{ expect: 'noFindings' }, { expect: 'counter', adapter: 0, register: 'GPTC', atLeast: frames / 2 }],
  });
  let best = { events: 0, seconds: Infinity };
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const run = await runScenario(lab, scenario, lab.solutionSource, 'solution.ts', 1, referenceDrivers());
    const seconds = (performance.now() - start) / 1000;
    if (!run.passed) throw new Error(`bench: the solution failed the ${frames}-frame traffic run: ${run.failures.join('; ')}`);
    if (seconds < best.seconds) best = { events: run.traceLength, seconds };
  }
  return best;
}

export async function benchGradeLab(runs: number, seeds: number): Promise<TimedBenchResult> {
  const lab = labById(LAB);
  const references = referenceDrivers();
  const times: number[] = [];
  let runsPerGrade = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const report = await gradeLab(lab, lab.solutionSource, 'solution.ts', references, { seeds });
    times.push((performance.now() - start) / 1000);
    if (report.score !== report.maxScore) throw new Error(`bench: the ${LAB} solution scored ${report.score}/${report.maxScore}`);
    runsPerGrade = report.scenarios.length * seeds;
  }
  // Two traffic sizes: time = fixed + perEvent x events; a per-event cost that grew with the
  // run's length would show as a falling rate at the larger size.
  const small = await trafficRun(200);
  const large = await trafficRun(2000);
  const rate = (r: { events: number; seconds: number }) => `${Math.round(r.events / r.seconds / 1000)}k events/s over ${r.events} events`;
  const perEventUs = ((large.seconds - small.seconds) / (large.events - small.events)) * 1e6;
  const fixedMs = (small.seconds - (perEventUs / 1e6) * small.events) * 1000;
  return timedResult('grade-lab', times, `${LAB}'s solution: ${lab.scenarios.length} scenarios x ${seeds} seeds = ${runsPerGrade} runs, in-process. Traffic runs: ${rate(small)} (200 frames), ${rate(large)} (2000 frames); fitted ${perEventUs.toFixed(1)} us per event plus ${fixedMs.toFixed(1)} ms per run.`);
}

export async function benchGradeBatch(submissions: number, seeds: number, jobs: number): Promise<TimedBenchResult> {
  const lab = labById(LAB);
  const dir = mkdtempSync(join(tmpdir(), 'nic-lab-bench-'));
  try {
    // Half solutions, half starters; each one different text (a comment and a renamed constant).
    for (let i = 0; i < submissions; i++) {
      const base = i % 2 === 0 ? lab.solutionSource : lab.starterSource;
      writeFileSync(join(dir, `student-${String(i).padStart(3, '0')}.ts`), `// submission ${i}\nconst SUBMISSION_${i} = ${i};\nvoid SUBMISSION_${i};\n${base}`);
    }
    const start = performance.now();
    const rows = await gradeBatch(lab, findSubmissions(dir), referenceDrivers(), { seeds, jobs, limits: DEFAULT_LIMITS });
    const seconds = (performance.now() - start) / 1000;
    const full = rows.filter((r) => r.report.score === r.report.maxScore).length;
    if (rows.some((r) => r.status !== 'graded') || full !== Math.ceil(submissions / 2)) {
      throw new Error(`bench: grade-batch graded ${rows.filter((r) => r.status === 'graded').length}/${submissions}, ${full} with full marks (expected ${Math.ceil(submissions / 2)})`);
    }
    return timedResult('grade-batch-200', [seconds], `${submissions} submissions (half the solution, half the starter) x ${lab.scenarios.length} scenarios x ${seeds} seeds, each in its own sandboxed child process, ${jobs} at a time; one run (${(seconds / submissions * 1000).toFixed(0)} ms per submission of wall time).`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
