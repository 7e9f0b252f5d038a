// The event timeline in Chromium: the scrubber spans the trace and reports where it is; moving
// it, or clicking an event, emits `scrub` with the event number.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, harness, mount } from '../../testing/browser.ts';

const events = [
  { n: 1, t: '0', kind: 'load', text: 'load: driver=driver' },
  { n: 2, t: '0', kind: 'handler', text: 'NDIS calls driver!DriverEntry' },
  { n: 3, t: '2000', kind: 'state', text: 'binding driver/nic0: Unbound → Opening (BindAdapter)' },
];

describe('<event-timeline>', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await connectBrowser();
    ({ page, errors } = await harness(browser));
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await browser?.close();
  });

  it('lists the events up to the position and emits scrub when moved or clicked', async () => {
    await mount(page, '/components/event-timeline/event-timeline.ts', 'event-timeline', { events, position: 3, max: 120 });
    await page.evaluate(() => {
      (window as unknown as { scrubs: number[] }).scrubs = [];
      document.querySelector('event-timeline')!.addEventListener('scrub', (e) => (window as unknown as { scrubs: number[] }).scrubs.push((e as CustomEvent<number>).detail));
    });
    expect(await page.locator('event-timeline .where').textContent()).toBe('event 3 of 120, 2.000 µs');
    expect(await page.locator('event-timeline li').count()).toBe(3);
    expect(await page.locator('event-timeline li.current').textContent()).toMatch(/#3.*Unbound → Opening/);
    expect(await page.locator('event-timeline li.k-state').count()).toBe(1);
    const slider = page.getByRole('slider', { name: 'Trace position' });
    expect(await slider.getAttribute('max')).toBe('120');
    await slider.fill('57');
    await page.locator('event-timeline li').first().click();
    expect(await page.evaluate(() => (window as unknown as { scrubs: number[] }).scrubs)).toEqual([57, 1]);
  });
});
