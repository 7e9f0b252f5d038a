// The seed statements a finding points at (issue 19 item 6): the graded entries of the coverage map
// whose rule it is, as plain text, the learner's lab's first.

import { describe, it, expect } from 'vitest';
import { seedStatementsOf } from './seed-statements.ts';
import { readFileSync } from 'node:fs';
import { COVERAGE } from './coverage.ts';
import { seedStatementRows, tableSource, TABLE_FILE } from './seed-statements-from-coverage.ts';
import { RULES } from '../core/verifier/rules.ts';

describe('seedStatementsOf', () => {
  it('reads a table that is what the coverage map gives (else: npm run seed-statements)', () => {
    expect(readFileSync(TABLE_FILE, 'utf8'), 'labs/seed-statements.table.ts is stale: run npm run seed-statements').toBe(tableSource(seedStatementRows()));
  });

  it('gives the statement a rule grades, in the seed\'s words', () => {
    expect(seedStatementsOf('PnPNotSupportedReturned')).toEqual([{ id: '002.7', text: 'NDIS 6.0 and later protocol drivers must not return this status.', lab: 'protocol-pnp' }]);
  });

  it('takes out Markdown links, emphasis and escapes', () => {
    const texts = RULES.flatMap((r) => seedStatementsOf(r.id)).map((s) => s.text);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text, text).not.toMatch(/\]\(|\*\*|(^|\s)\*\w|\\_/);
    expect(seedStatementsOf('CloseOutsideBindOrUnbind').map((s) => s.text)).toContain('it must call the NdisUnbindAdapter function.');
  });

  it('in a lab, the statements that lab grades when it grades any; all of them otherwise', () => {
    const all = seedStatementsOf('InvalidHandle').map((s) => s.id);
    expect(all.length).toBeGreaterThan(1);
    const labs = new Set(seedStatementsOf('InvalidHandle').map((s) => s.lab));
    expect(labs.size).toBeGreaterThan(1);
    for (const lab of labs) {
      const mine = seedStatementsOf('InvalidHandle', lab);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((s) => s.lab === lab)).toBe(true);
    }
    expect(seedStatementsOf('InvalidHandle', 'no-such-lab').map((s) => s.id)).toEqual(all);
  });

  it('every graded statement is found under its rule, and a rule no statement is graded by has none', () => {
    for (const s of COVERAGE.filter((c) => c.status === 'graded')) expect(seedStatementsOf(s.rule!).map((x) => x.id), s.id).toContain(s.id);
    expect(seedStatementsOf('DispatchFlagBelowDispatch')).toEqual([]);
  });
});
