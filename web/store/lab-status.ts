// Where a learner stands on a lab, from what the store holds: not started, in progress (a draft
// or an attempt), completed (full marks once), and the best score so far.

import type { DraftRecord, ProgressRecord } from './records.ts';

export type LabStatus = 'not started' | 'in progress' | 'completed';

export function labStatus(entry: { draft?: DraftRecord; progress?: ProgressRecord } | undefined): { status: LabStatus; best?: { score: number; maxScore: number } } {
  const progress = entry?.progress;
  const best = progress?.best ? { score: progress.best.score, maxScore: progress.best.maxScore } : undefined;
  if (progress?.completed) return { status: 'completed', ...(best ? { best } : {}) };
  if (entry?.draft || (progress && progress.attempts.length > 0)) return { status: 'in progress', ...(best ? { best } : {}) };
  return { status: 'not started' };
}
