// The parent trusts nothing from the grading child. Each test replaces the child's program with a
// hostile one (what a driver that broke out of its compartment could make the child do) and checks
// what the parent records: the job sent once and without secrets, reports checked against the
// lab, messages past the protocol ending the child, sizes capped, and a crash's verdict taken
// from how the child ended and the parent's own memory watch, never from the child's words.

import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { gradeInSandbox, childArguments, DEFAULT_LIMITS, type SandboxOutcome } from './sandbox.ts';
import { labById, referenceDrivers } from '../grading/labs.ts';
import { gradeScenario, type ScenarioReport } from '../grading/grade.ts';

const lab = labById('protocol-binding');

/** Grades the starter with `program` (an ES module) as the child's program instead of the grader. */
function withChild(program: string, memoryMiB = DEFAULT_LIMITS.memoryMiB, timeLimitMs = 20_000): Promise<SandboxOutcome> {
  const limits = { memoryMiB, timeLimitMs };
  return gradeInSandbox(lab, lab.starterSource, 'starter.ts', referenceDrivers(), { seeds: 1 }, limits, [`--max-old-space-size=${memoryMiB}`, '--input-type=module', '-e', program]);
}

const reason = (outcome: SandboxOutcome) => (outcome.status === 'graded' ? '' : outcome.reason);

/** A child that answers its job with the messages `messages` (an expression over `job`: an array), in order, then exits. */
const answering = (messages: string) => `process.send({ ready: true }); process.once('message', async (job) => { for (const m of ${messages}) await new Promise((r) => process.send(m, r)); process.exit(0); });`;

/** What the real grader would send for `source` under one seed: a message per scenario. */
async function realMessages(source: string): Promise<{ scenario: ScenarioReport; hashes: string[] }[]> {
  const messages = [];
  for (const scenario of lab.scenarios) messages.push(await gradeScenario(lab, scenario, source, 'driver.ts', referenceDrivers(), { seeds: 1 }).then(({ report, hashes }) => ({ scenario: report, hashes })));
  return messages;
}

describe('the job', () => {
  it('holds the lab\'s scenarios, hidden ones too, and not its solution, starter, instructions or folder', async () => {
    const outcome = await withChild(answering(`[{ error: JSON.stringify({ fields: Object.keys(job.lab).sort(), scenarios: job.lab.scenarios.map((s) => s.id), text: JSON.stringify(job).length }) }]`));
    expect(outcome.status).toBe('crashed');
    const told = JSON.parse(/grading stopped with an error \((.*)\)$/.exec(reason(outcome))![1]!);
    expect(told.scenarios).toEqual(lab.scenarios.map((s) => s.id));
    expect(told.scenarios).toContain('traffic-across-a-pause'); // a hidden scenario: the engine needs it
    for (const secret of ['solutionSource', 'starterSource', 'instructionsText', 'dir']) expect(told.fields).not.toContain(secret);
    expect(JSON.stringify(told)).not.toContain(lab.solutionSource.slice(0, 200));
  });

  it('is sent once: a child that asks again gets nothing more and is stopped', async () => {
    const outcome = await withChild(`process.send({ ready: true }); process.on('message', () => process.send({ ready: true }));`);
    expect(outcome).toEqual({ status: 'crashed', reason: 'crashed: the grading process sent a result that is not a report, so nothing it said was used' });
  });
});

