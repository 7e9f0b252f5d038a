// Which seed statements a verifier finding points at: the graded entries of the coverage map
// (labs/coverage.ts) whose violation that rule names, with their quotations as plain text. The
// CLI's `run` and the lab page print them under a finding, so the learner reads the sentence of
// the seed the driver broke, not only the rule's own summary (issue 19 item 6). It reads the
// generated table (labs/seed-statements.table.ts), so the page does not bundle the map itself.

import { SEED_STATEMENT_ROWS } from './seed-statements.table.ts';

export interface SeedStatementRow {
  /** `<seed>.<n>`, as labs/coverage.ts numbers it. */
  id: string;
  /** The verifier rule that catches its violation. */
  rule: string;
  /** The lab whose visible scenario grades it. */
  lab: string;
  /** The quotation with the seed's Markdown links, emphasis and escapes taken out. */
  text: string;
}

export type SeedStatement = Omit<SeedStatementRow, 'rule'>;

const BY_RULE = new Map<string, SeedStatement[]>();
const ROWS: readonly SeedStatementRow[] = SEED_STATEMENT_ROWS;
for (const { rule, ...statement } of ROWS) {
  const list = BY_RULE.get(rule) ?? [];
  list.push(statement);
  BY_RULE.set(rule, list);
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
