// The counters in Chromium: a column per NIC, a row per register, values that changed since the
// previous sample highlighted, and the cable's counters.

import { describe, it, expect } from 'vitest';
import { mount, useHarness } from '../../testing/browser.ts';

const ring = { entries: 8, head: 0, tail: 0, done: '00000000' };
const nic = (index: number, GPTC: number, GPRC: number) => ({ index, name: `nic${index}`, mac: '', tx: ring, rx: ring, counters: { GPTC, GPRC } });

describe('<counters-view>', () => {
  const harnessed = useHarness();

  it('shows each register per NIC and highlights what changed', async () => {
    await mount(harnessed.page, '/components/counters-view/counters-view.ts', 'counters-view', {
      nics: [nic(0, 5, 0), nic(1, 0, 5)], previous: [nic(0, 4, 0), nic(1, 0, 5)], wire: { up: true, frames: 5, dropped: 1 },
    });
    expect(await harnessed.page.locator('counters-view [data-counter="nic0-GPTC"]').textContent()).toBe('5');
    expect(await harnessed.page.locator('counters-view [data-counter="nic1-GPRC"]').textContent()).toBe('5');
    expect(await harnessed.page.locator('counters-view td.changed').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-counter')))).toEqual(['nic0-GPTC']);
    expect(await harnessed.page.locator('counters-view [data-wire="dropped"]').textContent()).toBe('1');
    expect(await harnessed.page.locator('counters-view th[scope="row"]').first().getAttribute('title')).toBe('good packets transmitted');
  });
});
