// A grade report in the forms its readers need: the learner's view (hidden scenarios show only
// pass/fail and points), text for a terminal, Gradescope's and PrairieLearn's results.json, and
// JUnit XML for CI. Also the report a submission gets when it could not be graded at all.

import type { GradeReport, ScenarioReport } from './grade.ts';
import { placeText } from '../verifier/verifier.ts';
import type { Lab } from '../scenario/schema.ts';

/** How grading ended for a submission: graded, or why it got a zero without a report of its own. */
export type GradeStatus = 'graded' | 'does not compile' | 'timed out' | 'out of memory' | 'crashed' | 'no driver' | 'grader error';

/** A report plus how grading ended; `reason` says why when the status is not 'graded'. */
export interface GradeOutcome {
  status: GradeStatus;
  reason?: string;
  report: GradeReport;
  /** Wall-clock seconds the grading took, as the grader measured it (JUnit, Gradescope's execution_time). */
  seconds?: number;
  /** Seconds per scenario, in the report's order, when known. */
  scenarioSeconds?: number[];
}

/** Statuses where grading did not finish because of how the driver ran (not a verdict on any scenario). */
const RUN_ERRORS: ReadonlySet<GradeStatus> = new Set(['timed out', 'out of memory', 'crashed', 'grader error']);

/** Why a scenario got its points, in one line a student can read (the real reason when it was not graded). */
function verdict(outcome: GradeOutcome, s: ScenarioReport): string {
  if (outcome.status !== 'graded') return `Not graded: ${outcome.reason ?? outcome.status}`;
  if (s.passed) return 'Passed under every seed.';
  if (s.hidden) return 'Failed.';
  return s.failingSeed !== undefined ? `Failed under seed ${s.failingSeed}.` : 'Failed.';
}

/** Zero for every scenario, each failing with `reason` (a submission that hung or crashed). */
export function zeroReport(lab: Lab, reason: string): GradeReport {
  const scenarios: ScenarioReport[] = lab.scenarios.map((s) => ({ id: s.id, title: s.title, hidden: s.hidden, points: 0, maxPoints: s.points, passed: false, failures: [reason], findings: [] }));
  return { lab: lab.id, score: 0, maxScore: scenarios.reduce((n, s) => n + s.maxPoints, 0), scenarios, variants: {}, traceHash: '' };
}

/**
 * The load error if the driver never compiled (every scenario failed on it), else undefined.
 * Takes any report with scenarios' failures (the web lab's stored grade too).
 */
export function compileError(report: { scenarios: readonly { failures: readonly string[] }[] }): string | undefined {
  const first = report.scenarios[0]?.failures[0];
  if (first === undefined || !/: does not compile: /.test(first)) return undefined;
  return report.scenarios.every((s) => s.failures[0] === first) ? first : undefined;
}

/** Gives a report from the grader its status: 'does not compile' when the driver never loaded. */
export function outcomeOf(report: GradeReport): GradeOutcome {
  const error = compileError(report);
  return error === undefined ? { status: 'graded', report } : { status: 'does not compile', reason: error, report };
}

/**
 * What a learner may see: a hidden scenario keeps its points and whether it passed, and loses
 * its id, title, seeds, failures and findings (they would say what it tests).
 */
export function learnerView(report: GradeReport): GradeReport {
  let hidden = 0;
  return {
    ...report,
    scenarios: report.scenarios.map((s) => {
      if (!s.hidden) return s;
      hidden++;
      return { id: `hidden-${hidden}`, title: `Hidden scenario ${hidden}`, hidden: true, points: s.points, maxPoints: s.maxPoints, passed: s.passed, failures: [], findings: [] };
    }),
  };
}

/** Why a scenario failed, in lines: the seeds, each unmet expectation, each finding. */
export function failureLines(s: ScenarioReport): string[] {
  if (s.passed) return [];
  const lines: string[] = [];
  if (s.failingSeed !== undefined) {
    const seeds = s.failingSeeds && s.failingSeeds.length > 1 ? `seeds ${s.failingSeeds.join(', ')}` : `seed ${s.failingSeed}`;
    lines.push(`failed under ${seeds}; shortest failing trace: seed ${s.shortestFailingSeed} (${s.shortestTraceEvents} events)`);
  }
  for (const f of s.failures) lines.push(f);
  for (const f of s.findings) lines.push(`finding ${f.rule} (${f.driver}, event ${f.event}${f.location ? `, ${placeText(f.location)}` : ''}): ${f.message}`);
  return lines;
}

