// The bundled course (Vite's import.meta.glob, as the page and the worker get it): every lab of
// labs/ loads through the lab schema with its texts, in order, and hidden scenarios never reach it.

import { describe, it, expect } from 'vitest';
import { listLabs, referenceDrivers } from '../../core/grading/labs.ts';
import { course, labById, references } from './catalog.ts';
import { readFileSync } from 'node:fs';

describe('the bundled course', () => {
  it('has every lab on disk, in order, with its instructions, starter and solution', () => {
    const onDisk = listLabs();
    expect(course.problems).toEqual([]);
    expect(course.labs.map((l) => l.id)).toEqual(onDisk.map((l) => l.id));
    for (const lab of onDisk) {
      const bundled = labById(lab.id)!;
      expect(bundled.instructionsText).toBe(lab.instructionsText);
      expect(bundled.starterSource).toBe(lab.starterSource);
      expect(bundled.solutionSource).toBe(lab.solutionSource);
      // The reference drivers its scenarios load: the same as the command line's for that lab.
      expect(bundled.referenceSources).toEqual(referenceDrivers(lab));
    }
  });

  it('leaves hidden scenarios out', () => {
    for (const lab of listLabs()) {
      const bundled = labById(lab.id)!;
      expect(bundled.scenarios.map((s) => s.id)).toEqual(lab.scenarios.filter((s) => !s.hidden).map((s) => s.id));
    }
    expect(listLabs().some((lab) => lab.scenarios.some((s) => s.hidden))).toBe(true);
  });

  // The built-site test looks for each hidden id in the bundle as text, so a visible id that
  // contains a hidden one ("probe-burst-with-resources" held "burst-with-resources") would make
  // it fail for a site that leaks nothing — and would tell a student the hidden id besides.
  it('names no visible scenario with text that holds a hidden scenario id', () => {
    const all = listLabs().flatMap((lab) => lab.scenarios.map((s) => ({ lab: lab.id, ...s })));
    const clashes = all.filter((s) => s.hidden).flatMap((h) =>
      all.filter((v) => !v.hidden && v.id.includes(h.id)).map((v) => `${v.lab}/${v.id} holds ${h.lab}/${h.id}`));
    expect(clashes).toEqual([]);
  });

  it('bundles the reference drivers the scenarios load', () => {
    expect(references.protocol).toBe(readFileSync(new URL('../../labs/reference/protocol.ts', import.meta.url), 'utf8'));
    expect(references.filter).toBe(readFileSync(new URL('../../labs/reference/counting-filter.ts', import.meta.url), 'utf8'));
  });
});
