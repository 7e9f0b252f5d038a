// Bad input to grade, grade-batch, run and lab check, as a user gives it (child processes through
// bin/nic-lab.js): each case prints exactly one line saying what and where, exits 2, and writes
// no output file (every case asks for one: --gradescope, --junit, --trace or --out).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync, cpSync, readdirSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABS_DIR, listLabs, labById } from '../grading/labs.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));
const STARTER = join(LABS_DIR, 'protocol-binding', 'starter.ts');

function nicLab(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
const hiddenFile = (folder: string, text: string, name = 'protocol-binding.json') => {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, name), text);
};
const scenario = (extra: object) => ({ id: 'extra', title: 'Extra', points: 1, steps: [{ op: 'start' }], expectations: [{ expect: 'noFindings' }], ...extra });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-bad-input-'));
  mkdirSync(join(dir, 'class'));
  writeFileSync(join(dir, 'class', 'alice.ts'), readFileSync(STARTER));
  hiddenFile('h-null', 'null\n');
  hiddenFile('h-adapter', `${JSON.stringify({ scenarios: [scenario({ steps: [{ op: 'start' }, { op: 'pause', adapter: 3 }] })] }, null, 2)}\n`);
  hiddenFile('h-one-nic', `${JSON.stringify({ scenarios: [scenario({ machine: { nics: 1 }, expectations: [{ expect: 'bindingState', adapter: 1, state: 'Running' }] })] }, null, 2)}\n`);
  hiddenFile('h-false', `${JSON.stringify({ scenarios: [scenario({ hidden: false })] }, null, 2)}\n`);
  hiddenFile('h-json', '{ "scenarios": [\n  { "id": "x" }\n  { "id": "y" }\n] }\n');
  hiddenFile('h-schema', `${JSON.stringify({ scenarios: [scenario({ points: -1 })] }, null, 2)}\n`);
  hiddenFile('h-twice', `${JSON.stringify({ scenarios: [scenario({ id: 'unbind' })] }, null, 2)}\n`);
  // A lab folder called something other than its id, and hidden files named by the folder (wrong) and by the id.
  cpSync(join(LABS_DIR, 'protocol-binding'), join(dir, 'my-copy'), { recursive: true });
  hiddenFile('h-by-folder', JSON.stringify({ scenarios: [scenario({})] }), 'my-copy.json');
  hiddenFile('h-by-id', JSON.stringify({ scenarios: [scenario({})] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input: one line, exit 2, nothing written', () => {
  const cores = availableParallelism();
  const courseLabs = listLabs().map((lab) => lab.id).join(', ');
  const cases: [args: string[], line: string][] = [
    [['grade', 'protocol-binding', STARTER, '--memory-limit', '100.5'], '--memory-limit must be a whole number of MiB; got 100.5'],
    [['grade', 'protocol-binding', STARTER, '--memory-limit', '32'], "--memory-limit must be 256 to 16384 MiB (it caps the grading process's resident size; a correct driver of the course's largest lab needs about 130 MiB); got 32"],
    [['grade', 'protocol-binding', STARTER, '--time-limit', '0.5'], '--time-limit must be 1 to 3600 seconds (below 1 s a correct driver can time out on a busy machine: the grading child\'s start-up alone takes 0.15 to 0.4 s); got 0.5'],
    [['grade', 'protocol-binding', STARTER, '--seeds='], '--seeds is empty; it needs a whole number (e.g. --seeds=8)'],
    [['grade', 'protocol-binding', STARTER, '--seeds', '2.5'], '--seeds must be a whole number; got "2.5"'],
    [['grade', 'protocol-binding', STARTER, '--time-limit='], '--time-limit is empty; it needs a number'],
    [['grade-batch', 'protocol-binding', 'class', '--jobs', '65'], `--jobs must be 1 to 64; got 65 (each job is a Node process of its own with up to --memory-limit MiB, and jobs beyond the ${cores} core(s) here only wait their turn)`],
    [['grade-batch', 'protocol-binding', 'class', '--jobs='], '--jobs is empty; it needs a whole number (e.g. --jobs=2)'],
    [['grade', 'no-such-lab', STARTER], `no such lab "no-such-lab": the course has no lab of that id, and it is not a lab folder (the course's labs: ${courseLabs})`],
    [['grade', './nowhere', STARTER], 'no such lab folder ./nowhere'],
    [['grade', 'class', STARTER], `no such lab "class": the course has no lab of that id, and it is not a lab folder (the course's labs: ${courseLabs})`],
    [['grade', 'class/', STARTER], 'class/ has no lab.json (a lab is a folder with a lab.json)'],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-null'], 'h-null/protocol-binding.json:1:1: expected an object { "scenarios": [...] } (the lab\'s hidden scenarios); got null'],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-adapter'], "h-adapter/protocol-binding.json:13:11: scenarios.0.steps.1.adapter: adapter 3 is not on this scenario's machine: it has 2 NIC(s), adapters 0 to 1 (machine.nics, default 2)"],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-one-nic'], "h-one-nic/protocol-binding.json:15:11: scenarios.0.expectations.0.adapter: adapter 1 is not on this scenario's machine: it has 1 NIC(s), adapters 0 to 0 (machine.nics, default 2)"],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-false'], 'h-false/protocol-binding.json:17:7: scenarios.0.hidden: a hidden file\'s scenarios are always hidden: remove "hidden": false, or move the scenario to the lab\'s lab.json'],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-json'], 'h-json/protocol-binding.json:3:3: not valid JSON: expected a comma (,) or the end of the object or array'],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-schema'], 'h-schema/protocol-binding.json:6:7: scenarios.0.points: Too small: expected number to be >=0'],
    [['grade', 'protocol-binding', STARTER, '--hidden', 'h-twice'], `h-twice/protocol-binding.json:4:7: scenarios.0.id: two scenarios are called "unbind" (the other: scenarios.${labById('protocol-binding').scenarios.findIndex((s) => s.id === 'unbind')} of labs/protocol-binding/lab.json)`],
    [['grade', 'my-copy', STARTER, '--hidden', 'h-by-folder'], '--hidden: h-by-folder has no protocol-binding.json (the hidden scenarios of the lab "protocol-binding")'],
    [['grade-batch', 'protocol-binding', 'class', '--hidden', 'h-false'], 'h-false/protocol-binding.json:17:7: scenarios.0.hidden: a hidden file\'s scenarios are always hidden: remove "hidden": false, or move the scenario to the lab\'s lab.json'],
    [['run', 'protocol-binding', '--driver', STARTER, '--hidden', 'h-null'], 'h-null/protocol-binding.json:1:1: expected an object { "scenarios": [...] } (the lab\'s hidden scenarios); got null'],
    [['lab', 'check', 'my-copy', '--seeds='], '--seeds is empty; it needs a whole number (e.g. --seeds=8)'],
    [['lab', 'check', 'nowhere/'], 'lab check: no such lab folder nowhere/'],
    [['grade', 'protocol-binding', STARTER, '--hidden-visibility', 'secret'], '--hidden-visibility must be hidden, after_due_date, after_published, visible (Gradescope\'s test visibilities); got "secret"'],
    [['grade', 'protocol-binding', STARTER, '--min-score=-1'], '--min-score must be a number of points, 0 or more; got -1'],
    [['grade-batch', 'protocol-binding', 'class', '--student-id-from', 'email'], '--student-id-from must be folder-name, file-name or csv:PATH; got "email"'],
    [['grade-batch', 'protocol-binding', 'class', '--student-id-from', 'csv:nowhere.csv'], '--student-id-from: no file nowhere.csv'],
    [['merge', 'class'], 'merge needs --out DIR (where class.csv goes)'],
    [['merge', 'class', '--out', 'x'], 'merge: class has no reports (<submission>.json from grade-batch)'],
    [['lab', 'frobnicate'], 'unknown command "lab frobnicate"; the lab commands: lab check, lab new, lab scenarios'],
  ];

  it.each(cases)('%j', async (args, line) => {
    const out = join(dir, 'out', args.join('_').replace(/[^a-z0-9]+/gi, '_'));
    const outputs = args[0] === 'grade-batch' ? ['--out', out] : args[0] === 'run' ? ['--trace', join(out, 'trace.jsonl')] : args[0] === 'grade' ? ['--gradescope', join(out, 'results.json'), '--junit', join(out, 'junit.xml')] : [];
    const { code, stdout, stderr } = await nicLab(dir, ...args, ...outputs);
    expect(stderr).toBe(`nic-lab: ${line}\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readdirSync(dir)).not.toContain('out');
  });

  it("a hidden file is found by the lab's id, whatever the lab's folder is called", async () => {
    const { code, stdout } = await nicLab(dir, 'grade', 'my-copy', STARTER, '--seeds', '1', '--hidden', 'h-by-id', '--json', '--reveal-hidden');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { lab: string; scenarios: { id: string; hidden: boolean }[] };
    expect(report.lab).toBe('protocol-binding');
    expect(report.scenarios.at(-1)).toMatchObject({ id: 'extra', hidden: true });
  });
});
