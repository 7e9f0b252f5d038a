// The sandbox against hostile submissions, through `nic-lab grade` as an autograder runs it. Each
// attack is a lab's solution with a prelude (hostile-drivers.ts): graded in the sandbox it must
// score what the solution scores (the attack got nowhere); the same driver in this test process,
// where the realm is not locked down, shows that the attack is real (so the test could fail).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labById, listLabs, referenceDrivers } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';
import { escapingDriver, survivingDriver, WORLD_DESCRIBER } from '../testing/hostile-drivers.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));

function nicLab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A marker only the hidden scenarios file holds (the lab loader drops the field it sits in). */
const HIDDEN_MARKER = 'HIDDEN-MARKER-6b1f0c';
const lab = labById('protocol-binding');
/** A line of the reference solution, which the grader never hands to the child. */
const SOLUTION_LINE = lab.solutionSource.split('\n').find((l) => l.includes('pendingPause = event'))!.trim();

/** A driver that reads, writes, spawns and connects through `process`, wherever it finds one. */
function processUser(paths: { hidden: string; written: string; spawned: string; port: number }): string {
  return `
declare const process: any;
const loot: string[] = [];
const reach = (): any => { try { if (process) return process; } catch {} try { return (require('ndis').NdisRegisterProtocolDriver as any).constructor('return process')(); } catch {} return undefined; };
const p = reach();
if (p) {
  const fs = p.getBuiltinModule('fs');
  try { loot.push(fs.readFileSync(${JSON.stringify(paths.hidden)}, 'utf8')); } catch {}
  try { fs.writeFileSync(${JSON.stringify(paths.written)}, 'written'); } catch {}
  try { p.getBuiltinModule('child_process').execFileSync('/bin/sh', ['-c', 'echo spawned > ${paths.spawned}']); } catch {}
  try { p.getBuiltinModule('net').connect(${paths.port}, '127.0.0.1').on('error', () => {}); } catch {}
  try { p._send?.({ report: { score: 1000 } }); } catch {}
  throw new Error('LOOT ' + loot.join(' '));
}
`;
}

let dir: string;
let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-sandbox-'));
  mkdirSync(join(dir, 'hidden'));
  writeFileSync(join(dir, 'hidden', 'protocol-binding.json'), JSON.stringify({
    scenarios: [{ id: 'secret', title: 'A hidden scenario', note: HIDDEN_MARKER, points: 5, steps: [{ op: 'start' }], expectations: [{ expect: 'noFindings' }] }],
  }));
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function gradeSandboxed(name: string, source: string, ...args: string[]) {
  const driver = join(dir, name);
  writeFileSync(driver, source);
  const { code, stdout, stderr } = await nicLab('grade', 'protocol-binding', driver, '--json', '--reveal-hidden', ...args);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as { score: number; maxScore: number; status: string; scenarios: { id: string; passed: boolean; failures: string[]; findings: { message: string }[] }[] };
}

