// `nic-lab lab check | new | scenarios`: the lab author's tools. `check` validates a lab folder
// the way grading uses it (its files, its scenarios, a hidden file, and that the starter fails
// and the solution scores full marks under every seed); `new` writes a lab that passes `check`
// as it stands; `scenarios` lists what a lab grades.

import { existsSync, statSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  labFolder, readManifest, readLabFile, readHiddenScenarios, referenceDrivers, displayPath, scanLabs, REPO_ROOT,
  HiddenFileMissingError, type LoadedLab,
} from '../grading/labs.ts';
import { gradeLab, type GradeOptions, type GradeReport } from '../grading/grade.ts';
import { outcomeOf, zeroReport, terminalSafe, type GradeOutcome } from '../grading/reports.ts';
import { gradeInSandbox, type SandboxLimits } from '../sandbox/sandbox.ts';
import { LabFormatError, type Lab } from '../scenario/schema.ts';
import { loadLabArgument } from './grade.ts';
import { UsageError } from './usage.ts';

/** Seeds a scenario runs under when it names none (the grader's default). */
export const DEFAULT_SEEDS = 8;

/** Students whose variant values the solution is also graded for, when the lab has variants. */
const OTHER_STUDENTS = ['student-a', 'student-b'];

export interface CheckResult {
  ok: boolean;
  what: string;
  /** Why it failed, or what was found. */
  detail?: string;
}

export interface LabCheckOptions {
  seeds: number;
  hidden?: string;
  inProcess: boolean;
  limits: SandboxLimits;
  /** Told each check as it is done (the command prints them as they come). */
  onResult?: (result: CheckResult) => void;
}

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n').join('; ');
const points = (lab: Lab) => lab.scenarios.reduce((n, s) => n + s.points, 0);

