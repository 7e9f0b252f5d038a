// The grading child's report, checked by the parent against the lab the parent loaded. The child
// runs hostile code; even confined, nothing it sends is taken as it comes: the scenarios, their
// ids, titles, hidden flags and points are the parent's; the child contributes only whether each
// scenario passed and why not, as bounded text; the score is the parent's sum.

import type { GradeReport, ScenarioReport } from '../grading/grade.ts';
import type { Lab, Scenario } from '../scenario/schema.ts';
import type { SourceLocation } from '../verifier/verifier.ts';

/** Longest text kept of one failure or finding message (characters). */
export const TEXT_LIMIT = 4096;
/** Most failures and findings kept per scenario (the first ones: the rest say the same). */
export const LIST_LIMIT = 16;
/** Most seeds named per scenario (a scenario runs at most 256). */
const SEED_LIMIT = 256;

/** `text`, at most `limit` characters, saying how much was cut. */
export function capText(text: string, limit = TEXT_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

function capList<T>(items: readonly T[], keep: (item: T) => T, more: (count: number) => T): T[] {
  const kept = items.slice(0, LIST_LIMIT).map(keep);
  if (items.length > LIST_LIMIT) kept.push(more(items.length - LIST_LIMIT));
  return kept;
}

/** A scenario's report with every list and text bounded (the child sends it so; the parent checks again). */
export function capScenario(s: ScenarioReport): ScenarioReport {
  return {
    ...s,
    ...(s.failingSeeds ? { failingSeeds: s.failingSeeds.slice(0, SEED_LIMIT) } : {}),
    failures: capList(s.failures, (f) => capText(f), (n) => `… and ${n} more failures`),
    findings: capList(s.findings, (f) => ({ rule: capText(f.rule, 100), driver: capText(f.driver, 100), message: capText(f.message), event: f.event, ...locationOf(f.location) }), (n) => ({ rule: 'More', driver: '', message: `… and ${n} more findings`, event: 0 })),
  };
}

/** The report with every list and text bounded. */
export function capReport(report: GradeReport): GradeReport {
  return { ...report, scenarios: report.scenarios.map(capScenario) };
}

const isPosition = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

/** A finding's place as the child gave it, if it is one (display only: a wrong one changes no score). */
function locationOf(raw: unknown): { location?: SourceLocation } {
  const given = raw as { file?: unknown; line?: unknown; column?: unknown; kind?: unknown } | undefined;
  if (typeof given !== 'object' || given === null || typeof given.file !== 'string' || !isPosition(given.line) || !isPosition(given.column)) return {};
  return { location: { file: capText(given.file, 200), line: given.line, column: given.column, ...(given.kind === 'handler' ? { kind: 'handler' as const } : {}) } };
}

export class ReportMismatch extends Error {}

const isSeed = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * The report to record for `scenario`, built from the parent's lab and what the child said of it.
 * Throws ReportMismatch when what the child said is not a report of this scenario (another id;
 * points that are neither 0 nor the scenario's; a verdict that disagrees with its points; a seed
 * that is not a whole number): a grader that is not working as built, never a score to record.
 */
export function checkedScenario(scenario: Scenario, said: ScenarioReport): ScenarioReport {
  if (said.id !== scenario.id) throw new ReportMismatch(`scenario "${capText(String(said.id), 100)}" was reported where "${scenario.id}" was next`);
  const points = said.passed ? scenario.points : 0;
  if (said.points !== points) throw new ReportMismatch(`scenario "${scenario.id}" has ${said.points} points; it ${said.passed ? 'passed' : 'failed'} and is worth ${scenario.points}`);
  const seeds = [said.failingSeed, said.shortestFailingSeed, ...(said.failingSeeds ?? [])];
  if (!seeds.every((n) => n === undefined || isSeed(n)) || (said.shortestTraceEvents !== undefined && !isSeed(said.shortestTraceEvents))) {
    throw new ReportMismatch(`scenario "${scenario.id}" names a seed or a trace length that is not a whole number`);
  }
  const report: ScenarioReport = {
    id: scenario.id, title: scenario.title, hidden: scenario.hidden, points, maxPoints: scenario.points, passed: said.passed,
    failures: said.passed ? [] : said.failures, findings: said.passed ? [] : said.findings,
  };
  if (!said.passed && said.failingSeed !== undefined) {
    Object.assign(report, { failingSeed: said.failingSeed, shortestFailingSeed: said.shortestFailingSeed, shortestTraceEvents: said.shortestTraceEvents, failingSeeds: said.failingSeeds });
  }
  return capScenario(report);
}

/** The report of `lab` from its scenarios' checked reports (in the lab's order), with the parent's sums. */
export function labReport(lab: Lab, scenarios: ScenarioReport[], variants: Record<string, number>, traceHash: string): GradeReport {
  return {
    lab: lab.id,
    score: scenarios.reduce((n, s) => n + s.points, 0),
    maxScore: lab.scenarios.reduce((n, s) => n + s.points, 0),
    scenarios,
    variants,
    traceHash,
  };
}
