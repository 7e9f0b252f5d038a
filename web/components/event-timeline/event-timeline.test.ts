// The event timeline in Chromium: the scrubber spans the trace and reports where it is; moving
// it, or clicking an event, emits `scrub` with the event number.

import { describe, it, expect } from 'vitest';
import { mount, useHarness } from '../../testing/browser.ts';

const events = [
  { n: 1, t: '0', kind: 'load', text: 'load: driver=driver' },
  { n: 2, t: '0', kind: 'handler', text: 'NDIS calls driver!DriverEntry' },
  { n: 3, t: '2000', kind: 'state', text: 'binding driver/nic0: Unbound → Opening (BindAdapter)' },
];

describe('<event-timeline>', () => {
  const harnessed = useHarness();

  it('lists the events up to the position and emits scrub when moved or clicked', async () => {
    await mount(harnessed.page, '/components/event-timeline/event-timeline.ts', 'event-timeline', { events, position: 3, max: 120 });
    await harnessed.page.evaluate(() => {
      (window as unknown as { scrubs: number[] }).scrubs = [];
      document.querySelector('event-timeline')!.addEventListener('scrub', (e) => (window as unknown as { scrubs: number[] }).scrubs.push((e as CustomEvent<number>).detail));
    });
    expect(await harnessed.page.locator('event-timeline .where').textContent()).toBe('event 3 of 120, virtual time 2.000 µs');
    expect(await harnessed.page.locator('event-timeline li').count()).toBe(3);
    expect(await harnessed.page.locator('event-timeline li.current').textContent()).toMatch(/#3.*Unbound → Opening/);
    expect(await harnessed.page.locator('event-timeline li.k-state').count()).toBe(1);
    const slider = harnessed.page.getByRole('slider', { name: 'Trace position' });
    expect(await slider.getAttribute('max')).toBe('120');
    await slider.fill('57');
    await harnessed.page.locator('event-timeline li').first().click();
    expect(await harnessed.page.evaluate(() => (window as unknown as { scrubs: number[] }).scrubs)).toEqual([57, 1]);
  });
});
