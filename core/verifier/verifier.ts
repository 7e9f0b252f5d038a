// The verifier: it receives a report when a driver breaks a rule, records it as a finding in the
// trace, and for a fatal rule stops the machine the way Driver Verifier would, with a bug check.
// A finding carries the rule, the driver, the binding or module, the trace event number, and the
// path of handler and NDIS calls that led there, and where it can be told, the line of the driver's
// source that made the call, or, made with none of the driver's code running, the declaration of
// the handler it is about (display only: no verdict reads it, and the trace does not hold it).

import { ruleById, type Severity } from './rules.ts';
import type { Trace } from '../trace/trace.ts';

/** Where in a driver's source a finding arose (1-based line and column of the learner's file). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /**
   * Absent: the driver's call that broke the rule (its code was on the stack). 'handler': no call
   * of its was on a stack that could be read (a check after a handler returned, a watchdog, a
   * thread that hung, a realm whose stacks the driver broke), and this is where the handler the
   * finding is about is declared (core/ndis/handler-places.ts).
   */
  kind?: 'handler';
}

/**
 * A finding's place as the reports print it: `file:line:column` for the call that broke the rule,
 * `handler declared at file:line:column` when it is the declaration of the handler it is about.
 */
export function placeText(location: { file: string; line: number; column: number; kind?: unknown }): string {
  const at = `${location.file}:${location.line}:${location.column}`;
  return location.kind === 'handler' ? `handler declared at ${at}` : at;
}

export interface Finding {
  rule: string;
  statement: string;
  seed: string;
  severity: Severity;
  bugCheck: number;
  driver: string;
  /** The binding, filter module or adapter, as the trace names it. */
  object?: string;
  /** What happened, in this run's terms. */
  message: string;
  /** Trace event number of the finding. */
  event: number;
  /** Handler and NDIS calls in progress, outermost first. */
  callPath: string[];
  /** Bug check 0xC4's Parameter 1: the Driver Verifier rule's code, where the rule has one. */
  bugCheckParameter1?: number;
  /**
   * The driver's line that made the offending call, when its code was on the stack: for the
   * learner to read. Nothing grades it (a driver can make its own frames lie), and it is not in
   * the trace, so traces and verdicts are the same with or without it.
   */
  location?: SourceLocation;
}

/** Thrown to unwind a stopped machine back to the runtime; drivers should never catch it. */
export class BugCheck extends Error {
  constructor(readonly finding: Finding) {
    super(`bug check 0x${finding.bugCheck.toString(16).toUpperCase()} (${finding.rule}): ${finding.message}`);
    this.name = 'BugCheck';
  }
}

export interface Report {
  driver: string;
  object?: string;
  message: string;
}

export class Verifier {
  readonly findings: Finding[] = [];
  /** The fatal finding that stopped the machine, if any. */
  stopped: Finding | undefined;

  /**
   * `demoted`: rules this run records as errors instead of stopping on (an instructor's choice,
   * e.g. to let a run go on past one mistake and show the next).
   */
  /**
   * `locate`: where in `driver`'s source `finding` (not yet recorded) is being made from (the
   * engine reads the driver's stack; where that has none of its code, the engine may place the
   * finding after the run, at the handler it is about); it must not throw, and what it says
   * changes nothing but the finding's `location`.
   */
  constructor(private readonly trace: Trace, private readonly callPath: () => string[], private readonly demoted: ReadonlySet<string> = new Set(), private readonly locate: (driver: string, finding: Finding) => SourceLocation | undefined = () => undefined) {}

  /** Records a finding; for a fatal rule, stops the machine and throws BugCheck. */
  report(ruleId: string, report: Report): Finding {
    const catalog = ruleById(ruleId);
    const rule = this.demoted.has(ruleId) ? { ...catalog, severity: 'error' as const } : catalog;
    const finding: Finding = {
      rule: rule.id,
      statement: rule.statement,
      seed: rule.seed,
      severity: rule.severity,
      bugCheck: rule.bugCheck,
      driver: report.driver,
      ...(report.object !== undefined ? { object: report.object } : {}),
      message: report.message,
      event: 0,
      callPath: this.callPath(),
      ...(rule.bugCheckParameter1 !== undefined ? { bugCheckParameter1: rule.bugCheckParameter1 } : {}),
    };
    // Before the finding is recorded: locating may ask a driver's worker, which a stopped machine no longer does.
    const location = this.located(report.driver, finding);
    if (location) finding.location = location;
    finding.event = this.trace.record('finding', {
      rule: finding.rule, driver: finding.driver, object: finding.object ?? null, message: finding.message, callPath: finding.callPath,
    });
    this.findings.push(finding);
    if (rule.severity === 'fatal' && !this.stopped) {
      this.stopped = finding;
      this.trace.record('bugcheck', { code: rule.bugCheck, rule: rule.id });
    }
    if (this.stopped) throw new BugCheck(this.stopped);
    return finding;
  }

  private located(driver: string, finding: Finding): SourceLocation | undefined {
    try {
      return this.locate(driver, finding);
    } catch {
      return undefined;
    }
  }

  /**
   * Records a finding and stops the machine whatever the rule's severity this run: for what leaves
   * a driver unable to go on (its thread hung and was stopped, its channel scribbled on).
   */
  halt(ruleId: string, report: Report): never {
    try {
      this.report(ruleId, report);
    } catch (error) {
      if (!(error instanceof BugCheck)) throw error;
    }
    if (!this.stopped) {
      const finding = this.findings.at(-1)!;
      this.stopped = finding;
      this.trace.record('bugcheck', { code: ruleById(ruleId).bugCheck, rule: ruleId });
    }
    throw new BugCheck(this.stopped);
  }

  /** Throws BugCheck if the machine has stopped (every entry into NDIS checks this first). */
  checkRunning(): void {
    if (this.stopped) throw new BugCheck(this.stopped);
  }
}

/** The bug check screen text, in the style of Windows, for a fatal finding. */
export function bugCheckScreen(finding: Finding): string {
  const names: Record<number, string> = {
    0xc4: 'DRIVER_VERIFIER_DETECTED_VIOLATION',
    0x9f: 'DRIVER_POWER_STATE_FAILURE',
    0x7e: 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED',
  };
  return [
    'A problem has been detected and NIC Lab has stopped the machine to protect it.',
    '',
    names[finding.bugCheck] ?? 'BUGCHECK',
    '',
    `Rule: ${finding.rule} (${finding.seed})`,
    finding.statement,
    `Driver: ${finding.driver}${finding.object ? `, ${finding.object}` : ''}`,
    finding.message,
    `Call path: ${finding.callPath.join(' > ') || '(none)'}`,
    '',
    `*** STOP: 0x${finding.bugCheck.toString(16).toUpperCase().padStart(8, '0')}${finding.bugCheckParameter1 !== undefined ? ` (0x${finding.bugCheckParameter1.toString(16).toUpperCase().padStart(8, '0')}, ...)` : ''} at trace event ${finding.event}`,
  ].join('\n');
}
