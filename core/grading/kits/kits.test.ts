// The platform kits, each run as its platform runs it, on a temporary folder laid out the way the
// platform lays out its own (the kits' scripts take their roots from the environment), and the
// files they write checked against the platform's documented format: Gradescope's
// /autograder/results/results.json, PrairieLearn's /grade/results/results.json, the result GitHub
// Classroom's autograding reporter reads, and the shards of a CI matrix or a Kubernetes Indexed Job
// merged into one class.csv.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync, cpSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KITS = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'bin', 'nic-lab.js');
const LAB = join(REPO, 'labs', 'protocol-binding');
const SOLUTION = readFileSync(join(LAB, 'solution.ts'), 'utf8');
const STARTER = readFileSync(join(LAB, 'starter.ts'), 'utf8');
/** The solution with one mistake (its unbind does not close the adapter): it passes some scenarios and fails others. */
const MISTAKEN = SOLUTION.replace('const closed = NdisCloseAdapterEx(b.handle!);', 'const closed = NDIS_STATUS_SUCCESS;');
const SCENARIOS = (JSON.parse(readFileSync(join(LAB, 'lab.json'), 'utf8')) as { scenarios: { points: number }[] }).scenarios;
/** The lab's points in all (without the hidden file's). */
const MAX = SCENARIOS.reduce((n, s) => n + s.points, 0);
const BROKEN = 'export function DriverEntry( {\n';
const HIDDEN_SCENARIO = {
  id: 'rebind', title: 'Unbound, then bound again: the binding runs', points: 4,
  steps: [{ op: 'start' }, { op: 'unbind', adapter: 0 }, { op: 'bind', adapter: 0 }],
  expectations: [{ expect: 'bindingState', adapter: 0, state: 'Running' }, { expect: 'noFindings' }],
};

