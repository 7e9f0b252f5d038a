// `nic-lab grade-batch` as a class's grader relies on it: each report on disk as soon as its
// submission is graded (a batch killed mid-way keeps them, and a rerun grades only the rest), a
// rerun keeping only reports made for the same lab, options and file, and the folder situations
// that must stop a batch before it grades anything (two submissions with one name, an --out that
// cannot take the reports) or only skip one entry (a broken symbolic link); the student ids that
// pick variants, merging shards, and grading with no writable temporary folder but --tmp's.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync, mkdirSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labById } from '../grading/labs.ts';
import { variantValues } from '../scenario/variants.ts';

const BIN = fileURLToPath(new URL('../../bin/nic-lab.js', import.meta.url));
const SOLUTION = fileURLToPath(new URL('../../labs/protocol-binding/solution.ts', import.meta.url));
const BROKEN = 'export function DriverEntry( {\n';
const HANG = 'export function DriverEntry(): number { for (;;) {} }\n';
const LAB = labById('protocol-binding');
/** The lab's points in all, and each scenario's, as the class CSV writes them. */
const MAX = LAB.scenarios.reduce((n, s) => n + s.points, 0);
const POINTS = LAB.scenarios.map((s) => s.points).join(',');
const ZEROS = LAB.scenarios.map(() => 0).join(',');

function nicLab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nic-lab-batch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function classFolder(name: string, files: Record<string, string>): string {
  const folder = join(dir, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    writeFileSync(join(folder, file), text);
  }
  return folder;
}

