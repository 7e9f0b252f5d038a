// The driver editor in Chromium: named "Driver source", TypeScript highlighting, checked as you
// type by the language service worker (a misspelt member, a missing argument, an `async`
// handler, a missing import, a syntax error: each marked without a Run), completion that adds
// the import of an NDIS name, hover anchored at the token with the name's contract, a change
// event carrying the text on every edit, a run's mark beside the language service's until the
// next run, the run's findings on their lines (named markers) until the next edit, the cursor
// put at a line by showPosition, wrapped lines, a visible way out by keyboard (Esc, then Tab),
// and no axe-core violation on its scroller or its marks. Without the worker, completion and
// hover go on with the NDIS names.

import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { mount, update, useHarness, connectBrowser, harness } from '../../testing/browser.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const value = (page: Page) => page.evaluate(() => (document.querySelector('code-editor') as unknown as { value: string }).value);
const setValue = (page: Page, text: string) => page.evaluate((t) => { (document.querySelector('code-editor') as unknown as { value: string }).value = t; }, text);

/** Focuses the editor (which starts the language service) and waits until the service has answered. */
async function startChecking(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Driver source' }).click();
  await page.locator('code-editor[language-service="ready"]').waitFor({ timeout: 30_000 });
}

/** The diagnostics, as the lint panel (Ctrl+Shift+M) lists them. */
async function listed(page: Page): Promise<string[]> {
  if (await page.locator('code-editor .cm-panel-lint').count() === 0) {
    await page.getByRole('textbox', { name: 'Driver source' }).focus();
    await page.keyboard.press('ControlOrMeta+Shift+M');
    await page.locator('code-editor .cm-panel-lint').waitFor();
  }
  return page.locator('code-editor .cm-panel-lint li .cm-diagnosticText').allTextContents();
}

/** Waits for CodeMirror's `interactionDelay` and the selection, then accepts the completion with Enter. */
async function accept(page: Page, name: RegExp): Promise<string> {
  const option = page.getByRole('option', { name }).first();
  await option.waitFor();
  // Enter accepts the completion only once it is the selected option and CodeMirror's
  // `interactionDelay` (75 ms by default: keys that come sooner after the list opens are not
  // taken as accepting it) has passed; before that Enter inserts a newline.
  await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
  const text = (await option.textContent()) ?? '';
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
  return text;
}

const DRIVER = [
  "import { NDIS_STATUS_SUCCESS, type NDIS_HANDLE, type NDIS_STATUS } from 'ndis';",
  '',
  'interface Binding { handle: NDIS_HANDLE | null; running: boolean }',
  '',
  'export function pause(binding: Binding): NDIS_STATUS {',
  '  binding.running = false;',
  '  return NDIS_STATUS_SUCCESS;',
  '}',
  '',
].join('\n');

