// Grading: deterministic reports, drivers that do not compile, and the lab format's error
// messages. Every lab's solution and starter are graded in labs/course.test.ts.

import { describe, it, expect } from 'vitest';
import { referenceDrivers, labById } from './labs.ts';
import { gradeLab } from './grade.ts';
import { parseLab, LabFormatError } from '../scenario/schema.ts';

const references = referenceDrivers();

describe('grading', () => {
  it('grading is deterministic: the same driver and seeds give the same report and trace hash', async () => {
    const lab = labById('protocol-binding');
    const a = await gradeLab(lab, lab.starterSource, 'starter.ts', references, { seeds: 3 });
    const b = await gradeLab(lab, lab.starterSource, 'starter.ts', references, { seeds: 3 });
    expect(b).toEqual(a);
  });

  it('a driver that does not compile gets zero with the reason', async () => {
    const lab = labById('protocol-binding');
    const report = await gradeLab(lab, 'export function DriverEntry( {', 'broken.ts', references, { seeds: 1 });
    expect(report.score).toBe(0);
    expect(report.scenarios[0]!.failures[0]).toMatch(/^broken\.ts: does not compile/);
  });
});

describe('lab format errors', () => {
  it('name the file, the path inside it and what was expected', () => {
    const bad = { id: 'Bad Id', title: '', order: 0, summary: 's', seed: '009', kind: 'miniport', starter: 's.js', solution: 'x.ts', instructions: 'i.md', scenarios: [{ id: 'a', title: 't', points: 1, steps: [{ op: 'fly' }], expectations: [] }] };
    let error: LabFormatError | undefined;
    try {
      parseLab(bad, 'labs/bad/lab.json');
    } catch (e) {
      error = e as LabFormatError;
    }
    expect(error).toBeInstanceOf(LabFormatError);
    const paths = error!.issues.map((i) => i.path);
    for (const path of ['id', 'title', 'order', 'seed', 'kind', 'starter', 'scenarios.0.steps.0.op', 'scenarios.0.expectations']) expect(paths, path).toContain(path);
    expect(error!.message.split('\n')[0]).toMatch(/^labs\/bad\/lab\.json: id: /);
  });

  it('refuses two scenarios with one id', () => {
    const lab = labById('protocol-binding');
    const twice = { ...lab, scenarios: [lab.scenarios[0], lab.scenarios[0]] };
    expect(() => parseLab(twice, 'lab.json')).toThrow('lab.json: scenarios.1.id: two scenarios are called "bind-and-run" (the other: scenarios.0)');
  });

  it('an unknown lab id lists the labs there are', () => {
    expect(() => labById('nope')).toThrow(/^no such lab "nope": the course has no lab of that id, and it is not a lab folder \(the course's labs: protocol-binding, protocol-unbind, /);
  });
});
