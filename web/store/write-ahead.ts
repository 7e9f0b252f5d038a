// The write-ahead copy of what a learner types. IndexedDB is asynchronous: a save started as the
// page unloads (a reload, a closed tab) may never finish, and the page saves 300 ms after the last
// keystroke anyway. So every edit is also written, synchronously, to localStorage under a key of
// its own per lab and tab (`nic-lab:unsaved:<lab>:<tab>`), and taken away once IndexedDB holds that
// text. An entry still there on the next load is an edit that did not reach IndexedDB: it is
// reconciled into the store then (the newest text wins; any other is kept under a backup key),
// whichever tab wrote it.
//
// "Newest" is by the edit's wall-clock time, made strictly increasing within a tab, against the
// stored draft's `updatedAt`; an edit typed on top of the stored draft's revision is its
// continuation and wins whatever the clocks say.

import type { DraftRecord } from './records.ts';

export const UNSAVED_PREFIX = 'nic-lab:unsaved:';

/** One edit not yet known to be in IndexedDB. */
export interface UnsavedEdit {
  lab: string;
  source: string;
  /** Wall-clock ms of the edit (strictly increasing within a tab). */
  at: number;
  /** The stored draft's revision the text was typed over (0: none). */
  baseRevision: number;
  tab: string;
}

/** What localStorage offers that this file uses (a Map-backed one in the Node tests). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** localStorage, or undefined where it is missing or refused (then drafts rely on IndexedDB alone). */
export function browserStorage(): KeyValueStorage | undefined {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return undefined;
    const probe = `${UNSAVED_PREFIX}probe`;
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

const unsavedKey = (lab: string, tab: string) => `${UNSAVED_PREFIX}${lab}:${tab}`;

function parse(key: string, raw: string | null): UnsavedEdit | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<UnsavedEdit>;
    if (typeof value.lab === 'string' && typeof value.source === 'string' && typeof value.at === 'number' && typeof value.baseRevision === 'number' && typeof value.tab === 'string'
      && key === unsavedKey(value.lab, value.tab)) return value as UnsavedEdit;
  } catch {
    // not ours, or damaged: left alone
  }
  return undefined;
}

export class WriteAhead {
  private lastAt = 0;
  /** Whether the last write failed (storage full or refused): the page then says so. */
  failed = false;

  constructor(readonly tab: string, private readonly storage: KeyValueStorage | undefined = browserStorage()) {}

  get available(): boolean {
    return this.storage !== undefined;
  }

  /** Records `source` as this tab's latest edit of `lab`, synchronously (call it on every change). */
  record(lab: string, source: string, baseRevision: number): void {
    if (!this.storage) return;
    this.lastAt = Math.max(Date.now(), this.lastAt + 1);
    const entry: UnsavedEdit = { lab, source, at: this.lastAt, baseRevision, tab: this.tab };
    try {
      this.storage.setItem(unsavedKey(lab, this.tab), JSON.stringify(entry));
      this.failed = false;
    } catch {
      this.failed = true;
    }
  }

  /** IndexedDB now holds `source` for `lab`: this tab's entry goes if it is that text (a later edit stays). */
  committed(lab: string, source: string): void {
    if (!this.storage) return;
    const key = unsavedKey(lab, this.tab);
    const entry = parse(key, this.storage.getItem(key));
    if (entry && entry.source === source) this.storage.removeItem(key);
  }

  /** Forgets this tab's entry for `lab` (its text is kept elsewhere, e.g. under a backup key). */
  discard(lab: string): void {
    this.storage?.removeItem(unsavedKey(lab, this.tab));
  }

  /** Every tab's entries (of `lab`, or of every lab), newest first. */
  pending(lab?: string): { key: string; raw: string; entry: UnsavedEdit }[] {
    const storage = this.storage;
    if (!storage) return [];
    const found: { key: string; raw: string; entry: UnsavedEdit }[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(UNSAVED_PREFIX) || (lab !== undefined && !key.startsWith(`${UNSAVED_PREFIX}${lab}:`))) continue;
      const raw = storage.getItem(key);
      const entry = parse(key, raw);
      if (entry && raw !== null) found.push({ key, raw, entry });
    }
    return found.sort((a, b) => b.entry.at - a.entry.at);
  }

  /** Removes an entry read by `pending`, unless its tab has written a newer one since. */
  settle(item: { key: string; raw: string }): void {
    if (this.storage?.getItem(item.key) === item.raw) this.storage.removeItem(item.key);
  }
}

/** What reconciling one lab's unsaved edits did. */
export interface Reconciled {
  /** The draft now stored, when an unsaved edit became it. */
  recovered?: DraftRecord;
  /** Backup keys of unsaved edits that lost to a newer text (nothing is dropped). */
  keptAside: string[];
}

/** What reconcile needs of the progress store (so this file does not import it). */
export interface DraftStore {
  readDraft(lab: string): Promise<DraftRecord | undefined>;
  saveDraft(lab: string, source: string, baseRevision: number): Promise<DraftRecord | { conflict: true; newer: DraftRecord }>;
  backup(key: string, value: unknown, reason: string): Promise<string>;
}

/**
 * Brings `lab`'s unsaved edits (any tab's) into the store: the newest of those that differ from
 * the stored draft becomes the draft unless the stored draft is newer still (saved later, over a
 * later revision); every other differing text is kept under a backup key. `starter`: the text a
 * lab without a draft shows (an unsaved edit equal to it recovers nothing).
 */
export async function reconcileUnsaved(store: DraftStore, wal: WriteAhead, lab: string, starter?: string): Promise<Reconciled> {
  const items = wal.pending(lab);
  const result: Reconciled = { keptAside: [] };
  if (items.length === 0) return result;
  for (let attempt = 0; attempt < 3; attempt++) {
    const draft = await store.readDraft(lab);
    const current = draft?.source ?? starter;
    const differing = items.filter((i) => i.entry.source !== current);
    const newest = differing[0]?.entry;
    const draftIsNewer = draft !== undefined && newest !== undefined && newest.baseRevision < draft.revision && newest.at < draft.updatedAt;
    const winner = newest && !draftIsNewer ? newest : undefined;
    if (winner) {
      const saved = await store.saveDraft(lab, winner.source, draft?.revision ?? 0);
      if ('conflict' in saved) continue; // another tab saved meanwhile: look again
      result.recovered = saved;
      // A stored draft the edit was not typed over (another tab saved it meanwhile) is kept too.
      if (draft && draft.revision > winner.baseRevision) {
        result.keptAside.push(await store.backup(`draft:${lab}`, draft, `replaced by a newer unsaved edit (${new Date(winner.at).toISOString()})`));
      }
    }
    for (const item of differing) {
      if (item.entry === winner || item.entry.source === winner?.source) continue;
      // One backup per distinct text (the newest entry with it).
      if (differing.some((other) => other.entry.at > item.entry.at && other.entry.source === item.entry.source)) continue;
      result.keptAside.push(await store.backup(`draft:${lab}`, { source: item.entry.source, at: item.entry.at, tab: item.entry.tab },
        `an unsaved edit (${new Date(item.entry.at).toISOString()}) older than the draft that was kept`));
    }
    for (const item of items) wal.settle(item);
    return result;
  }
  // The store kept changing under us: leave the entries for the next load; nothing is lost.
  return result;
}
