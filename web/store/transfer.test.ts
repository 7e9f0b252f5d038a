// Export and import of progress (Node, fake-indexeddb): a file round-trips into an empty store;
// merging keeps the newer draft (the older local one as a backup) and the union of attempts;
// malformed, foreign and newer-version files, labs the course does not have and scores outside
// 0..a lab's maximum are refused with what is wrong and change nothing; completion and the best
// are recomputed from the attempts, whatever the file's "completed" says.

import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { ProgressStore } from './progress-store.ts';
import { exportProgress, importProgress, parseExport, courseScores, ImportError, EXPORT_FORMAT, type ExportFile } from './transfer.ts';
import type { GradeSummary } from './records.ts';
import { course } from '../labs/catalog.ts';

/** The course these tests import into: two labs of 7 points. */
const COURSE = new Map([['protocol-binding', 7], ['lab-a', 7]]);

let n = 0;
let source: ProgressStore;
let target: ProgressStore;

const grade = (score: number, at: number): GradeSummary => ({ at, score, maxScore: 7, seeds: 8, traceHash: `h${at}`, scenarios: [] });

beforeEach(() => {
  source = new ProgressStore(`transfer-source-${++n}`);
  target = new ProgressStore(`transfer-target-${n}`);
});

afterEach(() => {
  source.close();
  target.close();
});

