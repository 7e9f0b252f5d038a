// Small frictions of the lab and course pages in Chromium, on the built site (issue 20 items 8
// and 9): hints stay open across a reload; Reset to starter asks first and can be undone; the run's
// seed is the "Random seed" while the instructions' "seed 000" is an NDIS document, linked by its
// title; a compile error is said without the bundler's prefix; the editor says how to leave it;
// a first visit to the course page has a "Start here", a later one says where to go on.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource, editorText } from '../../testing/browser.ts';

describe('frictions', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('hints stay open across a reload; Reset to starter asks first and offers Undo', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    const starter = await editorText(page);
    await page.getByRole('button', { name: /Show hint 1 of/ }).click();
    await page.getByRole('button', { name: /Show hint 2 of/ }).click();
    expect(await page.locator('.hints li').count()).toBe(2);
    const mine = `// mine\n${starter}`;
    await pasteSource(page, mine);
    await page.reload();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => page.locator('.hints li').count()).toBe(2);

    // Reset asks; keeping changes nothing.
    await page.getByRole('button', { name: 'Reset to starter' }).click();
    const ask = page.getByRole('group', { name: 'Reset to starter' });
    expect(await ask.textContent()).toMatch(/Replace your driver with the lab's starter\?/);
    await ask.getByRole('button', { name: 'Keep my driver' }).click();
    expect(await editorText(page)).toBe(mine);
    // Replacing puts the starter in; Undo brings the learner's text back.
    await page.getByRole('button', { name: 'Reset to starter' }).click();
    await ask.getByRole('button', { name: 'Replace with the starter' }).click();
    await expect.poll(() => editorText(page)).toBe(starter);
    await page.getByRole('group', { name: 'Reset done' }).getByRole('button', { name: 'Undo reset' }).click();
    await expect.poll(() => editorText(page)).toBe(mine);
    expect(await page.getByRole('group', { name: 'Reset done' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('tells a random seed from an NDIS document, says how to leave the editor, and gives compile errors plainly', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    expect(await page.getByRole('spinbutton', { name: 'Random seed' }).inputValue()).toBe('1');
    const doc = page.getByRole('article', { name: 'Instructions' }).getByRole('link', { name: 'NDIS doc 000' });
    expect(await doc.getAttribute('title')).toBe('Binding States of a Protocol Driver');
    expect(await page.getByRole('article', { name: 'Instructions' }).textContent()).not.toMatch(/seed 000/);
    expect(await page.locator('.editor-hint').textContent()).toMatch(/press Esc then Tab to move on/);
    // And it is so: Tab indents, Esc then Tab leaves for the next control.
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.tagName.toLowerCase();
    })).toBe('select');
    await pasteSource(page, 'export function DriverEntry( {\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
    expect(await page.getByRole('status').textContent()).toMatch(/driver\.ts: does not compile: (?!Error transforming)/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the course page: "Start here" on a first visit, then where to go on', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await page.goto(site);
    const start = page.getByRole('region', { name: 'Start here' });
    await start.waitFor();
    const first = start.getByRole('link');
    expect(await first.textContent()).toMatch(/^lab 1: /);
    await first.click();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await pasteSource(page, '// started\n');
    await expect.poll(() => page.locator('.save-state').textContent(), { timeout: 10_000 }).toMatch(/Draft saved/);
    await page.getByRole('link', { name: '← All labs' }).click();
    const goOn = page.getByRole('region', { name: 'Go on' });
    await goOn.waitFor();
    expect(await goOn.textContent()).toMatch(/Pick up: lab 1: .*\(in progress\)/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
