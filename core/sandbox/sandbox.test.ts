// The sandbox against hostile submissions, through `nic-lab grade` as an autograder runs it. Each
// attack is first shown to work when the same driver is graded in-process (so the test could
// fail), then shown to get nowhere in the sandbox.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labById, referenceDrivers, LABS_DIR } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));

function nicLab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A marker only the hidden scenarios file holds (the lab loader drops the field it sits in). */
const HIDDEN_MARKER = 'HIDDEN-MARKER-6b1f0c';
const SOLUTION_FILE = join(LABS_DIR, 'protocol-binding', 'solution.ts');
/** A line of the reference solution, which the grader never hands to the child. */
const SOLUTION_LINE = readFileSync(SOLUTION_FILE, 'utf8').split('\n').find((l) => l.includes('pendingPause = event'))!.trim();

/**
 * A driver that tries every way out it can find: read the hidden scenarios and the reference
 * solution, write a file, start a process, connect to a server, print a fake full-marks report,
 * send one over the IPC channel, and end the process. Anything it manages to read it throws, so
 * that it would land in the report's failures.
 */
function hostileDriver(paths: { hidden: string; written: string; spawned: string; port: number; exit: boolean }): string {
  return `
import { NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS } from "ndis";
const loot: string[] = [];
const attempts: (() => any)[] = [
  () => (process as any).getBuiltinModule("fs"),
  () => (process as any).binding("fs"),
  () => (globalThis as any).require("fs"),
  () => (process as any).mainModule.require("fs"),
];
function tryAll(use: (m: any) => void) {
  for (const get of attempts) { try { use(get()); } catch {} }
}
const builtin = (name: string) => { try { return (process as any).getBuiltinModule(name); } catch { return undefined; } };
try { (async function () {}).constructor('return import("node:fs")')().then((fs: any) => loot.push(fs.readFileSync(${JSON.stringify(paths.hidden)}, "utf8"))).catch(() => {}); } catch {}
try { (0, eval)('1'); loot.push("eval works"); } catch {}
export function DriverEntry(): number {
  tryAll((fs) => loot.push(fs.readFileSync(${JSON.stringify(paths.hidden)}, "utf8")));
  tryAll((fs) => loot.push(fs.readFileSync(${JSON.stringify(SOLUTION_FILE)}, "utf8")));
  tryAll((fs) => fs.writeFileSync(${JSON.stringify(paths.written)}, "written"));
  try { builtin("child_process").execFileSync("/bin/sh", ["-c", "echo spawned > ${paths.spawned}"]); } catch {}
  try { builtin("net").connect(${paths.port}, "127.0.0.1").on("error", () => {}); } catch {}
  try { (globalThis as any).fetch("http://127.0.0.1:${paths.port}/").catch(() => {}); } catch {}
  try { for (const k of Object.keys(process.env)) if (k.length) loot.push("env " + k); } catch {}
  if (loot.length > 0) throw new Error("LOOT " + loot.join("\\n"));
  const fake = JSON.stringify({ lab: "protocol-binding", score: 10, maxScore: 10, scenarios: [], traceHash: "0".repeat(64) });
  console.log(fake);
  try { process.stdout.write(fake + "\\n"); } catch {}
  try { (process as any).send({ ready: true }); (process as any).send({ nonce: "guess", report: JSON.parse(fake) }); } catch {}
  ${paths.exit ? 'process.exit(0);' : ''}
  const { Status } = NdisRegisterProtocolDriver(null, {
    Name: "hostile",
    BindAdapterHandlerEx: () => NDIS_STATUS_SUCCESS,
    UnbindAdapterHandlerEx: () => NDIS_STATUS_SUCCESS,
    NetPnPEventHandler: () => NDIS_STATUS_SUCCESS,
  });
  return Status;
}
`;
}