/**
 * `text` safe to print on a terminal: every control character but the newline (ANSI escapes,
 * carriage return, backspace, the other C0 and C1 codes, DEL) and the bidirectional overrides
 * shown as `\u001b`-style text. Drivers write finding messages and errors, so a driver could
 * otherwise clear the screen, rewrite a line ("\rscore 10/10") or reorder what is shown.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The report for a terminal. `driver` is the path a replay command should name; `replay` how it
 * names the lab (as the grader was given it: an id or a folder) and the hidden folder, if any.
 */
export function textReport(lab: Lab, outcome: GradeOutcome, driver: string, replay: { lab?: string; hidden?: string } = {}): string {
  const { report } = outcome;
  const graded = outcome.status === 'graded';
  const lines = [`${lab.title} (${lab.id}): score ${report.score}/${report.maxScore}${graded ? '' : `  [${outcome.status}]`}`];
  // Not graded (it does not compile, it timed out...): the reason is the submission's, the same
  // for every scenario, so it is said once, and there is no scenario worth replaying.
  if (!graded && outcome.reason) lines.push(`  ${outcome.reason.split('\n').join('\n    ')}`);
  for (const s of report.scenarios) {
    lines.push(`  ${s.passed ? 'pass' : 'FAIL'}  ${String(s.points).padStart(2)}/${s.maxPoints}  ${s.hidden ? '(hidden) ' : ''}${s.id}: ${s.title}`);
    if (!graded) continue;
    // A driver's text may hold newlines (a stack trace): its continuation lines are indented
    // deeper, so that no line a driver wrote can pass for one of the report's own.
    for (const line of failureLines(s)) lines.push(`          ${line.split('\n').join('\n            ')}`);
    if (!s.passed && s.shortestFailingSeed !== undefined) lines.push(`          replay: nic-lab run ${shellWord(`${replay.lab ?? lab.id}:${s.id}`)}${s.hidden && replay.hidden !== undefined ? ` --hidden ${shellWord(replay.hidden)}` : ''} --driver ${shellWord(driver)} --seed ${s.shortestFailingSeed} --trace trace.jsonl --pcap capture.pcapng`);
  }
  return terminalSafe(lines.join('\n'));
}

/** `word` as one word for a POSIX shell: as it is when it is safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// ---- Gradescope ---------------------------------------------------------------------------------

export type GradescopeVisibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';
export const GRADESCOPE_VISIBILITIES: readonly GradescopeVisibility[] = ['hidden', 'after_due_date', 'after_published', 'visible'];

/**
 * The visibility hidden scenarios' tests get by default. Gradescope's autograder specification:
 * a test with visibility "hidden" is never shown to students, and while any test is hidden the
 * student does not see their total score either. "after_published" shows them once the instructor
 * publishes the grades, and the total with them; with it (as with any visibility but "hidden") the
 * test shows only points and pass/fail under a neutral name (learnerView), so the scenario stays
 * private; the instructor reads the full report in the autograder's stdout, which stays hidden.
 */
export const DEFAULT_HIDDEN_VISIBILITY: GradescopeVisibility = 'after_published';

/** One test case of Gradescope's results.json. */
export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  output_format: 'text';
  visibility: GradescopeVisibility;
}

export interface GradescopeResults {
  score: number;
  execution_time?: number;
  output: string;
  /** Plain text (Gradescope's "text"): drivers' messages are not read as Markdown or HTML. */
  output_format: 'text';
  test_output_format: 'text';
  stdout_visibility: 'hidden' | 'visible';
  tests: GradescopeTest[];
  extra_data: { lab: string; status: GradeStatus; traceHash: string; reason?: string };
}

export interface GradescopeOptions {
  /** The visibility of hidden scenarios' tests (default DEFAULT_HIDDEN_VISIBILITY). */
  hiddenVisibility?: GradescopeVisibility;
}

