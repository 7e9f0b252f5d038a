// Seeded pseudo-random numbers for everything in the engine that must replay: splitmix64, which
// turns any 64-bit seed (including 0 and small integers) into well-mixed, never-zero states, and
// a small fast generator for the scheduler's choices.

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

/** xoshiro128** seeded through splitmix64: 32-bit outputs, the same sequence in every engine. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: bigint | number, stream = 0) {
    const a = deriveState(seed, stream);
    const b = splitmix64(a);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`below(n) needs 1 <= n <= 2^32; got ${n}`);
    // Rejection sampling keeps every outcome equally likely.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
