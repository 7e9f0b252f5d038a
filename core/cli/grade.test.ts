// `nic-lab grade`, `run` and `grade-batch` as a user runs them (child processes through
// bin/nic-lab.js): the report files against an in-process grade of the same driver, exit codes,
// replayable captures and traces, and a class with submissions that hang (everywhere, and in one
// handler), crash or do not compile.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labById, referenceDrivers } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';
import { outcomeOf, learnerView, gradescopeResults, prairieLearnResults, junitXml } from '../grading/reports.ts';
import { findSubmissions, shardOf, parseShard } from '../grading/batch.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));
const STARTER = 'labs/protocol-binding/starter.ts';
const SOLUTION = 'labs/protocol-binding/solution.ts';
const LAB = labById('protocol-binding');
/** The lab's points in all, and each scenario's, as the class CSV writes them. */
const MAX = LAB.scenarios.reduce((n, s) => n + s.points, 0);
const POINTS = LAB.scenarios.map((s) => s.points).join(',');
const ZEROS = LAB.scenarios.map(() => 0).join(',');
/** The solution with one mistake: its unbind does not close the adapter (so some scenarios pass, some fail). */
const MISTAKEN = LAB.solutionSource.replace('const closed = NdisCloseAdapterEx(b.handle!);', 'const closed = NDIS_STATUS_SUCCESS;');

