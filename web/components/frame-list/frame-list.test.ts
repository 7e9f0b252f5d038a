// The frame list in Chromium: one row per frame with its addresses and faults, and for the
// selected frame its Ethernet fields and a hex dump of the exact bytes; rows by keyboard too.

import { describe, it, expect } from 'vitest';
import { load, useHarness } from '../../testing/browser.ts';
import { hexDump, ethernetFields } from './frame-list.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from '../../../core/nic/ethernet.ts';

const frame = new Uint8Array([...buildFrame('02:4e:49:43:00:02', '02:4e:49:43:00:01', ETHERTYPE_EXPERIMENTAL, 46), 0xde, 0xad, 0xbe, 0xef]);

describe('<frame-list>', () => {
  const harnessed = useHarness();

  it('reads the Ethernet fields and dumps the bytes', () => {
    expect(ethernetFields(frame)).toEqual({ destination: '02:4e:49:43:00:02', source: '02:4e:49:43:00:01', etherType: '0x88b5 (local experimental)', payloadBytes: 46, fcs: 'de ad be ef' });
    expect(hexDump(frame).split('\n')[0]).toBe('0000  02 4e 49 43 00 02 02 4e 49 43 00 01 88 b5 03 0a  .NIC...NIC......');
    expect(hexDump(frame).split('\n')).toHaveLength(4);
  });

  it('lists frames and shows the selected one', async () => {
    const frames = [
      { n: 40, t: '1500', nic: 0, direction: 'tx', bytes: Array.from(frame), corrupted: false, delayed: false, reordered: false },
      { n: 41, t: '3500', nic: 1, direction: 'rx', bytes: Array.from(frame), corrupted: true, delayed: true, reordered: false },
    ];
    await load(harnessed.page, '/components/frame-list/frame-list.ts');
    await harnessed.page.evaluate(async (list) => {
      const element = document.createElement('frame-list') as HTMLElement & { frames: unknown; updateComplete: Promise<unknown> };
      element.frames = list.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) }));
      document.body.replaceChildren(element);
      await element.updateComplete;
    }, frames);
    const rows = harnessed.page.locator('frame-list tbody tr');
    expect(await rows.count()).toBe(2);
    expect((await rows.nth(1).locator('td').allTextContents())).toEqual(['41', '3.500', 'nic1', 'rx', '64', '02:4e:49:43:00:02', '02:4e:49:43:00:01', '0x88b5', 'corrupted, delayed']);
    await rows.nth(1).click();
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await harnessed.page.getByLabel('Hex dump').textContent()).toBe(hexDump(frame));
    expect(await harnessed.page.locator('frame-list dl').textContent()).toMatch(/FCSde ad be ef \(does not match: a bit was flipped on the wire\)/);
    // By keyboard: the rows are one tab stop (the selected row); the arrow keys select and focus.
    expect(await harnessed.page.locator('frame-list tbody tr[tabindex="0"]').getAttribute('data-frame')).toBe('41');
    await rows.nth(1).focus();
    await harnessed.page.keyboard.press('ArrowUp');
    expect(await rows.nth(0).getAttribute('aria-selected')).toBe('true');
    expect(await harnessed.page.evaluate(() => (document.querySelector('frame-list')!.shadowRoot!.activeElement as HTMLElement | null)?.dataset.frame)).toBe('40');
    await harnessed.page.keyboard.press('End');
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
  });
});
