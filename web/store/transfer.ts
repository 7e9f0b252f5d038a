// Export and import of progress: one versioned JSON file with every lab's draft and grades, so a
// learner can move to another browser or machine. An import is checked completely (JSON, the
// format marker, the version, every field with zod) before anything is written, then merged in
// one transaction: nothing a learner has is lost (a local draft that the import replaces is kept
// under a backup key), and a malformed or foreign file changes nothing and says what is wrong.

import { z } from 'zod';
import { Attempt, GradeSummary, describeIssues, SCHEMA_VERSION } from './records.ts';
import { withAttempts, emptyProgress, type ProgressStore } from './progress-store.ts';

export const EXPORT_FORMAT = 'nic-lab-progress';
export const EXPORT_VERSION = 1;

const ExportedLab = z.object({
  lab: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lab id (lowercase letters, digits and dashes)'),
  draft: z.object({ source: z.string(), updatedAt: z.number().int().min(0) }).nullable(),
  attempts: z.array(Attempt),
  completed: z.boolean(),
  lastGrade: GradeSummary.nullable(),
});

export const ExportFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string(),
  labs: z.array(ExportedLab),
});
export type ExportFile = z.infer<typeof ExportFile>;

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export async function exportProgress(store: ProgressStore, now = new Date()): Promise<ExportFile> {
  const labs = [...(await store.everything())].sort(([a], [b]) => a.localeCompare(b)).map(([lab, { draft, progress }]) => ({
    lab,
    draft: draft ? { source: draft.source, updatedAt: draft.updatedAt } : null,
    attempts: progress?.attempts ?? [],
    completed: progress?.completed ?? false,
    lastGrade: progress?.lastGrade ?? null,
  }));
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now.toISOString(), labs };
}

/** Checks a progress file's text; throws ImportError saying what is wrong and where. */
export function parseExport(text: string, fileName = 'the file'): ExportFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`${fileName} is not JSON (${(error as Error).message}); nothing was imported.`);
  }
  const marker = (data as { format?: unknown } | null)?.format;
  if (marker !== EXPORT_FORMAT) {
    throw new ImportError(`${fileName} is not a NIC Lab progress file: it has ${marker === undefined ? 'no "format" field' : `"format": ${JSON.stringify(marker)}`} where "${EXPORT_FORMAT}" was expected; nothing was imported.`);
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version === 'number' && version > EXPORT_VERSION) {
    throw new ImportError(`${fileName} was exported by a newer NIC Lab (version ${version}; this page reads version ${EXPORT_VERSION}); nothing was imported.`);
  }
  const result = ExportFile.safeParse(data);
  if (!result.success) throw new ImportError(`${fileName} is damaged: ${describeIssues(result.error)}; nothing was imported.`);
  const labs = result.data.labs.map((l) => l.lab);
  const twice = labs.find((lab, i) => labs.indexOf(lab) !== i);
  if (twice) throw new ImportError(`${fileName} is damaged: lab "${twice}" appears twice; nothing was imported.`);
  return result.data;
}

/** Merges a checked file into the store. Returns how many labs it touched. */
export async function importProgress(store: ProgressStore, file: ExportFile): Promise<{ labs: number; draftsReplaced: number }> {
  const writes: Parameters<ProgressStore['writeMerged']>[0] = [];
  let draftsReplaced = 0;
  for (const entry of file.labs) {
    const localDraft = await store.readDraft(entry.lab);
    const localProgress = (await store.readProgress(entry.lab)) ?? emptyProgress(entry.lab);
    const write: (typeof writes)[number] = { lab: entry.lab };
    // The newer draft wins; a local draft that loses is kept as a backup.
    if (entry.draft && entry.draft.source !== localDraft?.source && (!localDraft || entry.draft.updatedAt > localDraft.updatedAt)) {
      if (localDraft) {
        await store.backup(`draft:${entry.lab}`, localDraft, 'replaced by a newer draft from an imported progress file');
        draftsReplaced++;
      }
      write.draft = { source: entry.draft.source, updatedAt: entry.draft.updatedAt, baseRevision: localDraft?.revision ?? 0 };
    }
    const seen = new Set(localProgress.attempts.map((a) => `${a.at}/${a.traceHash}/${a.score}`));
    const attempts = [...localProgress.attempts, ...entry.attempts.filter((a) => !seen.has(`${a.at}/${a.traceHash}/${a.score}`))].sort((a, b) => a.at - b.at);
    const lastGrade = [localProgress.lastGrade, entry.lastGrade].filter((g) => g !== null).sort((a, b) => b.at - a.at)[0] ?? null;
    const merged = withAttempts({ ...localProgress, schema: SCHEMA_VERSION, completed: localProgress.completed || entry.completed }, attempts, lastGrade);
    if (JSON.stringify(merged) !== JSON.stringify(localProgress)) write.progress = merged;
    if (write.draft || write.progress) writes.push(write);
  }
  await store.writeMerged(writes);
  return { labs: writes.length, draftsReplaced };
}
