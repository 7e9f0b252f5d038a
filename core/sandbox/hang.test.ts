// A driver that never gives control back, graded: each attack is a submission that hangs (in a
// handler, in DriverEntry, in its module's top level, or disguised: in a getter NDIS reads after
// the handler returned, in a promise callback), and each test checks what `grade` records: a
// DriverHung finding naming the driver and where it hung, that scenario at 0 points, every other
// scenario graded as usual in a fresh child, status graded. Then `nic-lab grade` and `nic-lab run`
// end to end: the handler named, exit 0.

import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradeInSandbox, DEFAULT_LIMITS, type SandboxOutcome } from './sandbox.ts';
import { labById, referenceDrivers } from '../grading/labs.ts';
import type { GradeReport } from '../grading/grade.ts';

const lab = labById('protocol-binding');
const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));
/** A short hang limit keeps these tests quick; a run of the solution keeps control a few ms at a time. */
const limits = { ...DEFAULT_LIMITS, hangMs: 1000 };

/** The solution with `replace`'s first argument replaced by its second (which must match). */
function variant(search: string | RegExp, replacement: string): string {
  const source = lab.solutionSource.replace(search, replacement);
  expect(source).not.toBe(lab.solutionSource);
  return source;
}

/** The lab's first two scenarios: enough for a hang in every scenario, at half the cost of them all. */
const twoScenarios = { ...lab, scenarios: lab.scenarios.slice(0, 2) };

async function graded(source: string, graded = lab): Promise<GradeReport> {
  const outcome: SandboxOutcome = await gradeInSandbox(graded, source, 'hung.ts', referenceDrivers(), { seeds: 2 }, limits);
  expect(outcome.status, outcome.status === 'graded' ? '' : outcome.reason).toBe('graded');
  return (outcome as Extract<SandboxOutcome, { status: 'graded' }>).report;
}

/** Every scenario graded. */
const EVERY: string[] = [];

/** The scenarios that take `op` (and so reach the handler that hangs), by id. */
const withStep = (op: string) => lab.scenarios.filter((s) => s.steps.some((step) => step.op === op)).map((s) => s.id);

/** Where `token` first is in `source`, 1-based, as the place of a handler's declaration in hung.ts. */
function declared(source: string, token: string): { file: string; line: number; column: number; kind: 'handler' } {
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes(token));
  expect(line).toBeGreaterThanOrEqual(0);
  return { file: 'hung.ts', line: line + 1, column: lines[line]!.indexOf(token) + 1, kind: 'handler' };
}

/**
 * Checks that exactly the scenarios `hung` got DriverHung with a message matching `message` (and
 * the place `location`: the declaration of the handler that did not return, or none), and every
 * other one passed.
 */
function expectHungIn(report: GradeReport, hung: string[], message: RegExp, location?: ReturnType<typeof declared>): void {
  if (hung === EVERY) hung = report.scenarios.map((s) => s.id);
  expect(hung.length).toBeGreaterThan(0);
  for (const s of report.scenarios) {
    if (!hung.includes(s.id)) {
      expect(s.passed, `${s.id}: ${s.failures.join('; ')}`).toBe(true);
      expect(s.points).toBe(s.maxPoints);
      continue;
    }
    expect(s.passed, s.id).toBe(false);
    expect(s.points).toBe(0);
    expect(s.findings, s.id).toHaveLength(1);
    expect(s.findings[0]).toMatchObject({ rule: 'DriverHung', driver: 'hung' });
    expect(s.findings[0]!.message, s.id).toMatch(message);
    expect(s.findings[0]!.location, s.id).toEqual(location);
    expect(s.failingSeed, s.id).toBe(1);
    expect(s.failures[0]).toMatch(/^the run under seed 1 did not finish: the driver hung/);
  }
  expect(report.score).toBe(report.scenarios.reduce((n, s) => n + s.points, 0));
}

