// The event timeline in Chromium: the scrubber spans the trace and reports where it is; moving
// it, or clicking an event, emits `scrub` with the event number. The scheduler's steps are hidden
// until asked for; filters by driver, kind and object and a search narrow the list; Previous and
// Next and the arrow keys (the list is one tab stop) move through what is shown.

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

  it('hides the scheduler, filters, searches, and steps through what it shows by button and by key', async () => {
    const trace = [
      { n: 1, t: '0', kind: 'load', text: 'load: driver=driver', driver: 'driver' },
      { n: 2, t: '0', kind: 'step', text: 'scheduler runs continue' },
      { n: 3, t: '0', kind: 'handler', text: 'NDIS calls protocol-binding!ProtocolBindAdapterEx (binding driver/nic0)', driver: 'driver', object: 'binding driver/nic0' },
      { n: 4, t: '0', kind: 'step', text: 'scheduler runs continue' },
      { n: 5, t: '1000', kind: 'state', text: 'binding protocol-binding/nic0: Unbound → Opening', object: 'binding driver/nic0' },
      { n: 6, t: '1000', kind: 'ndis', text: 'reference-filter calls NdisFSetAttributes', driver: 'reference-filter' },
      { n: 7, t: '2000', kind: 'state', text: 'binding protocol-binding/nic1: Unbound → Opening', object: 'binding driver/nic1' },
    ];
    await mount(harnessed.page, '/components/event-timeline/event-timeline.ts', 'event-timeline', { events: trace, count: trace.length, position: 7, max: 7, names: { driver: 'protocol-binding' } });
    const page = harnessed.page;
    // Position moves as `scrub` says (as the run viewer does).
    await page.evaluate(() => {
      const timeline = document.querySelector('event-timeline') as HTMLElement & { position: number };
      timeline.addEventListener('scrub', (e) => { timeline.position = (e as CustomEvent<number>).detail; });
    });
    const numbers = () => page.locator('event-timeline li').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.n)));
    expect(await numbers()).toEqual([1, 3, 5, 6, 7]);
    expect(await page.locator('event-timeline .shown').textContent()).toBe("5 of 7 events shown; the scheduler's steps are hidden.");
    await page.getByLabel('Show scheduler steps').check();
    expect(await numbers()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await page.getByLabel('Show scheduler steps').uncheck();

    // The driver filter names drivers by their registered names.
    expect(await page.getByLabel('Driver', { exact: true }).locator('option').allTextContents()).toEqual(['every driver', 'protocol-binding (driver)', 'reference-filter']);
    await page.getByLabel('Driver', { exact: true }).selectOption('reference-filter');
    expect(await numbers()).toEqual([6]);
    await page.getByLabel('Driver', { exact: true }).selectOption('');
    await page.getByLabel('Kind', ).selectOption('state');
    expect(await numbers()).toEqual([5, 7]);
    await page.getByLabel('Kind', ).selectOption('');
    await page.getByLabel('Object', ).selectOption('binding driver/nic0');
    expect(await numbers()).toEqual([3, 5]);
    await page.getByLabel('Object', ).selectOption('');
    await page.getByLabel('Search').fill('opening');
    expect(await numbers()).toEqual([5, 7]);
    await page.getByLabel('Search').fill('');

    // Previous and Next step through the events shown (the scheduler's are skipped).
    await page.getByRole('button', { name: 'Previous event' }).click();
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('6');
    await page.getByRole('button', { name: 'Previous event' }).click();
    await page.getByRole('button', { name: 'Previous event' }).click();
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('3');
    await page.getByRole('button', { name: 'Next event' }).click();
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('5');
    // The list is one tab stop, on the current event; the keys move and the focus follows.
    expect(await page.locator('event-timeline li[tabindex="0"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.n))).toEqual(['5']);
    await page.locator('event-timeline li.current').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('6');
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('1');
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('event-timeline li.current').getAttribute('data-n')).toBe('7');
    expect(await page.evaluate(() => (document.querySelector('event-timeline')!.shadowRoot!.activeElement as HTMLElement | null)?.dataset.n)).toBe('7');
  });
});
