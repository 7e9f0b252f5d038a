// The write-ahead copy of drafts (Node, fake-indexeddb and a Map for localStorage): an edit that
// never reached IndexedDB is there on the next load, whichever tab typed it; the newest text
// wins; whatever loses is kept under a backup key; a committed edit leaves nothing behind.

import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { ProgressStore, DATABASE, type StoreNotice } from './progress-store.ts';
import { UNSAVED_PREFIX, type KeyValueStorage } from './write-ahead.ts';
import type { DraftRecord } from './records.ts';

class MapStorage implements KeyValueStorage {
  private readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
}

let database = 0;
let name: string;
let storage: MapStorage;
const open: ProgressStore[] = [];

/** A page load: a fresh store (a fresh tab id) over the same IndexedDB and localStorage. */
function load(): ProgressStore {
  const store = new ProgressStore(name, storage);
  open.push(store);
  return store;
}

beforeEach(() => {
  name = `${DATABASE}-wal-${++database}`;
  storage = new MapStorage();
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

describe('the write-ahead copy of drafts', () => {
  it('keeps an edit that never reached IndexedDB and brings it there on the next load', async () => {
    const first = load();
    first.unsaved.record('lab-a', 'typed, then the page closed', 0);
    // The page closed: no IndexedDB write happened.
    const next = load();
    expect(await next.readDraft('lab-a')).toBeUndefined();
    const result = (await next.reconcileUnsaved('lab-a')).get('lab-a');
    expect(result?.recovered).toMatchObject({ source: 'typed, then the page closed', revision: 1 });
    expect((await next.readDraft('lab-a'))?.source).toBe('typed, then the page closed');
    expect(next.recovered.get('lab-a')?.revision).toBe(1);
    expect(storage.keys().filter((k) => k.startsWith(UNSAVED_PREFIX))).toEqual([]);
  });

  it('an edit typed over the stored draft wins it, and a committed edit leaves no entry', async () => {
    const tab = load();
    const saved = (await tab.saveDraft('lab-a', 'saved', 0)) as DraftRecord;
    tab.unsaved.record('lab-a', 'saved', saved.revision);
    tab.unsaved.committed('lab-a', 'saved');
    expect(storage.length).toBe(0);
    tab.unsaved.record('lab-a', 'saved, then one more keystroke', saved.revision);
    const next = load();
    await next.reconcileUnsaved(undefined);
    expect(await next.readDraft('lab-a')).toMatchObject({ source: 'saved, then one more keystroke', revision: 2 });
    expect(await next.backups()).toEqual([]);
  });

  it('a later edit stays when an earlier text is committed', async () => {
    const tab = load();
    tab.unsaved.record('lab-a', 'one', 0);
    tab.unsaved.record('lab-a', 'one two', 0);
    tab.unsaved.committed('lab-a', 'one');
    expect(tab.unsaved.pending('lab-a').map((p) => p.entry.source)).toEqual(['one two']);
  });

  it('across tabs the newest text wins and the other is kept under a backup key, with a notice', async () => {
    const a = load();
    const b = load();
    a.unsaved.record('lab-a', 'from tab A', 0);
    await new Promise((r) => setTimeout(r, 5));
    b.unsaved.record('lab-a', 'from tab B, later', 0);
    const next = load();
    const notices: StoreNotice[] = [];
    next.addEventListener('notice', (e) => notices.push((e as CustomEvent<StoreNotice>).detail));
    await next.reconcileUnsaved('lab-a');
    expect((await next.readDraft('lab-a'))?.source).toBe('from tab B, later');
    const backups = await next.backups();
    expect(backups.map((b) => (b.record.value as { source: string }).source)).toEqual(['from tab A']);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/the newer is in the editor, the other is kept under the backup key/);
  });

  it('a draft another tab saved after an older unsaved edit wins; the edit is kept aside', async () => {
    const a = load();
    a.unsaved.record('lab-a', 'old unsaved edit', 0);
    await new Promise((r) => setTimeout(r, 5));
    const b = load();
    await b.saveDraft('lab-a', 'saved later by tab B', 0);
    const next = load();
    await next.reconcileUnsaved('lab-a');
    expect(await next.readDraft('lab-a')).toMatchObject({ source: 'saved later by tab B', revision: 1 });
    expect((await next.backups()).map((x) => (x.record.value as { source: string }).source)).toEqual(['old unsaved edit']);
    expect(storage.length).toBe(0);
  });

  it('a newer unsaved edit wins over a draft it was not typed over, which is kept aside', async () => {
    const b = load();
    await b.saveDraft('lab-a', 'saved by tab B', 0);
    await new Promise((r) => setTimeout(r, 5));
    const a = load();
    a.unsaved.record('lab-a', 'typed later in tab A, which had loaded before B saved', 0);
    const next = load();
    await next.reconcileUnsaved('lab-a');
    expect((await next.readDraft('lab-a'))?.source).toBe('typed later in tab A, which had loaded before B saved');
    expect((await next.backups()).map((x) => (x.record.value as DraftRecord).source)).toEqual(['saved by tab B']);
  });

  it('an unsaved edit equal to the stored draft, or to the starter, recovers nothing and goes', async () => {
    const a = load();
    await a.saveDraft('lab-a', 'same', 0);
    a.unsaved.record('lab-a', 'same', 0);
    a.unsaved.record('lab-b', 'starter text', 0);
    const next = load();
    const results = await next.reconcileUnsaved(undefined, new Map([['lab-b', 'starter text']]));
    expect(results.get('lab-a')?.recovered).toBeUndefined();
    expect(results.get('lab-b')?.recovered).toBeUndefined();
    expect(await next.readDraft('lab-b')).toBeUndefined();
    expect(storage.length).toBe(0);
    expect(await next.backups()).toEqual([]);
  });

  it('leaves alone entries it cannot read, and works without localStorage', async () => {
    storage.setItem(`${UNSAVED_PREFIX}lab-a:x`, '{not json');
    const next = load();
    await next.reconcileUnsaved('lab-a');
    expect(storage.getItem(`${UNSAVED_PREFIX}lab-a:x`)).toBe('{not json');
    const without = new ProgressStore(name, null);
    open.push(without);
    without.unsaved.record('lab-a', 'text', 0);
    expect(without.unsaved.available).toBe(false);
    expect((await without.reconcileUnsaved('lab-a')).get('lab-a')).toEqual({ keptAside: [] });
  });
});