describe('progress files', () => {
  it('round-trips drafts, attempts and completion into an empty store', async () => {
    await source.saveDraft('protocol-binding', 'my driver', 0);
    await source.recordGrade('protocol-binding', grade(7, 10));
    const file = await exportProgress(source, new Date('2026-01-02T03:04:05Z'));
    expect(file).toMatchObject({ format: EXPORT_FORMAT, version: 1, exportedAt: '2026-01-02T03:04:05.000Z' });
    const parsed = parseExport(JSON.stringify(file), 'p.json', COURSE);
    expect(await importProgress(target, parsed)).toEqual({ labs: 1, draftsReplaced: 0 });
    expect((await target.readDraft('protocol-binding'))?.source).toBe('my driver');
    expect(await target.readProgress('protocol-binding')).toMatchObject({ completed: true, best: { score: 7 }, attempts: [{ at: 10 }] });
  });

  it('merges: the newer draft wins and the older local one is kept as a backup; attempts are united', async () => {
    await source.saveDraft('lab-a', 'imported text', 0);
    await source.recordGrade('lab-a', grade(3, 10));
    const file = parseExport(JSON.stringify(await exportProgress(source)), 'p.json', COURSE);
    await target.saveDraft('lab-a', 'local older text', 0);
    await target.recordGrade('lab-a', grade(5, 20));
    // Make the file's draft the newer one.
    file.labs[0]!.draft!.updatedAt = Date.now() + 60_000;
    expect(await importProgress(target, file)).toEqual({ labs: 1, draftsReplaced: 1 });
    expect((await target.readDraft('lab-a'))?.source).toBe('imported text');
    expect((await target.backups()).map((b) => (b.record.value as { source: string }).source)).toEqual(['local older text']);
    const progress = await target.readProgress('lab-a');
    expect(progress?.attempts.map((a) => a.score)).toEqual([3, 5]);
    expect(progress?.best?.score).toBe(5);
    // Importing the same file again changes nothing.
    expect(await importProgress(target, file)).toEqual({ labs: 0, draftsReplaced: 0 });
  });

  it('keeps a newer local draft over an older imported one', async () => {
    await source.saveDraft('lab-a', 'old imported', 0);
    const file = parseExport(JSON.stringify(await exportProgress(source)), 'p.json', COURSE);
    file.labs[0]!.draft!.updatedAt = 1;
    await target.saveDraft('lab-a', 'newer local', 0);
    await importProgress(target, file);
    expect((await target.readDraft('lab-a'))?.source).toBe('newer local');
  });

  it('refuses what is not a progress file, saying what is wrong', () => {
    const refuse = (text: string) => {
      try {
        parseExport(text, 'p.json', COURSE);
      } catch (error) {
        expect(error).toBeInstanceOf(ImportError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse('{"format":')).toMatch(/^p\.json is not JSON \(.+\); nothing was imported\.$/);
    expect(refuse('[1,2]')).toBe('p.json is not a NIC Lab progress file: it has no "format" field where "nic-lab-progress" was expected; nothing was imported.');
    expect(refuse('{"format":"other-app"}')).toMatch(/has "format": "other-app" where/);
    expect(refuse(JSON.stringify({ format: EXPORT_FORMAT, version: 9, labs: [] }))).toMatch(/exported by a newer NIC Lab \(version 9; this page reads version 1\)/);
    expect(refuse(JSON.stringify({ format: EXPORT_FORMAT, version: 1, exportedAt: 'x', labs: [{ lab: 'Bad Id', draft: null, attempts: [], completed: false, lastGrade: null }] })))
      .toMatch(/is damaged: labs\.0\.lab: a lab id/);
    const twice = { lab: 'lab-a', draft: null, attempts: [], completed: false, lastGrade: null };
    expect(refuse(JSON.stringify({ format: EXPORT_FORMAT, version: 1, exportedAt: 'x', labs: [twice, twice] }))).toMatch(/lab "lab-a" appears twice/);
  });
  const fileWith = (labs: object[]) => JSON.stringify({ format: EXPORT_FORMAT, version: 1, exportedAt: 'x', labs });
  const entry = (lab: string, attempts: { score: number; maxScore: number }[], extra: object = {}) => ({
    lab, draft: { source: `draft of ${lab}`, updatedAt: 5 }, attempts: attempts.map((a, i) => ({ at: 100 + i, traceHash: `t${i}`, ...a })), completed: false, lastGrade: null, ...extra,
  });

  it('refuses a lab the course does not have and a score outside 0..the lab\'s maximum, and writes nothing', async () => {
    await target.saveDraft('lab-a', 'mine', 0);
    const refused = async (text: string) => {
      let message = '';
      try {
        await importProgress(target, parseExport(text, 'p.json', COURSE));
      } catch (error) {
        expect(error).toBeInstanceOf(ImportError);
        message = (error as Error).message;
      }
      expect(await target.readDraft('lab-a')).toMatchObject({ source: 'mine', revision: 1 });
      expect(await target.readProgress('lab-a')).toBeUndefined();
      expect(await target.readProgress('no-such-lab')).toBeUndefined();
      return message;
    };
    expect(await refused(fileWith([entry('lab-a', [{ score: 7, maxScore: 7 }]), entry('no-such-lab', [])])))
      .toBe('p.json: labs.1.lab: "no-such-lab" is not a lab of this course (its labs: protocol-binding, lab-a); nothing was imported.');
    expect(await refused(fileWith([entry('lab-a', [{ score: 3, maxScore: 7 }, { score: 1_000_000, maxScore: 7 }])])))
      .toBe('p.json: labs.0.attempts.1: score 1000000 is outside 0..7 (the points lab "lab-a" has); nothing was imported.');
    expect(await refused(fileWith([entry('lab-a', [{ score: -1, maxScore: 7 }])]))).toBe('p.json: labs.0.attempts.0: score -1 is outside 0..7 (the points lab "lab-a" has); nothing was imported.');
    expect(await refused(fileWith([entry('lab-a', [{ score: 2.5, maxScore: 7 }])]))).toBe('p.json: labs.0.attempts.0: score 2.5 is outside 0..7 (the points lab "lab-a" has); nothing was imported.');
    // Full marks of a smaller maximum would read as completed: the maximum must be the lab's.
    expect(await refused(fileWith([entry('lab-a', [{ score: 1, maxScore: 1 }])]))).toBe('p.json: labs.0.attempts.0: maxScore 1 is not the 7 points lab "lab-a" has; nothing was imported.');
    expect(await refused(fileWith([entry('lab-a', [], { lastGrade: { ...grade(8, 10), maxScore: 7 } })]))).toBe('p.json: labs.0.lastGrade: score 8 is outside 0..7 (the points lab "lab-a" has); nothing was imported.');
  });

  it('recomputes completion and the best from the attempts: the file\'s "completed" is not taken', async () => {
    const file: ExportFile = parseExport(fileWith([
      entry('lab-a', [{ score: 3, maxScore: 7 }, { score: 5, maxScore: 7 }], { completed: true }),
      entry('protocol-binding', [{ score: 2, maxScore: 7 }, { score: 7, maxScore: 7 }, { score: 4, maxScore: 7 }], { completed: false }),
    ]), 'p.json', COURSE);
    expect(await importProgress(target, file)).toEqual({ labs: 2, draftsReplaced: 0 });
    expect(await target.readProgress('lab-a')).toMatchObject({ completed: false, best: { score: 5, at: 101 } });
    expect(await target.readProgress('protocol-binding')).toMatchObject({ completed: true, best: { score: 7, at: 101 } });
    // A lab completed here stays completed, whatever a later file says.
    await importProgress(target, parseExport(fileWith([entry('protocol-binding', [{ score: 1, maxScore: 7 }])]), 'p.json', COURSE));
    expect(await target.readProgress('protocol-binding')).toMatchObject({ completed: true, best: { score: 7 } });
  });

  it('the page checks imports against its own course: every lab and the points the page grades it to', () => {
    const scores = courseScores(course.labs);
    expect([...scores.keys()]).toEqual(course.labs.map((l) => l.id));
    for (const lab of course.labs) {
      expect(lab.scenarios.some((s) => s.hidden)).toBe(false);
      expect(scores.get(lab.id)).toBe(lab.scenarios.reduce((n, s) => n + s.points, 0));
    }
    // Lab 1's visible scenarios (its hidden ones are not in the page's course).
    expect(scores.get('protocol-binding')).toBe(13);
  });
});
