// Which seed statements a verifier finding points at: the graded entries of the coverage map
// (labs/coverage.ts) whose violation that rule names, with their quotations as plain text. The
// CLI's `run` and the lab page print them under a finding, so the learner reads the sentence of
// the seed the driver broke, not only the rule's own summary (issue 19 item 6).

import { COVERAGE } from './coverage.ts';

export interface SeedStatement {
  /** `<seed>.<n>`, as labs/coverage.ts numbers it. */
  id: string;
  /** The quotation with the seed's Markdown links, emphasis and escapes taken out. */
  text: string;
  /** The lab whose scenario grades it. */
  lab: string;
}

/** A quotation as plain text: `[X](url)`, `**X**`, `*X*` and `\_` as a reader sees them. */
function plain(quote: string): string {
  return quote.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/\\(.)/g, '$1').replace(/\*\*([^*]+)\*\*/g, '$1').replace(/\*([^*]+)\*/g, '$1');
}

const BY_RULE = new Map<string, SeedStatement[]>();
for (const s of COVERAGE) {
  if (s.status !== 'graded' || !s.rule) continue;
  const list = BY_RULE.get(s.rule) ?? [];
  list.push({ id: s.id, text: plain(s.quote), lab: s.lab ?? '' });
  BY_RULE.set(s.rule, list);
}

/**
 * The seed statements a finding of `rule` breaks, in seed order; none for a rule no seed statement
 * is graded by. In lab `lab`, the ones that lab grades when there are any (a rule such as
 * InvalidHandle grades statements of several seeds, and the learner's lab is about one of them).
 */
export function seedStatementsOf(rule: string, lab?: string): readonly SeedStatement[] {
  const all = BY_RULE.get(rule) ?? [];
  const mine = lab === undefined ? [] : all.filter((s) => s.lab === lab);
  return mine.length > 0 ? mine : all;
}