describe('a driver that hangs, graded', () => {
  it('in ProtocolUnbindAdapterEx: the scenarios that unbind get DriverHung naming the handler; the others are graded as usual', async () => {
    const source = variant(/UnbindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'UnbindAdapterHandlerEx($1): NDIS_STATUS { while (true) {}');
    const report = await graded(source);
    expectHungIn(report, withStep('unbind'), /^hung!ProtocolUnbindAdapterEx did not return within 1 s of wall-clock time; a handler must return$/, declared(source, 'UnbindAdapterHandlerEx('));
    expect(report.scenarios.filter((s) => s.passed).length).toBeGreaterThan(0);
  });

  it('in ProtocolBindAdapterEx: every scenario gets DriverHung naming it, and grading still ends, graded', async () => {
    const source = variant(/BindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'BindAdapterHandlerEx($1): NDIS_STATUS { while (true) {}');
    const report = await graded(source, twoScenarios);
    expectHungIn(report, EVERY, /^hung!ProtocolBindAdapterEx did not return within 1 s/, declared(source, 'BindAdapterHandlerEx('));
    expect(report.score).toBe(0);
  });

  it('in DriverEntry, and in the module\'s own top-level code: named as such', async () => {
    const entrySource = variant('export function DriverEntry(): NDIS_STATUS {', 'export function DriverEntry(): NDIS_STATUS {\n  for (;;) {}');
    const entry = await graded(entrySource, twoScenarios);
    expectHungIn(entry, EVERY, /^hung!DriverEntry did not return within 1 s/, declared(entrySource, 'DriverEntry('));
    const top = await graded(`for (;;) {}\n${lab.solutionSource}`, twoScenarios);
    expectHungIn(top, EVERY, /^the driver's module code \(its top level, run as it loads\) did not finish within 1 s/);
  });

  it('disguised in a getter NDIS reads after the handler returned (`then` on what it returned): named with the handler it came from', async () => {
    const report = await graded(variant(/UnbindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'UnbindAdapterHandlerEx($1): NDIS_STATUS { if (b) return { get then() { for (;;) {} } } as any;'));
    expectHungIn(report, withStep('unbind'), /^the driver kept control for 1 s of wall-clock time after hung!ProtocolUnbindAdapterEx returned: NDIS was running code the driver handed it/);
  });

  it('disguised in a getter NDIS reads inside the handler\'s own NDIS call: named as that handler', async () => {
    const source = variant('AdapterName: params.AdapterName,', 'get AdapterName(): string { for (;;) {} },');
    const report = await graded(source, twoScenarios);
    expectHungIn(report, EVERY, /^hung!ProtocolBindAdapterEx did not return within 1 s/, declared(source, 'BindAdapterHandlerEx('));
  });

  it('disguised in a promise callback the handler leaves behind, which runs once the handler has returned: still DriverHung in that scenario', async () => {
    const report = await graded(variant(/UnbindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'UnbindAdapterHandlerEx($1): NDIS_STATUS { void Promise.resolve().then(() => { for (;;) {} });'));
    expectHungIn(report, withStep('unbind'), /^the driver kept control for 1 s of wall-clock time after hung!\w+ returned/);
  });
});

function nicLab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nic-lab-hang-'));
  const driver = join(dir, 'hung.ts');

  it('`nic-lab grade` reports DriverHung with the handler in the scenario it hung in, scores the rest, and exits 0', async () => {
    writeFileSync(driver, variant(/UnbindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'UnbindAdapterHandlerEx($1): NDIS_STATUS { while (true) {}'));
    const { code, stdout } = await nicLab('grade', 'protocol-binding', driver, '--seeds', '1', '--hang-limit', '1', '--json', '--reveal-hidden');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as GradeReport & { status: string };
    expect(report.status).toBe('graded');
    expectHungIn(report, withStep('unbind'), /^hung!ProtocolUnbindAdapterEx did not return within 1 s/, declared(readFileSync(driver, 'utf8'), 'UnbindAdapterHandlerEx('));
  });

  it('`nic-lab run` stops the handler with DriverHung, names it, writes the trace so far, and exits 0', async () => {
    writeFileSync(driver, variant(/BindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'BindAdapterHandlerEx($1): NDIS_STATUS { while (true) {}'));
    const trace = join(dir, 'trace.jsonl');
    const { code, stdout } = await nicLab('run', 'protocol-binding', '--driver', driver, '--hang-limit', '1', '--trace', trace);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: FAIL\n/);
    const { line, column } = declared(readFileSync(driver, 'utf8'), 'BindAdapterHandlerEx(');
    expect(stdout).toContain(`\n  finding DriverHung (hung, event `);
    expect(stdout).toMatch(new RegExp(`\\n {2}finding DriverHung \\(hung, event \\d+, handler declared at hung\\.ts:${line}:${column}\\): hung!ProtocolBindAdapterEx did not return: hung\\.ts did not return within 1000 ms \\(wall clock\\); its thread was stopped\\n`));
    expect(stdout).toMatch(/trace: \d+ events, sha256 [0-9a-f]{64} -> /);
  });

  it('`nic-lab run` stops a module whose top level never finishes, with DriverHung', async () => {
    writeFileSync(driver, `for (;;) {}\n${lab.solutionSource}`);
    const { code, stdout } = await nicLab('run', 'protocol-binding', '--driver', driver, '--hang-limit', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/finding DriverHung \(hung, event \d+\): hung\.ts: its module code \(the top level, run as it loads\) did not finish within \d+ ms \(wall clock\); its thread was stopped/);
  });
});
