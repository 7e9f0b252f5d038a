// The descriptor rings in Chromium: one cell per descriptor, DD bits filled, head and tail
// marked, the hardware's share (head up to tail, wrapping) shaded, and the summary line.

import { describe, it, expect } from 'vitest';
import { mount, useHarness } from '../../testing/browser.ts';
import { ownedByHardware } from './descriptor-rings.ts';
import type { NicView } from '../../engine/protocol.ts';

const bits = (entries: number, done: number[]) => Array.from({ length: entries }, (_, i) => (done.includes(i) ? '1' : '0')).join('');

const nic: NicView = {
  index: 0, name: 'nic0', mac: '02:4e:49:43:00:01',
  tx: { entries: 16, head: 3, tail: 6, done: bits(16, [0, 1, 2]) },
  rx: { entries: 16, head: 14, tail: 2, done: bits(16, [14]) },
  counters: {},
};

describe('<descriptor-rings>', () => {
  const harnessed = useHarness();

  it('knows which descriptors the hardware owns, across the wrap', () => {
    expect([...Array(16).keys()].filter((i) => ownedByHardware(nic.tx, i))).toEqual([3, 4, 5]);
    expect([...Array(16).keys()].filter((i) => ownedByHardware(nic.rx, i))).toEqual([0, 1, 14, 15]);
    expect(ownedByHardware({ entries: 8, head: 4, tail: 4, done: '' }, 4)).toBe(false);
  });

  it('draws each ring with DD bits, head, tail and the hardware-owned span', async () => {
    await mount(harnessed.page, '/components/descriptor-rings/descriptor-rings.ts', 'descriptor-rings', { nics: [nic] });
    const tx = harnessed.page.locator('descriptor-rings [data-ring="nic0-tx"] .cell');
    expect(await tx.count()).toBe(16);
    const classes = await tx.evaluateAll((cells) => cells.map((c) => c.className.trim().split(/\s+/).filter(Boolean).sort().join(' ')));
    expect(classes.slice(0, 7)).toEqual(['cell dd', 'cell dd', 'cell dd', 'cell head owned', 'cell owned', 'cell owned', 'cell tail']);
    expect(await tx.nth(3).getAttribute('title')).toBe('descriptor 3: TDH');
    expect(await harnessed.page.locator('descriptor-rings [data-summary="nic0-tx"]').textContent()).toBe('TDH (head) 3, TDT (tail) 6, 3 of 16 with DD');
    expect(await harnessed.page.locator('descriptor-rings [data-summary="nic0-rx"]').textContent()).toBe('RDH (head) 14, RDT (tail) 2, 1 of 16 with DD');
    expect(await harnessed.page.locator('descriptor-rings [data-ring="nic0-rx"] .cell').nth(14).getAttribute('title')).toBe('descriptor 14: DD, RDH');
  });
});