describe('the report', () => {
  it('is rebuilt from the parent\'s lab: ids, titles, hidden flags and points are the lab\'s, the score is their sum', async () => {
    const real = await realMessages(lab.solutionSource);
    const renamed = real.map((m) => ({ ...m, scenario: { ...m.scenario, title: 'renamed', hidden: false } }));
    const outcome = await withChild(answering(JSON.stringify(renamed)));
    expect(outcome.status).toBe('graded');
    if (outcome.status !== 'graded') return;
    expect(outcome.report.score).toBe(lab.scenarios.reduce((n, s) => n + s.points, 0));
    expect(outcome.report.scenarios.map((s) => [s.id, s.title, s.hidden])).toEqual(lab.scenarios.map((s) => [s.id, s.title, s.hidden]));
  });

  const first = lab.scenarios[0]!;
  it.each([
    ['points over the maximum', (m: any[]) => m.map((x) => ({ ...x, scenario: { ...x.scenario, points: 1_000_000_000 } })), new RegExp(`sent a report that is not one of this lab \\(scenario "${first.id}" has 1000000000 points`)],
    ['points for a failed scenario', (m: any[]) => m.map((x) => ({ ...x, scenario: { ...x.scenario, passed: false } })), new RegExp(`sent a report that is not one of this lab \\(scenario "${first.id}" has ${first.points} points; it failed and is worth ${first.points}`)],
    ['a scenario the lab lacks', (m: any[]) => [{ ...m[0], scenario: { ...m[0].scenario, id: 'extra' } }, ...m.slice(1)], new RegExp(`sent a report that is not one of this lab \\(scenario "extra" was reported where "${first.id}" was next`)],
    ['the scenarios out of order', (m: any[]) => [m[1], m[0], ...m.slice(2)], new RegExp(`sent a report that is not one of this lab \\(scenario "${lab.scenarios[1]!.id}" was reported where "${first.id}" was next`)],
    ['a scenario without its trace hashes', (m: any[]) => m.map((x) => ({ ...x, hashes: [] })), new RegExp(`sent scenario "${first.id}" without one trace hash per seed`)],
    ['one scenario only', (m: any[]) => m.slice(0, 1), /^crashed: the grading process ended before it had reported every scenario \(exit code 0\)$/],
  ])('of %s is refused, and nothing of it is recorded', async (_what, forge, expected) => {
    const outcome = await withChild(answering(JSON.stringify(forge(await realMessages(lab.solutionSource)))));
    expect(outcome.status).toBe('crashed');
    expect(reason(outcome)).toMatch(expected);
  });

  it('has every text capped: a 4 M-character failure is kept as its first 4096 characters', async () => {
    const real = await realMessages(lab.starterSource);
    const failing = real.findIndex((m) => !m.scenario.passed);
    const program = answering(`(() => { const r = ${JSON.stringify(real)}; r[${failing}].scenario.failures = ['x'.repeat(4_000_000)]; return r; })()`);
    const outcome = await withChild(program);
    expect(outcome.status).toBe('graded');
    if (outcome.status !== 'graded') return;
    expect(outcome.report.scenarios[failing]!.failures[0]).toBe(`${'x'.repeat(4096)}… (${4_000_000 - 4096} more characters)`);
  });
});

describe('what the child sends beyond the protocol', () => {
  it('a flood of messages ends the child at the first one past what it was asked for', async () => {
    const outcome = await withChild(`process.send({ ready: true }); process.once('message', () => { for (let i = 0; i < 100000; i++) process.send({ error: 'flood ' + i }); });`);
    expect(outcome).toEqual({ status: 'crashed', reason: 'crashed: the grading process sent more than it was asked for, so nothing it said was used' });
  });

  it('a result larger than the limit is not read', async () => {
    const outcome = await withChild(answering(`[{ error: 'x'.repeat(20_000_000) }]`));
    expect(reason(outcome)).toMatch(/^crashed: the grading process sent a result of 200000\d\d bytes \(the limit is 8388608\), so nothing it said was used$/);
  });

  it('a message before "ready" is the child breaking the protocol', async () => {
    const outcome = await withChild(`process.send({ report: { score: 10 } });`);
    expect(outcome).toEqual({ status: 'crashed', reason: 'crashed: the grading process spoke before it was ready, so nothing it said was used' });
  });
});