describe('driver code in the grading child', () => {
  it('reaches no process: in this (unlocked) realm the driver reads, writes, spawns and connects; sandboxed it is the solution', async () => {
    const paths = { hidden: join(dir, 'hidden', 'protocol-binding.json'), written: join(dir, 'control-written.txt'), spawned: join(dir, 'control-spawned.txt'), port };
    const source = processUser(paths) + lab.solutionSource;
    const control = await gradeLab({ ...lab, scenarios: lab.scenarios.slice(0, 1) }, source, 'hostile.ts', referenceDrivers(), { seeds: 1 });
    expect(control.scenarios[0]!.failures.join('\n')).toContain(HIDDEN_MARKER);
    expect(existsSync(paths.written) && existsSync(paths.spawned)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBeGreaterThan(0);

    connections = 0;
    const sandboxed = { ...paths, written: join(dir, 'written.txt'), spawned: join(dir, 'spawned.txt') };
    const gradescope = join(dir, 'results.json');
    const report = await gradeSandboxed('hostile.ts', processUser(sandboxed) + lab.solutionSource, '--hidden', join(dir, 'hidden'), '--seeds', '1', '--gradescope', gradescope);
    // Full marks: the lab's scenarios and the hidden file's 5-point one.
    const max = lab.scenarios.reduce((n, s) => n + s.points, 0) + 5;
    expect(report).toMatchObject({ lab: 'protocol-binding', status: 'graded', score: max, maxScore: max });
    for (const text of [JSON.stringify(report), readFileSync(gradescope, 'utf8')]) {
      expect(text).not.toContain(HIDDEN_MARKER);
      expect(text).not.toContain(SOLUTION_LINE);
      expect(text).not.toContain('LOOT');
    }
    expect(existsSync(sandboxed.written) || existsSync(sandboxed.spawned)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBe(0);
  });

  it('finds no way out: every route the escape prelude tries is closed (in this unlocked realm some are open)', async () => {
    const source = escapingDriver(lab.solutionSource);
    const control = await gradeLab({ ...lab, scenarios: lab.scenarios.slice(0, 1) }, source, 'escaping.ts', referenceDrivers(), { seeds: 1 });
    expect(control.scenarios[0]!.failures[0]).toMatch(/LOOT .*process via an NDIS function's constructor/);
    const report = await gradeSandboxed('escaping.ts', source, '--seeds', '2');
    expect(report.scenarios.flatMap((s) => s.failures)).toEqual([]);
    expect(report.score).toBe(report.maxScore);
  });

  it('keeps nothing from one run to the next: in this unlocked realm a later run finds the marks of an earlier one', async () => {
    const control = await gradeLab(lab, survivingDriver(lab.solutionSource), 'surviving.ts', referenceDrivers(), { seeds: 2 });
    expect(control.scenarios.flatMap((s) => s.failures).join('\n')).toMatch(/SURVIVED /);
  });

  // Every lab: a filter is handed other objects than a protocol.
  it.each(listLabs().map((l) => [l.id, l] as const))('keeps nothing from one run to the next in %s: no mark a run leaves is found by a later one', async (_id, course) => {
    const driver = join(dir, `surviving-${course.id}.ts`);
    writeFileSync(driver, survivingDriver(course.solutionSource));
    const { stdout } = await nicLab('grade', course.id, driver, '--json', '--reveal-hidden', '--seeds', '2');
    const report = JSON.parse(stdout) as { score: number; maxScore: number; scenarios: { failures: string[] }[] };
    expect(report.scenarios.flatMap((s) => s.failures)).toEqual([]);
    expect(report.score).toBe(report.maxScore);
  });

  it('cannot tell a graded run from `nic-lab run`: the world it describes is the same in both', async () => {
    const driver = join(dir, 'world.ts');
    writeFileSync(driver, WORLD_DESCRIBER);
    const graded = await gradeSandboxed('world.ts', WORLD_DESCRIBER, '--seeds', '1');
    const gradedWorld = /WORLD .*/.exec(graded.scenarios[0]!.failures[0]!)?.[0];
    const run = await nicLab('run', 'protocol-binding', '--driver', driver);
    const runWorld = /WORLD .*/.exec(run.stdout)?.[0];
    expect(gradedWorld).toMatch(/^WORLD .*\|.*throws/);
    expect(runWorld).toBe(gradedWorld);
  });

  it('cannot rewrite the grader\'s own checks: a replaced Array.prototype.filter is refused at load', async () => {
    const cheater = `
Array.prototype.filter = function () { return []; } as any;
${lab.starterSource}`;
    const report = await gradeSandboxed('cheater.ts', cheater, '--seeds', '1');
    expect(report.score).toBe(0);
    expect(report.scenarios[0]!.failures[0]).toMatch(/^cheater\.ts: failed while loading: TypeError: Cannot assign to read only property 'filter' of object '\[object Array\]'\n\s+at cheater\.ts:2:\d+$/);
  });

  it('a handler that throws an object whose toString throws is graded at once, not timed out', async () => {
    const thrower = lab.solutionSource.replace(/BindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'BindAdapterHandlerEx($1): NDIS_STATUS { throw { toString() { throw new Error("no"); } };');
    expect(thrower).not.toBe(lab.solutionSource);
    const started = Date.now();
    const report = await gradeSandboxed('thrower.ts', thrower, '--seeds', '1', '--time-limit', '30');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.status).toBe('graded');
    expect(report.scenarios[0]!.findings[0]!.message).toMatch(/threw \[object Object\]/);
  });
});
