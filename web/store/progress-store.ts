// The learner's progress in IndexedDB (through idb-keyval): a draft per lab, saved as they type,
// and the attempts and best grade per lab. Every record carries a schema version and is
// migrated when read; one that cannot be read is moved aside under a backup key and a notice
// says so. Drafts are written compare-and-swap on their revision, inside one IndexedDB
// transaction, so a tab holding an older draft never overwrites a newer one another tab saved;
// the other tabs hear about each save on a BroadcastChannel. What a learner types also goes at
// once, synchronously, to a write-ahead copy in localStorage (write-ahead.ts), reconciled into
// IndexedDB on the next load, so an edit followed at once by a reload or a closed tab is kept.

import { createStore, get, set, del, update, keys, getMany, setMany, type UseStore } from 'idb-keyval';
import {
  DraftRecord, ProgressRecord, DRAFT_MIGRATIONS, PROGRESS_MIGRATIONS, SCHEMA_VERSION, MAX_ATTEMPTS, UnreadableRecord, upgrade,
  type Attempt, type GradeSummary,
} from './records.ts';
import { WriteAhead, browserStorage, reconcileUnsaved, type KeyValueStorage, type Reconciled } from './write-ahead.ts';

export const DATABASE = 'nic-lab';
export const OBJECT_STORE = 'progress';
export const CHANNEL = 'nic-lab-progress';

export const draftKey = (lab: string) => `draft:${lab}`;
export const progressKey = (lab: string) => `progress:${lab}`;
export const BACKUP_PREFIX = 'backup:';

export interface BackupRecord {
  /** The key the value was kept under. */
  key: string;
  reason: string;
  at: number;
  value: unknown;
}

/** Something the learner should be told (an entry set aside, a conflict). */
export interface StoreNotice {
  message: string;
  backupKey?: string;
}

/** A save refused because another tab saved a newer draft first. */
export interface DraftConflict {
  conflict: true;
  newer: DraftRecord;
}

export type ChannelMessage = { kind: 'draft'; lab: string; revision: number; tab: string } | { kind: 'progress'; lab: string; tab: string } | { kind: 'import'; tab: string };

export class ProgressStore extends EventTarget {
  readonly tab = crypto.randomUUID();
  private readonly db: UseStore;
  private readonly channel: BroadcastChannel | undefined;
  /** This tab's write-ahead copy of the drafts it edits (see write-ahead.ts). */
  readonly unsaved: WriteAhead;
  /** The drafts this page load recovered from unsaved edits, by lab (the lab page says so). */
  readonly recovered = new Map<string, DraftRecord>();
  /** Reconciles run one at a time (the course and a lab page may both ask at load). */
  private reconciling: Promise<unknown> = Promise.resolve();

  /** `storage`: where the write-ahead copy goes (localStorage by default; null for none). */
  constructor(database = DATABASE, storage: KeyValueStorage | null | undefined = browserStorage()) {
    super();
    this.db = createStore(database, OBJECT_STORE);
    this.unsaved = new WriteAhead(this.tab, storage ?? undefined);
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined;
    this.channel?.addEventListener('message', (event: MessageEvent<ChannelMessage>) => {
      if (event.data.tab !== this.tab) this.dispatchEvent(new CustomEvent<ChannelMessage>('remote-change', { detail: event.data }));
    });
  }

  close(): void {
    this.channel?.close();
  }

  private announce(message: ChannelMessage): void {
    this.channel?.postMessage(message);
  }

  private notice(notice: StoreNotice): void {
    this.dispatchEvent(new CustomEvent<StoreNotice>('notice', { detail: notice }));
  }

  /** Keeps `value` under a fresh backup key and returns that key. */
  async backup(key: string, value: unknown, reason: string): Promise<string> {
    const at = Date.now();
    const backupKey = `${BACKUP_PREFIX}${key}:${at}:${Math.random().toString(36).slice(2, 8)}`;
    await set(backupKey, { key, reason, at, value } satisfies BackupRecord, this.db);
    return backupKey;
  }

  /** Reads and upgrades one record; an unreadable one goes to a backup key (with a notice) and reads as absent. */
  private async read<T>(key: string, upgradeRaw: (raw: unknown) => T, what: string): Promise<T | undefined> {
    const raw = await get(key, this.db);
    if (raw === undefined) return undefined;
    try {
      return upgradeRaw(raw);
    } catch (error) {
      if (!(error instanceof UnreadableRecord)) throw error;
      const backupKey = await this.backup(key, raw, error.reason);
      await del(key, this.db);
      this.notice({ message: `Your saved ${what} could not be read (${error.reason}). It was kept aside under the backup key "${backupKey}"; nothing was deleted.`, backupKey });
      return undefined;
    }
  }

  readDraft(lab: string): Promise<DraftRecord | undefined> {
    const key = draftKey(lab);
    return this.read(key, (raw) => upgrade(key, raw, DraftRecord, DRAFT_MIGRATIONS), `draft for lab ${lab}`);
  }

  readProgress(lab: string): Promise<ProgressRecord | undefined> {
    const key = progressKey(lab);
    return this.read(key, (raw) => upgrade(key, raw, ProgressRecord, PROGRESS_MIGRATIONS), `progress for lab ${lab}`);
  }

