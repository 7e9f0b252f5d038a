// Labs outside the repository and the lab author's commands, as a user runs them (child processes
// through bin/nic-lab.js): `lab new` writes labs that `lab check` passes and `grade` grades;
// `lab check` fails a lab for each thing grading would trip on; `labs DIR` survives a malformed
// lab; JSON errors name the file, line and column; `grade --reveal-hidden` prints a replay
// command for a hidden scenario that `run --hidden` executes.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync, cpSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLab } from './lab.ts';
import { splitRunTarget } from './grade.ts';
import { DEFAULT_LIMITS } from '../sandbox/sandbox.ts';
import { LABS_DIR, labById } from '../grading/labs.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));

function nicLab(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 180_000, cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-labs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checkLines = (stdout: string) => stdout.split('\n').filter((l) => /^ {2}(pass|FAIL) {2}/.test(l));

describe('nic-lab lab new, lab check, grade: a lab outside the repository', () => {
  it('lab new writes a protocol and a filter lab that lab check passes, labs lists and grade grades', async () => {
    const course = join(dir, 'course');
    const protocol = await nicLab(dir, 'lab', 'new', 'course/echo-lab');
    expect(protocol).toMatchObject({ code: 0, stderr: '' });
    expect(protocol.stdout).toContain('wrote a protocol lab in course/echo-lab: lab.json, instructions.md, starter.ts, solution.ts');
    const filter = await nicLab(dir, 'lab', 'new', 'course/tap', '--kind', 'filter', '--title', 'A tap');
    expect(filter.code).toBe(0);
    expect(readdirSync(join(course, 'tap')).sort()).toEqual(['instructions.md', 'lab.json', 'solution.ts', 'starter.ts']);
    expect(JSON.parse(readFileSync(join(course, 'tap', 'lab.json'), 'utf8'))).toMatchObject({ id: 'tap', title: 'A tap', kind: 'filter', order: 2 });

    const [checkProtocol, checkFilter] = await Promise.all([nicLab(dir, 'lab', 'check', 'course/echo-lab', '--seeds', '3'), nicLab(dir, 'lab', 'check', 'course/tap', '--seeds', '3')]);
    for (const check of [checkProtocol, checkFilter]) {
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
      const lines = checkLines(check.stdout);
      expect(lines.length).toBeGreaterThanOrEqual(8);
      expect(lines.filter((l) => l.startsWith('  FAIL'))).toEqual([]);
      expect(check.stdout).toContain('  pass  the starter earns nothing: it fails every scored scenario (3 seeds): 0/2\n');
      expect(check.stdout).toContain('  pass  the solution scores full marks under every seed (3 per scenario unless it names its own): 2/2\n');
      expect(check.stdout).toMatch(/\n\d+ checks passed\n$/);
    }

    const labs = await nicLab(dir, 'labs', 'course', '--json');
    expect(labs.code).toBe(0);
    expect(JSON.parse(labs.stdout)).toEqual([
      { id: 'echo-lab', title: 'Echo Lab', order: 1, kind: 'protocol', seed: '000', dir: 'course/echo-lab', starter: 'course/echo-lab/starter.ts', solution: 'course/echo-lab/solution.ts' },
      { id: 'tap', title: 'A tap', order: 2, kind: 'filter', seed: '004', dir: 'course/tap', starter: 'course/tap/starter.ts', solution: 'course/tap/solution.ts' },
    ]);
    // A lab folder named without a slash, from the folder above it: a folder here with a lab.json is a lab folder.
    const graded = await nicLab(course, 'grade', 'tap', 'tap/solution.ts', '--seeds', '2', '--json');
    expect(graded.code).toBe(0);
    expect(JSON.parse(graded.stdout)).toMatchObject({ lab: 'tap', score: 2, maxScore: 2, status: 'graded' });
    // A class graded against the outside lab, and one of its scenarios run.
    mkdirSync(join(dir, 'tap-class'));
    cpSync(join(course, 'tap', 'solution.ts'), join(dir, 'tap-class', 'ann.ts'));
    cpSync(join(course, 'tap', 'starter.ts'), join(dir, 'tap-class', 'ben.ts'));
    const batch = await nicLab(dir, 'grade-batch', 'course/tap', 'tap-class', '--seeds', '1', '--out', 'tap-grades');
    expect(batch.code).toBe(0);
    expect(readFileSync(join(dir, 'tap-grades', 'class.csv'), 'utf8')).toBe('submission,score,maxScore,frames-pass-through,status,reason\nann,2,2,2,graded,\nben,0,2,0,graded,\n');
    const run = await nicLab(dir, 'run', 'course/tap:frames-pass-through', '--driver', 'course/tap/starter.ts');
    expect(run.stdout).toMatch(/^tap:frames-pass-through \(Frames from the wire reach the protocol through the filter\), seed 1: FAIL\n {2}expected exactly 5 frames delivered to the protocol on nic0; there were 0\n/);
    // lab new never writes over a lab.
    const again = await nicLab(dir, 'lab', 'new', 'course/tap');
    expect(again).toMatchObject({ code: 2, stdout: '' });
    expect(again.stderr).toBe('nic-lab: lab new: course/tap already exists and is not an empty folder; lab new writes only into a new or empty one\n');
    expect((await nicLab(dir, 'lab', 'new', 'course/Bad Name')).stderr).toBe('nic-lab: lab new: "Bad Name" is not a lab id (lowercase letters, digits and dashes): name the folder so, or give --id\n');
    expect(existsSync(join(course, 'Bad Name'))).toBe(false);
  });

  it('lab check fails a lab for each thing grading trips on, naming it, and exits 1', async () => {
    const make = (name: string, edit: (lab: string) => void) => {
      const lab = join(dir, 'broken', name);
      cpSync(join(LABS_DIR, 'protocol-binding'), lab, { recursive: true });
      edit(lab);
      return lab;
    };
    const solutionIsStarter = make('solution-is-starter', (lab) => cpSync(join(lab, 'starter.ts'), join(lab, 'solution.ts')));
    const starterIsSolution = make('starter-is-solution', (lab) => cpSync(join(lab, 'solution.ts'), join(lab, 'starter.ts')));
    const missingFile = make('missing-file', (lab) => rmSync(join(lab, 'instructions.md')));
    const notCompiling = make('not-compiling', (lab) => writeFileSync(join(lab, 'starter.ts'), 'export function DriverEntry( {\n'));
    const badJson = make('bad-json', (lab) => writeFileSync(join(lab, 'lab.json'), readFileSync(join(lab, 'lab.json'), 'utf8').replace('"order": 1,', '"order": 1')));
    const hidden = join(dir, 'broken', 'hidden');
    mkdirSync(hidden, { recursive: true });
    writeFileSync(join(hidden, 'protocol-binding.json'), JSON.stringify({ scenarios: [{ id: 'again', title: 'Again', points: 1, hidden: false, steps: [{ op: 'start' }], expectations: [{ expect: 'noFindings' }] }] }, null, 2));
    const runs = await Promise.all([solutionIsStarter, starterIsSolution, missingFile, notCompiling, badJson].map((lab) => nicLab(dir, 'lab', 'check', lab, '--seeds', '2')));
    const withHidden = await nicLab(dir, 'lab', 'check', join(LABS_DIR, 'protocol-binding'), '--seeds', '1', '--hidden', hidden);
    for (const r of [...runs, withHidden]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\n\d+ of \d+ checks FAILED\n$/);
    }
    const failed = (r: { stdout: string }) => checkLines(r.stdout).filter((l) => l.startsWith('  FAIL'));
    const course = labById('protocol-binding');
    const max = course.scenarios.reduce((n, s) => n + s.points, 0);
    expect(failed(runs[0]!)).toEqual([expect.stringMatching(new RegExp(`^ {2}FAIL {2}the solution scores full marks under every seed \\(2 per scenario unless it names its own\\): 0/${max}: bind-and-run \\(seeds 1, 2\\): expected the binding on nic0 to be Running; it is Unbound; `))]);
    expect(failed(runs[1]!)).toEqual([`  FAIL  the starter earns nothing: it fails every scored scenario (2 seeds): it scores ${max}/${max} as it stands, passing ${course.scenarios.map((s) => `${s.id} (${s.points})`).join(', ')}: the scenario checks what the starter already does, or too little`]);
    // Files are named from the current folder (the command's), as the user would type them.
    const field = readFileSync(join(missingFile, 'lab.json'), 'utf8').split('\n').findIndex((l) => l.startsWith('  "instructions":')) + 1;
    expect(failed(runs[2]!)).toEqual([`  FAIL  instructions: instructions.md is there: broken/missing-file/lab.json:${field}:3: instructions: names instructions.md, which does not exist in broken/missing-file`]);
    expect(failed(runs[3]!)).toEqual([expect.stringMatching(/^ {2}FAIL {2}the starter compiles, loads and runs: does not compile: starter\.ts: does not compile: /)]);
    // A JSON error: the file, its line and column, and nothing checked after it.
    const line = readFileSync(join(badJson, 'lab.json'), 'utf8').split('\n').findIndex((l) => l.includes('"order": 1')) + 2;
    expect(failed(runs[4]!)).toEqual([`  FAIL  lab.json is JSON and matches the lab schema: broken/bad-json/lab.json:${line}:3: not valid JSON: expected a comma (,) or the end of the object or array`]);
    expect(checkLines(runs[4]!.stdout)).toHaveLength(1);
    expect(failed(withHidden)).toEqual([`  FAIL  hidden scenarios: broken/hidden/protocol-binding.json is valid for this lab, every scenario hidden: broken/hidden/protocol-binding.json:7:7: scenarios.0.hidden: a hidden file's scenarios are always hidden: remove "hidden": false, or move the scenario to the lab's lab.json`]);
  });

  it("a lab's own reference drivers (references in lab.json) are used instead of the course's", async () => {
    const lab = join(dir, 'own-references');
    cpSync(join(LABS_DIR, 'filter-pause'), lab, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(lab, 'lab.json'), 'utf8'));
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ ...manifest, references: { protocol: 'my-protocol.ts' } }));
    const options = { seeds: 1, inProcess: true, limits: DEFAULT_LIMITS };
    // Missing: lab check names the field and the file.
    const column = readFileSync(join(lab, 'lab.json'), 'utf8').indexOf('"protocol":"my-protocol.ts"') + 1;
    expect((await checkLab(lab, options)).filter((r) => !r.ok)).toEqual([{ ok: false, what: 'references.protocol: my-protocol.ts is there', detail: `${lab}/lab.json:1:${column}: references.protocol: names my-protocol.ts, which does not exist in ${lab}` }]);
    // The course's protocol under another name: the lab passes. A protocol that sends nothing up: the solution fails.
    cpSync(join(LABS_DIR, 'reference', 'protocol.ts'), join(lab, 'my-protocol.ts'));
    expect((await checkLab(lab, options)).filter((r) => !r.ok)).toEqual([]);
    writeFileSync(join(lab, 'my-protocol.ts'), "export function DriverEntry( {\n");
    const broken = (await checkLab(lab, options)).filter((r) => !r.ok);
    expect(broken.map((r) => r.what)).toEqual(['the starter compiles, loads and runs', 'the solution compiles, loads and runs']);
    expect(broken[1]!.detail).toMatch(/^does not compile: reference-protocol\.ts: does not compile: /);
  });
});

