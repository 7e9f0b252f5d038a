// Per-student variants: drawn from the student id within their bounds, the same for the same id,
// the default without one; lab files that use a variant they do not declare, or whose range does
// not fit the field, are refused with the file and the path.

import { describe, it, expect } from 'vitest';
import { parseLab, LabFormatError, type Lab } from './schema.ts';
import { variantValues, resolveScenario, fnv1a64 } from './variants.ts';

function lab(variants: Record<string, unknown>, steps: unknown[], expectations: unknown[] = [{ expect: 'noFindings' }], configuration?: Record<string, unknown>): unknown {
  return {
    id: 'v', title: 'V', order: 1, summary: 's', seed: '004', kind: 'filter', starter: 's.ts', solution: 'x.ts', instructions: 'i.md',
    variants,
    scenarios: [{ id: 'a', title: 't', points: 1, steps, expectations, ...(configuration ? { configuration } : {}) }],
  };
}

function formatError(data: unknown): LabFormatError {
  try {
    parseLab(data, 'labs/v/lab.json');
  } catch (error) {
    if (error instanceof LabFormatError) return error;
    throw error;
  }
  throw new Error('parseLab accepted the lab');
}

describe('variant values', () => {
  const wide = parseLab(lab({ Count: { min: 1, max: 1_000_000 }, Type: { min: 0x9000, max: 0x90ff, default: 0x9010 } }, [{ op: 'start' }]), 'lab.json');

  it('are the same for the same student, every time', () => {
    expect(variantValues(wide, 'ada@example.edu')).toEqual(variantValues(wide, 'ada@example.edu'));
  });

  it('differ between students and stay within [min, max]', () => {
    const students = Array.from({ length: 40 }, (_, i) => `student-${i}`);
    const counts = students.map((s) => variantValues(wide, s).Count!);
    const types = students.map((s) => variantValues(wide, s).Type!);
    expect(new Set(counts).size).toBe(40);
    expect(new Set(types).size).toBeGreaterThan(25);
    for (const c of counts) expect(c >= 1 && c <= 1_000_000).toBe(true);
    for (const t of types) expect(t >= 0x9000 && t <= 0x90ff).toBe(true);
    // Each variant has its own stream: one student's values are not one number reused.
    expect(variantValues(wide, 'ada').Count! % 256).not.toBe(variantValues(wide, 'ada').Type! - 0x9000);
  });

  it('are the default (else min) without a student', () => {
    expect(variantValues(wide)).toEqual({ Count: 1, Type: 0x9010 });
  });

  it('come from FNV-1a over the UTF-8 of "student\\nname" (documented, so other tools can compute them)', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('é')).not.toBe(fnv1a64('e'));
  });

  it('replace the references in a scenario, with `plus` added, and become the configuration beside the scenario\'s own', () => {
    const parsed = parseLab(lab(
      { Size: { min: 100, max: 200 } },
      [{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 3, size: { var: 'Size', plus: 1 } }],
      [{ expect: 'framesDelivered', adapter: 0, exactly: { var: 'Size' } }],
      { Extra: 7, Copy: { var: 'Size' } },
    ), 'lab.json');
    const { scenario, configuration } = resolveScenario(parsed.scenarios[0]!, { Size: 150 });
    expect(scenario.steps[1]).toEqual({ op: 'traffic', source: 'peer', adapter: 0, count: 3, size: 151 });
    expect(scenario.expectations[0]).toEqual({ expect: 'framesDelivered', adapter: 0, exactly: 150 });
    expect(configuration).toEqual({ Size: 150, Extra: 7, Copy: 150 });
  });
});

describe('variants in lab files', () => {
  it('an unknown variant is a LabFormatError naming the file, the path and the variants there are', () => {
    const error = formatError(lab({ Size: { min: 60, max: 100 } }, [{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: { var: 'Count' } }]));
    expect(error.file).toBe('labs/v/lab.json');
    expect(error.issues).toEqual([{ path: 'scenarios.0.steps.1.count', message: 'uses the variant "Count", which the lab does not declare (its variants: Size)' }]);
    expect(error.message).toBe('labs/v/lab.json: scenarios.0.steps.1.count: uses the variant "Count", which the lab does not declare (its variants: Size)');
  });

  it('a variant whose range does not fit the field is refused, naming the end that does not fit', () => {
    const error = formatError(lab({ Size: { min: 40, max: 100 } }, [{ op: 'traffic', source: 'peer', adapter: 0, count: 1, size: { var: 'Size' } }]));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe('scenarios.0.steps.0.size');
    expect(error.issues[0]!.message).toMatch(/^with the variant "Size" at its min \(40\): Too small: expected number to be >=60/);
  });

  it('so does an offset that pushes the top of the range past the field', () => {
    const error = formatError(lab({ Size: { min: 60, max: 1514 } }, [{ op: 'traffic', source: 'peer', adapter: 0, count: 1, size: { var: 'Size', plus: 1 } }]));
    expect(error.issues[0]!.message).toMatch(/^with the variant "Size" at its max \(1514 plus 1\): Too big/);
  });

  it('a variant declaration must have min <= default <= max', () => {
    const error = formatError(lab({ A: { min: 5, max: 1 }, B: { min: 1, max: 5, default: 9 } }, [{ op: 'start' }]));
    expect(error.issues.map((i) => i.path)).toEqual(['variants.A.max', 'variants.B.default']);
  });

  it('a number out of range says what the field needs (not just that no branch matched)', () => {
    const error = formatError(lab({}, [{ op: 'traffic', source: 'peer', adapter: 0, count: 0 }]));
    expect(error.issues).toEqual([{ path: 'scenarios.0.steps.0.count', message: 'Too small: expected number to be >=1' }]);
    const badRef = formatError(lab({}, [{ op: 'wait', ns: { var: 3 } }]));
    expect(badRef.issues.map((i) => i.path)).toEqual(['scenarios.0.steps.0.ns.var']);
  });

  it('labs without variants need no student', () => {
    const plain = parseLab(lab({}, [{ op: 'start' }]), 'lab.json') as Lab;
    expect(variantValues(plain, 'anyone')).toEqual({});
  });
});
