// The trace, the console and the findings' links on the lab page in Chromium, on the built site
// (issue 20 items 3 and 5): what the driver prints with console.log is in the console pane at the
// trace event it came after; a failed Run says the cause (the finding) before the effect; the
// scheduler's steps are hidden until asked for; "trace event N" in a finding selects that event,
// focused, and the arrow keys move on from it; a grading run's finding replays its seed first.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource } from '../../testing/browser.ts';

const solution = readFileSync(new URL('../../../labs/protocol-binding/solution.ts', import.meta.url), 'utf8');
/** The solution printing in its bind handler and answering NetEventRestart with NDIS_STATUS_NOT_SUPPORTED (PnPNotSupportedReturned). */
const noisy = solution
  .replace(/(BindAdapterHandlerEx\([^)]*\)[^{]*\{)/, "$1\n      console.log('binding to', params.AdapterName, 42);")
  .replace('if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;', 'if (event.NetPnPEvent.NetEvent === NetEventRestart) return 0xC00000BB;');

/** What the focused element is, through the shadow roots: "tag#id[data-n]". */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}${(el as HTMLElement).dataset.n ? `[${(el as HTMLElement).dataset.n}]` : ''}` : 'none';
  });
}

describe('the trace and the console', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows console output, the cause before the effect, filters the trace, and links findings to their events', async () => {
    expect(noisy).toContain("console.log('binding to'");
    expect(noisy).toContain('return 0xC00000BB');
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await page.setViewportSize({ width: 1366, height: 768 });
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, noisy);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
    const status = (await page.getByRole('status').textContent())!;
    expect(status).toMatch(/What went wrong:\n• PnPNotSupportedReturned \(trace event (\d+)\): /);
    const event = Number(/PnPNotSupportedReturned \(trace event (\d+)\)/.exec(status)![1]);
    if (status.includes('So the scenario')) expect(status.indexOf('What went wrong')).toBeLessThan(status.indexOf('So the scenario'));
    await page.getByRole('button', { name: 'Jump to end' }).click();

    // The console: the line, by the driver's registered name, at the event it came after.
    const lines = page.locator('run-viewer ol.console li');
    await expect.poll(() => lines.count()).toBeGreaterThan(0);
    expect(await lines.first().textContent()).toMatch(/#\d+\s*protocol-binding\s*binding to nic0 42/);
    // The timeline calls the driver by its Name too.
    const timeline = page.locator('run-viewer event-timeline');
    expect(await timeline.getByRole('option').filter({ hasText: 'NDIS calls protocol-binding!ProtocolBindAdapterEx' }).count()).toBeGreaterThan(0);

    // Scheduler steps hidden by default, shown on request.
    expect(await timeline.locator('li.k-step').count()).toBe(0);
    expect(await timeline.locator('.shown').textContent()).toMatch(/the scheduler's steps are hidden/);
    await timeline.getByLabel('Show scheduler steps').check();
    await expect.poll(() => timeline.locator('li.k-step').count()).toBeGreaterThan(0);
    await timeline.getByLabel('Show scheduler steps').uncheck();

    // Narrowed by kind, and by search.
    await timeline.getByLabel('Kind').selectOption('state');
    await expect.poll(async () => (await timeline.locator('li').evaluateAll((rows) => rows.map((r) => r.className))).every((c) => c.includes('k-state'))).toBe(true);
    expect(await timeline.locator('li').count()).toBeGreaterThan(1);
    await timeline.getByLabel('Kind').selectOption('');
    await timeline.getByLabel('Search').fill('NdisOpenAdapterEx');
    await expect.poll(async () => (await timeline.locator('li .text').allTextContents()).every((t) => t.includes('NdisOpenAdapterEx'))).toBe(true);
    await timeline.getByLabel('Search').fill('');

    // The finding's "trace event N" selects that event in the trace, with the focus on its row.
    const finding = page.locator('run-viewer findings-list li[data-rule="PnPNotSupportedReturned"]');
    await finding.getByRole('button', { name: `trace event ${event}` }).click();
    await expect.poll(() => timeline.locator('li.current').getAttribute('data-n')).toBe(String(event));
    await expect.poll(() => focused(page)).toBe(`li[${event}]`);
    expect(await page.getByRole('slider', { name: 'Trace position' }).inputValue()).toBe(String(event));
    // The arrow keys move from there, through the events shown, and the views follow.
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => Number(await timeline.locator('li.current').getAttribute('data-n'))).toBeLessThan(event);
    const before = Number(await timeline.locator('li.current').getAttribute('data-n'));
    expect(await focused(page)).toBe(`li[${before}]`);
    expect(await page.getByRole('slider', { name: 'Trace position' }).inputValue()).toBe(String(before));
    await timeline.getByRole('button', { name: 'Next event' }).click();
    await expect.poll(() => timeline.locator('li.current').getAttribute('data-n')).toBe(String(event));

    // A grading run's finding: its seed is replayed, then the event selected.
    await page.getByRole('button', { name: 'Grade', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^Grade: score/);
    // (The last scenario with a finding: not the one just run, so it is replayed.)
    const row = page.locator('grade-report tr[data-scenario]').filter({ has: page.locator('findings-list') }).last();
    const ran = await page.getByRole('combobox', { name: 'Scenario' }).inputValue();
    expect(await row.getAttribute('data-scenario')).not.toBe(ran);
    const graded = row.locator('findings-list li[data-rule]').first();
    const gradedEvent = Number(/trace event (\d+)/.exec((await graded.textContent())!)![1]);
    await graded.getByRole('button', { name: /^trace event/ }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/^Run: .* under seed \d+/);
    await expect.poll(() => timeline.locator('li.current').getAttribute('data-n'), { timeout: 30_000 }).toBe(String(gradedEvent));
    expect(await page.getByRole('combobox', { name: 'Scenario' }).inputValue()).toBe(await row.getAttribute('data-scenario'));
    expect(errors).toEqual([]);
    await context.close();
  });
});
