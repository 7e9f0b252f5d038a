import { describe, it, expect } from 'vitest';
import { Scheduler, type Clock } from './scheduler.ts';
import { Prng } from './prng.ts';
import { Trace } from '../trace/trace.ts';

function testClock(): Clock & { t: bigint } {
  const c = { t: 0n, now: () => c.t, advanceTo: (t: bigint) => { if (t < c.t) throw new Error('back in time'); c.t = t; } };
  return c;
}

/** Three channels of five tasks each; returns the order they ran in. */
function interleaving(seed: number): string[] {
  const order: string[] = [];
  const s = new Scheduler(seed, testClock());
  for (const ch of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) s.post(`${ch}${i}`, () => order.push(`${ch}${i}`), { channel: ch });
  s.runUntilIdle();
  return order;
}

describe('scheduler', () => {
  it('keeps each channel in order and runs every task once', () => {
    const order = interleaving(1);
    expect(order).toHaveLength(15);
    for (const ch of ['a', 'b', 'c']) expect(order.filter((x) => x.startsWith(ch))).toEqual([0, 1, 2, 3, 4].map((i) => `${ch}${i}`));
  });

  it('same seed, same interleaving; other seeds, other interleavings', () => {
    expect(interleaving(7)).toEqual(interleaving(7));
    const distinct = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => interleaving(s).join(',')));
    expect(distinct.size).toBeGreaterThan(4);
  });

  it('moves virtual time to the next due task when nothing is ready, never backwards', () => {
    const clock = testClock();
    const s = new Scheduler(1, clock);
    const seen: [string, bigint][] = [];
    s.post('late', () => seen.push(['late', clock.t]), { delayNs: 5000 });
    s.post('early', () => seen.push(['early', clock.t]), { delayNs: 100 });
    s.post('now', () => seen.push(['now', clock.t]));
    s.runUntilIdle();
    expect(seen).toEqual([['now', 0n], ['early', 100n], ['late', 5000n]]);
  });

  it('runUntil runs only what is due and stops the clock there', () => {
    const clock = testClock();
    const s = new Scheduler(1, clock);
    const ran: string[] = [];
    s.post('a', () => ran.push('a'), { delayNs: 10 });
    s.post('b', () => ran.push('b'), { delayNs: 30 });
    s.runUntil(20n);
    expect(ran).toEqual(['a']);
    expect(clock.t).toBe(20n);
    expect(s.pending).toBe(1);
  });

  it('a step taken inside a task (a nested wait) skips the running task\'s channel: its next task waits for it to finish', () => {
    const clock = testClock();
    const s = new Scheduler(1, clock);
    const ran: string[] = [];
    s.post('first', () => {
      ran.push('first');
      // Nested: 'second' (same channel) may not start; 'other' may; then nothing is left to run.
      while (s.step());
      expect(s.earliestDue()).toBeUndefined();
      ran.push('first ends');
    }, { channel: 'pnp' });
    s.post('second', () => ran.push('second'), { channel: 'pnp' });
    s.post('other', () => ran.push('other'), { delayNs: 10 });
    s.runUntilIdle();
    expect(ran).toEqual(['first', 'other', 'first ends', 'second']);
    s.advanceTo(5n);
    expect(clock.t).toBe(10n); // never back
    s.advanceTo(50n);
    expect(clock.t).toBe(50n);
  });

  it('cancel removes a task that has not run', () => {
    const s = new Scheduler(1, testClock());
    let ran = false;
    const id = s.post('x', () => (ran = true), { delayNs: 10 });
    expect(s.cancel(id)).toBe(true);
    expect(s.cancel(id)).toBe(false);
    s.runUntilIdle();
    expect(ran).toBe(false);
  });

  it('tasks may post tasks; a runaway loop is stopped with the labels of what was pending', () => {
    const s = new Scheduler(1, testClock());
    const again = () => void s.post('forever', again);
    s.post('forever', again);
    expect(() => s.runUntilIdle(1000)).toThrow(/still busy after 1000 steps: forever/);
  });

  it('records each choice in the trace', () => {
    const clock = testClock();
    const trace = new Trace(() => clock.t);
    const s = new Scheduler(3, clock, trace);
    s.post('x', () => {}, { channel: 'a' });
    s.post('y', () => {}, { channel: 'b' });
    s.runUntilIdle();
    expect(trace.events.map((e) => [e.kind, e.choices])).toEqual([['step', 2], ['step', 1]]);
  });
});

