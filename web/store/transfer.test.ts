// Export and import of progress (Node, fake-indexeddb): a file round-trips into an empty store;
// merging keeps the newer draft (the older local one as a backup) and the union of attempts;
// malformed, foreign and newer-version files are refused with what is wrong and change nothing.

import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { ProgressStore } from './progress-store.ts';
import { exportProgress, importProgress, parseExport, ImportError, EXPORT_FORMAT } from './transfer.ts';
import type { GradeSummary } from './records.ts';

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
    const parsed = parseExport(JSON.stringify(file));
    expect(await importProgress(target, parsed)).toEqual({ labs: 1, draftsReplaced: 0 });
    expect((await target.readDraft('protocol-binding'))?.source).toBe('my driver');
    expect(await target.readProgress('protocol-binding')).toMatchObject({ completed: true, best: { score: 7 }, attempts: [{ at: 10 }] });
  });

  it('merges: the newer draft wins and the older local one is kept as a backup; attempts are united', async () => {
    await source.saveDraft('lab-a', 'imported text', 0);
    await source.recordGrade('lab-a', grade(3, 10));
    const file = parseExport(JSON.stringify(await exportProgress(source)));
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
    const file = parseExport(JSON.stringify(await exportProgress(source)));
    file.labs[0]!.draft!.updatedAt = 1;
    await target.saveDraft('lab-a', 'newer local', 0);
    await importProgress(target, file);
    expect((await target.readDraft('lab-a'))?.source).toBe('newer local');
  });

  it('refuses what is not a progress file, saying what is wrong', () => {
    const refuse = (text: string) => {
      try {
        parseExport(text, 'p.json');
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
});
