// `nic-lab labs`, `nic-lab grade`, `nic-lab run` and `nic-lab grade-batch`: the course, grading
// one driver (in a sandboxed child process unless told otherwise) with its report formats,
// replaying one scenario with its capture and trace, and grading a class.

import { readFileSync, existsSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve, join } from 'node:path';
import { listLabs, labById, referenceDrivers, REPO_ROOT, type LoadedLab } from '../grading/labs.ts';
import { gradeLab, type GradeOptions } from '../grading/grade.ts';
import { runScenario } from '../scenario/runner.ts';
import { outcomeOf, zeroReport, learnerView, textReport, gradescopeResults, prairieLearnResults, junitXml, type GradeOutcome } from '../grading/reports.ts';
import { findSubmissions, parseShard, shardOf, gradeBatch, writeBatch } from '../grading/batch.ts';
import { gradeInSandbox, DEFAULT_LIMITS, type SandboxLimits } from '../sandbox/sandbox.ts';
import { LabFormatError } from '../scenario/schema.ts';
import { confineDrivers } from '../host/confinement.ts';
import { UsageError } from './main.ts';

export async function runLabsCommand(json: boolean): Promise<number> {
  const labs = listLabs();
  if (json) {
    console.log(JSON.stringify(labs.map((l) => ({
      id: l.id, title: l.title, order: l.order, kind: l.kind, seed: l.seed,
      starter: relative(REPO_ROOT, resolve(l.dir, l.starter)), solution: relative(REPO_ROOT, resolve(l.dir, l.solution)),
    })), null, 2));
    return 0;
  }
  for (const l of labs) console.log(`${String(l.order).padStart(2)}. ${l.id.padEnd(20)} ${l.title}  (${l.kind}, seed ${l.seed})`);
  return 0;
}

/** The lab, with the hidden scenarios from `hiddenDir` merged in; usage errors for what is wrong. */
function loadLab(labId: string, hiddenDir: string | undefined): LoadedLab {
  if (hiddenDir !== undefined) {
    if (!existsSync(hiddenDir) || !statSync(hiddenDir).isDirectory()) throw new UsageError(`--hidden: no directory ${hiddenDir}`);
    if (/^[a-z0-9-]+$/.test(labId) && !existsSync(join(hiddenDir, `${labId}.json`))) throw new UsageError(`--hidden: ${hiddenDir} has no ${labId}.json (the hidden scenarios of ${labId})`);
  }
  try {
    return labById(labId, hiddenDir);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    if (error instanceof LabFormatError) throw new UsageError(error.message.split('\n').join('; '));
    throw error;
  }
}

function readDriver(path: string, what = 'driver file'): string {
  if (!existsSync(path)) throw new UsageError(`no ${what} ${path}`);
  if (!statSync(path).isFile()) throw new UsageError(`${path} is not a file (expected a ${what})`);
  return readFileSync(path, 'utf8');
}

function checkSeeds(seeds: number): void {
  if (seeds < 1 || seeds > 256) throw new UsageError(`--seeds must be 1 to 256; got ${seeds}`);
}

