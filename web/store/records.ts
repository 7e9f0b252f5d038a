// What the web lab keeps in IndexedDB, as zod schemas with a schema version on every record,
// and the migrations that bring an older record up to the current version. A record that no
// schema accepts (damaged, or written by a newer NIC Lab) is never silently dropped: the store
// keeps it aside under a backup key and tells the learner.

import { z } from 'zod';

export const SCHEMA_VERSION = 2;

/** The learner's driver for one lab. `revision` grows by one with every save (two tabs compare it). */
export const DraftRecord = z.object({
  schema: z.literal(SCHEMA_VERSION),
  lab: z.string().min(1),
  source: z.string(),
  revision: z.number().int().min(1),
  /** Wall-clock time of the save, ms since 1970 (shown to the learner, compared on import). */
  updatedAt: z.number().int().min(0),
  /** Which tab saved it (a random id per page load). */
  tab: z.string(),
});
export type DraftRecord = z.infer<typeof DraftRecord>;

/** Version 1 drafts (the first web lab) had no revision: the last save simply won. */
const DraftRecordV1 = z.object({ schema: z.literal(1), lab: z.string().min(1), source: z.string(), savedAt: z.number().int().min(0) });

/** Where in the driver a finding was made: optional, so a grade kept before findings had a place still reads. */
const SourceLocation = z.object({ file: z.string(), line: z.number().int().min(1), column: z.number().int().min(1), kind: z.literal('handler').optional() });

const FindingSummary = z.object({ rule: z.string(), driver: z.string(), message: z.string(), event: z.number().int(), location: SourceLocation.optional() });

export const ScenarioSummary = z.object({
  id: z.string(),
  title: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  passed: z.boolean(),
  failingSeed: z.number().int().optional(),
  failures: z.array(z.string()),
  findings: z.array(FindingSummary),
});

/** A grade as the lab page shows it after a reload. */
export const GradeSummary = z.object({
  at: z.number().int().min(0),
  score: z.number(),
  maxScore: z.number(),
  seeds: z.number().int().min(1),
  traceHash: z.string(),
  scenarios: z.array(ScenarioSummary),
});
export type GradeSummary = z.infer<typeof GradeSummary>;

export const Attempt = z.object({
  at: z.number().int().min(0),
  score: z.number(),
  maxScore: z.number(),
  traceHash: z.string(),
});
export type Attempt = z.infer<typeof Attempt>;

/** Attempts and the best grade of one lab. */
export const ProgressRecord = z.object({
  schema: z.literal(SCHEMA_VERSION),
  lab: z.string().min(1),
  attempts: z.array(Attempt),
  best: Attempt.nullable(),
  completed: z.boolean(),
  lastGrade: GradeSummary.nullable(),
});
export type ProgressRecord = z.infer<typeof ProgressRecord>;

/** Version 1 kept only the best score. */
const ProgressRecordV1 = z.object({ schema: z.literal(1), lab: z.string().min(1), bestScore: z.number(), maxScore: z.number(), completed: z.boolean() });

/** Attempts kept per lab (the oldest go first). */
export const MAX_ATTEMPTS = 200;

export type Migration = { from: number; parse: (raw: unknown) => unknown };

/** Each record kind's migrations, oldest first: each takes a record of version `from` to `from + 1`. */
export const DRAFT_MIGRATIONS: Migration[] = [
  {
    from: 1,
    parse: (raw) => {
      const v1 = DraftRecordV1.parse(raw);
      return { schema: 2, lab: v1.lab, source: v1.source, revision: 1, updatedAt: v1.savedAt, tab: 'migrated' };
    },
  },
];

export const PROGRESS_MIGRATIONS: Migration[] = [
  {
    from: 1,
    parse: (raw) => {
      const v1 = ProgressRecordV1.parse(raw);
      // The old best had no time or trace: it becomes an attempt at time 0 so nothing earned is lost.
      const best = { at: 0, score: v1.bestScore, maxScore: v1.maxScore, traceHash: '' };
      return { schema: 2, lab: v1.lab, attempts: [best], best, completed: v1.completed, lastGrade: null };
    },
  },
];

export class UnreadableRecord extends Error {
  constructor(readonly key: string, readonly reason: string) {
    super(`${key}: ${reason}`);
    this.name = 'UnreadableRecord';
  }
}

/** Brings `raw` to the current version and checks it; throws UnreadableRecord saying why not. */
export function upgrade<T>(key: string, raw: unknown, schema: z.ZodType<T>, migrations: Migration[]): T {
  let value = raw;
  const version = (value as { schema?: unknown } | null)?.schema;
  if (typeof version !== 'number') throw new UnreadableRecord(key, 'it has no schema version');
  if (version > SCHEMA_VERSION) throw new UnreadableRecord(key, `it was saved by a newer NIC Lab (schema ${version}; this page reads up to ${SCHEMA_VERSION})`);
  for (let v = version; v < SCHEMA_VERSION; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) throw new UnreadableRecord(key, `no migration from schema ${v}`);
    try {
      value = step.parse(value);
    } catch (error) {
      throw new UnreadableRecord(key, `it does not have the shape of schema ${v}: ${describeIssues(error)}`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new UnreadableRecord(key, describeIssues(result.error));
  return result.data;
}

/** zod issues as "path: message; ..." */
export function describeIssues(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top)'}: ${i.message}`).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
