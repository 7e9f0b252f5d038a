// The Live traffic panel in Chromium: it asks for the frames and size chosen, shows the rate while
// frames flow, and after a run says plainly whether every frame arrived and every NBL came home,
// with the finding and its bug check screen when the verifier stopped the run.

import { describe, it, expect } from 'vitest';
import { ruleById } from '../../../core/verifier/rules.ts';
import { mount, update, useHarness } from '../../testing/browser.ts';
import type { LiveOutcome } from '../../engine/protocol.ts';

const threads = [
  { thread: 'miniport', busyNsPerFrame: 270, parks: 1406, chains: 31250 },
  { thread: 'my-filter', busyNsPerFrame: 190, parks: 8660, chains: 62500 },
  { thread: 'stack-protocol', busyNsPerFrame: 298, parks: 1546, chains: 31250 },
];
const clean: LiveOutcome = {
  lab: 'filter-pause', frames: 1_000_000, frameBytes: 60, sent: 1_000_000, completed: 1_000_000, received: 1_000_000, damaged: 0,
  elapsedMs: 400, framesPerSecond: 2_500_000, bitsPerSecond: 1.28e9, threads, outstanding: 0, filterBypassed: false,
};
const rule = ruleById('NblNotOwned');
const broken: LiveOutcome = {
  ...clean, received: 4096, completed: 4000, sent: 5632, elapsedMs: 0, framesPerSecond: 0, bitsPerSecond: 0, outstanding: 12,
  finding: { rule: rule.id, statement: rule.statement, source: rule.seed, severity: rule.severity, bugCheck: rule.bugCheck, driver: 'my-filter', message: 'NBL 17 returned by my-filter, which it does not hold', event: 0, callPath: [], seed: 1 },
  bugCheck: '*** STOP: 0x000000C4 (0x0000000000000091, NblNotOwned)',
};

describe('<live-traffic>', () => {
  const harnessed = useHarness();

  it('asks for the frames and size chosen', async () => {
    const { page } = harnessed;
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', {});
    await page.evaluate(() => document.querySelector('live-traffic')!.addEventListener('live-start', (e) => { (window as unknown as { asked: unknown }).asked = (e as CustomEvent).detail; }));
    await page.locator('live-traffic').getByRole('combobox', { name: 'Frames' }).selectOption('10000000');
    await page.locator('live-traffic').getByRole('combobox', { name: 'Size' }).selectOption({ label: '1518 bytes' });
    await page.locator('live-traffic').getByRole('button', { name: 'Start live traffic' }).click();
    expect(await page.evaluate(() => (window as unknown as { asked: unknown }).asked)).toEqual({ frames: 10_000_000, frameBytes: 1514 });
  });

  it('shows the rate while frames flow, with the button and choices off', async () => {
    const { page } = harnessed;
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', { running: true, progress: { sent: 501_536, completed: 499_000, received: 500_000, elapsedMs: 250 } });
    const text = await page.locator('live-traffic .rate').textContent();
    expect(text).toContain('500,000 of 1,000,000 frames received, 1,536 in flight; 2.00 Mpps so far');
    expect(await page.locator('live-traffic').getByRole('button', { name: 'Start live traffic' }).isDisabled()).toBe(true);
    expect(await page.locator('live-traffic').getByRole('combobox', { name: 'Frames' }).isDisabled()).toBe(true);
  });

  it('reports a clean run: the rate, the wire rate and each thread', async () => {
    const { page } = harnessed;
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', { outcome: clean });
    const summary = await page.locator('live-traffic .summary').textContent();
    expect(summary).toMatch(/1,000,000 64-byte frames through your filter in 0\.40 s:\s*2\.50 Mpps\s*\(1\.28 Gb\/s\)\. Every frame arrived intact and in order; every NBL came home\./);
    expect(await page.locator('live-traffic tr[data-thread="my-filter"]').textContent()).toMatch(/my-filter\s*190\s*8,660\s*62,500/);
    expect(await page.locator('live-traffic bug-check-screen').count()).toBe(0);
    expect(await page.locator('live-traffic .bypassed').count()).toBe(0);
  });

  it('says so when the filter was bypassed', async () => {
    const { page } = harnessed;
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', { outcome: { ...clean, filterBypassed: true, threads: [threads[0], threads[2]] } });
    expect(await page.locator('live-traffic .summary').textContent()).toMatch(/1,000,000 64-byte frames past your filter in 0\.40 s/);
    expect(await page.locator('live-traffic .bypassed').textContent()).toContain('NDIS bypassed its modules');
  });

  it('reports a stall and the NBLs that did not come home', async () => {
    const { page } = harnessed;
    const stalled: LiveOutcome = { ...clean, received: 4095, completed: 5631, sent: 5631, elapsedMs: 0, framesPerSecond: 0, bitsPerSecond: 0, outstanding: 4095, cutShort: 'no frame arrived for 2.0 s: 4095 of 1000000 received' };
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', { outcome: stalled });
    const items = await page.locator('live-traffic ul.problems li').allTextContents();
    expect(items).toEqual([
      'no frame arrived for 2.0 s: 4095 of 1000000 received',
      '4,095 NBL(s) did not come home: a filter completes every send it takes (NdisFSendNetBufferListsComplete) and returns every receive (NdisFReturnNetBufferLists)',
    ]);
  });

  it('reports a finding with its bug check screen', async () => {
    const { page } = harnessed;
    await mount(page, '/components/live-traffic/live-traffic.ts', 'live-traffic', { outcome: clean });
    await update(page, 'live-traffic', { outcome: broken });
    const summary = await page.locator('live-traffic .summary').textContent();
    expect(summary).toContain('4,096 of 1,000,000 64-byte frames arrived.');
    expect(summary).toContain('NblNotOwned: NBL 17 returned by my-filter, which it does not hold');
    // NBLs away after a finding are where the stopped run left them, not the filter's doing.
    expect(summary).not.toContain('did not come home');
    expect(await page.locator('live-traffic bug-check-screen pre').textContent()).toContain('NblNotOwned');
    expect(await page.locator('live-traffic findings-list li[data-rule="NblNotOwned"]').textContent()).toContain(rule.statement);
  });
});
