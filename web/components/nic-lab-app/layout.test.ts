// The layout in Chromium, on the built site (issue 20 items 1, 4 and 8): at 390x844 (a phone) no
// page scrolls sideways, the course page, every lab, and a lab with a Run's and a Grade's results
// showing; at 1366x768 the outcome of Run is beside the editor, in view, with the editor in view
// too; a lab opened from a scrolled course page starts at its top.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource } from '../../testing/browser.ts';

const labsDir = new URL('../../../labs/', import.meta.url);
const labs = readdirSync(labsDir).filter((name) => existsSync(new URL(`${name}/lab.json`, labsDir)));
const datapath = readFileSync(new URL('../../../labs/datapath/solution.ts', import.meta.url), 'utf8');

/** The document's scroll width and its client width: equal when nothing sticks out sideways. */
function widths(page: Page): Promise<{ scroll: number; client: number }> {
  return page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
}

/** Where an element of the lab page is, in the viewport. */
function box(page: Page, selector: string): Promise<{ top: number; bottom: number; left: number; right: number } | undefined> {
  return page.evaluate((sel) => {
    const root = document.querySelector('nic-lab-app')?.shadowRoot?.querySelector('lab-page')?.shadowRoot;
    const r = root?.querySelector(sel)?.getBoundingClientRect();
    return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : undefined;
  }, selector);
}

describe('the layout', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('at 390x844 no page is wider than the screen: the course, every lab, and a lab with results', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors } = await newPage(context);
    await page.goto(site);
    await page.getByRole('list', { name: 'Labs' }).waitFor();
    await page.locator('rule-catalog tr[data-rule]').first().waitFor();
    expect({ page: 'course', ...(await widths(page)) }).toEqual({ page: 'course', scroll: 390, client: 390 });
    for (const lab of labs) {
      await openLab(page, site, lab);
      const { scroll, client } = await widths(page);
      expect({ lab, scroll }).toEqual({ lab, scroll: client });
    }
    await openLab(page, site, 'datapath');
    await pasteSource(page, datapath);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    await page.getByRole('button', { name: 'Jump to end' }).click();
    await page.locator('run-viewer frame-list tbody tr').first().click();
    await page.getByLabel('Hex dump').waitFor();
    expect(await widths(page)).toEqual({ scroll: 390, client: 390 });
    await page.getByRole('button', { name: 'Grade', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^Grade: score/);
    expect(await widths(page)).toEqual({ scroll: 390, client: 390 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('at 1366x768 the outcome of a Run is beside the editor, both in view, wherever the instructions are scrolled', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'datapath');
    await pasteSource(page, datapath);
    // Read far down the instructions, then run.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    const [status, editor, instructions] = [await box(page, '.status'), await box(page, 'code-editor'), await box(page, '.instructions')];
    expect(status!.top).toBeGreaterThanOrEqual(0);
    expect(status!.bottom).toBeLessThanOrEqual(768);
    expect(editor!.bottom).toBeGreaterThan(0); // some of the editor still shows
    expect(status!.left).toBeGreaterThanOrEqual(editor!.left - 1); // under the editor, in its column
    expect(status!.left).toBeGreaterThan(instructions!.right); // beside the instructions
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a lab opened from a scrolled course page starts at its top', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors } = await newPage(context);
    await page.goto(site);
    const links = page.getByRole('list', { name: 'Labs' }).getByRole('link');
    await links.last().scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
    await links.last().click();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
