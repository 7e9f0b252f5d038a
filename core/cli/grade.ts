// `nic-lab labs` and `nic-lab grade`: the course from the command line, and grading one driver.

import { readFileSync, existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { listLabs, labById, referenceDrivers, REPO_ROOT } from '../grading/labs.ts';
import { gradeLab } from '../grading/grade.ts';
import { LabFormatError } from '../scenario/schema.ts';
import { UsageError } from './main.ts';

export async function runLabsCommand(json: boolean): Promise<number> {
  const labs = listLabs();
  if (json) {
    console.log(JSON.stringify(labs.map((l) => ({
      id: l.id, title: l.title, order: l.order, kind: l.kind, seed: l.seed,
      starter: relative(REPO_ROOT, resolve(l.dir, l.starter)), solution: relative(REPO_ROOT, resolve(l.dir, l.solution)),
    })), null, 2));
    return 0;
  }
  for (const l of labs) console.log(`${String(l.order).padStart(2)}. ${l.id.padEnd(20)} ${l.title}  (${l.kind}, seed ${l.seed})`);
  return 0;
}

export async function runGradeCommand(labId: string, driverPath: string, options: { seeds: number; json: boolean }): Promise<number> {
  if (options.seeds < 1 || options.seeds > 256) throw new UsageError(`--seeds must be 1 to 256; got ${options.seeds}`);
  let lab;
  try {
    lab = labById(labId);
  } catch (error) {
    if (error instanceof RangeError || error instanceof LabFormatError) throw new UsageError(error.message);
    throw error;
  }
  if (!existsSync(driverPath)) throw new UsageError(`no driver file ${driverPath}`);
  const source = readFileSync(driverPath, 'utf8');
  const report = await gradeLab(lab, source, driverPath.replace(/^.*[\\/]/, ''), referenceDrivers(), { seeds: options.seeds });
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(`${lab.title} (${lab.id}): score ${report.score}/${report.maxScore}`);
  for (const s of report.scenarios) {
    console.log(`  ${s.passed ? 'pass' : 'FAIL'}  ${s.points}/${s.maxPoints}  ${s.hidden ? '(hidden) ' : ''}${s.title}`);
    if (!s.passed) {
      console.log(`        first failing seed ${s.failingSeed}`);
      for (const f of s.failures) console.log(`        ${f}`);
    }
  }
  return 0;
}
