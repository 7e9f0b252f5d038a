// What scenarios grade is the engine's own state: the NIC's counters, the frames on the wire, NBL
// ownership, handles. Each test is an attack on that state from inside a driver, first in this
// test process (the realm is not locked down: the attack works, so the test could fail), then in
// the grading child, where it must get nowhere.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labById, listLabs, referenceDrivers } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';
import { runScenario } from '../scenario/runner.ts';
import { parseLab } from '../scenario/schema.ts';
import { gradeInSandbox } from './sandbox.ts';
import { counterForger, grabbingDriver } from '../testing/hostile-drivers.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));
const references = referenceDrivers();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-engine-state-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A lab whose one scenario starts the machine and grades GPTC: nothing is sent, so it must be 0. */
const counterLab = parseLab({
  id: 'counter-forgery', title: 'Counter forgery', order: 1, summary: 's', seed: '000', kind: 'protocol', starter: 's.ts', solution: 'x.ts', instructions: 'i.md',
  scenarios: [{ id: 'counted', title: 'Seven frames were sent', points: 1, steps: [{ op: 'start' }], expectations: [{ expect: 'counter', adapter: 0, register: 'GPTC', exactly: 7 }] }],
}, 'test/lab.json');

describe('the state scenarios grade is out of a driver\'s reach', () => {
  it('a driver that sends nothing cannot write GPTC: unconfined it passes the counter expectation, graded it does not', async () => {
    const forger = counterForger(7) + references.protocol;
    const control = await runScenario(counterLab, counterLab.scenarios[0]!, forger, 'forger.ts', 1, references);
    expect(control.failures).toEqual([]);

    const graded = await gradeInSandbox(counterLab, forger, 'forger.ts', references, { seeds: 1 });
    expect(graded.status).toBe('graded');
    if (graded.status !== 'graded') return;
    expect(graded.report.score).toBe(0);
    expect(graded.report.scenarios[0]!.failures).toEqual(['expected exactly 7 GPTC on nic0; there were 0']);
  });

  it('no view a driver gets leads to the machine\'s memory (unconfined, a NET_BUFFER\'s Data gives out the whole of it)', async () => {
    const lab = labById('protocol-binding');
    const control = await gradeLab({ ...lab, scenarios: lab.scenarios.filter((s) => s.id === 'traffic-across-a-pause') }, grabbingDriver(lab.solutionSource), 'grabbing.ts', references, { seeds: 1 });
    expect(control.scenarios[0]!.failures.join('\n')).toMatch(/GRABBED .*\.Data\.buffer/);
  });

  // Every lab: filters are handed other objects than protocols (their NBLs, module handles, OIDs).
  it.each(listLabs().map((l) => [l.id, l] as const))('in %s, graded, a driver that looks everywhere for the machine\'s memory finds none and scores full marks', async (_id, course) => {
    const driver = join(dir, `grabbing-${course.id}.ts`);
    writeFileSync(driver, grabbingDriver(course.solutionSource));
    const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'grade', course.id, driver, '--json', '--reveal-hidden', '--seeds', '1'], { timeout: 120_000, maxBuffer: 64 << 20 }, (_e, out) => resolve({ stdout: out }));
    });
    const report = JSON.parse(stdout) as { score: number; maxScore: number; scenarios: { failures: string[] }[] };
    expect(report.scenarios.flatMap((s) => s.failures)).toEqual([]);
    expect(report.score).toBe(report.maxScore);
  });
});