describe('prng', () => {
  it('is the same sequence for the same seed and stream, different otherwise', () => {
    const a = new Prng(42, 1);
    const b = new Prng(42, 1);
    const c = new Prng(42, 2);
    const seqA = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(seqA);
  });

  it('below(n) stays in range and covers it', () => {
    const p = new Prng(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[p.below(6)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(() => p.below(0)).toThrow(RangeError);
  });
});

describe('trace', () => {
  it('numbers events, stamps virtual time and hashes to the same value for the same events', async () => {
    const clock = testClock();
    const t1 = new Trace(() => clock.t);
    t1.record('handler', { driver: 'd', handler: 'ProtocolBindAdapterEx' });
    clock.t = 50n;
    t1.record('state', { object: 'b', from: 'Unbound', to: 'Opening' });
    expect(t1.events.map((e) => [e.n, e.t])).toEqual([[1, 0n], [2, 50n]]);
    const clock2 = testClock();
    const t2 = new Trace(() => clock2.t);
    t2.record('handler', { handler: 'ProtocolBindAdapterEx', driver: 'd' }); // key order does not matter
    clock2.t = 50n;
    t2.record('state', { object: 'b', from: 'Unbound', to: 'Opening' });
    expect(await t2.hash()).toBe(await t1.hash());
    t2.record('extra');
    expect(await t2.hash()).not.toBe(await t1.hash());
    expect(t1.toJsonLines().split('\n')[0]).toBe('{"driver":"d","handler":"ProtocolBindAdapterEx","kind":"handler","n":1,"t":"0"}');
  });
});

describe('background tasks (a periodic timer) and watchdogs', () => {
  /** A periodic 1 ms tick that re-posts itself as background, counting its firings. */
  function ticking(s: Scheduler) {
    const ticks: bigint[] = [];
    const clock = { now: () => 0n };
    const tick = () => { ticks.push(clock.now()); s.post('tick', tick, { delayNs: 1_000_000, background: true }); };
    s.post('tick', tick, { delayNs: 1_000_000, background: true });
    return { ticks, clock };
  }

  it('a run with only a periodic timer left ends instead of ticking forever; work due later lets the ticks before it fire', () => {
    const c = testClock();
    const s = new Scheduler(1, c);
    const { ticks, clock } = ticking(s);
    clock.now = () => c.t;
    expect(s.runUntilIdle()).toBe(0);
    expect(c.t).toBe(0n);
    s.post('wait 3.5 ms', () => {}, { delayNs: 3_500_000 });
    s.runUntilIdle();
    expect(ticks).toEqual([1_000_000n, 2_000_000n, 3_000_000n]);
    expect(c.t).toBe(3_500_000n);
    expect(s.pending).toBe(1);
  });

  it('a watchdog whose operation is still pending keeps the run (and the ticks) going until it fires; one that watches nothing does not', () => {
    for (const pending of [true, false]) {
      const c = testClock();
      const s = new Scheduler(1, c);
      const { ticks, clock } = ticking(s);
      clock.now = () => c.t;
      let fired = false;
      s.post('watchdog', () => { fired = true; }, { delayNs: 10_000_000, stillPending: () => pending });
      s.runUntilIdle();
      expect(fired, `pending ${pending}`).toBe(pending);
      expect(ticks.length, `pending ${pending}`).toBe(pending ? 10 : 0);
    }
  });

  it('without background tasks a watchdog runs at its time as any task does', () => {
    const c = testClock();
    const s = new Scheduler(1, c);
    let fired = false;
    s.post('watchdog', () => { fired = true; }, { delayNs: 5_000, stillPending: () => false });
    s.runUntilIdle();
    expect([fired, c.t]).toEqual([true, 5_000n]);
  });

  it('runUntil(t) fires the background tasks due on the way', () => {
    const c = testClock();
    const s = new Scheduler(1, c);
    const { ticks, clock } = ticking(s);
    clock.now = () => c.t;
    s.runUntil(2_500_000n);
    expect(ticks).toEqual([1_000_000n, 2_000_000n]);
    expect(c.t).toBe(2_500_000n);
  });
});