/** Checks a lab folder the way grading would use it; every check, passed or not. */
export async function checkLab(dirArgument: string, options: LabCheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const note = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
    return result.ok;
  };
  let dir: string;
  try {
    dir = labFolder(dirArgument.includes('/') ? dirArgument : `./${dirArgument}`);
  } catch (error) {
    throw new UsageError(`lab check: ${(error as Error).message}`);
  }
  if (options.hidden !== undefined && (!existsSync(options.hidden) || !statSync(options.hidden).isDirectory())) throw new UsageError(`--hidden: no directory ${options.hidden}`);

  let manifest: Lab;
  try {
    manifest = readManifest(dir);
  } catch (error) {
    if (!(error instanceof LabFormatError)) throw error;
    note({ ok: false, what: 'lab.json is JSON and matches the lab schema', detail: oneLine(error) });
    return results;
  }
  const publicHidden = manifest.scenarios.filter((s) => s.hidden).length;
  note({
    ok: true, what: 'lab.json is JSON and matches the lab schema',
    detail: `${manifest.id}: ${manifest.scenarios.length} scenario(s), ${points(manifest)} point(s)${publicHidden ? `; ${publicHidden} marked hidden in lab.json itself, which whoever has the folder can read (--hidden DIR keeps them private)` : ''}`,
  });

  const texts: Partial<Record<'instructions' | 'starter' | 'solution', string>> = {};
  for (const field of ['instructions', 'starter', 'solution'] as const) {
    try {
      texts[field] = readLabFile(dir, manifest[field], field);
      note({ ok: true, what: `${field}: ${manifest[field]} is there` });
    } catch (error) {
      note({ ok: false, what: `${field}: ${manifest[field]} is there`, detail: oneLine(error) });
    }
  }
  let referencesOk = true;
  for (const [kind, name] of Object.entries(manifest.references ?? {})) {
    if (name === undefined) continue;
    try {
      readLabFile(dir, name, `references.${kind}`);
      note({ ok: true, what: `references.${kind}: ${name} is there (used instead of the course's)` });
    } catch (error) {
      referencesOk = note({ ok: false, what: `references.${kind}: ${name} is there`, detail: oneLine(error) }) && referencesOk;
    }
  }

  let scenarios = manifest.scenarios;
  if (options.hidden !== undefined) {
    const what = `hidden scenarios: ${displayPath(join(options.hidden, `${manifest.id}.json`))} is valid for this lab, every scenario hidden`;
    try {
      const hidden = readHiddenScenarios(manifest, dir, options.hidden);
      scenarios = [...scenarios, ...hidden];
      note({ ok: true, what, detail: `${hidden.length} scenario(s), ${hidden.reduce((n, s) => n + s.points, 0)} point(s)` });
    } catch (error) {
      if (!(error instanceof LabFormatError) && !(error instanceof HiddenFileMissingError)) throw error;
      note({ ok: false, what, detail: oneLine(error) });
    }
  }
  if (texts.instructions !== undefined) note({ ok: texts.instructions.trim().length > 0, what: 'the instructions are not empty' });
  if (texts.starter === undefined || texts.solution === undefined || !referencesOk) return results;

  const lab: LoadedLab = { ...manifest, scenarios, dir, instructionsText: texts.instructions ?? '', starterSource: texts.starter, solutionSource: texts.solution };
  const references = referenceDrivers(lab);
  const grade = async (source: string, file: string, gradeOptions: GradeOptions): Promise<GradeOutcome> => {
    if (options.inProcess) return outcomeOf(await gradeLab(lab, source, file, references, gradeOptions));
    const result = await gradeInSandbox(lab, source, file, references, gradeOptions, options.limits);
    return result.status === 'graded' ? outcomeOf(result.report) : { status: result.status, reason: result.reason, report: zeroReport(lab, result.reason) };
  };
  const failedScenarios = (report: GradeReport) => report.scenarios.filter((s) => !s.passed)
    .map((s) => `${s.id} (seed${s.failingSeeds && s.failingSeeds.length > 1 ? `s ${s.failingSeeds.join(', ')}` : ` ${s.failingSeed}`}): ${s.failures[0] ?? s.findings[0]?.rule ?? 'failed'}`).join('; ');

  const starter = await grade(lab.starterSource, lab.starter, { seeds: options.seeds });
  if (note({ ok: starter.status === 'graded', what: 'the starter compiles, loads and runs', detail: starter.status === 'graded' ? undefined : `${starter.status}: ${starter.reason}` })) {
    const { score, maxScore } = starter.report;
    // Points are for what the learner writes: a starter that passes a scored scenario as it
    // stands gives them away (its ready-made code is graded, or the scenario checks too little).
    const given = starter.report.scenarios.filter((s) => s.points > 0).map((s) => `${s.id} (${s.points})`);
    note({ ok: score === 0, what: `the starter earns nothing: it fails every scored scenario (${options.seeds} seeds)`, detail: score === 0 ? `0/${maxScore}` : `it scores ${score}/${maxScore} as it stands, passing ${given.join(', ')}: the scenario checks what the starter already does, or too little` });
  }

  const solution = await grade(lab.solutionSource, lab.solution, { seeds: options.seeds });
  if (note({ ok: solution.status === 'graded', what: 'the solution compiles, loads and runs', detail: solution.status === 'graded' ? undefined : `${solution.status}: ${solution.reason}` })) {
    const { score, maxScore } = solution.report;
    note({ ok: score === maxScore, what: `the solution scores full marks under every seed (${options.seeds} per scenario unless it names its own)`, detail: score === maxScore ? `${score}/${maxScore}` : `${score}/${maxScore}: ${failedScenarios(solution.report)}` });
    if (Object.keys(lab.variants).length > 0) {
      const failures: string[] = [];
      for (const student of OTHER_STUDENTS) {
        const other = await grade(lab.solutionSource, lab.solution, { seeds: Math.min(options.seeds, 2), student });
        if (other.status !== 'graded') failures.push(`${student}: ${other.status}: ${other.reason}`);
        else if (other.report.score !== other.report.maxScore) failures.push(`${student} (${Object.entries(other.report.variants).map(([k, v]) => `${k}=${v}`).join(', ')}): ${failedScenarios(other.report)}`);
      }
      note({ ok: failures.length === 0, what: `the solution scores full marks for other students' variant values too (${OTHER_STUDENTS.join(', ')})`, ...(failures.length ? { detail: failures.join('; ') } : {}) });
    }
  }
  return results;
}

