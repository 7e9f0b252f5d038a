// Export and import of progress: one versioned JSON file with every lab's draft and grades, so a
// learner can move to another browser or machine. An import is checked completely (JSON, the
// format marker, the version, every field with zod) before anything is written, then merged in
// one transaction: nothing a learner has is lost (a local draft that the import replaces is kept
// under a backup key), and a malformed or foreign file changes nothing and says what is wrong.
// A file is checked against the course too: every lab must be one of its labs and every score
// within 0 and that lab's maximum. Completion and the best attempt are never taken from the file:
// they are recomputed from the attempts (a file's "completed" flag is ignored).

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

/** The course an import is checked against: each lab's id and the most points the page grades it to. */
export type CourseScores = ReadonlyMap<string, number>;

/** The course's labs and their maximum scores, from labs as the page has them (hidden scenarios left out). */
export function courseScores(labs: readonly { id: string; scenarios: readonly { points: number }[] }[]): CourseScores {
  return new Map(labs.map((lab) => [lab.id, lab.scenarios.reduce((n, s) => n + s.points, 0)]));
}

/** What is wrong with a score of a lab whose maximum is `max`, or undefined. */
function scoreProblem(entry: { score: number; maxScore: number }, lab: string, max: number): string | undefined {
  if (entry.maxScore !== max) return `maxScore ${entry.maxScore} is not the ${max} points lab "${lab}" has`;
  if (!Number.isInteger(entry.score) || entry.score < 0 || entry.score > max) return `score ${entry.score} is outside 0..${max} (the points lab "${lab}" has)`;
  return undefined;
}

/**
 * Checks a progress file's text against the course; throws ImportError saying what is wrong and
 * where: not JSON, not a progress file, a newer version, a damaged field, a lab twice, a lab the
 * course does not have, a score outside 0..the lab's maximum.
 */
export function parseExport(text: string, fileName: string, course: CourseScores): ExportFile {
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
  for (const [i, entry] of result.data.labs.entries()) {
    const max = course.get(entry.lab);
    if (max === undefined) throw new ImportError(`${fileName}: labs.${i}.lab: "${entry.lab}" is not a lab of this course (its labs: ${[...course.keys()].join(', ')}); nothing was imported.`);
    for (const [j, attempt] of entry.attempts.entries()) {
      const problem = scoreProblem(attempt, entry.lab, max);
      if (problem) throw new ImportError(`${fileName}: labs.${i}.attempts.${j}: ${problem}; nothing was imported.`);
    }
    const problem = entry.lastGrade && scoreProblem(entry.lastGrade, entry.lab, max);
    if (problem) throw new ImportError(`${fileName}: labs.${i}.lastGrade: ${problem}; nothing was imported.`);
  }
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
    // Completion and the best come from the attempts (withAttempts), never from the file's flag.
    const merged = withAttempts({ ...localProgress, schema: SCHEMA_VERSION }, attempts, lastGrade);
    if (JSON.stringify(merged) !== JSON.stringify(localProgress)) write.progress = merged;
    if (write.draft || write.progress) writes.push(write);
  }
  await store.writeMerged(writes);
  return { labs: writes.length, draftsReplaced };
}