describe('grade-batch keeps every report it wrote', () => {
  it('killed mid-batch (while a submission hangs): the reports written so far are whole; the rerun keeps them and grades only the rest', async () => {
    const submissions = classFolder('killed', { 'a-good.ts': readFileSync(SOLUTION, 'utf8'), 'b-hang.ts': HANG, 'c-good.ts': readFileSync(SOLUTION, 'utf8') });
    const out = join(dir, 'killed-out');
    const args = [BIN, 'grade-batch', 'protocol-binding', submissions, '--out', out, '--seeds', '1', '--jobs', '1', '--time-limit', '3'];
    // Its own process group, so that the kill takes the grading child with it, as a killed CI job's would go.
    const batch = spawn(process.execPath, args, { stdio: 'ignore', detached: true });
    const ended = new Promise((resolve) => batch.on('exit', resolve));
    while (!existsSync(join(out, 'a-good.json'))) await new Promise((r) => setTimeout(r, 20));
    process.kill(-batch.pid!, 'SIGKILL');
    await ended;
    const first = readFileSync(join(out, 'a-good.json'), 'utf8');
    expect(JSON.parse(first)).toMatchObject({ submission: 'a-good', student: 'a-good', status: 'graded', score: MAX, maxScore: MAX, gradingKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(readdirSync(out).sort()).toEqual(['a-good.json']);

    const { code, stdout, stderr } = await nicLab(...args.slice(1));
    expect(code).toBe(0);
    expect(stdout).toContain('3 submission(s): 2 graded, 1 zero for a reason; 1 kept from an earlier run (same lab, options and file; --regrade grades them again)');
    // b-hang hangs in DriverEntry, so in every scenario: after the first hang limit (2 s) the 3 s are nearly gone.
    expect(stderr).toBe(`[1/2] b-hang: 0/${MAX} (timed out)\n[2/2] c-good: ${MAX}/${MAX}\n`);
    expect(readFileSync(join(out, 'a-good.json'), 'utf8')).toBe(first);
    const csv = readFileSync(join(out, 'class.csv'), 'utf8').trimEnd().split('\n');
    expect(csv.slice(1)).toEqual([`a-good,${MAX},${MAX},${POINTS},graded,`, `b-hang,0,${MAX},${ZEROS},timed out,timed out: no result within 3 s`, `c-good,${MAX},${MAX},${POINTS},graded,`]);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a rerun keeps a report only for the same file, seeds and options; --regrade grades all again', async () => {
    const submissions = classFolder('resume', { 'alice.ts': BROKEN, 'bob.ts': BROKEN, 'carol.ts': BROKEN });
    const out = join(dir, 'resume-out');
    const batch = (...extra: string[]) => nicLab('grade-batch', 'protocol-binding', submissions, '--out', out, '--seeds', '1', '--jobs', '1', ...extra);
    const kept = (stdout: string) => Number(/; (\d+) kept from an earlier run/.exec(stdout)?.[1] ?? 0);
    expect(kept((await batch()).stdout)).toBe(0);
    const again = await batch();
    expect(kept(again.stdout)).toBe(3);
    expect(again.stderr).toBe('');
    writeFileSync(join(submissions, 'bob.ts'), `${BROKEN}// edited\n`);
    const edited = await batch();
    expect(kept(edited.stdout)).toBe(2);
    expect(edited.stderr).toBe(`[1/1] bob: 0/${MAX} (does not compile)\n`);
    expect(kept((await batch('--seeds', '2')).stdout)).toBe(0);
    expect(kept((await batch('--seeds', '2', '--time-limit', '45')).stdout)).toBe(0);
    expect(kept((await batch('--seeds', '2', '--time-limit', '45')).stdout)).toBe(3);
    expect(kept((await batch('--seeds', '2', '--time-limit', '45', '--regrade')).stdout)).toBe(0);
    // A report that is not whole JSON (edited by hand, say) is graded again, not trusted.
    writeFileSync(join(out, 'carol.json'), '{ "submission": "carol", ');
    const repaired = await batch('--seeds', '2', '--time-limit', '45');
    expect(kept(repaired.stdout)).toBe(2);
    expect(JSON.parse(readFileSync(join(out, 'carol.json'), 'utf8'))).toMatchObject({ submission: 'carol', status: 'does not compile' });
  });
});

describe('grade-batch refuses a class it cannot grade whole, before grading', () => {
  const refused = async (args: string[], line: string, out: string) => {
    const { code, stdout, stderr } = await nicLab(...args);
    expect(stderr).toBe(`nic-lab: ${line}\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(existsSync(out) && statSync(out).isDirectory() ? readdirSync(out) : []).toEqual([]);
  };

  it('alice.ts beside alice.js, or beside a folder Alice/: one line naming both, exit 2, nothing written', async () => {
    const twins = classFolder('twins', { 'alice.ts': BROKEN, 'alice.js': BROKEN, 'bob.ts': BROKEN });
    const out = join(dir, 'twins-out');
    await refused(['grade-batch', 'protocol-binding', twins, '--out', out], `two submissions would both be "alice": ${join(twins, 'alice.js')} and ${join(twins, 'alice.ts')} (each gets <name>.json); rename or remove one`, out);
    const cased = classFolder('cased', { 'Alice/driver.ts': BROKEN, 'alice.ts': BROKEN });
    await refused(['grade-batch', 'protocol-binding', cased, '--out', out], `two submissions would both be "alice": ${join(cased, 'Alice')} and ${join(cased, 'alice.ts')} (each gets <name>.json); rename or remove one`, out);
    expect(existsSync(out)).toBe(false);
  });

  it('an --out that is a file, below a file, or cannot be written: exit 2, nothing written', async () => {
    const submissions = classFolder('out-checks', { 'alice.ts': BROKEN });
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder\n');
    await refused(['grade-batch', 'protocol-binding', submissions, '--out', file], `--out ${file} is a file, not a folder (it gets a report per submission and class.csv)`, file);
    await refused(['grade-batch', 'protocol-binding', submissions, '--out', join(file, 'grades')], `--out ${join(file, 'grades')} cannot be created: ${file} is a file`, file);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
    // sysfs takes no new folders, not even from root (mode bits would not stop root).
    if (existsSync('/sys/kernel')) await refused(['grade-batch', 'protocol-binding', submissions, '--out', '/sys/kernel/nic-lab-grades'], '--out /sys/kernel/nic-lab-grades cannot be written (it would be created in /sys/kernel): permission denied', '/sys/kernel/nic-lab-grades');
  });

  it('a broken symbolic link among the submissions is named and skipped; the others are graded', async () => {
    const submissions = classFolder('links', { 'alice.ts': BROKEN });
    symlinkSync(join(dir, 'nowhere', 'ghost.ts'), join(submissions, 'ghost.ts'));
    const out = join(dir, 'links-out');
    const { code, stdout, stderr } = await nicLab('grade-batch', 'protocol-binding', submissions, '--out', out, '--seeds', '1');
    expect(code).toBe(0);
    expect(stderr.split('\n')[0]).toBe(`nic-lab: ${join(submissions, 'ghost.ts')}: a symbolic link to ${join(dir, 'nowhere', 'ghost.ts')}, which does not exist; skipped`);
    expect(stdout).toContain('1 submission(s): 0 graded, 1 zero for a reason');
    expect(readFileSync(join(out, 'class.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(',')[0])).toEqual(['submission', 'alice']);
  });
});

describe('grade-batch --student-id-from, nic-lab merge, --tmp', () => {
  it('csv:PATH maps each submission to the student whose variant it is graded against; file-name takes the driver file\'s name', async () => {
    const lab = labById('filter-firewall');
    const submissions = classFolder('ids', { 'alice.ts': BROKEN, 'bob/s-2002.ts': BROKEN });
    const map = join(dir, 'ids.csv');
    writeFileSync(map, 'submission,student\nalice,s-1001\nbob,s-2002\n');
    const out = join(dir, 'ids-out');
    const { code, stderr } = await nicLab('grade-batch', 'filter-firewall', submissions, '--out', out, '--seeds', '1', '--student-id-from', `csv:${map}`);
    expect(stderr).toMatch(/^\[1\/2\]/);
    expect(code).toBe(0);
    const stored = (name: string) => JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
    expect(stored('alice')).toMatchObject({ student: 's-1001', variants: variantValues(lab, 's-1001') });
    expect(stored('bob')).toMatchObject({ student: 's-2002', variants: variantValues(lab, 's-2002') });
    expect(variantValues(lab, 's-1001')).not.toEqual(variantValues(lab, 'alice'));
    // file-name: bob's driver file is s-2002.ts; the same student as the CSV said, so his report is kept.
    const byFile = await nicLab('grade-batch', 'filter-firewall', submissions, '--out', out, '--seeds', '1', '--student-id-from', 'file-name');
    expect(byFile.stdout).toContain('1 kept from an earlier run');
    expect(stored('alice')).toMatchObject({ student: 'alice', variants: variantValues(lab, 'alice') });
  });

  it('a mapping that names a submission not in the folder, or misses one: one line naming them, exit 2, nothing graded', async () => {
    const submissions = classFolder('ids-bad', { 'alice.ts': BROKEN, 'bob.ts': BROKEN });
    const out = join(dir, 'ids-bad-out');
    const cases: [string, string][] = [
      ['submission,student\nalice,s-1\nbob,s-2\nzed,s-3\n', 'maps submissions that are not in the folder: "zed"'],
      ['submission,student\nalice,s-1\n', 'does not map the submissions "bob" (each needs a student id for its variant)'],
      ['submission,student\nalice,s-1\nalice,s-2\n', ':3: submission "alice" is mapped twice'],
      ['name,id\nalice,s-1\n', 'needs a header row with the columns submission,student; it has name,id'],
      ['submission,student\nalice,"s-1\n', ': Quote Not Closed: the parsing is finished with an opening quote at line 2'],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const map = join(dir, `bad-${i}.csv`);
      writeFileSync(map, text);
      const { code, stdout, stderr } = await nicLab('grade-batch', 'protocol-binding', submissions, '--out', out, '--student-id-from', `csv:${map}`);
      expect(code, text).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toHaveLength(2);
      expect(stderr, text).toContain(`nic-lab: --student-id-from: ${map}`);
      expect(stderr, text).toContain(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('merge joins the shards\' report folders into one class.csv; a submission with two different reports is refused, naming both', async () => {
    const submissions = classFolder('merge', Object.fromEntries(['s1', 's2', 's3', 's4', 's5'].map((n) => [`${n}.ts`, BROKEN])));
    const shards = [1, 2].map((i) => join(dir, `merge-shard-${i}`));
    const runs = await Promise.all(shards.map((out, i) => nicLab('grade-batch', 'protocol-binding', submissions, '--shard', `${i + 1}/2`, '--out', out, '--seeds', '1', '--jobs', '1')));
    for (const r of runs) expect(r.code).toBe(0);
    const whole = join(dir, 'merge-whole');
    expect((await nicLab('grade-batch', 'protocol-binding', submissions, '--out', whole, '--seeds', '1')).code).toBe(0);
    const merged = join(dir, 'merged');
    const { code, stdout } = await nicLab('merge', ...shards, '--out', merged);
    expect(code).toBe(0);
    expect(stdout).toBe(`5 submission(s) from 2 folder(s); reports in ${merged}, class CSV ${join(merged, 'class.csv')}\n`);
    expect(readFileSync(join(merged, 'class.csv'), 'utf8')).toBe(readFileSync(join(whole, 'class.csv'), 'utf8'));
    // The same shard twice is the same reports: kept once.
    expect((await nicLab('merge', shards[0]!, shards[0]!, shards[1]!, '--out', join(dir, 'merged-again'))).code).toBe(0);
    // A report that differs (graded again with other seeds) is a conflict.
    const other = join(dir, 'merge-other');
    expect((await nicLab('grade-batch', 'protocol-binding', submissions, '--shard', '1/2', '--out', other, '--seeds', '2')).code).toBe(0);
    const conflict = await nicLab('merge', shards[0]!, other, '--out', join(dir, 'merged-conflict'));
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toBe(`nic-lab: merge: two different reports for "s1": ${join(shards[0]!, 's1.json')} and ${join(other, 's1.json')}; remove the one that is wrong\n`);
    expect(existsSync(join(dir, 'merged-conflict'))).toBe(false);
  });

  it('--tmp: with TMPDIR unwritable, grading writes its temporary files only in the folder --tmp names (and without --tmp, none)', async () => {
    const scratch = mkdtempSync(join(dir, 'scratch-'));
    const env = { ...process.env, TMPDIR: '/sys/kernel/nic-lab-no-tmp' };
    const run = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    });
    const withTmp = await run('grade', 'protocol-binding', SOLUTION, '--seeds', '1', '--tmp', scratch);
    expect(withTmp.stderr).toBe('');
    expect(withTmp.code).toBe(0);
    expect(withTmp.stdout).toContain(`score ${MAX}/${MAX}`);
    expect(readdirSync(scratch)).toEqual([`tsx-${process.getuid?.() ?? ''}`]);
    const without = await run('grade', 'protocol-binding', SOLUTION, '--seeds', '1');
    expect(without.stderr).toBe('');
    expect(without.stdout).toContain(`score ${MAX}/${MAX}`);
    const bad = await run('labs', '--tmp', join(dir, 'no-such-folder'));
    expect(bad).toEqual({ code: 2, stdout: '', stderr: `nic-lab: --tmp ${join(dir, 'no-such-folder')} does not exist\n` });
  });
});