describe('nic-lab labs DIR', () => {
  it('one malformed lab is named with its file, line and column; the others are listed; exit 1', async () => {
    const folder = join(dir, 'mixed');
    cpSync(join(LABS_DIR, 'protocol-binding'), join(folder, 'good'), { recursive: true });
    cpSync(join(LABS_DIR, 'filter-pause'), join(folder, 'broken'), { recursive: true });
    writeFileSync(join(folder, 'broken', 'lab.json'), '{\n  "id": "broken",\n  "title": "x",,\n}\n');
    cpSync(join(LABS_DIR, 'datapath'), join(folder, 'wrong-type'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(folder, 'wrong-type', 'lab.json'), 'utf8'));
    writeFileSync(join(folder, 'wrong-type', 'lab.json'), JSON.stringify({ ...manifest, order: 'first' }, null, 2));
    const text = await nicLab(dir, 'labs', 'mixed');
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(' 1. protocol-binding     The seven states of a binding  (protocol, seed 000)  mixed/good\n');
    expect(text.stderr.split('\n')).toEqual([
      'nic-lab: not listed: mixed/broken/lab.json:3:16: not valid JSON: expected a property name in double quotes',
      'nic-lab: not listed: mixed/wrong-type/lab.json:4:3: order: Invalid input: expected number, received string',
      '',
    ]);
    const json = await nicLab(dir, 'labs', 'mixed', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).map((l: { id: string }) => l.id)).toEqual(['protocol-binding']);
    // Grading the malformed lab: one line, exit 2.
    const grade = await nicLab(dir, 'grade', 'mixed/broken', 'x.ts');
    expect(grade).toMatchObject({ code: 2, stdout: '', stderr: 'nic-lab: mixed/broken/lab.json:3:16: not valid JSON: expected a property name in double quotes\n' });
    expect((await nicLab(dir, 'labs', 'nowhere')).stderr).toBe('nic-lab: labs: no folder nowhere\n');
  });
});

