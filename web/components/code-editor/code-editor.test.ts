// The driver editor in Chromium: named "Driver source", TypeScript highlighting, completion of
// NDIS names from ndis.d.ts with their declarations, their contract on hover, and a change event
// carrying the text on every edit.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, harness, mount } from '../../testing/browser.ts';

describe('<code-editor>', () => {
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

  it('completes NDIS names with their declarations and reports edits', async () => {
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'const status: number = 0;\n' });
    await page.evaluate(() => {
      const w = window as unknown as { edits: string[] };
      w.edits = [];
      document.querySelector('code-editor')!.addEventListener('change', (e) => w.edits.push((e as CustomEvent<string>).detail));
    });
    const editor = page.getByRole('textbox', { name: 'Driver source' });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('NdisOpenAd');
    const option = page.getByRole('option', { name: /NdisOpenAdapterEx/ });
    await option.waitFor();
    expect(await option.textContent()).toContain('function');
    await page.keyboard.press('Enter');
    const value = await page.evaluate(() => (document.querySelector('code-editor') as unknown as { value: string }).value);
    expect(value).toBe('const status: number = 0;\nNdisOpenAdapterEx');
    const edits = await page.evaluate(() => (window as unknown as { edits: string[] }).edits);
    expect(edits.at(-1)).toBe(value);
    // TypeScript is highlighted: the type annotation is its own token.
    expect(await page.locator('code-editor .cm-line').first().locator('span').count()).toBeGreaterThan(2);
  });

  it('shows the contract of an NDIS name on hover', async () => {
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'NdisCloseAdapterEx(handle);\n' });
    const line = page.locator('code-editor .cm-line').first();
    const box = (await line.boundingBox())!;
    await page.mouse.move(box.x + 30, box.y + box.height / 2);
    const tip = page.locator('code-editor .cm-tooltip .ndis-doc');
    await tip.waitFor({ timeout: 5000 });
    const text = await tip.textContent();
    expect(text).toContain('function NdisCloseAdapterEx(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;');
    expect(text).toContain('The handle is invalid from this call on (seed 003).');
  });

  it('replaces its text as one undoable edit', async () => {
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'first' });
    await page.evaluate(() => { (document.querySelector('code-editor') as unknown as { value: string }).value = 'second'; });
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.keyboard.press('ControlOrMeta+Z');
    expect(await page.evaluate(() => (document.querySelector('code-editor') as unknown as { value: string }).value)).toBe('first');
  });
});