/** `nic-lab lab check`: prints each check with pass or FAIL; 0 when all pass, 1 when any fails. */
export async function runLabCheckCommand(dirArgument: string, options: LabCheckOptions): Promise<number> {
  let started = false;
  const results = await checkLab(dirArgument, {
    ...options,
    onResult: (r) => {
      // The heading comes with the first check, after the arguments were found usable.
      if (!started) console.log(`lab check ${dirArgument}${options.hidden !== undefined ? ` --hidden ${options.hidden}` : ''}`);
      started = true;
      console.log(terminalSafe(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.what}${r.detail ? `: ${r.detail}` : ''}`));
    },
  });
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? `${results.length} checks passed` : `${failed} of ${results.length} checks FAILED`);
  return failed === 0 ? 0 : 1;
}

/** `nic-lab lab scenarios`: each scenario's id, title, points, whether hidden, and its seeds. */
export async function runLabScenariosCommand(labRef: string, options: { hidden?: string; json: boolean }): Promise<number> {
  const lab = loadLabArgument(labRef, options.hidden);
  const rows = lab.scenarios.map((s) => ({ id: s.id, title: s.title, points: s.points, hidden: s.hidden, seeds: s.seeds ?? DEFAULT_SEEDS, ownSeeds: s.seeds !== undefined }));
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  console.log(`${lab.title} (${lab.id}): ${rows.length} scenario(s), ${points(lab)} point(s)`);
  const width = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) {
    console.log(`  ${r.id.padEnd(width)}  ${String(r.points).padStart(3)} pt  ${r.hidden ? 'hidden ' : 'visible'}  ${r.ownSeeds ? `${r.seeds} seeds (its own)` : `${r.seeds} seeds (--seeds)`}  ${r.title}`);
  }
  return 0;
}

export type LabKind = Lab['kind'];

const TEMPLATES = join(REPO_ROOT, 'labs', 'templates');

/** The one scenario a new lab starts with, per kind: one the template solution passes and its starter fails. */
function firstScenario(kind: LabKind): Lab['scenarios'][number] {
  if (kind === 'protocol') {
    return {
      id: 'bind-pause-restart', title: 'The binding opens, pauses and runs again', points: 2, hidden: false,
      machine: { nics: 2, cable: true, referenceFilter: false, referenceProtocol: false }, configuration: {},
      steps: [{ op: 'start' }, { op: 'pause', adapter: 0 }, { op: 'restart', adapter: 0 }],
      expectations: [{ expect: 'bindingState', adapter: 0, state: 'Running' }, { expect: 'noFindings' }],
    };
  }
  return {
    id: 'frames-pass-through', title: 'Frames from the wire reach the protocol through the filter', points: 2, hidden: false,
    machine: { nics: 2, cable: true, referenceFilter: false, referenceProtocol: false }, configuration: {},
    steps: [{ op: 'start' }, { op: 'pause', adapter: 0 }, { op: 'restart', adapter: 0 }, { op: 'traffic', source: 'peer', adapter: 0, count: 5, size: 60 }, { op: 'wait', ns: 1_000_000 }],
    expectations: [{ expect: 'moduleState', adapter: 0, state: 'Running' }, { expect: 'framesDelivered', adapter: 0, exactly: 5 }, { expect: 'noFindings' }],
  };
}

function instructions(title: string, kind: LabKind, scenario: Lab['scenarios'][number]): string {
  return `# ${title}

Write a ${kind} driver that passes this lab's scenarios. (Written by \`nic-lab lab new\`: replace this
text with what the learner should build, why, and which NDIS rules apply.)

## What is graded

- **${scenario.title}** (${scenario.points} points).

Each scenario runs under several seeds, which change the order in which NDIS does what it may do;
a scenario passes only if it passes under all of them.
`;
}

/** Writes a new lab into `dir` (new or empty): lab.json, instructions, a starter and a solution. Returns the files written. */
export function scaffoldLab(dir: string, options: { kind: LabKind; id?: string; title?: string }): string[] {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw new UsageError(`lab new: ${dir} already exists and is not an empty folder; lab new writes only into a new or empty one`);
  const id = options.id ?? basename(resolve(dir));
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UsageError(`lab new: "${id}" is not a lab id (lowercase letters, digits and dashes): name the folder so, or give --id`);
  // Among other labs, the new one comes last.
  const siblings = (() => {
    try {
      return scanLabs(resolve(dir, '..')).labs;
    } catch {
      return []; // a parent folder that cannot be read has no labs to come after
    }
  })();
  const order = Math.max(0, ...siblings.map((l) => l.order)) + 1;
  const title = options.title ?? id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  const scenario = firstScenario(options.kind);
  const { machine: _machine, configuration: _configuration, hidden: _hidden, ...authored } = scenario;
  const manifest = {
    id, title, order, summary: `A ${options.kind} lab: ${title}.`, seed: options.kind === 'protocol' ? '000' : '004', kind: options.kind,
    starter: 'starter.ts', solution: 'solution.ts', instructions: 'instructions.md',
    hints: [options.kind === 'protocol' ? 'NdisOpenAdapterEx needs the BindContext NDIS passed to BindAdapterHandlerEx.' : 'While Running, pass receives up with NdisFIndicateReceiveNetBufferLists.'],
    scenarios: [authored],
  };
  const files: [string, string][] = [
    ['lab.json', `${JSON.stringify(manifest, null, 2)}\n`],
    ['instructions.md', instructions(title, options.kind, scenario)],
    ['starter.ts', readFileSync(join(TEMPLATES, options.kind, 'starter.ts'), 'utf8')],
    ['solution.ts', readFileSync(join(TEMPLATES, options.kind, 'solution.ts'), 'utf8')],
  ];
  mkdirSync(dir, { recursive: true });
  // 'wx': a file that appeared meanwhile is never overwritten.
  for (const [name, text] of files) writeFileSync(join(dir, name), text, { flag: 'wx' });
  return files.map(([name]) => join(dir, name));
}

export async function runLabNewCommand(dir: string, options: { kind?: string; id?: string; title?: string }): Promise<number> {
  const kind = options.kind ?? 'protocol';
  if (kind !== 'protocol' && kind !== 'filter') throw new UsageError(`--kind must be protocol or filter; got "${kind}"`);
  const files = scaffoldLab(dir, { kind, ...(options.id !== undefined ? { id: options.id } : {}), ...(options.title !== undefined ? { title: options.title } : {}) });
  console.log(`wrote a ${kind} lab in ${dir}: ${files.map((f) => basename(f)).join(', ')}`);
  console.log(`next: edit them, then  nic-lab lab check ${dir}  and  nic-lab grade ${dir} <driver.ts>`);
  return 0;
}
