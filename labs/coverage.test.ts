// Keeps the coverage map (labs/coverage.ts) honest: every statement is graded or says why not,
// its quotation is the seed's own words (labs/seeds/), every lab, scenario and rule it names exists, every mutation still applies to its solution
// exactly once, and each mutated solution fails the claimed scenario with the claimed rule
// under most of the lab's seeds while the solution itself passes it.

import { describe, it, expect } from 'vitest';
import { listLabs, referenceDrivers } from '../core/grading/labs.ts';
import { gradeScenario } from '../core/grading/grade.ts';
import { RULES } from '../core/verifier/rules.ts';
import { readFileSync } from 'node:fs';
import { COVERAGE, SEEDS_NOT_YET_MAPPED, SEED_FILES } from './coverage.ts';

const labs = listLabs();
const references = referenceDrivers();
const ruleIds = new Set(RULES.map((r) => r.id));
const SEEDS = 8;

const occurrences = (text: string, search: string) => text.split(search).length - 1;
// Line breaks and indentation in the seeds are layout, not wording.
const words = (text: string) => text.replace(/\s+/g, ' ').trim();
const seedText = (seed: keyof typeof SEED_FILES) => words(readFileSync(new URL(`./seeds/${SEED_FILES[seed]}`, import.meta.url), 'utf8'));

describe('the coverage map of the seeds', () => {
  it('gives each statement a unique stable id, a quotation, and a scenario and rule unless it says why not', () => {
    expect(new Set(COVERAGE.map((s) => s.id)).size).toBe(COVERAGE.length);
    for (const s of COVERAGE) {
      expect(s.id.startsWith(`${s.seed}.`), s.id).toBe(true);
      expect(s.quote.trim().length, s.id).toBeGreaterThan(10);
      if (s.status === 'graded') {
        expect(s.lab && s.scenarios && s.scenarios.length > 0 && s.rule && s.mutation, s.id).toBeTruthy();
      } else {
        expect(s.reason?.trim(), s.id).toBeTruthy();
      }
    }
  });

  it('quotes each statement word for word from its seed (labs/seeds/)', () => {
    const misquoted = COVERAGE.filter((s) => !seedText(s.seed).includes(words(s.quote))).map((s) => `${s.id}: "${s.quote}"`);
    expect(misquoted).toEqual([]);
  });

  it('names only labs, visible scenarios and rules that exist, and mutations that match their solution once', () => {
    for (const s of COVERAGE.filter((s) => s.status === 'graded')) {
      const lab = labs.find((l) => l.id === s.lab);
      expect(lab, s.id).toBeDefined();
      for (const id of s.scenarios!) {
        const scenario = lab!.scenarios.find((sc) => sc.id === id);
        expect(scenario, `${s.id}: ${id}`).toBeDefined();
        expect(scenario!.hidden, `${s.id}: ${id} is hidden; the map names visible scenarios`).toBe(false);
      }
      expect(ruleIds.has(s.rule!), `${s.id}: ${s.rule}`).toBe(true);
      expect(occurrences(lab!.solutionSource, s.mutation!.search), s.id).toBe(1);
    }
  });

  it('is summarized in README.md, per seed, with the numbers the map gives', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const seed of ['000', '001', '002', '003', '004']) {
      const of = COVERAGE.filter((s) => s.seed === seed);
      const count = (status: string) => of.filter((s) => s.status === status).length;
      const row = (SEEDS_NOT_YET_MAPPED as readonly string[]).includes(seed)
        ? `| ${seed} | not yet mapped | | | | |`
        : `| ${seed} | ${of.length} | ${count('graded')} | ${count('gap')} | ${count('not-modelled')} | ${count('descriptive')} |`;
      expect(readme, seed).toContain(row);
    }
  });

  // A solution's run, or a mutation two statements share, is graded once.
  const graded = new Map<string, ReturnType<typeof gradeScenario>>();
  const grade = (lab: (typeof labs)[number], scenario: (typeof labs)[number]['scenarios'][number], source: string, file: string) => {
    const key = `${lab.id}\0${scenario.id}\0${source}`;
    if (!graded.has(key)) graded.set(key, gradeScenario(lab, scenario, source, file, references, { seeds: SEEDS }));
    return graded.get(key)!;
  };

  for (const s of COVERAGE.filter((s) => s.status === 'graded')) {
    it(`${s.id}: ${s.mutation!.mistake} fails ${s.scenarios!.join(', ')} with ${s.rule} under most seeds; the solution passes`, async () => {
      const lab = labs.find((l) => l.id === s.lab)!;
      const mutated = lab.solutionSource.replace(s.mutation!.search, s.mutation!.replacement);
      for (const id of s.scenarios!) {
        const scenario = lab.scenarios.find((sc) => sc.id === id)!;
        const solution = await grade(lab, scenario, lab.solutionSource, 'solution.ts');
        expect(solution.report.passed, `${s.id}: solution on ${id}`).toBe(true);
        const { report } = await grade(lab, scenario, mutated, 'mutated.ts');
        expect(report.passed, `${s.id}: mutation on ${id}`).toBe(false);
        expect(report.findings.map((f) => f.rule), `${s.id}: ${id}`).toContain(s.rule);
        expect(report.failingSeeds!.length * 2, `${s.id}: caught under ${report.failingSeeds} of ${SEEDS}`).toBeGreaterThan(scenario.seeds ?? SEEDS);
      }
    }, 60_000);
  }
});
