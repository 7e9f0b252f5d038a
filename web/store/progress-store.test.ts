// The progress store on fake-indexeddb (Node unit tests; the browser tests use the real
// IndexedDB): drafts compare-and-swap on their revision, older records migrate, unreadable ones
// are kept under a backup key with a notice, and grades accumulate into attempts and a best.

import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { ProgressStore, DATABASE, OBJECT_STORE, draftKey, progressKey, type StoreNotice, type ChannelMessage } from './progress-store.ts';
import { SCHEMA_VERSION, type GradeSummary, type DraftRecord } from './records.ts';

let database = 0;
let store: ProgressStore;
let name: string;

function rawStore() {
  return createStore(name, OBJECT_STORE);
}

function grade(score: number, maxScore: number, at: number): GradeSummary {
  return { at, score, maxScore, seeds: 8, traceHash: `hash-${at}`, scenarios: [] };
}

beforeEach(() => {
  name = `${DATABASE}-test-${++database}`;
  store = new ProgressStore(name);
});

afterEach(() => store.close());

describe('drafts', () => {
  it('saves a new draft at revision 1 and the next at revision 2', async () => {
    const first = (await store.saveDraft('lab-a', 'one', 0)) as DraftRecord;
    expect(first).toMatchObject({ schema: SCHEMA_VERSION, lab: 'lab-a', source: 'one', revision: 1, tab: store.tab });
    const second = (await store.saveDraft('lab-a', 'two', 1)) as DraftRecord;
    expect(second.revision).toBe(2);
    expect((await store.readDraft('lab-a'))?.source).toBe('two');
  });

  it('refuses to write over a newer draft another tab saved, and returns that draft', async () => {
    const other = new ProgressStore(name);
    await store.saveDraft('lab-a', 'from this tab', 0);
    const newer = (await other.saveDraft('lab-a', 'from the other tab', 1)) as DraftRecord;
    expect(newer.revision).toBe(2);
    // This tab still believes revision 1 is current.
    const result = await store.saveDraft('lab-a', 'stale text', 1);
    expect(result).toEqual({ conflict: true, newer });
    expect((await store.readDraft('lab-a'))?.source).toBe('from the other tab');
    other.close();
  });

  it('tells the other tabs of a save on the BroadcastChannel', async () => {
    const other = new ProgressStore(name);
    const heard = new Promise<ChannelMessage>((resolve) => other.addEventListener('remote-change', (e) => resolve((e as CustomEvent<ChannelMessage>).detail), { once: true }));
    await store.saveDraft('lab-a', 'text', 0);
    expect(await heard).toEqual({ kind: 'draft', lab: 'lab-a', revision: 1, tab: store.tab });
    other.close();
  });

  it('migrates a version 1 draft (no revision) to the current schema', async () => {
    await set(draftKey('lab-a'), { schema: 1, lab: 'lab-a', source: 'old text', savedAt: 1234 }, rawStore());
    expect(await store.readDraft('lab-a')).toEqual({ schema: SCHEMA_VERSION, lab: 'lab-a', source: 'old text', revision: 1, updatedAt: 1234, tab: 'migrated' });
    expect(((await store.saveDraft('lab-a', 'new text', 1)) as DraftRecord).revision).toBe(2);
  });

  it('keeps an unreadable draft under a backup key, says so, and reads it as absent', async () => {
    const notices: StoreNotice[] = [];
    store.addEventListener('notice', (e) => notices.push((e as CustomEvent<StoreNotice>).detail));
    const damaged = { schema: SCHEMA_VERSION, lab: 'lab-a', source: 42 };
    await set(draftKey('lab-a'), damaged, rawStore());
    expect(await store.readDraft('lab-a')).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/draft for lab lab-a could not be read \(source: .*\)/);
    const backups = await store.backups();
    expect(backups).toHaveLength(1);
    expect(backups[0]!.backupKey).toBe(notices[0]!.backupKey);
    expect(backups[0]!.record).toMatchObject({ key: draftKey('lab-a'), value: damaged });
    expect(await store.raw(draftKey('lab-a'))).toBeUndefined();
  });

  it('keeps a record written by a newer NIC Lab aside instead of overwriting it', async () => {
    const future = { schema: SCHEMA_VERSION + 1, lab: 'lab-a', text: 'new format' };
    await set(draftKey('lab-a'), future, rawStore());
    expect(await store.readDraft('lab-a')).toBeUndefined();
    const [backup] = await store.backups();
    expect(backup!.record.reason).toMatch(/saved by a newer NIC Lab \(schema 3; this page reads up to 2\)/);
    expect(backup!.record.value).toEqual(future);
  });
});

describe('grades', () => {
  it('records attempts, keeps the best, and completes the lab at full marks', async () => {
    let progress = await store.recordGrade('lab-a', grade(3, 7, 100));
    expect(progress).toMatchObject({ attempts: [{ score: 3 }], best: { score: 3, maxScore: 7 }, completed: false });
    progress = await store.recordGrade('lab-a', grade(7, 7, 200));
    expect(progress).toMatchObject({ best: { score: 7, at: 200 }, completed: true });
    progress = await store.recordGrade('lab-a', grade(5, 7, 300));
    expect(progress.attempts.map((a) => a.score)).toEqual([3, 7, 5]);
    expect(progress.best?.score).toBe(7);
    expect(progress.completed).toBe(true);
    expect(progress.lastGrade?.at).toBe(300);
  });

  it('keeps where in the driver a grade\'s findings were made, and reads a grade kept without it', async () => {
    const scenario = { id: 's', title: 'S', points: 0, maxPoints: 2, passed: false, failingSeed: 3, failures: [] };
    const placed = { rule: 'ProtocolSendWhileNotRunning', driver: 'driver', message: 'm', event: 87, location: { file: 'driver.ts', line: 73, column: 3 } };
    const { location: _, ...unplaced } = placed;
    const declared = { rule: 'FilterPauseNeverCompleted', driver: 'driver', message: 'm', event: 90, location: { file: 'driver.ts', line: 79, column: 5, kind: 'handler' as const } };
    await store.recordGrade('lab-a', { ...grade(0, 2, 100), scenarios: [{ ...scenario, findings: [placed, unplaced, declared] }] });
    const kept = await new ProgressStore(name).readProgress('lab-a');
    expect(kept?.lastGrade?.scenarios[0]?.findings).toEqual([placed, unplaced, declared]);
  });

  it('migrates version 1 progress (best score only) without losing the score', async () => {
    await set(progressKey('lab-a'), { schema: 1, lab: 'lab-a', bestScore: 6, maxScore: 7, completed: false }, rawStore());
    const progress = await store.readProgress('lab-a');
    expect(progress).toMatchObject({ schema: SCHEMA_VERSION, best: { score: 6, maxScore: 7 }, attempts: [{ score: 6 }], completed: false, lastGrade: null });
  });

  it('lists every lab with its draft and progress', async () => {
    await store.saveDraft('lab-a', 'a', 0);
    await store.recordGrade('lab-b', grade(1, 2, 5));
    const all = await store.everything();
    expect([...all.keys()].sort()).toEqual(['lab-a', 'lab-b']);
    expect(all.get('lab-a')?.draft?.source).toBe('a');
    expect(all.get('lab-b')?.progress?.best?.score).toBe(1);
  });
});