/**
 * Gradescope's results.json, a test per scenario. A hidden scenario's test has `hiddenVisibility`:
 * with "hidden" (students never see it) it carries the scenario's name and failures for the
 * instructor; with any other it will be shown to students, so it carries points and pass/fail
 * only. The submission-wide output says nothing about hidden scenarios; stdout stays hidden.
 */
export function gradescopeResults(lab: Lab, outcome: GradeOutcome, options: GradescopeOptions = {}): GradescopeResults {
  const visibility = options.hiddenVisibility ?? DEFAULT_HIDDEN_VISIBILITY;
  const { report } = outcome;
  const shown = learnerView(report);
  const visibleFailed = report.scenarios.filter((s) => !s.hidden && !s.passed).length;
  const summary = [`${lab.title}: ${report.score}/${report.maxScore} points.`];
  if (outcome.status !== 'graded') summary.push(`Not graded (${outcome.status}): ${outcome.reason ?? outcome.status}`);
  else summary.push(visibleFailed === 0 ? 'Every visible scenario passed.' : `${visibleFailed} visible scenario(s) failed; each test below says under which seeds and why.`);
  return {
    score: report.score,
    ...(outcome.seconds !== undefined ? { execution_time: Math.round(outcome.seconds * 10) / 10 } : {}),
    output: summary.join(' '),
    output_format: 'text',
    test_output_format: 'text',
    stdout_visibility: 'hidden',
    tests: report.scenarios.map((full, i) => {
      const s = full.hidden && visibility !== 'hidden' ? shown.scenarios[i]! : full;
      const output = outcome.status !== 'graded' ? verdict(outcome, s) : s.passed ? 'Passed under every seed.' : s === full ? failureLines(s).join('\n') : 'Failed.';
      return { name: `${s.id}: ${s.title}`, number: String(i + 1), score: s.points, max_score: s.maxPoints, status: s.passed ? 'passed' : 'failed', output, output_format: 'text', visibility: full.hidden ? visibility : 'visible' };
    }),
    extra_data: { lab: report.lab, status: outcome.status, traceHash: report.traceHash, ...(outcome.reason ? { reason: outcome.reason } : {}) },
  };
}

// ---- PrairieLearn -------------------------------------------------------------------------------

export interface PrairieLearnTest {
  name: string;
  description: string;
  points: number;
  max_points: number;
  message: string;
  output: string;
}

export interface PrairieLearnResults {
  gradable: boolean;
  score: number;
  message: string;
  output: string;
  tests: PrairieLearnTest[];
  format_errors?: string[];
}

/**
 * PrairieLearn's external-grader results.json: `score` from 0 to 1, a test per scenario.
 * PrairieLearn shows students every test (its tests have no visibility of their own), so hidden
 * scenarios appear as in learnerView: a neutral name, the points, pass or fail. A driver that does
 * not compile, and a grader error (the grader's failure, not the student's), are `gradable: false`
 * (no attempt used up) with the reason in `format_errors`; a timeout, running out of memory or a
 * crash is graded 0 and every test says so.
 */
export function prairieLearnResults(lab: Lab, outcome: GradeOutcome): PrairieLearnResults {
  const report = learnerView(outcome.report);
  const tests = report.scenarios.map((s) => ({
    name: s.title,
    description: s.hidden ? 'A scenario the instructor keeps hidden.' : `Scenario ${s.id} of ${lab.id}`,
    points: s.points,
    max_points: s.maxPoints,
    message: verdict(outcome, s),
    output: outcome.status === 'graded' ? failureLines(s).join('\n') : '',
  }));
  const message = outcome.status === 'graded' ? `${report.score}/${report.maxScore} points` : `${report.score}/${report.maxScore} points: ${outcome.reason ?? outcome.status}`;
  const gradable = outcome.status !== 'does not compile' && outcome.status !== 'grader error';
  const results: PrairieLearnResults = {
    gradable,
    score: report.maxScore === 0 ? 0 : report.score / report.maxScore,
    message,
    output: report.scenarios.map((s) => `${s.passed ? 'pass' : 'FAIL'} ${s.points}/${s.maxPoints} ${s.title}`).join('\n'),
    tests,
  };
  if (!gradable) results.format_errors = [outcome.reason ?? (outcome.status === 'grader error' ? 'the grader failed' : 'the driver does not compile')];
  return results;
}

// ---- GitHub Classroom ---------------------------------------------------------------------------

