// `nic-lab labs`, `nic-lab grade`, `nic-lab run` and `nic-lab grade-batch`: the course (or any
// folder of labs), grading one driver (in a sandboxed child process unless told otherwise) with
// its report formats, replaying one scenario with its capture and trace, and grading a class.
// A lab argument is a lab folder anywhere or a course lab's id (core/grading/labs.ts).

import { readFileSync, existsSync, statSync, writeFileSync, mkdirSync, mkdtempSync, rmdirSync, readdirSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { scanLabs, resolveLab, referenceDrivers, displayPath, LABS_DIR, HiddenFileMissingError, type LoadedLab } from '../grading/labs.ts';
import { gradeLab, type GradeOptions } from '../grading/grade.ts';
import { runScenario } from '../scenario/runner.ts';
import { outcomeOf, zeroReport, learnerView, textReport, terminalSafe, gradescopeResults, prairieLearnResults, junitXml, githubClassroomResult, GRADESCOPE_VISIBILITIES, DEFAULT_HIDDEN_VISIBILITY, type GradeOutcome, type GradescopeVisibility } from '../grading/reports.ts';
import { findSubmissions, parseShard, shardOf, gradeClass, classCsv, readStoredReport, storedRow, writeFileAtomic, SubmissionClashError, type Submission, type BatchRow, type StoredReport } from '../grading/batch.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { gradeInSandbox, DEFAULT_LIMITS, DEFAULT_HANG_MS, type SandboxLimits } from '../sandbox/sandbox.ts';
import { LabFormatError } from '../scenario/schema.ts';
import { confineDrivers } from '../host/confinement.ts';
import { UsageError } from './usage.ts';
import { placeText } from '../verifier/verifier.ts';
import { seedStatementsOf } from '../../labs/seed-statements.ts';

/**
 * The exit status of `nic-lab labs` when some lab folder did not load: the others are listed and
 * each one that failed is named with its error on stderr, but the listing is not the whole folder.
 */
export const LABS_INCOMPLETE_EXIT = 1;

/** Lists the labs of a folder of labs (default the course), or the one lab `dir` is. */
export async function runLabsCommand(json: boolean, dir?: string): Promise<number> {
  let found: ReturnType<typeof scanLabs>;
  if (dir === undefined) found = scanLabs(LABS_DIR);
  else if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`labs: no folder ${dir}`);
  else if (existsSync(join(dir, 'lab.json'))) {
    try {
      found = { labs: [loadLabFolder(dir)], problems: [] };
    } catch (error) {
      if (!(error instanceof LabFormatError)) throw error;
      found = { labs: [], problems: [{ dir, message: error.message }] };
    }
  } else {
    found = scanLabs(dir);
    if (found.labs.length === 0 && found.problems.length === 0) throw new UsageError(`labs: ${dir} has no labs (a lab is a folder with a lab.json)`);
  }
  const { labs, problems } = found;
  if (json) {
    console.log(JSON.stringify(labs.map((l) => ({
      id: l.id, title: l.title, order: l.order, kind: l.kind, seed: l.seed, dir: displayPath(l.dir),
      starter: displayPath(resolve(l.dir, l.starter)), solution: displayPath(resolve(l.dir, l.solution)),
    })), null, 2));
  } else {
    for (const l of labs) console.log(`${String(l.order).padStart(2)}. ${l.id.padEnd(20)} ${l.title}  (${l.kind}, seed ${l.seed})${dir === undefined ? '' : `  ${displayPath(l.dir)}`}`);
  }
  for (const p of problems) console.error(`nic-lab: not listed: ${p.message.split('\n').join('; ')}`);
  return problems.length > 0 ? LABS_INCOMPLETE_EXIT : 0;
}

function loadLabFolder(dir: string): LoadedLab {
  return resolveLab(dir.includes('/') ? dir : `./${dir}`);
}

/**
 * The lab a command names (a lab folder anywhere, or a course lab's id), with the hidden
 * scenarios of `hiddenDir/<lab id>.json` merged in; a usage error for whatever is wrong.
 */
