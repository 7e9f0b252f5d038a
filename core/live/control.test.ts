// The live control block's bells: a producer wakes a parked thread once per park, never a running
// one, and a finding stops every thread.

import { describe, it, expect } from 'vitest';
import { LiveControl } from './control.ts';

describe('LiveControl bells', () => {
  it('rings a parking thread once, however many producers ring before it wakes; a running one never', () => {
    const control = LiveControl.create(16);
    const before = control.bellSnapshot(3);
    control.ring(3);
    expect(control.bellSnapshot(3)).toBe(before); // running: nothing to wake
    control.raise(3);
    control.ring(3);
    control.ring(3);
    control.ringAll(1 << 3);
    expect(control.bellSnapshot(3)).toBe(before + 1);
    control.park(3, before, 1000); // the ring came after the snapshot: returns at once
    control.ring(3);
    expect(control.bellSnapshot(3)).toBe(before + 1); // awake again after the park
    control.raise(3);
    control.ring(3);
    expect(control.bellSnapshot(3)).toBe(before + 2); // the next park is rung again
    control.lower(3);
    control.ring(3, true);
    expect(control.bellSnapshot(3)).toBe(before + 3); // forced: always
  });

  it('a finding stops the run, and the first one wins', () => {
    const control = LiveControl.create(16);
    control.setLive(true);
    expect(control.fail({ rule: 'NblNotOwned', driver: 'p', message: 'NBL 3' })).toBe(true);
    expect(control.fail({ rule: 'SharedMemoryCorrupted', driver: 'f', message: 'later' })).toBe(false);
    expect(control.live).toBe(false);
    expect(control.finding()).toEqual({ rule: 'NblNotOwned', driver: 'p', message: 'NBL 3' });
  });
});
