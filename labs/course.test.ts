// The whole course, every lab folder in labs/ (the list is read from the folder, so a fork that
// adds a lab adds a folder and nothing here): its reference solution scores full marks under 8
// seeds, and its starter compiles, loads and runs but scores less than full marks. Per-student variants: solutions score full marks for students
// other than the default too.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listLabs, labFolders, referenceDrivers, LABS_DIR } from '../core/grading/labs.ts';
import { gradeLab } from '../core/grading/grade.ts';
import { variantValues } from '../core/scenario/variants.ts';

const references = referenceDrivers();
const labs = listLabs();

describe('the course', () => {
  it('lists every lab folder in labs/, in order, each with at least four scenarios, one hidden, and hints', () => {
    // The list comes from the folder (a fork that adds a lab adds a folder): each folder with a
    // lab.json is a lab whose id is the folder's name, and the orders are 1, 2, 3... with no gap.
    const folders = labFolders(LABS_DIR);
    expect(folders.length).toBeGreaterThanOrEqual(1);
    expect(labs.map((l) => l.id).sort()).toEqual(folders.map((dir) => (JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as { id: string }).id).sort());
    for (const lab of labs) expect(lab.dir, lab.id).toBe(join(LABS_DIR, lab.id));
    expect(labs.map((l) => l.order)).toEqual(labs.map((_, i) => i + 1));
    for (const lab of labs) {
      expect(lab.scenarios.length, lab.id).toBeGreaterThanOrEqual(4);
      expect(lab.scenarios.some((s) => s.hidden), lab.id).toBe(true);
      expect(lab.hints.length, lab.id).toBeGreaterThanOrEqual(3);
      expect(lab.scenarios.every((s) => s.points > 0), lab.id).toBe(true);
    }
  });

  for (const lab of labs) {
    describe(lab.id, () => {
      it('the solution scores full marks under 8 seeds', async () => {
        const report = await gradeLab(lab, lab.solutionSource, `${lab.id}/${lab.solution}`, references, { seeds: 8 });
        const failed = report.scenarios.filter((s) => !s.passed).map((s) => `${s.id} (seed ${s.failingSeed}): ${s.failures.join('; ')}`);
        expect(failed).toEqual([]);
        expect(report.score).toBe(report.maxScore);
      });

      it('the starter compiles, loads and runs, and scores less than full marks', async () => {
        const report = await gradeLab(lab, lab.starterSource, `${lab.id}/${lab.starter}`, references, { seeds: 4 });
        const loadErrors = report.scenarios.flatMap((s) => s.failures).filter((f) => f.startsWith(`${lab.id}/${lab.starter}:`));
        expect(loadErrors).toEqual([]);
        expect(report.score).toBeLessThan(report.maxScore);
        // A starter is a first attempt, not an empty file: it gets somewhere, and fails more than one thing.
        expect(report.scenarios.filter((s) => !s.passed).length).toBeGreaterThanOrEqual(2);
      });

      if (Object.keys(lab.variants).length > 0) {
        it('the solution scores full marks for other students\' variant values too', async () => {
          const students = ['student-a', 'student-b'];
          expect(students.some((s) => JSON.stringify(variantValues(lab, s)) !== JSON.stringify(variantValues(lab)))).toBe(true);
          for (const student of students) {
            const report = await gradeLab(lab, lab.solutionSource, `${lab.id}/${lab.solution}`, references, { seeds: 2, student });
            expect(report.variants).toEqual(variantValues(lab, student));
            expect(report.scenarios.filter((s) => !s.passed).map((s) => `${s.id}: ${s.failures.join('; ')}`), student).toEqual([]);
          }
        });
      }
    });
  }
});
