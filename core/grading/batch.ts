// Grading a class: every submission in a folder, a few sandboxed child processes at a time, one
// JSON report each and a CSV for the class. A submission that hangs, crashes or does not compile
// gets a zero and the reason, and the batch goes on. Each report is written (atomically) as soon
// as its submission is graded and the CSV is built from the reports on disk, so a batch that is
// killed loses at most the submissions being graded at that moment, and a rerun keeps the reports
// that were made for the same lab, options and submission (their `gradingKey`). `shard` takes a
// fixed slice of the sorted submissions so that a CI matrix can spread a class over machines.

import { readdirSync, readFileSync, statSync, lstatSync, readlinkSync, mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, rmSync, existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { gradeLab, type GradeOptions, type GradeReport } from './grade.ts';
import { outcomeOf, zeroReport, type GradeOutcome, type GradeStatus } from './reports.ts';
import { gradeInSandbox, type SandboxLimits } from '../sandbox/sandbox.ts';
import type { ReferenceDrivers } from '../scenario/runner.ts';
import type { Lab } from '../scenario/schema.ts';

const DRIVER_FILE = /\.[jt]s$/;

/** One submission: a driver file directly in the folder, or a subfolder holding one driver file. */
export interface Submission {
  /** The file's name without .ts/.js, or the subfolder's name; also the student id for variants. */
  name: string;
  /** The driver file, or undefined when the subfolder holds none or several (see `problem`). */
  file?: string;
  problem?: string;
}

/**
 * Two entries of the submissions folder that would be the same submission (alice.ts and alice.js,
 * or alice.ts and a folder alice/): their reports would overwrite each other, so nothing is graded.
 */
export class SubmissionClashError extends Error {
  override name = 'SubmissionClashError';
}

/**
 * The submissions in `dir`, sorted by name (dot files and non-driver files are skipped). An entry
 * that cannot be a submission (a broken symbolic link, a driver name that is not a regular file,
 * a folder that cannot be read) is left out and named in `skipped`, with why. Throws
 * SubmissionClashError when two entries have the same name (ignoring case: on a case-insensitive
 * disk their reports would be one file).
 */
export function findSubmissions(dir: string, skipped: string[] = []): Submission[] {
  const submissions: Submission[] = [];
  const byName = new Map<string, string>();
  for (const entry of readdirSync(dir).filter((n) => !n.startsWith('.')).sort()) {
    const path = join(dir, entry);
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      const link = lstatSync(path).isSymbolicLink() ? `a symbolic link to ${readlinkSync(path)}, which does not exist` : `unreadable (${(error as NodeJS.ErrnoException).code})`;
      skipped.push(`${path}: ${link}; skipped`);
      continue;
    }
    let submission: Submission;
    if (stat.isDirectory()) {
      let drivers: string[];
      try {
        drivers = readdirSync(path).filter((n) => DRIVER_FILE.test(n) && !n.startsWith('.') && isRegularFile(join(path, n))).sort();
      } catch (error) {
        skipped.push(`${path}: the folder cannot be read (${(error as NodeJS.ErrnoException).code}); skipped`);
        continue;
      }
      if (drivers.length === 1) submission = { name: entry, file: join(path, drivers[0]!) };
      else submission = { name: entry, problem: drivers.length === 0 ? 'no .ts or .js driver file in the folder' : `several driver files in the folder (${drivers.join(', ')}); submit one` };
    } else if (DRIVER_FILE.test(entry)) {
      // A pipe or a device would block or never end when read.
      if (!stat.isFile()) {
        skipped.push(`${path}: not a regular file; skipped`);
        continue;
      }
      submission = { name: entry.replace(DRIVER_FILE, ''), file: path };
    } else {
      continue;
    }
    const key = submission.name.toLowerCase();
    const twin = byName.get(key);
    if (twin !== undefined) throw new SubmissionClashError(`two submissions would both be "${submission.name}": ${twin} and ${path} (each gets <name>.json); rename or remove one`);
    byName.set(key, path);
    submissions.push(submission);
  }
  return submissions;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Parses "i/n" (1 ≤ i ≤ n): the i-th of n shards. Throws RangeError naming what is wrong. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new RangeError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4); got "${text}"`);
  return { index, count };
}

/** The i-th of n shards of `items` (round robin over the sorted list: shards differ by at most one). */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

export interface BatchOptions extends GradeOptions {
  /** Child processes at a time (default 2). */
  jobs?: number;
  limits: SandboxLimits;
  /** Grade in this process instead of a sandbox (trusted submissions only). */
  inProcess?: boolean;
  /** The student id that picks a submission's variant values (default: the submission's name). */
  studentOf?: (submission: Submission) => string;
  /** Called as each submission finishes (progress output). */
  onResult?: (row: BatchRow, done: number, total: number) => void;
}

export interface BatchRow extends GradeOutcome {
  submission: string;
}

/** Grades one submission the way the batch does; never throws for what the submission does. */
export async function gradeSubmission(lab: Lab, submission: Submission, references: ReferenceDrivers, options: BatchOptions): Promise<BatchRow> {
  const row = (outcome: GradeOutcome): BatchRow => ({ submission: submission.name, ...outcome });
  if (!submission.file) return row({ status: 'no driver', reason: submission.problem ?? 'no driver file', report: zeroReport(lab, submission.problem ?? 'no driver file') });
  const source = readFileSync(submission.file, 'utf8');
  const file = submission.file.replace(/^.*[\\/]/, '');
  const gradeOptions: GradeOptions = { seeds: options.seeds, firstSeed: options.firstSeed, student: studentOf(submission, options) };
  if (options.inProcess) return row(outcomeOf(await gradeLab(lab, source, file, references, gradeOptions)));
  const result = await gradeInSandbox(lab, source, file, references, gradeOptions, options.limits);
  if (result.status === 'graded') return row(outcomeOf(result.report));
  return row({ status: result.status, reason: result.reason, report: zeroReport(lab, result.reason) });
}

function studentOf(submission: Submission, options: BatchOptions): string {
  return options.student ?? options.studentOf?.(submission) ?? submission.name;
}

/** Grades `submissions`, `jobs` at a time; rows come back in the submissions' order. */
export async function gradeBatch(lab: Lab, submissions: readonly Submission[], references: ReferenceDrivers, options: BatchOptions): Promise<BatchRow[]> {
  const rows: BatchRow[] = new Array(submissions.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < submissions.length) {
      const i = next++;
      rows[i] = await gradeSubmission(lab, submissions[i]!, references, options);
      options.onResult?.(rows[i]!, ++done, submissions.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 2, submissions.length)) }, worker));
  return rows;
}

// ---- Reports on disk, resuming ------------------------------------------------------------------

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/**
 * A fingerprint of what a lab grades with: its definition as loaded (lab.json with the hidden
 * scenarios merged in) and the reference drivers. Not the lab's folder, instructions, starter or
 * solution: they do not change a grade.
 */
export function labFingerprint(lab: Lab, references: ReferenceDrivers): string {
  const { dir: _dir, instructionsText: _instructions, starterSource: _starter, solutionSource: _solution, ...definition } = lab as Lab & Record<string, unknown>;
  return sha256(JSON.stringify({ definition, references }));
}

/**
 * What a report depends on, hashed: the lab (labFingerprint), the seeds, the student id, the
 * sandbox's limits (a timeout under 4 s is not one under 60 s) and the submission's bytes. A
 * report on disk with the same key is the report grading again would write.
 */
export function gradingKey(labKey: string, submission: Submission, options: BatchOptions): string {
  const content = submission.file ? sha256(readFileSync(submission.file)) : `problem: ${submission.problem}`;
  return sha256(JSON.stringify({
    labKey, seeds: options.seeds ?? 8, firstSeed: options.firstSeed ?? 1, student: studentOf(submission, options),
    inProcess: options.inProcess === true, limits: options.inProcess ? null : options.limits, content,
  }));
}

/** A submission's report as `<out>/<submission>.json` holds it. */
export interface StoredReport extends GradeReport {
  submission: string;
  student: string;
  status: GradeStatus;
  reason?: string;
  gradingKey: string;
}

/**
 * Writes `text` to `path` so that a reader (or a rerun after a kill) sees the old file or the new
 * one, never half of one: a temporary file in the same folder, flushed, then renamed over it.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The report on disk for `name`, or undefined when there is none or it is not one of ours. */
export function readStoredReport(outDir: string, name: string): StoredReport | undefined {
  const path = join(outDir, `${name}.json`);
  if (!existsSync(path)) return undefined;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as StoredReport;
    return typeof data === 'object' && data !== null && typeof data.gradingKey === 'string' && Array.isArray(data.scenarios) ? data : undefined;
  } catch {
    return undefined;
  }
}

export interface ClassBatchOptions extends BatchOptions {
  /** Where `<submission>.json` and the CSV go (created if missing). */
  outDir: string;
  /** The CSV's file name in outDir (class.csv, or a shard's). */
  csvName: string;
  /** Grade every submission again, whatever reports are on disk. */
  regrade?: boolean;
}

export interface ClassBatchResult {
  rows: BatchRow[];
  /** Submissions whose report on disk was kept (same gradingKey). */
  kept: number;
  csv: string;
}

/**
 * Grades a class into `outDir`: each report written as soon as its submission is graded; reports
 * already there with the same gradingKey kept (unless `regrade`; a 'grader error' is always graded
 * again: it was the grader's failure); then the CSV, from the reports on disk.
 */
export async function gradeClass(lab: Lab, submissions: readonly Submission[], references: ReferenceDrivers, options: ClassBatchOptions): Promise<ClassBatchResult> {
  mkdirSync(options.outDir, { recursive: true });
  const labKey = labFingerprint(lab, references);
  const keys = new Map(submissions.map((s) => [s.name, gradingKey(labKey, s, options)]));
  const toGrade = submissions.filter((s) => {
    if (options.regrade) return true;
    const stored = readStoredReport(options.outDir, s.name);
    return !(stored && stored.gradingKey === keys.get(s.name) && stored.status !== 'grader error');
  });
  await gradeBatch(lab, toGrade, references, {
    ...options,
    onResult: (row, done, total) => {
      const submission = toGrade.find((s) => s.name === row.submission)!;
      const stored: StoredReport = { submission: row.submission, student: studentOf(submission, options), status: row.status, ...(row.reason ? { reason: row.reason } : {}), gradingKey: keys.get(row.submission)!, ...row.report };
      writeFileAtomic(join(options.outDir, `${row.submission}.json`), JSON.stringify(stored, null, 2) + '\n');
      options.onResult?.(row, done, total);
    },
  });
  const rows = submissions.map((s): BatchRow => {
    const stored = readStoredReport(options.outDir, s.name);
    if (!stored) throw new Error(`the report ${join(options.outDir, `${s.name}.json`)} was written and is gone or unreadable now`);
    return storedRow(stored);
  });
  const csv = join(options.outDir, options.csvName);
  writeFileAtomic(csv, classCsv(lab, rows));
  return { rows, kept: submissions.length - toGrade.length, csv };
}

/** A report from disk as a batch row. */
export function storedRow(stored: StoredReport): BatchRow {
  const { submission, student: _student, status, reason, gradingKey: _key, ...report } = stored;
  return { submission, status, ...(reason !== undefined ? { reason } : {}), report };
}

/** A CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The class CSV: submission, score, maxScore, the points of each scenario, status, reason. */
export function classCsv(lab: { scenarios: readonly { id: string }[] }, rows: readonly BatchRow[]): string {
  const header = ['submission', 'score', 'maxScore', ...lab.scenarios.map((s) => s.id), 'status', 'reason'];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    const points = lab.scenarios.map((s) => r.report.scenarios.find((x) => x.id === s.id)?.points ?? 0);
    lines.push([r.submission, r.report.score, r.report.maxScore, ...points, r.status, r.reason ?? ''].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}