function writeOutput(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

export interface GradeCommandOptions {
  seeds: number;
  student?: string;
  hidden?: string;
  json: boolean;
  junit?: string;
  gradescope?: string;
  prairielearn?: string;
  inProcess: boolean;
  revealHidden: boolean;
  limits: SandboxLimits;
}

export async function runGradeCommand(labId: string, driverPath: string, options: GradeCommandOptions): Promise<number> {
  checkSeeds(options.seeds);
  const lab = loadLab(labId, options.hidden);
  const source = readDriver(driverPath);
  const file = driverPath.replace(/^.*[\\/]/, '');
  const gradeOptions: GradeOptions = { seeds: options.seeds, ...(options.student !== undefined ? { student: options.student } : {}) };
  let outcome: GradeOutcome;
  if (options.inProcess) {
    confineDrivers();
    outcome = outcomeOf(await gradeLab(lab, source, file, referenceDrivers(), gradeOptions));
  } else {
    const result = await gradeInSandbox(lab, source, file, referenceDrivers(), gradeOptions, options.limits);
    outcome = result.status === 'graded' ? outcomeOf(result.report) : { status: result.status, reason: result.reason, report: zeroReport(lab, result.reason) };
  }
  // What a learner may read hides the hidden scenarios' details; Gradescope hides them itself.
  const visible: GradeOutcome = options.revealHidden ? outcome : { ...outcome, report: learnerView(outcome.report) };
  if (options.gradescope) writeOutput(options.gradescope, JSON.stringify(gradescopeResults(lab, outcome), null, 2) + '\n');
  if (options.prairielearn) writeOutput(options.prairielearn, JSON.stringify(prairieLearnResults(lab, outcome), null, 2) + '\n');
  if (options.junit) writeOutput(options.junit, junitXml(lab, visible));
  if (options.json) console.log(JSON.stringify({ ...visible.report, status: visible.status, ...(visible.reason ? { reason: visible.reason } : {}) }, null, 2));
  else console.log(textReport(lab, visible, driverPath));
  return outcome.status === 'grader error' ? GRADER_ERROR_EXIT : 0;
}

/**
 * The exit status when the grader itself failed (the submission never ran), so that an autograder
 * or a CI job does not take a zero the grader caused for the student's score.
 */
export const GRADER_ERROR_EXIT = 3;

export interface RunCommandOptions {
  driver?: string;
  seed: number;
  student?: string;
  pcap?: string;
  trace?: string;
}

/** Runs one scenario (`lab` or `lab:scenario`, default the first) under one seed, in this process. */
export async function runRunCommand(target: string, options: RunCommandOptions): Promise<number> {
  if (options.driver === undefined) throw new UsageError('run needs --driver FILE (the driver to run)');
  const [labId, scenarioId] = target.split(':', 2) as [string, string | undefined];
  const lab = loadLab(labId, undefined);
  const scenario = scenarioId === undefined ? lab.scenarios[0]! : lab.scenarios.find((s) => s.id === scenarioId);
  if (!scenario) throw new UsageError(`lab ${lab.id} has no scenario "${scenarioId}"; its scenarios are ${lab.scenarios.map((s) => s.id).join(', ')}`);
  const source = readDriver(options.driver);
  const file = options.driver.replace(/^.*[\\/]/, '');
  // The driver runs here as it would be graded: confined (a driver cannot tell the two apart).
  confineDrivers();
  const run = await runScenario(lab, scenario, source, file, options.seed, referenceDrivers(), { student: options.student });
  console.log(`${lab.id}:${scenario.id} (${scenario.title}), seed ${options.seed}: ${run.passed ? 'PASS' : 'FAIL'}`);
  for (const f of run.failures) console.log(`  ${f}`);
  for (const f of run.findings) console.log(`  finding ${f.rule} (${f.driver}, event ${f.event}): ${f.message}`);
  const rt = run.runtime;
  if (!rt) {
    console.log(`trace: ${run.traceLength} events, sha256 ${run.traceHash} (the driver did not load: no capture or trace file written)`);
    return 0;
  }
  // Frames still in the capture rings join the trace first, so the trace file is the same with or without --pcap.
  rt.collectFrames();
  if (options.pcap) writeOutput(options.pcap, rt.pcapng());
  if (options.trace) writeOutput(options.trace, rt.trace.toJsonLines());
  console.log(`trace: ${rt.trace.length} events, sha256 ${await rt.trace.hash()}${options.trace ? ` -> ${options.trace}` : ''}${options.pcap ? `; capture: ${rt.frames.length} frames -> ${options.pcap}` : ''}`);
  return 0;
}

export interface GradeBatchCommandOptions {
  seeds: number;
  hidden?: string;
  out: string;
  shard?: string;
  jobs: number;
  inProcess: boolean;
  limits: SandboxLimits;
}

export async function runGradeBatchCommand(labId: string, submissionsDir: string, options: GradeBatchCommandOptions): Promise<number> {
  checkSeeds(options.seeds);
  if (options.jobs < 1) throw new UsageError(`--jobs must be at least 1; got ${options.jobs}`);
  let shard: { index: number; count: number } | undefined;
  try {
    shard = options.shard === undefined ? undefined : parseShard(options.shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const lab = loadLab(labId, options.hidden);
  if (!existsSync(submissionsDir) || !statSync(submissionsDir).isDirectory()) throw new UsageError(`no directory of submissions ${submissionsDir}`);
  const all = findSubmissions(submissionsDir);
  if (options.inProcess) confineDrivers();
  const submissions = shard ? shardOf(all, shard) : all;
  const rows = await gradeBatch(lab, submissions, referenceDrivers(), {
    seeds: options.seeds, jobs: options.jobs, limits: options.limits, inProcess: options.inProcess,
    onResult: (row, done, total) => console.error(`[${done}/${total}] ${row.submission}: ${row.report.score}/${row.report.maxScore}${row.status === 'graded' ? '' : ` (${row.status})`}`),
  });
  const csv = writeBatch(lab, rows, options.out, shard ? `class-shard-${shard.index}-of-${shard.count}.csv` : 'class.csv');
  const graded = rows.filter((r) => r.status === 'graded').length;
  console.log(`${rows.length} submission(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : ''}: ${graded} graded, ${rows.length - graded} zero for a reason; reports in ${options.out}, class CSV ${csv}`);
  const graderErrors = rows.filter((r) => r.status === 'grader error').length;
  if (graderErrors > 0) {
    console.error(`grader error: ${graderErrors} submission(s) could not be graded because of the grader itself (see their reasons); their zeros are not the students'`);
    return GRADER_ERROR_EXIT;
  }
  return 0;
}

/** Sandbox limits from --time-limit (seconds) and --memory-limit (MiB). */
export function limitsFrom(timeLimitSeconds: number | undefined, memoryMiB: number | undefined): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS };
  if (timeLimitSeconds !== undefined) {
    if (!(timeLimitSeconds > 0 && timeLimitSeconds <= 3600)) throw new UsageError(`--time-limit must be more than 0 and at most 3600 seconds; got ${timeLimitSeconds}`);
    limits.timeLimitMs = Math.round(timeLimitSeconds * 1000);
  }
  if (memoryMiB !== undefined) {
    if (!(memoryMiB >= 64 && memoryMiB <= 16384)) throw new UsageError(`--memory-limit must be 64 to 16384 MiB; got ${memoryMiB}`);
    limits.memoryMiB = memoryMiB;
  }
  return limits;
}
