// Durable drafts in Chromium, on the built site (issue 20 item 7): what a learner types is there
// after an immediate reload, and after the tab is closed at once, even when IndexedDB never got
// the write (the write-ahead copy in localStorage is reconciled into it on the next load).

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { connectBrowser, newPage, openLab, editorText } from '../../testing/browser.ts';

describe('durable drafts', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('an edit followed at once by a reload is there after it', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    const before = await editorText(page);
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\n// typed just before the reload');
    await page.reload();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(page)).toBe(`${before}\n// typed just before the reload`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an edit in a tab closed at once, whose IndexedDB writes all failed, is in the next tab', async () => {
    const context = await browser.newContext();
    const first = await newPage(context);
    // This tab's IndexedDB writes fail (as a write started while a page unloads may never finish).
    await first.page.addInitScript(() => {
      IDBObjectStore.prototype.put = function put() {
        throw new DOMException('writes refused by the test', 'UnknownError');
      };
    });
    await openLab(first.page, site, 'protocol-binding');
    const before = await editorText(first.page);
    await first.page.getByRole('textbox', { name: 'Driver source' }).click();
    await first.page.keyboard.press('ControlOrMeta+Home');
    await first.page.keyboard.type('// never reached IndexedDB\n');
    await expect.poll(() => first.page.locator('lab-page .save-state').textContent(), { timeout: 10_000 }).toMatch(/Not saved/);
    await first.page.close();

    const second = await newPage(context);
    await openLab(second.page, site, 'protocol-binding');
    await expect.poll(() => editorText(second.page)).toBe(`// never reached IndexedDB\n${before}`);
    expect(await second.page.locator('lab-page .save-state').textContent()).toMatch(/Recovered your last edit/);
    // It is in IndexedDB now: a reload with the write-ahead copy gone still has it.
    await second.page.evaluate(() => localStorage.clear());
    await second.page.reload();
    await second.page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(second.page)).toBe(`// never reached IndexedDB\n${before}`);
    // The course page counts it as work in progress.
    await second.page.getByRole('link', { name: '← All labs' }).click();
    await expect.poll(() => second.page.locator('li[data-lab="protocol-binding"] .status').textContent()).toBe('in progress');
    expect([...first.errors, ...second.errors]).toEqual([]);
    await context.close();
  });
});