/**
 * The result GitHub Classroom's autograding reporter (classroom-resources/autograding-grading-reporter)
 * reads from a runner's step output, base64-encoded: its total is the sum of the tests' `score`
 * out of `max_score`, so the points recorded are the report's, scenario by scenario. Hidden
 * scenarios as in learnerView (the student's own Actions log shows this).
 */
export interface GitHubClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: { name: string; status: 'pass' | 'fail' | 'error'; score: number; message: string; execution_time?: string }[];
}

export function githubClassroomResult(outcome: GradeOutcome): GitHubClassroomResult {
  const report = learnerView(outcome.report);
  const error = outcome.status !== 'graded' && outcome.status !== 'does not compile';
  const each = (s: ScenarioReport): 'pass' | 'fail' | 'error' => (error ? 'error' : s.passed ? 'pass' : 'fail');
  return {
    version: 1,
    status: error ? 'error' : report.score === report.maxScore ? 'pass' : 'fail',
    max_score: report.maxScore,
    tests: report.scenarios.map((s, i) => ({
      name: `${s.id}: ${s.title}`, status: each(s), score: s.points,
      message: outcome.status !== 'graded' || s.passed || s.hidden ? verdict(outcome, s) : failureLines(s).join('\n'),
      ...(outcome.scenarioSeconds?.[i] !== undefined ? { execution_time: `${outcome.scenarioSeconds[i]!.toFixed(2)}s` } : {}),
    })),
  };
}

// ---- JUnit --------------------------------------------------------------------------------------

/** Text made safe for XML content and attributes (characters XML 1.0 cannot hold are dropped). */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML: one testsuite per lab, one testcase per scenario. A scenario that failed has a
 * <failure>; when the driver was not graded because of how it ran (timed out, out of memory,
 * crashed) or the grader failed, every testcase has an <error> with the reason instead: no
 * scenario's verdict was reached. `time` is in seconds, when the grader measured it.
 */
export function junitXml(lab: Lab, outcome: GradeOutcome): string {
  const report = outcome.report;
  const errored = RUN_ERRORS.has(outcome.status);
  const failed = errored ? 0 : report.scenarios.filter((s) => !s.passed).length;
  const errors = errored ? report.scenarios.length : 0;
  const attr = (name: string, value: string | number) => `${name}="${xmlEscape(String(value))}"`;
  const time = (seconds: number | undefined) => (seconds === undefined ? '' : ` ${attr('time', seconds.toFixed(3))}`);
  const total = outcome.seconds ?? outcome.scenarioSeconds?.reduce((a, b) => a + b, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attr('name', 'nic-lab grade')} ${attr('tests', report.scenarios.length)} ${attr('failures', failed)} ${attr('errors', errors)}${time(total)}>`,
    `  <testsuite ${attr('name', lab.id)} ${attr('tests', report.scenarios.length)} ${attr('failures', failed)} ${attr('errors', errors)} ${attr('skipped', 0)}${time(total)}>`,
    '    <properties>',
    `      <property ${attr('name', 'score')} ${attr('value', report.score)}/>`,
    `      <property ${attr('name', 'maxScore')} ${attr('value', report.maxScore)}/>`,
    `      <property ${attr('name', 'status')} ${attr('value', outcome.status)}/>`,
    `      <property ${attr('name', 'traceHash')} ${attr('value', report.traceHash)}/>`,
    '    </properties>',
  ];
  for (const [i, s] of report.scenarios.entries()) {
    const head = `    <testcase ${attr('classname', lab.id)} ${attr('name', `${s.id}: ${s.title}`)}${time(outcome.scenarioSeconds?.[i])}`;
    if (errored) {
      const reason = outcome.reason ?? outcome.status;
      lines.push(`${head}>`, `      <error ${attr('type', outcome.status)} ${attr('message', reason)}>${xmlEscape(reason)}</error>`, '    </testcase>');
      continue;
    }
    if (s.passed) {
      lines.push(`${head}/>`);
      continue;
    }
    const detail = failureLines(s);
    lines.push(`${head}>`);
    lines.push(`      <failure ${attr('type', 'ScenarioFailed')} ${attr('message', `0/${s.maxPoints}: ${detail[0] ?? 'failed'}`)}>${xmlEscape(detail.join('\n'))}</failure>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
