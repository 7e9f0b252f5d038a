// Grading a class: every submission in a folder, a few sandboxed child processes at a time, one
// JSON report each and a CSV for the class. A submission that hangs, crashes or does not compile
// gets a zero and the reason, and the batch goes on. `shard` takes a fixed slice of the sorted
// submissions so that a CI matrix can spread a class over machines.

import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gradeLab, type GradeOptions } from './grade.ts';
import { outcomeOf, zeroReport, type GradeOutcome } from './reports.ts';
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

/** The submissions in `dir`, sorted by name (dot files and non-driver files are skipped). */
export function findSubmissions(dir: string): Submission[] {
  const submissions: Submission[] = [];
  for (const entry of readdirSync(dir).filter((n) => !n.startsWith('.')).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const drivers = readdirSync(path).filter((n) => DRIVER_FILE.test(n) && !n.startsWith('.') && statSync(join(path, n)).isFile()).sort();
      if (drivers.length === 1) submissions.push({ name: entry, file: join(path, drivers[0]!) });
      else submissions.push({ name: entry, problem: drivers.length === 0 ? 'no .ts or .js driver file in the folder' : `several driver files in the folder (${drivers.join(', ')}); submit one` });
    } else if (DRIVER_FILE.test(entry)) {
      submissions.push({ name: entry.replace(DRIVER_FILE, ''), file: path });
    }
  }
  return submissions;
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
  const gradeOptions: GradeOptions = { seeds: options.seeds, firstSeed: options.firstSeed, student: options.student ?? submission.name };
  if (options.inProcess) return row(outcomeOf(await gradeLab(lab, source, file, references, gradeOptions)));
  const result = await gradeInSandbox(lab, source, file, references, gradeOptions, options.limits);
  if (result.status === 'graded') return row(outcomeOf(result.report));
  return row({ status: result.status, reason: result.reason, report: zeroReport(lab, result.reason) });
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

/** A CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The class CSV: submission, score, maxScore, the points of each scenario, status, reason. */
export function classCsv(lab: Lab, rows: readonly BatchRow[]): string {
  const header = ['submission', 'score', 'maxScore', ...lab.scenarios.map((s) => s.id), 'status', 'reason'];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    const points = lab.scenarios.map((s) => r.report.scenarios.find((x) => x.id === s.id)?.points ?? 0);
    lines.push([r.submission, r.report.score, r.report.maxScore, ...points, r.status, r.reason ?? ''].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Writes `<out>/<submission>.json` for each row and the class CSV; returns the CSV's path. */
export function writeBatch(lab: Lab, rows: readonly BatchRow[], outDir: string, csvName: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const r of rows) {
    writeFileSync(join(outDir, `${r.submission}.json`), JSON.stringify({ submission: r.submission, status: r.status, ...(r.reason ? { reason: r.reason } : {}), ...r.report }, null, 2) + '\n');
  }
  const csv = join(outDir, csvName);
  writeFileSync(csv, classCsv(lab, rows));
  return csv;
}