function sh(script: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-kits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder tree from { path: text }. */
function tree(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('Gradescope kit (run_autograder)', () => {
  const runAutograder = join(KITS, 'gradescope', 'run_autograder');
  /** /autograder as Gradescope builds it: source/ from the zip, submission/ the student's files. */
  const autograder = (name: string, submission: Record<string, string>, env = 'SEEDS=1\n') => tree(join(dir, name), {
    'source/nic-lab.env': `LAB=${LAB}\nHIDDEN=${join(dir, name, 'source', 'hidden')}\n${env}`,
    'source/hidden/protocol-binding.json': JSON.stringify({ scenarios: [HIDDEN_SCENARIO] }),
    ...Object.fromEntries(Object.entries(submission).map(([p, t]) => [`submission/${p}`, t])),
  });
  const results = (root: string) => JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'));

  it('grades the submitted driver into results/results.json: Gradescope\'s fields, a test per scenario, hidden ones redacted and after_published', async () => {
    const root = autograder('gs-good', { 'driver.ts': SOLUTION });
    const { code, stdout } = await sh(runAutograder, { AUTOGRADER_ROOT: root, NIC_LAB: BIN });
    expect(code).toBe(0);
    const r = results(root);
    expect(Object.keys(r).sort()).toEqual(['execution_time', 'extra_data', 'output', 'output_format', 'score', 'stdout_visibility', 'test_output_format', 'tests']);
    // Full marks for the lab's scenarios; the solution fails the hidden file's `rebind`.
    expect(r).toMatchObject({ score: MAX, output_format: 'text', test_output_format: 'text', stdout_visibility: 'hidden', extra_data: { lab: 'protocol-binding', status: 'graded' } });
    expect(r.tests).toHaveLength(SCENARIOS.length + 1);
    for (const t of r.tests) {
      expect(Object.keys(t).sort()).toEqual(['max_score', 'name', 'number', 'output', 'output_format', 'score', 'status', 'visibility']);
      expect(['passed', 'failed']).toContain(t.status);
      expect(['visible', 'hidden', 'after_due_date', 'after_published']).toContain(t.visibility);
    }
    expect(r.tests.reduce((n: number, t: { score: number }) => n + t.score, 0)).toBe(r.score);
    expect(r.tests.filter((t: { visibility: string }) => t.visibility === 'after_published').map((t: { name: string }) => t.name)).toEqual(['hidden-1: Hidden scenario 1', 'hidden-2: Hidden scenario 2']);
    expect(JSON.stringify(r)).not.toContain(HIDDEN_SCENARIO.title);
    // The full report, hidden scenarios by name, is Gradescope's stdout: instructors only.
    expect(stdout).toContain(`rebind: ${HIDDEN_SCENARIO.title}`);
  });

  it('HIDDEN_VISIBILITY=hidden: hidden scenarios\' tests carry their names for the instructor, visibility "hidden"', async () => {
    const root = autograder('gs-hidden', { 'driver.ts': STARTER }, 'SEEDS=1\nHIDDEN_VISIBILITY=hidden\n');
    expect((await sh(runAutograder, { AUTOGRADER_ROOT: root, NIC_LAB: BIN })).code).toBe(0);
    const rebind = results(root).tests.find((t: { name: string }) => t.name.startsWith('rebind'));
    expect(rebind).toMatchObject({ visibility: 'hidden', name: `rebind: ${HIDDEN_SCENARIO.title}` });
  });

  it('results.json even when nothing is graded: no driver, two drivers, the grader failing; score 0 and the reason', async () => {
    const none = autograder('gs-none', { 'README.md': 'my driver is in the mail\n' });
    expect((await sh(runAutograder, { AUTOGRADER_ROOT: none, NIC_LAB: BIN })).code).toBe(0);
    expect(results(none)).toEqual({ score: 0, output: 'Not graded: the submission has no .ts or .js driver file; submit one.', output_format: 'text', stdout_visibility: 'hidden', tests: [], extra_data: { status: 'not graded' } });
    const two = autograder('gs-two', { 'a.ts': SOLUTION, 'src/b.js': SOLUTION });
    await sh(runAutograder, { AUTOGRADER_ROOT: two, NIC_LAB: BIN });
    expect(results(two)).toMatchObject({ score: 0, output: 'Not graded: the submission has 2 driver files (a.ts src/b.js); submit exactly one.' });
    // A broken install: nic-lab itself fails before grading.
    const crash = join(dir, 'crashing-nic-lab.mjs');
    writeFileSync(crash, "console.error('Error: Cannot find module tsx'); process.exit(1);\n");
    const broken = autograder('gs-broken', { 'driver.ts': SOLUTION });
    const { code, stderr } = await sh(runAutograder, { AUTOGRADER_ROOT: broken, NIC_LAB: crash });
    expect(code).toBe(0);
    expect(results(broken)).toMatchObject({ score: 0, output: 'Not graded: the autograder failed (exit 1): Error: Cannot find module tsx ' });
    expect(stderr).toContain('nic-lab autograder: Not graded: the autograder failed (exit 1)');
    // A driver that does not compile is graded: 0, and the compiler's message in each test.
    const dnc = autograder('gs-dnc', { 'driver.ts': BROKEN });
    await sh(runAutograder, { AUTOGRADER_ROOT: dnc, NIC_LAB: BIN });
    expect(results(dnc)).toMatchObject({ score: 0, extra_data: { status: 'does not compile' } });
    expect(results(dnc).tests[0].output).toMatch(/^Not graded: driver\.ts: does not compile: /);
  });
});

describe('PrairieLearn kit (entrypoint.sh)', () => {
  const entrypoint = join(KITS, 'prairielearn', 'entrypoint.sh');
  /** /grade as PrairieLearn's grader mounts it: student/ the files, tests/ the question's tests folder. */
  const grade = (name: string, student: Record<string, string>) => {
    const root = tree(join(dir, name), {
      'tests/nic-lab.env': 'SEEDS=1\n',
      'tests/hidden/protocol-binding.json': JSON.stringify({ scenarios: [HIDDEN_SCENARIO] }),
      'data/data.json': JSON.stringify({ params: {}, variant_seed: 1234 }),
      ...Object.fromEntries(Object.entries(student).map(([p, t]) => [`student/${p}`, t])),
    });
    cpSync(LAB, join(root, 'tests', 'lab'), { recursive: true });
    return root;
  };
  const results = (root: string) => JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'));

  it('grades /grade/student into /grade/results/results.json: gradable, score 0..1, tests with PrairieLearn\'s fields', async () => {
    expect(MISTAKEN).not.toBe(SOLUTION);
    const root = grade('pl-good', { 'driver.ts': MISTAKEN });
    const { code } = await sh(entrypoint, { PL_GRADE_ROOT: root, NIC_LAB: BIN });
    expect(code).toBe(0);
    const r = results(root);
    expect(r.gradable).toBe(true);
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThan(1);
    expect(r.tests).toHaveLength(SCENARIOS.length + 1);
    for (const t of r.tests) expect(Object.keys(t).sort()).toEqual(['description', 'max_points', 'message', 'name', 'output', 'points']);
    expect(r.score).toBeCloseTo(r.tests.reduce((n: number, t: { points: number }) => n + t.points, 0) / r.tests.reduce((n: number, t: { max_points: number }) => n + t.max_points, 0), 10);
    expect(JSON.stringify(r)).not.toContain(HIDDEN_SCENARIO.title);
  });

  it('a driver that does not compile, or a grader that fails: gradable false with the reason (no attempt used up)', async () => {
    const dnc = grade('pl-dnc', { 'driver.ts': BROKEN });
    await sh(entrypoint, { PL_GRADE_ROOT: dnc, NIC_LAB: BIN });
    expect(results(dnc)).toMatchObject({ gradable: false, score: 0, format_errors: [expect.stringMatching(/^driver\.ts: does not compile: /)] });
    const crash = join(dir, 'crashing-nic-lab-pl.mjs');
    writeFileSync(crash, "console.error('Killed'); process.exit(137);\n");
    const broken = grade('pl-broken', { 'driver.ts': SOLUTION });
    expect((await sh(entrypoint, { PL_GRADE_ROOT: broken, NIC_LAB: crash })).code).toBe(0);
    expect(results(broken)).toEqual({ gradable: false, score: 0, message: 'Not graded: the grader failed (exit 137): Killed ', format_errors: ['Not graded: the grader failed (exit 137): Killed '], tests: [] });
    const none = grade('pl-none', {});
    await sh(entrypoint, { PL_GRADE_ROOT: none, NIC_LAB: BIN });
    expect(results(none)).toMatchObject({ gradable: false, message: 'Not graded: submit exactly one .ts or .js driver file (found 0).' });
  });

  it('the Dockerfile builds the grading install only, and names the entrypoint the question uses', () => {
    const dockerfile = readFileSync(join(KITS, 'prairielearn', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('"entrypoint": "/nic-lab/core/grading/kits/prairielearn/entrypoint.sh"');
  });
});

describe('GitHub Classroom kit', () => {
  it('grade.sh sets the step output `result` the autograding reporter decodes: its total is the real score', async () => {
    const output = join(dir, 'github-output');
    writeFileSync(output, '');
    const driver = tree(join(dir, 'gh'), { 'driver.ts': MISTAKEN });
    const { code } = await sh(join(KITS, 'github-classroom', 'grade.sh'), { LAB: 'protocol-binding', DRIVER: join(driver, 'driver.ts'), GITHUB_OUTPUT: output, NIC_LAB: BIN, SEEDS: '1' });
    expect(code).toBe(0);
    const line = readFileSync(output, 'utf8').trim();
    expect(line).toMatch(/^result=[A-Za-z0-9+/=]+$/);
    // As the reporter reads it: base64 JSON, total = the tests' scores, out of max_score.
    const result = JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8'));
    expect(result).toMatchObject({ version: 1, status: 'fail', max_score: MAX });
    const total = result.tests.reduce((n: number, t: { score: number }) => n + t.score, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(MAX);
    // The workflow wires that output to the reporter under the name it looks for (<RUNNER>_RESULTS).
    const workflow = readFileSync(join(KITS, 'github-classroom', 'classroom.yml'), 'utf8');
    expect(workflow).toContain('name: Autograding Tests');
    expect(workflow).toContain('id: nic-lab');
    expect(workflow).toContain('NIC-LAB_RESULTS: "${{ steps.nic-lab.outputs.result }}"');
    expect(workflow).toContain('runners: nic-lab');
  });
});

describe('CI matrix and Kubernetes Indexed Job kits (grade-shard.sh, then merge)', () => {
  it('each shard (JOB_COMPLETION_INDEX 0..n-1, or SHARD_INDEX 1..n) grades its slice; merge gives the class.csv of one whole batch', async () => {
    const submissions = tree(join(dir, 'class'), Object.fromEntries(['s1', 's2', 's3', 's4', 's5'].map((n) => [`${n}.ts`, BROKEN])));
    const out = join(dir, 'shards');
    const env = { LAB: 'protocol-binding', SUBMISSIONS: submissions, OUT: out, SHARDS: '3', SEEDS: '1', JOBS: '1', NIC_LAB: `node ${BIN}` };
    const script = join(KITS, 'kubernetes', 'grade-shard.sh');
    const runs = await Promise.all([
      sh(script, { ...env, JOB_COMPLETION_INDEX: '0' }),
      sh(script, { ...env, JOB_COMPLETION_INDEX: '1' }),
      sh(script, { ...env, SHARD_INDEX: '3' }),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['shard-1-of-3', 'shard-2-of-3', 'shard-3-of-3']);
    const merged = join(dir, 'merged');
    const merge = await new Promise<number>((resolve) => execFile(process.execPath, [BIN, 'merge', ...readdirSync(out).map((d) => join(out, d)), '--out', merged], (error) => resolve(error ? 1 : 0)));
    expect(merge).toBe(0);
    const whole = join(dir, 'whole');
    await new Promise((resolve) => execFile(process.execPath, [BIN, 'grade-batch', 'protocol-binding', submissions, '--out', whole, '--seeds', '1'], resolve));
    expect(readFileSync(join(merged, 'class.csv'), 'utf8')).toBe(readFileSync(join(whole, 'class.csv'), 'utf8'));
    // The manifests run that script with the same shard count they start.
    const job = readFileSync(join(KITS, 'kubernetes', 'indexed-job.yaml'), 'utf8');
    expect(job).toContain('completionMode: Indexed');
    expect(/completions: (\d+)/.exec(job)![1]).toBe(/name: SHARDS, value: "(\d+)"/.exec(job)![1]);
    expect(job).toContain('/nic-lab/core/grading/kits/kubernetes/grade-shard.sh');
    const matrix = readFileSync(join(KITS, 'ci-matrix', 'github-actions.yml'), 'utf8');
    expect(/shard: \[([\d, ]+)\]/.exec(matrix)![1]!.split(', ')).toHaveLength(Number(/SHARDS: (\d+)/.exec(matrix)![1]));
    expect(matrix).toContain('nic-lab merge shards/shard-*'.replace('nic-lab', 'node nic-lab/bin/nic-lab.js'));
  });
});