  /**
   * Saves a draft if the stored one is still at `baseRevision` (0: none yet); otherwise leaves
   * the newer draft alone and returns it. Read, compare and write happen in one transaction.
   */
  async saveDraft(lab: string, source: string, baseRevision: number): Promise<DraftRecord | DraftConflict> {
    const key = draftKey(lab);
    // An unreadable entry is moved aside first, so the transaction below only meets readable ones.
    const before = await this.readDraft(lab);
    if (before && before.revision !== baseRevision) return { conflict: true, newer: before };
    let outcome: DraftRecord | DraftConflict | undefined;
    await update(key, (raw) => {
      const current = raw === undefined ? undefined : upgrade(key, raw, DraftRecord, DRAFT_MIGRATIONS);
      if ((current?.revision ?? 0) !== baseRevision) {
        outcome = { conflict: true, newer: current! };
        return raw;
      }
      const record: DraftRecord = { schema: SCHEMA_VERSION, lab, source, revision: baseRevision + 1, updatedAt: Date.now(), tab: this.tab };
      outcome = record;
      return record;
    }, this.db);
    if (outcome && !('conflict' in outcome)) this.announce({ kind: 'draft', lab, revision: outcome.revision, tab: this.tab });
    return outcome!;
  }

  /**
   * Brings the unsaved edits of `lab` (of every lab with `lab` undefined) that some tab left in
   * the write-ahead copy into IndexedDB; `starters` gives the text a lab without a draft shows.
   * Says so with a notice when an edit lost to a newer one and was kept under a backup key.
   */
  reconcileUnsaved(lab: string | undefined, starters: ReadonlyMap<string, string> = new Map()): Promise<Map<string, Reconciled>> {
    const run = this.reconciling.then(async () => {
      const labs = lab !== undefined ? [lab] : [...new Set(this.unsaved.pending().map((p) => p.entry.lab))];
      const results = new Map<string, Reconciled>();
      for (const id of labs) {
        const result = await reconcileUnsaved(this, this.unsaved, id, starters.get(id));
        results.set(id, result);
        if (result.recovered) this.recovered.set(id, result.recovered);
        for (const backupKey of result.keptAside) {
          this.notice({ message: `Two versions of your driver for lab ${id} were found (one typed in another tab, or before a reload); the newer is in the editor, the other is kept under the backup key "${backupKey}".`, backupKey });
        }
      }
      return results;
    });
    this.reconciling = run.catch(() => undefined);
    return run;
  }

  /** Records a graded attempt; returns the lab's progress after it. */
  async recordGrade(lab: string, grade: GradeSummary): Promise<ProgressRecord> {
    const key = progressKey(lab);
    await this.readProgress(lab);
    let result: ProgressRecord | undefined;
    await update(key, (raw) => {
      const current: ProgressRecord = raw === undefined ? emptyProgress(lab) : upgrade(key, raw, ProgressRecord, PROGRESS_MIGRATIONS);
      const attempt: Attempt = { at: grade.at, score: grade.score, maxScore: grade.maxScore, traceHash: grade.traceHash };
      result = withAttempts(current, [...current.attempts, attempt], grade);
      return result;
    }, this.db);
    this.announce({ kind: 'progress', lab, tab: this.tab });
    return result!;
  }

  /** Every lab's progress and draft, by lab id (for the course page and export). */
  async everything(): Promise<Map<string, { draft?: DraftRecord; progress?: ProgressRecord }>> {
    const all = new Map<string, { draft?: DraftRecord; progress?: ProgressRecord }>();
    for (const key of (await keys(this.db)).map(String)) {
      const [kind, lab] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (kind === 'draft') {
        const draft = await this.readDraft(lab);
        if (draft) all.set(lab, { ...all.get(lab), draft });
      } else if (kind === 'progress') {
        const progress = await this.readProgress(lab);
        if (progress) all.set(lab, { ...all.get(lab), progress });
      }
    }
    return all;
  }

  /** Backup entries, newest first. */
  async backups(): Promise<{ backupKey: string; record: BackupRecord }[]> {
    const backupKeys = (await keys(this.db)).map(String).filter((k) => k.startsWith(BACKUP_PREFIX));
    const values = await getMany<BackupRecord>(backupKeys, this.db);
    return backupKeys.map((backupKey, i) => ({ backupKey, record: values[i]! })).sort((a, b) => b.record.at - a.record.at);
  }

  /** Writes an import's merged drafts and progress in one transaction (all or nothing). */
  async writeMerged(entries: { lab: string; draft?: { source: string; updatedAt: number; baseRevision: number }; progress?: ProgressRecord }[]): Promise<void> {
    const writes: [string, unknown][] = [];
    for (const entry of entries) {
      if (entry.draft) {
        writes.push([draftKey(entry.lab), { schema: SCHEMA_VERSION, lab: entry.lab, source: entry.draft.source, revision: entry.draft.baseRevision + 1, updatedAt: entry.draft.updatedAt, tab: this.tab } satisfies DraftRecord]);
      }
      if (entry.progress) writes.push([progressKey(entry.lab), entry.progress]);
    }
    await setMany(writes, this.db);
    this.announce({ kind: 'import', tab: this.tab });
  }

  /** For tests and the import of a damaged entry: the raw stored value. */
  raw(key: string): Promise<unknown> {
    return get(key, this.db);
  }
}

export function emptyProgress(lab: string): ProgressRecord {
  return { schema: SCHEMA_VERSION, lab, attempts: [], best: null, completed: false, lastGrade: null };
}

/** `progress` with these attempts: the best recomputed, completion when the best is full marks. */
export function withAttempts(progress: ProgressRecord, attempts: Attempt[], lastGrade: GradeSummary | null = progress.lastGrade): ProgressRecord {
  const kept = attempts.slice(-MAX_ATTEMPTS);
  let best: Attempt | null = progress.best;
  for (const a of attempts) {
    if (!best || a.score / Math.max(1, a.maxScore) > best.score / Math.max(1, best.maxScore)) best = a;
  }
  return {
    ...progress, attempts: kept, best, lastGrade,
    completed: progress.completed || (best !== null && best.maxScore > 0 && best.score === best.maxScore),
  };
}
