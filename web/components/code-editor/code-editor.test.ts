// The driver editor in Chromium: named "Driver source", TypeScript highlighting, completion of
// NDIS names from ndis.d.ts with their declarations, their contract on hover, and a change event
// carrying the text on every edit; a compile error's spot marked until the next compile.

import { describe, it, expect } from 'vitest';
import { mount, useHarness } from '../../testing/browser.ts';

describe('<code-editor>', () => {
  const harnessed = useHarness();

  it('completes NDIS names with their declarations and reports edits', async () => {
    await mount(harnessed.page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'const status: number = 0;\n' });
    await harnessed.page.evaluate(() => {
      const w = window as unknown as { edits: string[] };
      w.edits = [];
      document.querySelector('code-editor')!.addEventListener('change', (e) => w.edits.push((e as CustomEvent<string>).detail));
    });
    const editor = harnessed.page.getByRole('textbox', { name: 'Driver source' });
    await editor.click();
    await harnessed.page.keyboard.press('ControlOrMeta+End');
    await harnessed.page.keyboard.type('NdisOpenAd');
    const option = harnessed.page.getByRole('option', { name: /NdisOpenAdapterEx/ });
    await option.waitFor();
    expect(await option.textContent()).toContain('function');
    // Enter accepts the completion only once it is the selected option and CodeMirror's
    // `interactionDelay` (75 ms by default: keys that come sooner after the list opens are not
    // taken as accepting it) has passed; before that Enter inserts a newline.
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
    await harnessed.page.waitForTimeout(150);
    await harnessed.page.keyboard.press('Enter');
    const value = await harnessed.page.evaluate(() => (document.querySelector('code-editor') as unknown as { value: string }).value);
    expect(value).toBe('const status: number = 0;\nNdisOpenAdapterEx');
    const edits = await harnessed.page.evaluate(() => (window as unknown as { edits: string[] }).edits);
    expect(edits.at(-1)).toBe(value);
    // TypeScript is highlighted: the type annotation is its own token.
    expect(await harnessed.page.locator('code-editor .cm-line').first().locator('span').count()).toBeGreaterThan(2);
  });

  it('shows the contract of an NDIS name on hover', async () => {
    await mount(harnessed.page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'NdisCloseAdapterEx(handle);\n' });
    const line = harnessed.page.locator('code-editor .cm-line').first();
    const box = (await line.boundingBox())!;
    await harnessed.page.mouse.move(box.x + 30, box.y + box.height / 2);
    const tip = harnessed.page.locator('code-editor .cm-tooltip .ndis-doc');
    await tip.waitFor({ timeout: 5000 });
    const text = await tip.textContent();
    expect(text).toContain('function NdisCloseAdapterEx(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;');
    expect(text).toContain('The handle is invalid from this call on (seed 003).');
  });

  it('marks where the driver failed to compile, and unmarks it', async () => {
    const problem = { line: 2, column: 11, message: 'Unexpected token' };
    await mount(harnessed.page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'let a = 1;\nconst x = ;\nlet b = 2;\n', problem });
    const marked = harnessed.page.locator('code-editor .cm-lintRange-error');
    expect(await marked.textContent()).toBe(';');
    expect(await harnessed.page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    // A position past its line (the compiler's "end of input") is put at the line's end.
    await harnessed.page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = { line: 3, column: 40, message: 'Unexpected token' }; });
    await expect.poll(() => harnessed.page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    await harnessed.page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = undefined; });
    await expect.poll(() => harnessed.page.locator('code-editor .cm-lint-marker-error').count()).toBe(0);
    expect(await marked.count()).toBe(0);
  });

  it('replaces its text as one undoable edit', async () => {
    await mount(harnessed.page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'first' });
    await harnessed.page.evaluate(() => { (document.querySelector('code-editor') as unknown as { value: string }).value = 'second'; });
    await harnessed.page.getByRole('textbox', { name: 'Driver source' }).click();
    await harnessed.page.keyboard.press('ControlOrMeta+Z');
    expect(await harnessed.page.evaluate(() => (document.querySelector('code-editor') as unknown as { value: string }).value)).toBe('first');
  });
});
