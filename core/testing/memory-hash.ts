// For tests that let something hostile loose on the machine's memory: a hash of everything outside
// the ranges it (and whoever it talks to) may write, to check before and after that nothing else
// changed.

import { createHash } from 'node:crypto';

/** SHA-256 of `bytes` outside the [start, end) `ranges` (in any order, overlapping or not). */
export function hashOutside(bytes: Uint8Array, ranges: readonly (readonly [number, number])[]): string {
  const hash = createHash('sha256');
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start > at) hash.update(bytes.subarray(at, start));
    at = Math.max(at, end);
  }
  hash.update(bytes.subarray(at));
  return hash.digest('hex');
}
