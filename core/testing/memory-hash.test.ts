import { describe, it, expect } from 'vitest';
import { hashOutside } from './memory-hash.ts';

describe('hashOutside', () => {
  it('changes with a byte outside the ranges, not with one inside', () => {
    const bytes = new Uint8Array(256);
    const ranges = [[200, 210], [10, 20], [15, 30]] as const;
    const before = hashOutside(bytes, ranges);
    bytes[25] = 1; // inside [15, 30)
    bytes[205] = 1;
    expect(hashOutside(bytes, ranges)).toBe(before);
    bytes[30] = 1; // the first byte after the overlap
    expect(hashOutside(bytes, ranges)).not.toBe(before);
  });
});
