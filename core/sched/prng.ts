// Seeded pseudo-random numbers for everything in the engine that must replay: splitmix64, which
// turns any 64-bit seed (including 0 and small integers) into well-mixed, never-zero states.

const MASK64 = (1n << 64n) - 1n;

/** One splitmix64 step: the mixed value for `state + golden gamma`. */
export function splitmix64(state: bigint): bigint {
  let z = (state + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return (z ^ (z >> 31n)) & MASK64;
}

/** A never-zero 64-bit state derived from a seed and a stream number (e.g. a link's index). */
export function deriveState(seed: bigint | number, stream: number): bigint {
  const mixed = splitmix64(splitmix64(BigInt.asUintN(64, BigInt(seed))) ^ BigInt(stream));
  return mixed === 0n ? 0x9e3779b97f4a7c15n : mixed;
}