/** A driver that makes the grader's own checks pass by replacing Array.prototype.filter. */
const CHEATER = `
import { NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS } from "ndis";
const filter = Array.prototype.filter;
Array.prototype.filter = function (this: unknown[], ...args: any[]) {
  const kept = filter.apply(this, args as any);
  return kept.length > 0 && kept.every((x) => typeof x === "string" && x.startsWith("expected")) ? [] : kept;
} as any;
export function DriverEntry(): number {
  return NdisRegisterProtocolDriver(null, {
    Name: "cheater",
    BindAdapterHandlerEx: () => NDIS_STATUS_SUCCESS,
    UnbindAdapterHandlerEx: () => NDIS_STATUS_SUCCESS,
    NetPnPEventHandler: () => NDIS_STATUS_SUCCESS,
  }).Status;
}
`;

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

describe('grading untrusted code', () => {
  it('in-process (the control), the hostile driver reads the secrets, writes, spawns and connects', async () => {
    const paths = { hidden: join(dir, 'hidden', 'protocol-binding.json'), written: join(dir, 'control-written.txt'), spawned: join(dir, 'control-spawned.txt'), port, exit: false };
    const lab = labById('protocol-binding', join(dir, 'hidden'));
    const report = await gradeLab({ ...lab, scenarios: lab.scenarios.slice(0, 1) }, hostileDriver(paths), 'hostile.ts', referenceDrivers(), { seeds: 1 });
    const failures = report.scenarios[0]!.failures.join('\n');
    expect(failures).toContain(HIDDEN_MARKER);
    expect(failures).toContain(SOLUTION_LINE);
    expect(existsSync(paths.written)).toBe(true);
    expect(existsSync(paths.spawned)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBeGreaterThan(0);
  });

  it('in the sandbox it scores zero, leaks nothing into the report, writes and spawns nothing, connects nowhere', async () => {
    connections = 0;
    const paths = { hidden: join(dir, 'hidden', 'protocol-binding.json'), written: join(dir, 'written.txt'), spawned: join(dir, 'spawned.txt'), port, exit: true };
    const driver = join(dir, 'hostile.ts');
    writeFileSync(driver, hostileDriver(paths));
    const gradescope = join(dir, 'results.json');
    const { code, stdout, stderr } = await nicLab('grade', 'protocol-binding', driver, '--hidden', join(dir, 'hidden'), '--seeds', '1', '--json', '--reveal-hidden', '--gradescope', gradescope, '--time-limit', '20');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout); // the fake report the driver printed is not in our stdout
    expect(report).toMatchObject({ lab: 'protocol-binding', score: 0, status: 'graded' });
    expect(report.maxScore).toBe(15);
    expect(report.scenarios.find((s: { id: string }) => s.id === 'secret')).toMatchObject({ hidden: true, passed: false });
    // Exiting early is refused; the driver fails to load, its attempts having come to nothing.
    expect(report.scenarios[0].failures[0].split('\n')[0]).toBe('bug check 0x7E (HandlerThrew): DriverEntry threw Error: process.exit is not available while a submission is graded');
    for (const text of [stdout, readFileSync(gradescope, 'utf8')]) {
      expect(text).not.toContain(HIDDEN_MARKER);
      expect(text).not.toContain(SOLUTION_LINE);
      expect(text).not.toContain('LOOT');
      expect(text).not.toContain('"0000000000');
    }
    expect(existsSync(paths.written)).toBe(false);
    expect(existsSync(paths.spawned)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBe(0);
  });

  it('a driver that replaces Array.prototype.filter gets full marks in-process and zero in the sandbox', async () => {
    const lab = labById('protocol-binding');
    const filter = Array.prototype.filter;
    let inProcessScore: number[];
    try {
      const inProcess = await gradeLab(lab, CHEATER, 'cheater.ts', referenceDrivers(), { seeds: 1 });
      inProcessScore = [inProcess.score, inProcess.maxScore];
    } finally {
      Array.prototype.filter = filter; // in this process the cheater changed it for everyone
    }
    expect(inProcessScore[0]).toBe(inProcessScore[1]);
    const driver = join(dir, 'cheater.ts');
    writeFileSync(driver, CHEATER);
    const { code, stdout } = await nicLab('grade', 'protocol-binding', driver, '--seeds', '1', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.score).toBe(0);
    expect(report.scenarios[0].failures[0]).toMatch(/^cheater\.ts: failed while loading: TypeError: Cannot assign to read only property 'filter' of object '\[object Array\]'\n\s+at cheater\.ts:\d+:\d+$/);
  });
});
