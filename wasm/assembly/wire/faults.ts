// Seeded fault injection for one link: each link has its own xorshift64* generator in shared
// memory, seeded by the core, and draws from it only for the faults it is configured with, in a
// fixed order (drop, corrupt, reorder). Same seed and same traffic, same faults.

import { L_PRNG, L_DROP_P, L_CORRUPT_P, L_REORDER_P } from "../../e1000/machine";

/** Next 32 random bits from the link's generator. */
export function nextRandom(link: u32): u32 {
  let x = load<u64>(link + L_PRNG);
  if (x == 0) x = 0x9e3779b97f4a7c15; // a zeroed state would stay zero forever
  x ^= x >>> 12;
  x ^= x << 25;
  x ^= x >>> 27;
  store<u64>(link + L_PRNG, x);
  return <u32>((x * 0x2545f4914f6cdd1d) >>> 32);
}

/** True with the probability stored at `field` (p * 2^32). */
@inline function chance(link: u32, field: u32): bool {
  const p = load<u32>(link + field);
  return p != 0 && nextRandom(link) < p;
}

export const FAULT_DROP: u32 = 1;
export const FAULT_CORRUPT: u32 = 2;
export const FAULT_REORDER: u32 = 4;

/** Decides what happens to the next frame on the link: a set of FAULT_* bits. */
export function decideFaults(link: u32): u32 {
  if (chance(link, L_DROP_P)) return FAULT_DROP;
  let faults: u32 = 0;
  if (chance(link, L_CORRUPT_P)) faults |= FAULT_CORRUPT;
  if (chance(link, L_REORDER_P)) faults |= FAULT_REORDER;
  return faults;
}
