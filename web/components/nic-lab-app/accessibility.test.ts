// axe-core on every page of the built site in Chromium (issue 20 item 6): the course page, each
// lab, and a lab after a Run (the outcome, a bug check, the findings, the trace, the console, a
// frame selected) and after a Grade, at a desktop size and on a phone, have no violation axe
// rates serious or critical.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource } from '../../testing/browser.ts';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const labsDir = new URL('../../../labs/', import.meta.url);
const labs = readdirSync(labsDir).filter((name) => existsSync(new URL(`${name}/lab.json`, labsDir)));
const solution = readFileSync(new URL('../../../labs/protocol-binding/solution.ts', import.meta.url), 'utf8');
const datapath = readFileSync(new URL('../../../labs/datapath/solution.ts', import.meta.url), 'utf8');
/** The solution printing, and answering NetEventRestart with NDIS_STATUS_NOT_SUPPORTED: a finding and a bug check. */
const failing = solution
  .replace(/(BindAdapterHandlerEx\([^)]*\)[^{]*\{)/, "$1\n      console.log('binding to', params.AdapterName);")
  .replace('if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;', 'if (event.NetPnPEvent.NetEvent === NetEventRestart) return 0xC00000BB;');

/**
 * The editor's own scroller (CodeMirror's .cm-scroller, scrollable-region-focusable) is left out:
 * it belongs to the editor (web/components/code-editor), whose helper makes it focusable. Nothing
 * else is excluded.
 */
const EXCLUDED = [{ fromShadowDom: ['nic-lab-app', 'lab-page', 'code-editor', '.cm-scroller'] }];

/** axe's serious and critical violations on the page as it is, one line per element. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async (exclude) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run({ include: [document], exclude }, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`));
  }, EXCLUDED);
}

describe('accessibility (axe-core)', () => {
  let browser: Browser;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const size of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    it(`the course page and every lab page at ${size.width}x${size.height}`, async () => {
      const context = await browser.newContext({ viewport: size });
      const { page, errors } = await newPage(context);
      await page.goto(site);
      await page.getByRole('list', { name: 'Labs' }).waitFor();
      expect(await seriousViolations(page), 'the course page').toEqual([]);
      for (const lab of labs) {
        await openLab(page, site, lab);
        expect(await seriousViolations(page), lab).toEqual([]);
      }
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`a lab after Runs (a frame selected; a bug check, findings, the console) and after a Grade, at ${size.width}x${size.height}`, async () => {
      const context = await browser.newContext({ viewport: size });
      const { page, errors } = await newPage(context);
      // A passing Run with traffic: frames on the wire, one of them selected, the scheduler's steps shown.
      await openLab(page, site, 'datapath');
      await pasteSource(page, datapath);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
      await page.getByRole('button', { name: 'Jump to end' }).click();
      await page.locator('run-viewer frame-list tbody tr').first().click();
      await page.getByLabel('Hex dump').waitFor();
      await page.getByLabel('Show scheduler steps').check();
      expect(await seriousViolations(page), 'after a Run that passes').toEqual([]);
      // A failing one: the bug check, the findings, the console.
      await openLab(page, site, 'protocol-binding');
      await pasteSource(page, failing);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
      await page.getByRole('button', { name: 'Jump to end' }).click();
      await page.locator('run-viewer ol.console li').first().waitFor();
      await page.locator('run-viewer findings-list li').first().waitFor();
      expect(await seriousViolations(page), 'after a Run that fails').toEqual([]);
      await page.getByRole('button', { name: 'Grade', exact: true }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^Grade: score/);
      expect(await seriousViolations(page), 'after a Grade').toEqual([]);
      await page.getByRole('button', { name: 'Reset to starter' }).click();
      expect(await seriousViolations(page), 'asking before a reset').toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