describe('<code-editor>', () => {
  const harnessed = useHarness();

  it('completes NDIS names with their declarations, adds the import on accepting one, and reports edits', async () => {
    const page = harnessed.page;
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'const status: number = 0;\n' });
    await page.evaluate(() => {
      const w = window as unknown as { edits: string[] };
      w.edits = [];
      document.querySelector('code-editor')!.addEventListener('change', (e) => w.edits.push((e as CustomEvent<string>).detail));
    });
    await startChecking(page);
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('NdisOpenAd');
    expect(await accept(page, /NdisOpenAdapterEx/)).toMatch(/function.*ndis/);
    await expect.poll(() => value(page)).toBe("import { NdisOpenAdapterEx } from 'ndis';\n\nconst status: number = 0;\nNdisOpenAdapterEx");
    const edits = await page.evaluate(() => (window as unknown as { edits: string[] }).edits);
    expect(edits.at(-1)).toBe(await value(page));
    // TypeScript is highlighted: the type annotation is its own token.
    expect(await page.locator('code-editor .cm-line').nth(2).locator('span').count()).toBeGreaterThan(2);

    // Into an import from "ndis" that is there already; a name imported already is left alone.
    await setValue(page, "import { NDIS_STATUS_SUCCESS } from 'ndis';\n\nconst s = NDIS_STATUS_SUCCESS;\n");
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('NdisCloseAd');
    await accept(page, /NdisCloseAdapterEx/);
    await expect.poll(() => value(page)).toBe("import { NDIS_STATUS_SUCCESS, NdisCloseAdapterEx } from 'ndis';\n\nconst s = NDIS_STATUS_SUCCESS;\nNdisCloseAdapterEx");
    await page.keyboard.type('(null!);\nNdisCloseAd');
    await accept(page, /NdisCloseAdapterEx/);
    await page.waitForTimeout(300);
    expect(await value(page)).toBe("import { NDIS_STATUS_SUCCESS, NdisCloseAdapterEx } from 'ndis';\n\nconst s = NDIS_STATUS_SUCCESS;\nNdisCloseAdapterEx(null!);\nNdisCloseAdapterEx");
    // Members of the learner's own types come from TypeScript too.
    await setValue(page, DRIVER.replace('  binding.running = false;', '  binding.'));
    await page.locator('code-editor .cm-line').filter({ hasText: /^\s*binding\.$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('ru');
    expect(await accept(page, /^running/)).toContain('property');
    await expect.poll(() => value(page)).toBe(DRIVER.replace('  binding.running = false;', '  binding.running'));
  });

  it('marks a misspelt member, a missing argument, an async handler, a missing import and a syntax error as you type, without a Run', async () => {
    const page = harnessed.page;
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: DRIVER });
    await startChecking(page);
    await expect.poll(() => page.locator('code-editor .check').textContent()).toBe('No problems found');
    expect(await page.locator('code-editor .cm-lintRange').count()).toBe(0);

    // Typed: `binding.runing`.
    await page.locator('code-editor .cm-line').filter({ hasText: 'binding.running = false;' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('binding.runing = true;');
    const mark = page.locator('code-editor .cm-lintRange-error');
    await expect.poll(() => mark.allTextContents(), { timeout: 10_000 }).toEqual(['runing']);
    expect(await listed(page)).toEqual(["Property 'runing' does not exist on type 'Binding'. Did you mean 'running'?"]);
    expect(await page.locator('code-editor .check').textContent()).toMatch(/^1 error/);

    // NdisCloseAdapterEx() without its argument.
    await setValue(page, DRIVER.replace('NDIS_STATUS_SUCCESS, type', 'NDIS_STATUS_SUCCESS, NdisCloseAdapterEx, type').replace('  binding.running = false;', '  NdisCloseAdapterEx();'));
    await expect.poll(() => listed(page)).toEqual(['Expected 1 arguments, but got 0.']);

    // An async handler: NDIS refuses the Promise it returns (and its type is not NDIS_STATUS).
    await setValue(page, DRIVER.replace('export function pause', 'export async function pause'));
    await expect.poll(() => page.locator('code-editor .cm-lintRange-warning').allTextContents()).toEqual(['async']);
    const messages = await listed(page);
    expect(messages.some((m) => /HandlerReturnedPromise/.test(m) && /NDIS_STATUS_PENDING/.test(m))).toBe(true);
    expect(messages.some((m) => /return type of an async function/.test(m))).toBe(true);

    // A name "ndis" exports but the driver does not import: marked, with the fix that imports it.
    await setValue(page, `${DRIVER}export function close(binding: Binding): NDIS_STATUS {\n  return NdisCloseAdapterEx(binding.handle!);\n}\n`);
    await expect.poll(() => mark.allTextContents()).toEqual(['NdisCloseAdapterEx']);
    expect((await listed(page))[0]).toMatch(/^Cannot find name 'NdisCloseAdapterEx'.*"ndis" exports NdisCloseAdapterEx/);
    await page.locator('code-editor .cm-panel-lint').getByRole('button', { name: 'Import from "ndis"' }).click();
    await expect.poll(() => value(page)).toContain("import { NDIS_STATUS_SUCCESS, NdisCloseAdapterEx, type NDIS_HANDLE, type NDIS_STATUS } from 'ndis';");
    await expect.poll(() => mark.count()).toBe(0);

    // A syntax error.
    await setValue(page, DRIVER.replace('  binding.running = false;', '  const x = ;'));
    await expect.poll(() => listed(page)).toEqual(['Expression expected.']);
    expect(await mark.allTextContents()).toEqual([';']);
  });

  it('shows the contract of an NDIS name on hover, anchored at the token', async () => {
    const page = harnessed.page;
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'NdisCloseAdapterEx(handle);\n' });
    // Away from the page's left edge, where a tooltip that lost its anchor lands.
    await page.evaluate(() => { document.body.style.paddingLeft = '400px'; });
    const token = async (line: number, word: string) => page.locator('code-editor .cm-line').nth(line).evaluate((el, w) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const at = n.textContent!.indexOf(w);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(n, at);
        range.setEnd(n, at + w.length);
        const r = range.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }
      throw new Error(`no ${w}`);
    }, word);
    const hover = async (box: { x: number; y: number; width: number; height: number }) => {
      await page.mouse.move(0, 0);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
      const tip = page.locator('code-editor .cm-tooltip-hover .ndis-doc');
      await tip.waitFor({ timeout: 5000 });
      const tipBox = (await page.locator('code-editor .cm-tooltip-hover').boundingBox())!;
      // Beside the token: starting at it, just above or below it, and no wider than its style.
      expect(Math.abs(tipBox.x - box.x)).toBeLessThan(24);
      expect(Math.min(Math.abs(tipBox.y + tipBox.height - box.y), Math.abs(tipBox.y - (box.y + box.height)))).toBeLessThan(12);
      expect(tipBox.width).toBeLessThan(560);
      return (await tip.textContent()) ?? '';
    };
    // Not imported (or before the language service is up): the contract from ndis.d.ts.
    const text = await hover(await token(0, 'NdisCloseAdapterEx'));
    expect(text).toContain('function NdisCloseAdapterEx(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;');
    expect(text).toContain('The handle is invalid from this call on (seed 003).');
    // Imported: TypeScript's quick info, with the same doc comment; and of the learner's own names.
    await setValue(page, "import { NdisCloseAdapterEx, type NDIS_HANDLE } from 'ndis';\nconst handle = null as unknown as NDIS_HANDLE;\nNdisCloseAdapterEx(handle);\n");
    await startChecking(page);
    const quick = (await hover(await token(2, 'NdisCloseAdapterEx'))).replace(/\s+/g, ' ');
    expect(quick).toMatch(/^\(alias\) NdisCloseAdapterEx\(NdisBindingHandle: NDIS_HANDLE\): NDIS_STATUS import NdisCloseAdapterEx/);
    expect(quick).toContain('The handle is invalid from this call on (seed 003).');
    expect(await hover(await token(2, 'handle'))).toContain('const handle: NDIS_HANDLE');
    await page.mouse.move(0, 0);
    await page.evaluate(() => { document.body.style.paddingLeft = ''; });
  });

  it('marks where the driver failed to compile or threw, beside the language service\'s marks, and unmarks it', async () => {
    const page = harnessed.page;
    const problem = { line: 2, column: 11, message: 'Unexpected token' };
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'let a = 1;\nconst x = a;\nlet b = 2;\n', problem });
    const marked = page.locator('code-editor .cm-lintRange-error');
    expect(await marked.textContent()).toBe('a');
    expect(await page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    // A position past its line (the compiler's "end of input") is put at the line's end.
    await page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = { line: 3, column: 40, message: 'Unexpected token' }; });
    await expect.poll(() => page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    await page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = undefined; });
    await expect.poll(() => page.locator('code-editor .cm-lint-marker-error').count()).toBe(0);
    expect(await marked.count()).toBe(0);

    // With the language service: its mark and the run's stay side by side, through edits and checks.
    await setValue(page, DRIVER.replace('binding.running = false', 'binding.runing = false'));
    await startChecking(page);
    await expect.poll(() => marked.allTextContents()).toEqual(['runing']);
    await page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = { line: 7, column: 10, message: 'boom' }; });
    await expect.poll(() => marked.allTextContents()).toEqual(['runing', 'NDIS_STATUS_SUCCESS']);
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('// an edit the language service checks\n');
    await page.waitForTimeout(800);
    expect(await marked.allTextContents()).toEqual(['runing', 'NDIS_STATUS_SUCCESS']);
    await page.evaluate(() => { (document.querySelector('code-editor') as unknown as { problem: unknown }).problem = undefined; });
    await expect.poll(() => marked.allTextContents()).toEqual(['runing']);
  });

  it('marks the last run\'s findings on their lines beside the language service\'s marks, until the text changes', async () => {
    const page = harnessed.page;
    const findings = [
      { line: 6, column: 3, rule: 'ProtocolSendWhileNotRunning', message: 'NdisSendNetBufferLists on a Paused binding', severity: 'fatal', event: 87 },
      { line: 7, column: 10, rule: 'PnPNotSupportedReturned', message: 'NetEventRestart answered NDIS_STATUS_NOT_SUPPORTED', severity: 'error', event: 90 },
    ];
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: DRIVER.replace('binding.running = false', 'binding.runing = false'), findings });
    const findingMarks = page.locator('code-editor .cm-lintRange.nic-finding');
    // A fatal rule is an error, one that lets the run go on a warning; each underlines the word at its column.
    expect(await page.locator('code-editor .cm-lintRange-error.nic-finding').allTextContents()).toEqual(['binding']);
    expect(await page.locator('code-editor .cm-lintRange-warning.nic-finding').allTextContents()).toEqual(['NDIS_STATUS_SUCCESS']);
    // Named markers in their own gutter, on those lines, and none in the language service's.
    const markers = page.locator('code-editor .nic-findings-gutter .nic-finding-marker');
    expect(await markers.evaluateAll((all) => all.map((m) => [m.getAttribute('role'), m.getAttribute('aria-label')]))).toEqual([
      ['img', 'Line 6: ProtocolSendWhileNotRunning (fatal, trace event 87): NdisSendNetBufferLists on a Paused binding'],
      ['img', 'Line 7: PnPNotSupportedReturned (error, trace event 90): NetEventRestart answered NDIS_STATUS_NOT_SUPPORTED'],
    ]);
    const lineBeside = (marker: number) => markers.nth(marker).evaluate((m) => {
      const y = m.getBoundingClientRect().top;
      const numbers = [...m.closest('.cm-gutters')!.querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
      return numbers.find((n) => Math.abs(n.getBoundingClientRect().top - y) < 6)?.textContent;
    });
    expect([await lineBeside(0), await lineBeside(1)]).toEqual(['6', '7']);
    // CodeMirror hides its gutters from assistive technology: the editor's description says them.
    expect(await page.getByRole('textbox', { name: 'Driver source' }).getAttribute('aria-describedby')).toBe('editor-help');
    expect(await page.locator('code-editor #editor-help').textContent()).toContain("The last run's findings: ProtocolSendWhileNotRunning on line 6, PnPNotSupportedReturned on line 7.");
    // (With the language service up, from the tests before, its 'runing' is listed too.)
    expect((await listed(page)).filter((m) => m.startsWith('Line '))).toEqual([
      'Line 6, column 3: ProtocolSendWhileNotRunning (fatal, trace event 87): NdisSendNetBufferLists on a Paused binding',
      'Line 7, column 10: PnPNotSupportedReturned (error, trace event 90): NetEventRestart answered NDIS_STATUS_NOT_SUPPORTED',
    ]);
    await page.keyboard.press('Escape');

    // The language service's marks come beside them, and a check keeps them.
    await startChecking(page);
    await expect.poll(() => page.locator('code-editor .cm-lintRange:not(.nic-finding)').allTextContents(), { timeout: 10_000 }).toEqual(['runing']);
    expect(await findingMarks.count()).toBe(2);
    expect(await page.locator('code-editor .check').textContent()).toMatch(/^2 errors, 1 warning/);
    // The language service's gutter marks its own line (6) alone, not the findings' (6 and 7).
    expect(await page.locator('code-editor .cm-gutter-lint .cm-lint-marker').count()).toBe(1);

    // An edit clears them (they are about the text that ran), and only them.
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('// edited');
    await expect.poll(() => findingMarks.count()).toBe(0);
    expect(await markers.count()).toBe(0);
    expect(await page.locator('code-editor #editor-help').textContent()).not.toContain('finding');
    await expect.poll(() => page.locator('code-editor .cm-lintRange').allTextContents()).toEqual(['runing']);

    // A new run's findings replace the last's; none, none.
    // (Until the language service has checked the edited text, its marks may be away a moment.)
    await update(page, 'code-editor', { findings: [findings[1]] });
    await expect.poll(() => page.locator('code-editor .cm-lintRange').allTextContents()).toEqual(['runing', 'NDIS_STATUS_SUCCESS']);
    await update(page, 'code-editor', { findings: [] });
    await expect.poll(() => page.locator('code-editor .cm-lintRange').allTextContents()).toEqual(['runing']);
  });

  it('puts the cursor at a line and column, in view, with the focus', async () => {
    const page = harnessed.page;
    const text = Array.from({ length: 120 }, (_, i) => `let v${i + 1} = ${i};`).join('\n');
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: text });
    await page.evaluate(() => (document.querySelector('code-editor') as unknown as { showPosition(l: number, c: number): void }).showPosition(100, 5));
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('CODE-EDITOR');
    expect(await page.locator('code-editor .cm-activeLine').textContent()).toBe('let v100 = 99;');
    expect(await page.locator('code-editor .cm-lineNumbers .cm-activeLineGutter').textContent()).toBe('100');
    expect(await page.locator('code-editor .cm-activeLine').isVisible()).toBe(true);
    // Typing goes in at that column.
    await page.keyboard.type('X');
    expect((await value(page)).split('\n')[99]).toBe('let Xv100 = 99;');
    // Past the end: the last line.
    await page.evaluate(() => (document.querySelector('code-editor') as unknown as { showPosition(l: number, c: number): void }).showPosition(500, 1));
    expect(await page.locator('code-editor .cm-lineNumbers .cm-activeLineGutter').textContent()).toBe('120');
  });

  it('replaces its text as one undoable edit', async () => {
    const page = harnessed.page;
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: 'first' });
    await setValue(page, 'second');
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.keyboard.press('ControlOrMeta+Z');
    expect(await value(page)).toBe('first');
  });

  it('says how to leave it by keyboard (Tab indents; Esc then Tab leaves), wraps long lines, and passes axe-core', async () => {
    const page = harnessed.page;
    const long = `const text = '${'a long string that does not fit on one line of the editor '.repeat(4)}';\n`;
    // Taller than the editor, so that its scroller scrolls.
    const rest = Array.from({ length: 60 }, (_, i) => `let v${i} = ${i};\n`).join('');
    await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: `${long}let a = 1;\n${rest}` });
    await page.evaluate(() => {
      const after = document.createElement('button');
      after.textContent = 'After the editor';
      document.body.append(after);
    });
    const help = page.locator('code-editor .help');
    expect(await help.isVisible()).toBe(true);
    expect(await help.textContent()).toMatch(/Tab indents; Esc then Tab leaves the editor\./);
    expect(await page.getByRole('textbox', { name: 'Driver source' }).getAttribute('aria-describedby')).toBe('editor-help');

    await page.locator('code-editor .cm-line').nth(1).click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Tab');
    expect(await value(page)).toBe(`${long}  let a = 1;\n${rest}`);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('CODE-EDITOR');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('After the editor');
    expect(await value(page)).toBe(`${long}  let a = 1;\n${rest}`);

    // The long line wraps: no sideways scrolling.
    const scroller = await page.locator('code-editor .cm-scroller').evaluate((el) => ({ width: el.scrollWidth, clientWidth: el.clientWidth, height: el.scrollHeight, clientHeight: el.clientHeight }));
    expect(scroller.width).toBeLessThanOrEqual(scroller.clientWidth);
    expect(scroller.height).toBeGreaterThan(scroller.clientHeight);
    const [first, second] = await page.locator('code-editor .cm-line').evaluateAll((lines) => lines.slice(0, 2).map((l) => l.getBoundingClientRect().height));
    expect(first!).toBeGreaterThan(second! * 1.5);

    // With a run's finding marked too.
    await update(page, 'code-editor', { findings: [{ line: 2, column: 3, rule: 'ProtocolSendWhileNotRunning', message: 'NdisSendNetBufferLists on a Paused binding', severity: 'fatal', event: 9 }] });
    expect(await page.locator('code-editor .nic-finding-marker').count()).toBe(1);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    });
    expect(violations.filter((v) => v.id === 'scrollable-region-focusable' || v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });
});

describe('<code-editor> without its language service worker', () => {
  it('completes and explains NDIS names alone, adds their import by text, and says type checking is off', async () => {
    const browser = await connectBrowser();
    const { page, errors } = await harness(browser);
    try {
      await page.route(/language-service\.worker/, (route) => route.abort());
      await mount(page, '/components/code-editor/code-editor.ts', 'code-editor', { value: "import {\n  NDIS_STATUS_SUCCESS,\n} from 'ndis';\n\n" });
      await page.getByRole('textbox', { name: 'Driver source' }).click();
      await page.locator('code-editor[language-service="failed"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('code-editor .check').textContent()).toMatch(/Type checking is off/);
      await page.keyboard.press('ControlOrMeta+End');
      await page.keyboard.type('NdisOpenAd');
      expect(await accept(page, /NdisOpenAdapterEx/)).toContain('function');
      expect(await value(page)).toBe("import {\n  NDIS_STATUS_SUCCESS,\n  NdisOpenAdapterEx,\n} from 'ndis';\n\nNdisOpenAdapterEx");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