describe('how a child that ends without a result is judged', () => {
  it('by how it ended, not by what it wrote: "heap out of memory" on stderr and exit 1 is a crash', async () => {
    const outcome = await withChild(`process.send({ ready: true }); process.once('message', () => { process.stderr.write('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\\n'); process.exit(1); });`);
    expect(outcome).toEqual({ status: 'crashed', reason: 'crashed: the grading process ended before it had reported every scenario (exit code 1)' });
  });

  it('memory outside the V8 heap (ArrayBuffers) counts: the parent watches the resident size and stops it', async () => {
    const outcome = await withChild(`process.send({ ready: true }); process.once('message', () => { const held = []; for (;;) held.push(new Uint8Array(16 << 20).fill(1)); });`, 256);
    expect(outcome.status).toBe('out of memory');
    expect(reason(outcome)).toMatch(/^out of memory: the grading process held \d+ MiB, over the 256 MiB limit$/);
  });

  it('the V8 heap limit is out of memory too (V8 aborts the process)', async () => {
    const outcome = await withChild(`process.send({ ready: true }); process.once('message', () => { const held = []; for (;;) held.push({ n: new Array(1000).fill(1) }); });`, 64);
    expect(outcome).toEqual({ status: 'out of memory', reason: expect.stringMatching(/^out of memory: the grading process held \d+ MiB, over the 64 MiB limit$|^out of memory: the 64 MiB heap limit was reached$/) });
  });

  it('a child that never answers is stopped at the time limit', async () => {
    const outcome = await withChild(`process.send({ ready: true }); setInterval(() => {}, 1000);`, 256, 1500);
    expect(outcome).toEqual({ status: 'timed out', reason: 'timed out: no result within 1.5 s' });
  });
});

describe('a hang, as the parent judges it', () => {
  const oneScenario = { ...lab, scenarios: lab.scenarios.slice(0, 1) };
  const hangLimits = { ...DEFAULT_LIMITS, hangMs: 500, timeLimitMs: 20_000 };
  const hostile = (line: string) => `import { writeSync } from 'node:fs'; process.send({ ready: true }); process.once('message', () => { writeSync(4, ${JSON.stringify(`${line}\n`)}); for (;;) {} });`;

  it('rests on its own clock and lab: a child that names another driver\'s handler, another scenario and a seed out of range, then stops, gets DriverHung on the scenario next, blamed on the submission, with no seed', async () => {
    const outcome = await gradeInSandbox(oneScenario, lab.starterSource, 'starter.ts', referenceDrivers(), { seeds: 1 }, hangLimits,
      ['--input-type=module', '-e', hostile('[3,99,1,1,"reference-protocol!ProtocolReceiveNetBufferLists",7,"reference-protocol!ProtocolReceiveNetBufferLists",null,0]')]);
    expect(outcome.status).toBe('graded');
    if (outcome.status !== 'graded') return;
    const [s] = outcome.report.scenarios;
    expect(s).toMatchObject({ id: oneScenario.scenarios[0]!.id, points: 0, passed: false, findings: [{ rule: 'DriverHung', driver: 'starter' }] });
    expect(s!.failingSeed).toBeUndefined();
    expect(outcome.report.score).toBe(0);
  });

  it('a child that hangs before it writes any heartbeat is not a driver hang: nothing of the driver ran, so the time limit ends it', async () => {
    const outcome = await gradeInSandbox(oneScenario, lab.starterSource, 'starter.ts', referenceDrivers(), { seeds: 1 }, { ...hangLimits, timeLimitMs: 2000 },
      ['--input-type=module', '-e', `process.send({ ready: true }); process.once('message', () => { for (;;) {} });`]);
    expect(outcome).toEqual({ status: 'timed out', reason: 'timed out: no result within 2 s' });
  });
});

describe('the network', () => {
  const hasNetworkPermission = process.allowedNodeEnvironmentFlags.has('--allow-net');
  // Node 25 and later: the permission model covers the network, and the child is not given --allow-net.
  it.skipIf(!hasNetworkPermission)('is closed to the grading child by the permission model (Node 25+)', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const args = childArguments(DEFAULT_LIMITS).filter((a) => a !== '-');
    expect(args.some((a) => a.startsWith('--allow-net'))).toBe(false);
    const result = spawnSync(process.execPath, [...args, '-e', `import net from 'node:net'; net.connect(${port}, '127.0.0.1').on('error', (e) => console.log(e.code)).on('connect', () => console.log('connected'));`], { encoding: 'utf8' });
    await new Promise((resolve) => server.close(resolve));
    expect(result.stdout.trim()).toBe('ERR_ACCESS_DENIED');
  });
});
