// The application in Chromium, on the built site: progress exported from one browser profile and
// imported into a fresh one restores drafts and grades; a malformed or foreign file changes
// nothing and says what is wrong; and the site served by a plain static server (no isolation
// headers) becomes cross-origin isolated through its service worker and keeps working offline.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { listLabs } from '../../../core/grading/labs.ts';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource, editorText } from '../../testing/browser.ts';

const solution = readFileSync(new URL('../../../labs/protocol-binding/solution.ts', import.meta.url), 'utf8');

async function importFile(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import progress' }).click();
  await (await chooser).setFiles(path);
}

describe('the web lab application', () => {
  let browser: Browser;
  let scratch: string;

  beforeAll(async () => {
    browser = await connectBrowser();
    scratch = await mkdtemp(join(tmpdir(), 'nic-lab-export-'));
  });

  afterAll(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('exports progress and imports it into a fresh profile; bad files change nothing and say why', async () => {
    const site = inject('siteUrl');
    const first = await browser.newContext({ acceptDownloads: true });
    const a = await newPage(first);
    await openLab(a.page, site, 'protocol-binding');
    const draft = `// my own words\n${solution}`;
    await pasteSource(a.page, draft);
    await a.page.getByRole('button', { name: 'Grade' }).click();
    await expect.poll(() => a.page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/score (\d+)\/\1/);
    const score = /score (\d+\/\d+)/.exec((await a.page.getByRole('status').textContent())!)![1]!;
    const download = a.page.waitForEvent('download');
    await a.page.getByRole('button', { name: 'Export progress' }).click();
    const exported = join(scratch, (await download).suggestedFilename());
    await (await download).saveAs(exported);
    const file = JSON.parse(readFileSync(exported, 'utf8'));
    expect(file).toMatchObject({ format: 'nic-lab-progress', version: 1, labs: [{ lab: 'protocol-binding', draft: { source: draft }, completed: true }] });
    await first.close();

    const second = await browser.newContext();
    const b = await newPage(second);
    await b.page.goto(site);
    const status = b.page.locator('li[data-lab="protocol-binding"] .status');
    await expect.poll(() => status.textContent()).toBe('not started');

    // Not JSON, and JSON that is not a progress file: refused, with the reason, and nothing changes.
    const garbage = join(scratch, 'garbage.json');
    await writeFile(garbage, '{"format": "nic-lab-progress", "labs": [');
    await importFile(b.page, garbage);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/garbage\.json is not JSON .*nothing was imported/);
    const foreign = join(scratch, 'foreign.json');
    await writeFile(foreign, JSON.stringify({ name: 'some other app', items: [] }));
    await importFile(b.page, foreign);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/foreign\.json is not a NIC Lab progress file: it has no "format" field/);
    const damaged = join(scratch, 'damaged.json');
    await writeFile(damaged, JSON.stringify({ ...file, labs: [{ ...file.labs[0], attempts: [{ at: 'yesterday' }] }] }));
    await importFile(b.page, damaged);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/damaged\.json is damaged: labs\.0\.attempts\.0\.at: /);
    // A score above the lab's maximum, and a lab the course does not have: refused the same way.
    const forged = join(scratch, 'forged.json');
    await writeFile(forged, JSON.stringify({ ...file, labs: [{ ...file.labs[0], attempts: [{ ...file.labs[0].attempts[0], score: 1_000_000 }] }] }));
    await importFile(b.page, forged);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/forged\.json: labs\.0\.attempts\.0: score 1000000 is outside 0\.\.\d+ \(the points lab "protocol-binding" has\); nothing was imported/);
    const stranger = join(scratch, 'stranger.json');
    await writeFile(stranger, JSON.stringify({ ...file, labs: [{ ...file.labs[0], lab: 'not-in-this-course' }] }));
    await importFile(b.page, stranger);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/stranger\.json: labs\.0\.lab: "not-in-this-course" is not a lab of this course/);
    expect(await status.textContent()).toBe('not started');
    // Each import's notice replaces the last one's: five refused files leave one notice.
    expect(await b.page.locator('.notice').count()).toBe(1);

    await importFile(b.page, exported);
    await expect.poll(() => b.page.getByRole('alert').first().textContent()).toMatch(/Imported .*progress for 1 lab/);
    await expect.poll(() => status.textContent()).toBe('completed');
    expect(await b.page.locator('li[data-lab="protocol-binding"] .best').textContent()).toBe(`best score ${score}`);
    await openLab(b.page, site, 'protocol-binding');
    await expect.poll(() => editorText(b.page)).toBe(draft);
    expect(await b.page.getByRole('status').textContent()).toMatch(new RegExp(`Last grade: score ${score}`));
    expect([...a.errors, ...b.errors]).toEqual([]);
    await second.close();
  });

  it('served without isolation headers, becomes isolated through its service worker and works offline', async () => {
    const site = inject('plainSiteUrl');
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    const first = await page.goto(site);
    expect(first?.headers()['cross-origin-embedder-policy']).toBeUndefined();
    // The page registers the service worker and reloads once; then it is isolated.
    await page.waitForFunction(() => crossOriginIsolated === true && navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await page.getByRole('list', { name: 'Labs' }).waitFor();
    // The editor's language service worker (4 MB) is cached a few seconds after the rest.
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('nic-lab-later')).keys()).length), { timeout: 30_000 }).toBe(1);

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('list', { name: 'Labs' }).waitFor();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, solution);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    // The editor's language service (its worker, TypeScript and its library files) is precached
    // too: a misspelt member is marked offline, without a Run.
    await pasteSource(page, solution.replace('b.running = true', 'b.runing = true'));
    await expect.poll(() => page.locator('code-editor .cm-lintRange-error').allTextContents(), { timeout: 30_000 }).toEqual(['runing']);
    expect(await page.locator('code-editor').getAttribute('language-service')).toBe('ready');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says why when isolation is impossible (service workers blocked, no headers) instead of failing obscurely', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const { page, errors } = await newPage(context);
    await page.goto(`${inject('plainSiteUrl')}/#/lab/protocol-binding`);
    const banner = page.getByText(/This page is not cross-origin isolated/);
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/service worker|headers/);
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByText(/Drivers cannot run on this page/).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('ships public scenarios and leaves hidden ones out of the built site', () => {
    const dir = join(inject('siteDir'), 'assets');
    const bundle = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const scenarios = listLabs().flatMap((lab) => lab.scenarios);
    expect(scenarios.some((s) => s.hidden)).toBe(true);
    for (const s of scenarios) expect(bundle.includes(s.id), s.id).toBe(!s.hidden);
  });
});
