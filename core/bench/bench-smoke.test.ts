// The benchmarks run end to end and check their own frames: a short run of each must finish with
// the right name and shape and without lost or out-of-order frames (the bench functions throw on
// those). Speeds are not asserted: they depend on the machine and what else it is doing.
import { describe, it, expect } from 'vitest';
import { benchPostMessage } from './postmessage.ts';
import { benchRingSab } from './ring-sab.ts';

describe('benchmarks (smoke)', () => {
  it('ring-sab-64B moves 200,000 frames intact', async () => {
    const result = await benchRingSab(1, 200_000);
    expect(result.name).toBe('ring-sab-64B');
    expect(result.runs).toHaveLength(1);
    expect(result.median_of).toBe(1);
    expect(result.pps).toBeGreaterThan(0);
    expect(Number.isFinite(result.pps)).toBe(true);
  }, 30_000);

  it('postmessage-per-packet-64B moves 5,000 frames intact', async () => {
    const result = await benchPostMessage(1, 5_000);
    expect(result.name).toBe('postmessage-per-packet-64B');
    expect(result.runs).toHaveLength(1);
    expect(result.median_of).toBe(1);
    expect(result.pps).toBeGreaterThan(0);
    expect(Number.isFinite(result.pps)).toBe(true);
  }, 30_000);
});
