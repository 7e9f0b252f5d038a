// The `nic-lab` command as a user runs it: a child process through bin/nic-lab.js.

import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('nic-lab', () => {
  it('demo: frames cross a faulty cable, and the same seed prints the same thing', async () => {
    const first = await run('demo', '--seed', '3', '--frames', '120');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sent 120 frames from NIC 0; NIC 1 received (\d+)/);
    expect(first.stdout).toContain('NIC 1 link down; ICR has LSC');
    const received = Number(/NIC 1 received (\d+)/.exec(first.stdout)![1]);
    expect(received).toBeGreaterThan(90);
    expect(received).toBeLessThan(120);
    expect((await run('demo', '--seed', '3', '--frames', '120')).stdout).toBe(first.stdout);
  });

  it('usage errors say what is wrong in one line and exit 2', async () => {
    for (const args of [['bogus'], ['demo', '--nope'], ['demo', '--seed', 'x'], ['bench', '--only', 'nope']]) {
      const { code, stderr } = await run(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toMatch(/^nic-lab: /);
    }
  });

  it('--help on every command', async () => {
    for (const command of ['demo', 'bench', 'rules', 'labs', 'grade', 'run', 'grade-batch', 'memory-map', 'lab check', 'lab new', 'lab scenarios']) {
      const { code, stdout } = await run(...command.split(' '), '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`usage: nic-lab ${command}`);
    }
  });

  it('rules --json prints the catalog as [{ id, statement, seed, severity }]', async () => {
    const { code, stdout } = await run('rules', '--json');
    expect(code).toBe(0);
    const rules = JSON.parse(stdout) as { id: string; statement: string; seed: string; severity: string }[];
    expect(rules.map((r) => r.id)).toContain('PnPEventMustSucceed');
    expect(rules.find((r) => r.id === 'FilterPauseFailed')).toMatchObject({ severity: 'fatal', seed: expect.stringContaining('004') });
  });

  it('labs --json lists the course with repository-relative paths', async () => {
    const { code, stdout } = await run('labs', '--json');
    expect(code).toBe(0);
    const labs = JSON.parse(stdout) as { id: string; order: number; kind: string; seed: string; starter: string; solution: string }[];
    expect(labs[0]).toEqual({ id: 'protocol-binding', title: 'The seven states of a binding', order: 1, kind: 'protocol', seed: '000', dir: 'labs/protocol-binding', starter: 'labs/protocol-binding/starter.ts', solution: 'labs/protocol-binding/solution.ts' });
  });

  it('grade --json: full marks for the solution, less for the starter, exit 0 either way; 2 for unusable input', async () => {
    const solution = JSON.parse((await run('grade', 'protocol-binding', 'labs/protocol-binding/solution.ts', '--seeds', '2', '--json')).stdout) as { score: number; maxScore: number; scenarios: { id: string; hidden: boolean; passed: boolean }[]; traceHash: string };
    expect(solution.score).toBe(solution.maxScore);
    expect(solution.traceHash).toMatch(/^[0-9a-f]{64}$/);
    const starter = await run('grade', 'protocol-binding', 'labs/protocol-binding/starter.ts', '--seeds', '2', '--json');
    expect(starter.code).toBe(0);
    const report = JSON.parse(starter.stdout) as { score: number; maxScore: number; scenarios: { passed: boolean; failingSeed?: number }[] };
    expect(report.score).toBeLessThan(report.maxScore);
    expect(report.scenarios.find((s) => !s.passed)!.failingSeed).toBe(1);
    expect((await run('grade', 'no-such-lab', 'x.ts')).code).toBe(2);
    expect((await run('grade', 'protocol-binding', 'missing.ts')).code).toBe(2);
  });

  it('memory-map prints the regions', async () => {
    const { code, stdout } = await run('memory-map', '--nics', '2');
    expect(code).toBe(0);
    expect(stdout).toContain('NIC 1 registers');
    expect(stdout).toContain('DMA window');
  });

  it('bench --quick --json prints one object with every benchmark, each checked end to end', async () => {
    const { code, stdout } = await run('bench', '--quick', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { machine: { cpus: number }; results: { name: string; pps?: number; seconds?: number; runs: number[]; median_of: number; gbps?: number; notes?: string }[] };
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.results.map((r) => r.name)).toEqual(['postmessage-per-packet-64B', 'ring-sab-64B', 'ring-wasm-64B', 'nic-loopback-64B', 'nic-loopback-1500B', 'stack-postmessage-64B', 'stack-live-64B', 'stack-live-1500B', 'grade-lab', 'grade-batch-200']);
    for (const r of report.results) {
      if (r.name.startsWith('grade-')) expect(r.seconds, r.name).toBeGreaterThan(0);
      else expect(r.pps, r.name).toBeGreaterThan(0);
      expect(r.runs).toHaveLength(r.median_of);
    }
    expect(report.results.find((r) => r.name === 'grade-lab')!.notes).toMatch(/\d+k events\/s over \d+ events \(200 frames\), \d+k events\/s over \d+ events \(2000 frames\); fitted -?[\d.]+ us per event plus -?[\d.]+ ms per run/);
    expect(report.results.find((r) => r.name === 'nic-loopback-1500B')!.gbps).toBeGreaterThan(0);
  });
});