describe('replaying a hidden scenario', () => {
  it('grade --reveal-hidden prints a replay command for a failing hidden scenario that run --hidden executes, to the same trace', async () => {
    // A lab folder whose name is not its id: the hidden file is found by the id.
    const lab = join(dir, 'replay', 'my folder');
    cpSync(join(LABS_DIR, 'protocol-binding'), lab, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(lab, 'lab.json'), 'utf8'));
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ ...manifest, scenarios: manifest.scenarios.filter((s: { hidden?: boolean }) => !s.hidden) }, null, 2));
    const hidden = join(dir, 'replay', 'private');
    mkdirSync(hidden);
    writeFileSync(join(hidden, 'protocol-binding.json'), JSON.stringify({
      scenarios: [{ id: 'rebind', title: 'Unbound, then bound again', points: 4, steps: [{ op: 'start' }, { op: 'unbind', adapter: 0 }, { op: 'bind', adapter: 0 }], expectations: [{ expect: 'bindingState', adapter: 0, state: 'Running' }, { expect: 'noFindings' }] }],
    }));
    const starter = join(lab, 'starter.ts');
    const graded = await nicLab(dir, 'grade', lab, starter, '--seeds', '3', '--hidden', hidden, '--reveal-hidden');
    expect(graded.code).toBe(0);
    const replay = graded.stdout.split('\n').find((l) => l.includes('replay: nic-lab run') && l.includes(':rebind'));
    expect(replay).toBe(`          replay: nic-lab run '${lab}:rebind' --hidden ${hidden} --driver '${starter}' --seed 1 --trace trace.jsonl --pcap capture.pcapng`);
    const json = JSON.parse((await nicLab(dir, 'grade', lab, starter, '--seeds', '3', '--hidden', hidden, '--reveal-hidden', '--json')).stdout);
    const rebind = json.scenarios.find((s: { id: string }) => s.id === 'rebind');
    expect(rebind).toMatchObject({ hidden: true, passed: false, shortestFailingSeed: 1 });

    // Run the printed command as a shell would split it.
    const words = [...replay!.trim().replace(/^replay: nic-lab /, '').matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const run = await nicLab(join(dir, 'replay'), ...words);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^protocol-binding:rebind \(Unbound, then bound again\), seed 1: FAIL\n/);
    expect(run.stdout).toContain(`trace: ${rebind.shortestTraceEvents} events`);
    const trace = readFileSync(join(dir, 'replay', 'trace.jsonl'), 'utf8').trimEnd().split('\n');
    expect(trace).toHaveLength(rebind.shortestTraceEvents);
    // Without --hidden, run says where the scenario is.
    const without = await nicLab(dir, 'run', `${lab}:rebind`, '--driver', starter);
    expect(without.code).toBe(2);
    expect(without.stderr).toBe(`nic-lab: lab protocol-binding has no scenario "rebind"; its scenarios are ${labById('protocol-binding').scenarios.filter((s) => !s.hidden).map((s) => s.id).join(', ')} (a hidden scenario needs --hidden DIR)\n`);

    const scenarios = await nicLab(dir, 'lab', 'scenarios', lab, '--hidden', hidden, '--json');
    expect(JSON.parse(scenarios.stdout).at(-1)).toEqual({ id: 'rebind', title: 'Unbound, then bound again', points: 4, hidden: true, seeds: 8, ownSeeds: false });
  });
});

describe('run <lab>[:<scenario>]', () => {
  it('takes the scenario after the last colon, when it is a scenario id and the whole is not a folder', () => {
    expect(splitRunTarget('protocol-binding')).toEqual({ labRef: 'protocol-binding' });
    expect(splitRunTarget('protocol-binding:unbind')).toEqual({ labRef: 'protocol-binding', scenarioId: 'unbind' });
    expect(splitRunTarget('../courses/a:b/my-lab:rebind')).toEqual({ labRef: '../courses/a:b/my-lab', scenarioId: 'rebind' });
    expect(splitRunTarget('C:\\labs\\my-lab')).toEqual({ labRef: 'C:\\labs\\my-lab' });
    const odd = join(dir, 'odd:name');
    mkdirSync(odd);
    expect(splitRunTarget(odd)).toEqual({ labRef: odd });
  });
});