function nicLab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let hiddenDir: string;
let mistaken: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-grade-'));
  mistaken = join(dir, 'mistaken.ts');
  writeFileSync(mistaken, MISTAKEN);
  hiddenDir = join(dir, 'hidden');
  mkdirSync(hiddenDir);
  writeFileSync(join(hiddenDir, 'protocol-binding.json'), JSON.stringify({
    scenarios: [{
      id: 'rebind', title: 'Unbound, then bound again: the binding runs', points: 4,
      steps: [{ op: 'start' }, { op: 'unbind', adapter: 0 }, { op: 'bind', adapter: 0 }],
      expectations: [{ expect: 'bindingState', adapter: 0, state: 'Running' }, { expect: 'noFindings' }],
    }],
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nic-lab grade', () => {
  it('writes JSON, JUnit, Gradescope and PrairieLearn reports equal to an in-process grade of the same driver', async () => {
    const files = { junit: join(dir, 'junit.xml'), gradescope: join(dir, 'gs', 'results.json'), prairielearn: join(dir, 'pl', 'results.json') };
    expect(MISTAKEN).not.toBe(LAB.solutionSource);
    const { code, stdout, stderr } = await nicLab('grade', 'protocol-binding', mistaken, '--seeds', '2', '--hidden', hiddenDir, '--json',
      '--junit', files.junit, '--gradescope', files.gradescope, '--prairielearn', files.prairielearn, '--hidden-visibility', 'hidden');
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const lab = labById('protocol-binding', hiddenDir);
    const outcome = outcomeOf(await gradeLab(lab, MISTAKEN, 'mistaken.ts', referenceDrivers(), { seeds: 2 }));
    const scenarios = outcome.report.scenarios;
    expect(scenarios.map((s) => s.id)).toContain('rebind');
    expect(scenarios.some((s) => s.passed && !s.hidden) && scenarios.some((s) => !s.passed && !s.hidden) && scenarios.filter((s) => s.hidden).length).toBe(2);

    expect(JSON.parse(stdout)).toEqual({ ...learnerView(outcome.report), status: 'graded' });
    // Timings are the run's own (the grader measures them); everything else is the in-process grade's.
    const { execution_time: seconds, ...gradescope } = JSON.parse(readFileSync(files.gradescope, 'utf8'));
    expect(seconds).toBeGreaterThan(0);
    expect(gradescope).toEqual(gradescopeResults(lab, outcome, { hiddenVisibility: 'hidden' }));
    expect(JSON.parse(readFileSync(files.prairielearn, 'utf8'))).toEqual(prairieLearnResults(lab, outcome));
    const junit = readFileSync(files.junit, 'utf8');
    expect(junit.match(/ time="\d+\.\d{3}"/g)).toHaveLength(2 + outcome.report.scenarios.length);
    expect(junit.replace(/ time="[^"]*"/g, '')).toBe(junitXml(lab, { ...outcome, report: learnerView(outcome.report) }));
    // The hidden scenario from --hidden: Gradescope shows it to instructors only; the rest never name it.
    const rebind = JSON.parse(readFileSync(files.gradescope, 'utf8')).tests.find((t: { name: string }) => t.name.startsWith('rebind'));
    expect(rebind.visibility).toBe('hidden');
    for (const text of [stdout, readFileSync(files.prairielearn, 'utf8'), readFileSync(files.junit, 'utf8')]) expect(text).not.toContain('Unbound, then bound again');
  });

  it('--reveal-hidden and --in-process: the full report, the same as through the sandbox', async () => {
    const [sandboxed, inProcess] = await Promise.all([
      nicLab('grade', 'protocol-binding', SOLUTION, '--seeds', '2', '--json', '--reveal-hidden'),
      nicLab('grade', 'protocol-binding', SOLUTION, '--seeds', '2', '--json', '--reveal-hidden', '--in-process'),
    ]);
    const report = JSON.parse(sandboxed.stdout);
    expect(report.score).toBe(report.maxScore);
    expect(report.scenarios.find((s: { hidden: boolean }) => s.hidden).id).toBe('traffic-across-a-pause');
    expect(JSON.parse(inProcess.stdout)).toEqual(report);
  });

  it('a driver that throws: its stack names the line and column of its own source that threw, sandboxed and in-process alike', async () => {
    // TypeScript before the throw on its line, so the compiled column differs from the source's.
    const thrower = "const code = 7 as number satisfies number; if (code) throw new Error('boom');";
    const source = readFileSync(SOLUTION, 'utf8').replace(/BindAdapterHandlerEx\(([^)]*)\)([^{]*)\{/, (all) => `${all}\n    ${thrower}`);
    const line = source.split('\n').findIndex((l) => l.includes(thrower)) + 1;
    const column = source.split('\n')[line - 1]!.indexOf("new Error('boom')") + 1;
    const file = join(dir, 'throws.ts');
    writeFileSync(file, source);
    const [sandboxed, inProcess] = await Promise.all([
      nicLab('grade', 'protocol-binding', file, '--seeds', '1', '--json'),
      nicLab('grade', 'protocol-binding', file, '--seeds', '1', '--json', '--in-process'),
    ]);
    const thrown = (stdout: string) => (JSON.parse(stdout).scenarios[0].failures as string[]).find((f) => f.includes('threw'));
    expect(thrown(sandboxed.stdout)).toContain(`threw Error: boom\n    at BindAdapterHandlerEx (throws.ts:${line}:${column})`);
    expect(thrown(inProcess.stdout)).toBe(thrown(sandboxed.stdout));
  });

  it('--min-score N: exit 1 below N points (the report is still printed and written), 0 at or above', async () => {
    const junit = join(dir, 'min-score.xml');
    const [below, at] = await Promise.all([
      nicLab('grade', 'protocol-binding', STARTER, '--seeds', '1', '--min-score', '10', '--junit', junit),
      nicLab('grade', 'protocol-binding', SOLUTION, '--seeds', '1', '--min-score', '10'),
    ]);
    expect(below.code).toBe(1);
    expect(below.stdout).toMatch(new RegExp(`^The seven states of a binding \\(protocol-binding\\): score 0/${MAX}\n`));
    expect(existsSync(junit)).toBe(true);
    expect(at.code).toBe(0);
  });

  it('exit 2 with one line for unusable input', async () => {
    const cases = [
      ['grade', 'no-such-lab', STARTER],
      ['grade', 'protocol-binding', 'missing.ts'],
      ['grade', 'protocol-binding', 'labs'],
      ['grade', 'protocol-binding', STARTER, '--bogus'],
      ['grade', 'protocol-binding', STARTER, '--seeds', '0'],
      ['grade', 'protocol-binding', STARTER, '--hidden', join(dir, 'nowhere')],
      ['grade', 'protocol-binding', STARTER, '--hidden', dir],
      ['grade', 'protocol-binding', STARTER, '--time-limit', 'soon'],
      ['run', 'protocol-binding'],
      ['run', 'protocol-binding:nope', '--driver', STARTER],
      ['run', 'protocol-binding', '--driver', 'missing.ts'],
      ['grade-batch', 'protocol-binding', dir, '--shard', '3/2'],
      ['grade-batch', 'protocol-binding', dir, '--shard', 'half'],
      ['grade-batch', 'protocol-binding', join(dir, 'nowhere')],
    ];
    const results = await Promise.all(cases.map((args) => nicLab(...args)));
    results.forEach(({ code, stdout, stderr }, i) => {
      const args = cases[i]!.join(' ');
      expect(code, args).toBe(2);
      expect(stdout, args).toBe('');
      expect(stderr.trim().split('\n'), args).toHaveLength(1);
      expect(stderr, args).toMatch(/^nic-lab: /);
    });
    expect(results[1]!.stderr).toContain('no driver file missing.ts');
    expect(results[6]!.stderr).toContain('has no protocol-binding.json');
    expect(results[9]!.stderr).toContain('has no scenario "nope"');
    expect(results[11]!.stderr).toContain('--shard must be i/n');
  });
});

describe('nic-lab run', () => {
  it('writes a pcapng capture that tshark opens and a trace whose bytes the seed decides', async () => {
    const at = (name: string) => join(dir, name);
    const args = (n: string, seed: string) => ['run', 'protocol-binding:traffic-across-a-pause', '--driver', SOLUTION, '--seed', seed, '--pcap', at(`${n}.pcapng`), '--trace', at(`${n}.jsonl`)];
    const [a, b, c] = await Promise.all([nicLab(...args('a', '3')), nicLab(...args('b', '3')), nicLab(...args('c', '1'))]);
    for (const r of [a, b, c]) expect(r.code).toBe(0);
    expect(a.stdout).toMatch(/^protocol-binding:traffic-across-a-pause \(.+\), seed 3: PASS\n/);
    const hash = /sha256 ([0-9a-f]{64})/.exec(a.stdout)![1];
    expect(b.stdout.replace(/\bb\.(jsonl|pcapng)/g, 'a.$1')).toBe(a.stdout);
    expect(readFileSync(at('b.jsonl'))).toEqual(readFileSync(at('a.jsonl')));
    expect(readFileSync(at('b.pcapng'))).toEqual(readFileSync(at('a.pcapng')));
    expect(readFileSync(at('c.jsonl'))).not.toEqual(readFileSync(at('a.jsonl')));
    const lines = readFileSync(at('a.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { n: number; kind: string });
    expect(lines.map((e) => e.n)).toEqual(lines.map((_, i) => i + 1));
    expect(a.stdout).toContain(`trace: ${lines.length} events, sha256 ${hash}`);
    const frames = Number(/capture: (\d+) frames/.exec(a.stdout)![1]);
    expect(frames).toBeGreaterThan(0);
    expect(lines.filter((e) => e.kind === 'frame')).toHaveLength(frames);
    if (!existsSync('/usr/bin/tshark')) return; // .ci/run installs it; a bare machine may not have it
    const tshark = await new Promise<string>((resolve, reject) => execFile('/usr/bin/tshark', ['-r', at('a.pcapng'), '-T', 'fields', '-e', 'frame.number'], (error, stdout) => (error ? reject(error) : resolve(stdout))));
    expect(tshark.trim().split('\n')).toHaveLength(frames);
  });

  it('a failing scenario prints FAIL and why', async () => {
    const { code, stdout } = await nicLab('run', 'protocol-binding:bind-and-run', '--driver', STARTER);
    expect(code).toBe(0);
    expect(stdout).toContain(`protocol-binding:bind-and-run (${LAB.scenarios[0]!.title}), seed 1: FAIL\n  expected the binding on nic0 to be Running; it is Unbound\n  expected the binding on nic1 to be Running; it is Unbound\n`);
  });

  it('a finding is followed by the seed statement its rule grades, in the seed\'s words', async () => {
    const { code, stdout } = await nicLab('run', 'protocol-binding:bind-and-run', '--driver', STARTER);
    expect(code).toBe(0);
    // The starter's ProtocolNetPnPEvent answers what it does not handle with NDIS_STATUS_NOT_SUPPORTED.
    expect(stdout).toMatch(/\n  finding PnPNotSupportedReturned \(starter, event \d+[^\n]*\n    the seed says \(002\.7\): "NDIS 6\.0 and later protocol drivers must not return this status\."\n/);
  });
});

describe('nic-lab grade-batch', () => {
  it('grades a class: a good, a hanging (everywhere, and in one handler), a crashing and a non-compiling submission, a zero and the reason for each bad one', async () => {
    const submissions = join(dir, 'class');
    mkdirSync(join(submissions, 'carol'), { recursive: true });
    writeFileSync(join(submissions, 'alice.ts'), readFileSync(SOLUTION));
    // bob hangs in every scenario (in DriverEntry): one hang limit (2 s) each, past the time limit.
    writeFileSync(join(submissions, 'bob.ts'), 'export function DriverEntry(): number { for (;;) {} }\n');
    writeFileSync(join(submissions, 'carol', 'driver.ts'), 'const hoard: number[][] = [];\nexport function DriverEntry(): number { for (;;) hoard.push(new Array(1 << 20).fill(7)); }\n');
    writeFileSync(join(submissions, 'dave.ts'), 'export function DriverEntry( {\n');
    // erin hangs only when NDIS unbinds her: the scenarios that unbind get DriverHung, the others their points.
    const erinSource = LAB.solutionSource.replace(/UnbindAdapterHandlerEx\((.*?)\): NDIS_STATUS \{/, 'UnbindAdapterHandlerEx($1): NDIS_STATUS { for (;;) {}');
    expect(erinSource).not.toBe(LAB.solutionSource);
    writeFileSync(join(submissions, 'erin.ts'), erinSource);
    const out = join(dir, 'grades');
    const { code, stdout } = await nicLab('grade-batch', 'protocol-binding', submissions, '--out', out, '--seeds', '2', '--time-limit', '8', '--memory-limit', '256');
    expect(code).toBe(0);
    expect(stdout).toContain('5 submission(s): 2 graded, 3 zero for a reason');
    const report = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    expect(report('alice')).toMatchObject({ submission: 'alice', status: 'graded', lab: 'protocol-binding', score: MAX, maxScore: MAX });
    expect(report('bob')).toMatchObject({ submission: 'bob', status: 'timed out', reason: 'timed out: no result within 8 s', score: 0, maxScore: MAX });
    // The resident size (watched by the parent) or the V8 heap, whichever reaches 256 MiB first.
    const outOfMemory = /^out of memory: (the grading process held \d+ MiB, over the 256 MiB limit|the 256 MiB heap limit was reached)$/;
    expect(report('carol')).toMatchObject({ submission: 'carol', status: 'out of memory', reason: expect.stringMatching(outOfMemory), score: 0 });
    expect(report('dave')).toMatchObject({ submission: 'dave', status: 'does not compile', score: 0 });
    expect(report('dave').reason).toMatch(/^dave\.ts: does not compile: /);
    const unbinding = LAB.scenarios.filter((s) => s.steps.some((step) => step.op === 'unbind'));
    // The place of her DriverHung: where the handler that did not return is declared.
    const erinLines = erinSource.split('\n');
    const erinLine = erinLines.findIndex((l) => l.includes('UnbindAdapterHandlerEx('));
    const erinHandler = { file: 'erin.ts', line: erinLine + 1, column: erinLines[erinLine]!.indexOf('UnbindAdapterHandlerEx(') + 1, kind: 'handler' };
    const erin = report('erin');
    expect(erin).toMatchObject({ submission: 'erin', status: 'graded', score: MAX - unbinding.reduce((n, s) => n + s.points, 0) });
    for (const s of erin.scenarios) {
      if (unbinding.some((u) => u.id === s.id)) expect(s.findings, s.id).toEqual([{ rule: 'DriverHung', driver: 'erin', message: expect.stringMatching(/^erin!ProtocolUnbindAdapterEx did not return within 2 s/), event: expect.any(Number), location: erinHandler }]);
      else expect(s.passed, s.id).toBe(true);
    }
    const csv = readFileSync(join(out, 'class.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe(`submission,score,maxScore,${LAB.scenarios.map((s) => s.id).join(',')},status,reason`);
    expect(csv[0]).toBe('submission,score,maxScore,bind-and-run,send-frames,pause,pause-and-restart,unbind,binds-complete,sends-in-flight-at-a-pause,traffic-across-a-pause,status,reason');
    expect(csv[1]).toBe(`alice,${MAX},${MAX},${POINTS},graded,`);
    expect(csv[2]).toBe(`bob,0,${MAX},${ZEROS},timed out,timed out: no result within 8 s`);
    expect(csv[3]).toMatch(new RegExp(`^carol,0,${MAX},${ZEROS},out of memory,"?out of memory: `));
    expect(csv[4]).toMatch(new RegExp(`^dave,0,${MAX},${ZEROS},does not compile,"?dave\\.ts: does not compile: `));
    expect(csv[5]).toBe(`erin,${erin.score},${MAX},${LAB.scenarios.map((s) => (unbinding.includes(s) ? 0 : s.points)).join(',')},graded,`);
    expect(csv).toHaveLength(6);
  });

  it('--shard i/n: the shards partition the sorted submissions, and each writes its own CSV', async () => {
    const submissions = join(dir, 'sharded');
    mkdirSync(submissions);
    const names = ['s01', 's02', 's03', 's04', 's05', 's06', 's07'];
    for (const n of names) writeFileSync(join(submissions, `${n}.ts`), 'export function DriverEntry( {\n');
    const all = findSubmissions(submissions).map((s) => s.name);
    expect(all).toEqual(names);
    const slices = [1, 2, 3].map((i) => shardOf(all, parseShard(`${i}/3`)));
    expect(slices.flat().sort()).toEqual(names);
    expect(new Set(slices.flat()).size).toBe(names.length);
    expect(slices.map((s) => s.length)).toEqual([3, 2, 2]);
    const out = join(dir, 'sharded-out');
    const runs = await Promise.all([1, 2, 3].map((i) => nicLab('grade-batch', 'protocol-binding', submissions, '--shard', `${i}/3`, '--out', out, '--seeds', '1', '--jobs', '1')));
    for (const r of runs) expect(r.code).toBe(0);
    const fromCsvs = [1, 2, 3].map((i) => readFileSync(join(out, `class-shard-${i}-of-3.csv`), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]));
    expect(fromCsvs).toEqual(slices);
    expect(readdirSync(out).filter((f) => f.endsWith('.json')).sort()).toEqual(names.map((n) => `${n}.json`));
  });
});
