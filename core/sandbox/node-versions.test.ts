// The grading child on every Node the project supports: the permission flag is the one the running
// Node accepts, and a child that Node refuses to start is the grader's failure, not the student's.

import { describe, it, expect } from 'vitest';
import { permissionFlag, childArguments, gradeInSandbox, DEFAULT_LIMITS } from './sandbox.ts';
import { labById, referenceDrivers } from '../grading/labs.ts';

describe('the permission flag', () => {
  it('is --experimental-permission on Node 20, --permission on Node 22 and later', () => {
    expect(permissionFlag(new Set(['--experimental-permission']))).toBe('--experimental-permission'); // Node 20
    expect(permissionFlag(new Set(['--experimental-permission', '--permission']))).toBe('--permission'); // Node 22
    expect(permissionFlag(new Set(['--permission']))).toBe('--permission'); // Node 24, 26
    expect(() => permissionFlag(new Set())).toThrow(/no permission model/);
  });

  it('is one the running Node accepts', () => {
    expect(process.allowedNodeEnvironmentFlags.has(childArguments(DEFAULT_LIMITS)[0]!)).toBe(true);
  });
});

describe('a child that Node refuses to start', () => {
  it('is a grader error naming Node\'s own complaint, not a crash of the submission', async () => {
    const lab = labById('protocol-binding');
    const refused = ['--no-such-flag-for-nic-lab', ...childArguments(DEFAULT_LIMITS)];
    const outcome = await gradeInSandbox(lab, lab.solutionSource, 'solution.ts', referenceDrivers(), { seeds: 1 }, DEFAULT_LIMITS, refused);
    expect(outcome.status).toBe('grader error');
    expect(outcome.status !== 'graded' && outcome.reason).toMatch(/^grader error: the grading process ended before grading began \(exit code 9\): .*--no-such-flag-for-nic-lab/);
  });
});