export function loadLabArgument(labRef: string, hiddenDir: string | undefined): LoadedLab {
  if (hiddenDir !== undefined && (!existsSync(hiddenDir) || !statSync(hiddenDir).isDirectory())) throw new UsageError(`--hidden: no directory ${hiddenDir}`);
  try {
    return resolveLab(labRef, hiddenDir);
  } catch (error) {
    if (error instanceof HiddenFileMissingError) throw new UsageError(`--hidden: ${error.message}`);
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

/** --seeds: 1 to 256 seeds per scenario. */
export function checkSeeds(seeds: number): void {
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
  githubClassroom?: string;
  /** The visibility of hidden scenarios' Gradescope tests (default DEFAULT_HIDDEN_VISIBILITY). */
  hiddenVisibility?: string;
  /** Exit MIN_SCORE_EXIT when the score is below this (a CI job that must pass). */
  minScore?: number;
  inProcess: boolean;
  revealHidden: boolean;
  limits: SandboxLimits;
}

/** --hidden-visibility: one of Gradescope's four visibilities. */
export function checkHiddenVisibility(value: string | undefined): GradescopeVisibility {
  if (value === undefined) return DEFAULT_HIDDEN_VISIBILITY;
  if (!(GRADESCOPE_VISIBILITIES as readonly string[]).includes(value)) throw new UsageError(`--hidden-visibility must be ${GRADESCOPE_VISIBILITIES.join(', ')} (Gradescope's test visibilities); got "${value}"`);
  return value as GradescopeVisibility;
}

/** The exit status of `grade --min-score N` when the driver scored less than N (graded or not). */
export const MIN_SCORE_EXIT = 1;

export async function runGradeCommand(labRef: string, driverPath: string, options: GradeCommandOptions): Promise<number> {
  checkSeeds(options.seeds);
  const lab = loadLabArgument(labRef, options.hidden);
  const references = referenceDrivers(lab);
  const source = readDriver(driverPath);
  const file = driverPath.replace(/^.*[\\/]/, '');
  const hiddenVisibility = checkHiddenVisibility(options.hiddenVisibility);
  if (options.minScore !== undefined && !(options.minScore >= 0)) throw new UsageError(`--min-score must be a number of points, 0 or more; got ${options.minScore}`);
  const scenarioSeconds: number[] = [];
  const gradeOptions: GradeOptions = { seeds: options.seeds, ...(options.student !== undefined ? { student: options.student } : {}) };
  let outcome: GradeOutcome;
  const started = performance.now();
  if (options.inProcess) {
    confineDrivers();
    outcome = { ...outcomeOf(await gradeLab(lab, source, file, references, { ...gradeOptions, onScenarioTime: (i, t) => { scenarioSeconds[i] = t; } })), scenarioSeconds };
  } else {
    const result = await gradeInSandbox(lab, source, file, references, gradeOptions, options.limits);
    outcome = result.status === 'graded'
      ? { ...outcomeOf(result.report), ...(result.scenarioSeconds ? { scenarioSeconds: result.scenarioSeconds } : {}) }
      : { status: result.status, reason: result.reason, report: zeroReport(lab, result.reason) };
  }
  outcome.seconds = (performance.now() - started) / 1000;
  // What a learner may read hides the hidden scenarios' details; Gradescope hides them itself.
  const visible: GradeOutcome = options.revealHidden ? outcome : { ...outcome, report: learnerView(outcome.report) };
  if (options.gradescope) writeOutput(options.gradescope, JSON.stringify(gradescopeResults(lab, outcome, { hiddenVisibility }), null, 2) + '\n');
  if (options.githubClassroom) writeOutput(options.githubClassroom, JSON.stringify(githubClassroomResult(outcome)) + '\n');
  if (options.prairielearn) writeOutput(options.prairielearn, JSON.stringify(prairieLearnResults(lab, outcome), null, 2) + '\n');
  if (options.junit) writeOutput(options.junit, junitXml(lab, visible));
  if (options.json) console.log(JSON.stringify({ ...visible.report, status: visible.status, ...(visible.reason ? { reason: visible.reason } : {}) }, null, 2));
  else console.log(textReport(lab, visible, driverPath, { lab: labRef, ...(options.hidden !== undefined ? { hidden: options.hidden } : {}) }));
  if (outcome.status === 'grader error') return GRADER_ERROR_EXIT;
  return options.minScore !== undefined && outcome.report.score < options.minScore ? MIN_SCORE_EXIT : 0;
}

/**
 * The exit status when the grader itself failed (the submission never ran), so that an autograder
 * or a CI job does not take a zero the grader caused for the student's score.
 */
export const GRADER_ERROR_EXIT = 3;

export interface RunCommandOptions {
  driver?: string;
  /** The folder of hidden scenarios (`<lab id>.json`), to replay one of them. */
  hidden?: string;
  seed: number;
  student?: string;
  pcap?: string;
  trace?: string;
  /** Wall-clock ms a handler may take before the worker host stops it (DriverHung); DEFAULT_HANG_MS without it. */
  hangLimitMs?: number;
}

/**
 * Runs one scenario (`lab` or `lab:scenario`, default the first) under one seed, each driver on a
 * thread of its own (the worker host, as the web lab's Run): a handler that does not return is
 * stopped by the host's watchdog, and the run ends there with DriverHung and its trace so far.
 */
export async function runRunCommand(target: string, options: RunCommandOptions): Promise<number> {
  if (options.driver === undefined) throw new UsageError('run needs --driver FILE (the driver to run)');
  const { labRef, scenarioId } = splitRunTarget(target);
  const lab = loadLabArgument(labRef, options.hidden);
  const scenario = scenarioId === undefined ? lab.scenarios[0]! : lab.scenarios.find((s) => s.id === scenarioId);
  if (!scenario) throw new UsageError(`lab ${lab.id} has no scenario "${scenarioId}"; its scenarios are ${lab.scenarios.map((s) => s.id).join(', ')}${options.hidden === undefined ? ' (a hidden scenario needs --hidden DIR)' : ''}`);
  const source = readDriver(options.driver);
  const file = options.driver.replace(/^.*[\\/]/, '');
  // The driver runs confined, as it would be graded (a driver cannot tell the two apart), on its
  // own thread: the same trace as in this thread, and a watchdog over each handler call.
  confineDrivers();
  const run = await runScenario(lab, scenario, source, file, options.seed, referenceDrivers(lab), { student: options.student, host: 'worker', watchdogMs: options.hangLimitMs ?? DEFAULT_HANG_MS });
  console.log(`${lab.id}:${scenario.id} (${scenario.title}), seed ${options.seed}: ${run.passed ? 'PASS' : 'FAIL'}`);
  // Failures and findings carry the driver's text: printed so that it cannot drive the terminal.
  for (const f of run.failures) console.log(terminalSafe(`  ${f}`));
  for (const f of run.findings) {
    console.log(terminalSafe(`  finding ${f.rule} (${f.driver}, event ${f.event}${f.location ? `, ${placeText(f.location)}` : ''}): ${hungIn(f)}${f.message}`));
    // The sentences of the seeds the rule grades in this lab: what the driver broke, in NDIS's words.
    for (const s of seedStatementsOf(f.rule, lab.id)) console.log(`    the seed says (${s.id}): "${s.text}"`);
  }
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

/** For a DriverHung finding, the handler that did not return (the innermost on its call path) and ': '. */
function hungIn(finding: { rule: string; callPath: readonly string[] }): string {
  if (finding.rule !== 'DriverHung') return '';
  const handler = finding.callPath.findLast((frame) => frame.includes('!'));
  return handler ? `${handler} did not return: ` : '';
}

/**
 * `lab` or `lab:scenario`, where the lab may be a folder: the scenario is what follows the last
 * colon when that is a scenario id and the whole is not itself a folder.
 */
export function splitRunTarget(target: string): { labRef: string; scenarioId?: string } {
  const colon = target.lastIndexOf(':');
  if (colon <= 0 || !/^[a-z0-9][a-z0-9-]*$/.test(target.slice(colon + 1)) || (existsSync(target) && statSync(target).isDirectory())) return { labRef: target };
  return { labRef: target.slice(0, colon), scenarioId: target.slice(colon + 1) };
}

/**
 * The most child processes `grade-batch` runs at once. Each is a Node process of its own with up
 * to --memory-limit MiB, and grading is CPU-bound, so jobs beyond the cores only wait their turn
 * while holding memory; 64 covers the largest CI runners.
 */
export const MAX_JOBS = 64;

export interface GradeBatchCommandOptions {
  seeds: number;
  hidden?: string;
  out: string;
  shard?: string;
  jobs: number;
  inProcess: boolean;
  regrade: boolean;
  /** folder-name (default), file-name or csv:PATH: see studentIds. */
  studentIdFrom?: string;
  limits: SandboxLimits;
}

/**
 * The student id of each submission (the id that picks its variant of the lab's values), from
 * --student-id-from: `folder-name` (default) the submission's name, i.e. a subfolder's name or a
 * file's name without .ts/.js; `file-name` the driver file's name without .ts/.js, inside a
 * subfolder too; `csv:PATH` a CSV with a header row and the columns `submission` and `student`,
 * which must name each submission of the folder once and no other.
 */
export function studentIds(from: string | undefined, submissions: readonly Submission[]): (s: Submission) => string {
  if (from === undefined || from === 'folder-name') return (s) => s.name;
  if (from === 'file-name') return (s) => (s.file ?? s.name).replace(/^.*[\\/]/, '').replace(/\.[jt]s$/, '');
  if (!from.startsWith('csv:') || from.length === 4) throw new UsageError(`--student-id-from must be folder-name, file-name or csv:PATH; got "${from}"`);
  const path = from.slice(4);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--student-id-from: no file ${path}`);
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    throw new UsageError(`--student-id-from: ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  if (!columns.includes('submission') || !columns.includes('student')) throw new UsageError(`--student-id-from: ${path} needs a header row with the columns submission,student; it has ${columns.length ? columns.join(',') : 'no rows'}`);
  const byName = new Map<string, string>();
  const names = new Set(submissions.map((s) => s.name));
  const list = (items: string[]) => `${items.slice(0, 5).map((n) => `"${n}"`).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`;
  for (const [i, row] of rows.entries()) {
    const line = i + 2;
    if (!row.submission || !row.student) throw new UsageError(`--student-id-from: ${path}:${line}: a row needs both a submission and a student`);
    if (byName.has(row.submission)) throw new UsageError(`--student-id-from: ${path}:${line}: submission "${row.submission}" is mapped twice`);
    byName.set(row.submission, row.student);
  }
  const unknown = [...byName.keys()].filter((n) => !names.has(n));
  if (unknown.length > 0) throw new UsageError(`--student-id-from: ${path} maps submissions that are not in the folder: ${list(unknown)}`);
  const unmapped = [...names].filter((n) => !byName.has(n));
  if (unmapped.length > 0) throw new UsageError(`--student-id-from: ${path} does not map the submissions ${list(unmapped)} (each needs a student id for its variant)`);
  return (s) => byName.get(s.name)!;
}

/**
 * Refuses an --out that cannot take the reports before anything is graded: a file, a folder below
 * a file, a folder (or the nearest existing folder above it) that cannot be written. Writability
 * is tried, not read from the mode bits (root ignores them; a read-only mount does not), with a
 * folder that is removed at once.
 */
export function checkOutDir(out: string): void {
  let existing = resolve(out);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(existing === resolve(out) ? `--out ${out} is a file, not a folder (it gets a report per submission and class.csv)` : `--out ${out} cannot be created: ${existing} is a file`);
  }
  try {
    rmdirSync(mkdtempSync(join(existing, '.nic-lab-write-check-')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'a read-only file system', ENOSPC: 'no space left' }[code] ?? (code || (error as Error).message);
    throw new UsageError(`--out ${out} cannot be written${existing === resolve(out) ? '' : ` (it would be created in ${existing})`}: ${why}`);
  }
}

export async function runGradeBatchCommand(labRef: string, submissionsDir: string, options: GradeBatchCommandOptions): Promise<number> {
  checkSeeds(options.seeds);
  if (options.jobs < 1 || options.jobs > MAX_JOBS) {
    throw new UsageError(`--jobs must be 1 to ${MAX_JOBS}; got ${options.jobs} (each job is a Node process of its own with up to --memory-limit MiB, and jobs beyond the ${availableParallelism()} core(s) here only wait their turn)`);
  }
  let shard: { index: number; count: number } | undefined;
  try {
    shard = options.shard === undefined ? undefined : parseShard(options.shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const lab = loadLabArgument(labRef, options.hidden);
  if (!existsSync(submissionsDir) || !statSync(submissionsDir).isDirectory()) throw new UsageError(`no directory of submissions ${submissionsDir}`);
  const skipped: string[] = [];
  let all;
  try {
    all = findSubmissions(submissionsDir, skipped);
  } catch (error) {
    if (error instanceof SubmissionClashError) throw new UsageError(terminalSafe(error.message));
    throw error;
  }
  const studentOf = studentIds(options.studentIdFrom, all);
  checkOutDir(options.out);
  for (const line of skipped) console.error(`nic-lab: ${terminalSafe(line)}`);
  if (options.inProcess) confineDrivers();
  const submissions = shard ? shardOf(all, shard) : all;
  const { rows, kept, csv } = await gradeClass(lab, submissions, referenceDrivers(lab), {
    seeds: options.seeds, jobs: options.jobs, limits: options.limits, inProcess: options.inProcess, studentOf,
    outDir: options.out, csvName: shard ? `class-shard-${shard.index}-of-${shard.count}.csv` : 'class.csv', regrade: options.regrade,
    onResult: (row, done, total) => console.error(terminalSafe(`[${done}/${total}] ${row.submission}: ${row.report.score}/${row.report.maxScore}${row.status === 'graded' ? '' : ` (${row.status})`}`)),
  });
  const graded = rows.filter((r) => r.status === 'graded').length;
  const keptNote = kept > 0 ? `; ${kept} kept from an earlier run (same lab, options and file; --regrade grades them again)` : '';
  console.log(`${rows.length} submission(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : ''}: ${graded} graded, ${rows.length - graded} zero for a reason${keptNote}; reports in ${options.out}, class CSV ${csv}`);
  const graderErrors = rows.filter((r) => r.status === 'grader error').length;
  if (graderErrors > 0) {
    console.error(`grader error: ${graderErrors} submission(s) could not be graded because of the grader itself (see their reasons); their zeros are not the students'`);
    return GRADER_ERROR_EXIT;
  }
  return 0;
}

/**
 * `nic-lab merge <report-dir>... --out DIR`: the reports of several grade-batch runs (the shards of
 * a CI matrix) as one class: each `<submission>.json` copied to DIR and one class.csv. The same
 * submission in two folders is kept once when the two reports are equal (a shard run twice), and
 * refused, naming both files, when they differ; so are reports of different labs.
 */
export async function runMergeCommand(dirs: readonly string[], out: string): Promise<number> {
  if (dirs.length === 0) throw new UsageError('merge needs at least one folder of reports (grade-batch --out)');
  const reports = new Map<string, { file: string; text: string; stored: StoredReport }>();
  let lab: { id: string; file: string; scenarios: { id: string }[] } | undefined;
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`merge: no folder ${dir}`);
    const names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
    if (names.length === 0) throw new UsageError(`merge: ${dir} has no reports (<submission>.json from grade-batch)`);
    for (const name of names) {
      const file = join(dir, name);
      const stored = readStoredReport(dir, name.slice(0, -'.json'.length));
      if (!stored || typeof stored.submission !== 'string' || stored.submission !== name.slice(0, -5)) throw new UsageError(`merge: ${file} is not a grade-batch report`);
      const scenarios = stored.scenarios.map((s) => ({ id: s.id }));
      if (!lab) lab = { id: stored.lab, file, scenarios };
      else if (stored.lab !== lab.id || JSON.stringify(scenarios) !== JSON.stringify(lab.scenarios)) {
        throw new UsageError(`merge: ${file} is a report of ${stored.lab === lab.id ? 'another version of the lab' : `lab "${stored.lab}"`} (its scenarios differ from ${lab.file}'s)`);
      }
      const text = readFileSync(file, 'utf8');
      const twin = reports.get(stored.submission);
      if (twin && JSON.stringify(twin.stored) !== JSON.stringify(stored)) throw new UsageError(`merge: two different reports for "${stored.submission}": ${twin.file} and ${file}; remove the one that is wrong`);
      if (!twin) reports.set(stored.submission, { file, text, stored });
    }
  }
  checkOutDir(out);
  mkdirSync(out, { recursive: true });
  const rows: BatchRow[] = [];
  for (const [name, { text, stored }] of [...reports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    writeFileAtomic(join(out, `${name}.json`), text);
    rows.push(storedRow(stored));
  }
  const csv = join(out, 'class.csv');
  writeFileAtomic(csv, classCsv(lab!, rows));
  console.log(`${rows.length} submission(s) from ${dirs.length} folder(s); reports in ${out}, class CSV ${csv}`);
  return 0;
}

/**
 * The least --memory-limit. The limit caps the child's resident size (sandbox.ts), Node and the
 * machine included. Measured (Node 20, 8 seeds, the reference solutions in the sandbox): a correct
 * driver's child holds 66-76 MiB and reaches 100-130 MiB in filter-firewall and datapath; 256
 * leaves a correct driver room.
 */
export const MIN_MEMORY_MIB = 256;
export const MAX_MEMORY_MIB = 16384;
/**
 * The least --time-limit. The child's start-up alone (Node, the bundled grader, the wasm) takes
 * 0.15 s here and 0.4 s for the first child of a run (the grader is bundled then); below a second
 * a correct driver can time out on a busy machine.
 */
export const MIN_TIME_LIMIT_S = 1;
export const MAX_TIME_LIMIT_S = 3600;

/**
 * The least and most --hang-limit. Below half a second a correct driver could be stopped on a busy
 * machine (the grading child is descheduled, or collects garbage, between two heartbeat lines).
 */
export const MIN_HANG_LIMIT_S = 0.5;
export const MAX_HANG_LIMIT_S = 600;

/** Sandbox limits from --time-limit (seconds), --memory-limit (MiB) and --hang-limit (seconds). */
export function limitsFrom(timeLimitSeconds: number | undefined, memoryMiB: number | undefined, hangLimitSeconds?: number): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS };
  if (hangLimitSeconds !== undefined) {
    if (!(hangLimitSeconds >= MIN_HANG_LIMIT_S && hangLimitSeconds <= MAX_HANG_LIMIT_S)) {
      throw new UsageError(`--hang-limit must be ${MIN_HANG_LIMIT_S} to ${MAX_HANG_LIMIT_S} seconds (the wall-clock time a driver may keep control before it is DriverHung; below half a second a correct driver can be stopped on a busy machine); got ${hangLimitSeconds}`);
    }
    limits.hangMs = Math.round(hangLimitSeconds * 1000);
  }
  if (timeLimitSeconds !== undefined) {
    if (!(timeLimitSeconds >= MIN_TIME_LIMIT_S && timeLimitSeconds <= MAX_TIME_LIMIT_S)) {
      throw new UsageError(`--time-limit must be ${MIN_TIME_LIMIT_S} to ${MAX_TIME_LIMIT_S} seconds (below 1 s a correct driver can time out on a busy machine: the grading child's start-up alone takes 0.15 to 0.4 s); got ${timeLimitSeconds}`);
    }
    limits.timeLimitMs = Math.round(timeLimitSeconds * 1000);
  }
  if (memoryMiB !== undefined) {
    if (!Number.isInteger(memoryMiB)) throw new UsageError(`--memory-limit must be a whole number of MiB; got ${memoryMiB}`);
    if (!(memoryMiB >= MIN_MEMORY_MIB && memoryMiB <= MAX_MEMORY_MIB)) {
      throw new UsageError(`--memory-limit must be ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB} MiB (it caps the grading process's resident size; a correct driver of the course's largest lab needs about 130 MiB); got ${memoryMiB}`);
    }
    limits.memoryMiB = memoryMiB;
  }
  return limits;
}
