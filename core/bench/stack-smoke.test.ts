// The stack benchmarks run end to end and check their own frames: a short run of each must finish
// with the right name and shape, every frame intact and in order and every NBL home (the bench
// functions throw otherwise). Speeds are not asserted.
import { describe, it, expect } from 'vitest';
import { benchStackLive, benchStackPostMessage } from './stack-live.ts';

describe('stack benchmarks (smoke)', () => {
  it('stack-live-64B moves 50,000 frames intact and reports each thread', async () => {
    const result = await benchStackLive(64, { runs: 1, frames: 50_000 });
    expect(result.name).toBe('stack-live-64B');
    expect(result.median_of).toBe(1);
    expect(result.runs).toHaveLength(1);
    expect(result.pps).toBeGreaterThan(0);
    expect(result.gbps).toBeGreaterThan(0);
    expect(result.notes).toMatch(/miniport: \d+ ns\/frame busy.*counting-filter: \d+ ns\/frame busy.*stack-protocol: \d+ ns\/frame busy/);
    expect(result.notes).toMatch(/heap [\d.]+ MiB used/);
  }, 30_000);

  it('stack-postmessage-64B and stack-live-1500B move their frames intact', async () => {
    const baseline = await benchStackPostMessage({ runs: 1, frames: 5_000 });
    expect(baseline.name).toBe('stack-postmessage-64B');
    expect(baseline.pps).toBeGreaterThan(0);
    const large = await benchStackLive(1518, { runs: 1, frames: 20_000 });
    expect(large.name).toBe('stack-live-1500B');
    expect(large.gbps).toBeCloseTo((large.pps * 1518 * 8) / 1e9, 1);
  }, 30_000);
});
