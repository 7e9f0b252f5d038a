// Findings point at the learner's line, on the built site in Chromium (issue 20 item 3): after a
// Run of a driver that sends while its binding is Paused, the editor marks the line of the
// NdisSendNetBufferLists call with the rule (ProtocolSendWhileNotRunning), the finding says
// "line N" and that link puts the editor's cursor on line N with the focus; its "trace event N"
// moves the trace there; axe-core finds nothing serious or critical with the marks and links on
// the page; the first edit clears the marks, and the next Run marks again.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource } from '../../testing/browser.ts';

const solution = readFileSync(new URL('../../../labs/protocol-binding/solution.ts', import.meta.url), 'utf8');
/** The solution without its check that the binding is Running: the application's frames go out while it is Paused. */
const sendsWhilePaused = solution.replace('if (!b || !b.running || !b.handle) return 0;', 'if (!b || !b.handle) return 0;');
/** 1-based line and column of the call that breaks the rule. */
const sendLine = sendsWhilePaused.split('\n').findIndex((l) => l.includes('NdisSendNetBufferLists(b.handle')) + 1;
const sendColumn = sendsWhilePaused.split('\n')[sendLine - 1]!.indexOf('NdisSendNetBufferLists') + 1;

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe's serious and critical violations on the whole page, one line per element. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)}`));
  });
}

/** Through the shadow roots: the focused element's class names. */
function focusedClass(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.className ?? '';
  });
}

describe('findings at the learner\'s line', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('marks the line of the NDIS call in the editor, and "line N" and "trace event N" go there', async () => {
    expect(sendsWhilePaused).not.toBe(solution);
    expect(sendLine).toBeGreaterThan(1);
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await page.setViewportSize({ width: 1366, height: 768 });
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, sendsWhilePaused);
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('pause-and-restart');
    const editor = page.locator('lab-page code-editor');
    const findingMark = editor.locator('.cm-lintRange.nic-finding');
    expect(await findingMark.count()).toBe(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
    // The outcome line names the place too.
    expect(await page.getByRole('status').textContent()).toMatch(new RegExp(`• ProtocolSendWhileNotRunning \\(trace event \\d+, driver\\.ts:${sendLine}:${sendColumn}\\): `));

    // The editor marks the call, with the rule, on its line, brought into view.
    await expect.poll(() => findingMark.allTextContents()).toEqual(['NdisSendNetBufferLists']);
    const marker = editor.locator('.nic-findings-gutter .nic-finding-marker');
    expect(await marker.getAttribute('aria-label')).toMatch(new RegExp(`^Line ${sendLine}: ProtocolSendWhileNotRunning \\((?:fatal|error), trace event \\d+\\): `));
    const besideLine = await marker.evaluate((m) => {
      const y = m.getBoundingClientRect().top;
      return [...m.closest('.cm-gutters')!.querySelectorAll('.cm-lineNumbers .cm-gutterElement')].find((n) => Math.abs(n.getBoundingClientRect().top - y) < 6)?.textContent;
    });
    expect(besideLine).toBe(String(sendLine));
    expect(await editor.locator('#editor-help').textContent()).toContain(`The last run's finding: ProtocolSendWhileNotRunning on line ${sendLine}.`);

    // The finding in the run's views says the line; the link puts the cursor there, focused.
    await page.getByRole('button', { name: 'Jump to end' }).click();
    const finding = page.locator('run-viewer findings-list li[data-rule="ProtocolSendWhileNotRunning"]').first();
    await finding.waitFor();
    const event = Number(/trace event (\d+)/.exec((await finding.textContent())!)![1]);
    expect(await finding.textContent()).toMatch(new RegExp(`trace event ${event},\\s*line ${sendLine}, driver`));
    // The mark's severity is the finding's: a fatal rule's is an error, a rule the run goes on past a warning.
    const severity = /\((fatal|error)/.exec((await finding.locator('.meta').first().textContent())!)![1];
    expect(await editor.locator(`.cm-lintRange-${severity === 'fatal' ? 'error' : 'warning'}.nic-finding`).count()).toBe(1);
    expect(await marker.getAttribute('aria-label')).toContain(`ProtocolSendWhileNotRunning (${severity}, trace event ${event}): `);

    // (From the top of the driver, the focus on a button.)
    await page.getByRole('textbox', { name: 'Driver source' }).focus();
    await page.keyboard.press('ControlOrMeta+Home');
    await expect.poll(() => editor.locator('.cm-lineNumbers .cm-activeLineGutter').textContent()).toBe('1');
    await page.getByRole('button', { name: 'Jump to end' }).focus();
    expect(await focusedClass(page)).not.toContain('cm-content');
    await finding.getByRole('button', { name: `line ${sendLine}`, exact: true }).click();
    await expect.poll(() => focusedClass(page)).toContain('cm-content');
    expect(await editor.locator('.cm-lineNumbers .cm-activeLineGutter').textContent()).toBe(String(sendLine));
    expect(await editor.locator('.cm-activeLine').textContent()).toContain('NdisSendNetBufferLists(b.handle, head, 0, 0);');
    expect(await editor.locator('.cm-activeLine').isVisible()).toBe(true);

    // Its trace event link moves the trace to that event.
    const timeline = page.locator('run-viewer event-timeline');
    await finding.getByRole('button', { name: `trace event ${event}` }).click();
    await expect.poll(() => timeline.locator('li.current').getAttribute('data-n')).toBe(String(event));
    expect(await page.getByRole('slider', { name: 'Trace position' }).inputValue()).toBe(String(event));

    expect(await seriousViolations(page)).toEqual([]);

    // An edit clears the marks (they are about the text that ran); the next Run marks again.
    await finding.getByRole('button', { name: `line ${sendLine}`, exact: true }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' // sent while Paused');
    await expect.poll(() => findingMark.count()).toBe(0);
    expect(await marker.count()).toBe(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
    await expect.poll(() => findingMark.allTextContents()).toEqual(['NdisSendNetBufferLists']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
