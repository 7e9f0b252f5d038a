// The lab page in Chromium, on the built site: the reference solution runs (the binding reaches
// Running in the live views) and grades with full marks in the lab runtime worker; the draft and
// the grade survive a reload; a driver that never returns is stopped with DriverHung while the
// page stays responsive, and the next run gets a fresh worker; a newer draft saved in one tab
// reaches another; a compile error or a handler that throws is marked on its line in the editor. In a filter lab, Live traffic runs the learner's filter at full speed: the
// solution moves every frame intact, a filter that returns NBLs twice is stopped with NblNotOwned.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { connectBrowser, newPage, openLab, pasteSource, editorText } from '../../testing/browser.ts';
import { PAGE_WRECKER } from '../../../core/testing/hostile-drivers.ts';

const labDir = new URL('../../../labs/protocol-binding/', import.meta.url);
const solution = readFileSync(new URL('solution.ts', labDir), 'utf8');
const manifest = JSON.parse(readFileSync(new URL('lab.json', labDir), 'utf8')) as { scenarios: { points: number; hidden?: boolean }[] };
const publicPoints = manifest.scenarios.filter((s) => !s.hidden).reduce((n, s) => n + s.points, 0);

const filterSolution = readFileSync(new URL('../../../labs/filter-pause/solution.ts', import.meta.url), 'utf8');
const RETURN = 'NdisFReturnNetBufferLists(m.handle, nbls, flags);\n    },';
/** The filter-pause solution returning every chain handed back to it twice. */
const returnsTwice = filterSolution.replace(RETURN, `NdisFReturnNetBufferLists(m.handle, nbls, flags);\n      ${RETURN}`);

/** The solution with a handler that never returns. */
const hanging = solution.replace(/BindAdapterHandlerEx\(([^)]*)\)([^{]*)\{/, (all) => `${all}\n    while (true) {}`);

describe('the lab page', () => {
  let browser: Browser;
  let context: BrowserContext;
  const site = inject('siteUrl');

  beforeAll(async () => {
    browser = await connectBrowser();
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('runs the reference solution and shows the binding reach Running', async () => {
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, solution);
    expect(await editorText(page)).toBe(solution);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    // Playback reaches the end by itself; the binding's diagram shows Running, reached from Restarting.
    const binding = page.locator('state-diagram[data-object="binding driver/nic0"]');
    await expect.poll(() => binding.locator('.state').textContent(), { timeout: 30_000 }).toBe('Running');
    expect(await binding.locator('figcaption').textContent()).toMatch(/from Restarting on RestartComplete/);
    expect(await binding.locator('g.node.current').getAttribute('data-state')).toBe('Running');
    // Scrubbing back to the start shows the binding before it ran.
    const slider = page.getByRole('slider', { name: 'Trace position' });
    await slider.fill('1');
    await expect.poll(() => binding.count()).toBe(0);
    await page.getByRole('button', { name: 'Jump to end' }).click();
    await expect.poll(() => binding.locator('.state').textContent()).toBe('Running');
    expect(await page.getByRole('button', { name: 'Download capture' }).isEnabled()).toBe(true);
    // Live traffic needs a filter to put in the stack: a protocol lab has none.
    expect(await page.getByRole('heading', { name: 'Live traffic' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('at 1366x768 the outcome of Run and Grade comes into view with the focus on it, and Ctrl+Enter in the editor runs', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1366, height: 768 });
    await openLab(page, site, 'protocol-binding');
    expect(await page.title()).toBe('The seven states of a binding — NIC Lab');
    await pasteSource(page, solution);
    const inView = (selector: string) => page.evaluate((sel) => {
      const root = document.querySelector('nic-lab-app')?.shadowRoot?.querySelector('lab-page')?.shadowRoot;
      const el = root?.querySelector(sel);
      if (!el) return 'missing';
      const r = el.getBoundingClientRect();
      const focused = root!.activeElement === el;
      return `${r.top >= -1 && r.bottom <= innerHeight + 1 ? 'in view' : `out of view (${Math.round(r.top)}..${Math.round(r.bottom)})`}${focused ? ', focused' : ''}`;
    }, selector);
    // Ctrl+Enter from inside the editor: the run starts, and its outcome is where the learner looks.
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    await expect.poll(() => inView('.status')).toBe('in view, focused');
    expect(await editorText(page)).toBe(solution); // the key ran the driver; it did not edit the text
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Grade', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/full marks/);
    await expect.poll(() => inView('#grade-heading')).toBe('in view, focused');
    await page.close();
  });

  it('runs live traffic through a filter lab\'s solution, stops a filter that returns NBLs twice with NblNotOwned, marks where a datapath handler threw, and says where a driver does not compile', async () => {
    expect(returnsTwice).not.toBe(filterSolution);
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'filter-pause');
    await pasteSource(page, filterSolution);
    const panel = page.locator('live-traffic');
    await panel.getByRole('combobox', { name: 'Frames' }).selectOption('100000');
    await panel.getByRole('button', { name: 'Start live traffic' }).click();
    // The summary appears when the run is over, whatever its outcome.
    await expect.poll(() => panel.locator('.summary').count(), { timeout: 60_000 }).toBe(1);
    expect(await panel.locator('.summary').textContent()).toMatch(/100,000 64-byte frames through your filter in \d+\.\d\d s: \d+\.\d\d Mpps \(\d+\.\d\d Gb\/s\)\. Every frame arrived intact and in order; every NBL came home\./);
    expect(await page.getByRole('status').textContent()).toMatch(/^Live traffic: 100,000 frames at \d+\.\d\d Mpps, all intact\.$/);
    expect(await panel.locator('tr[data-thread]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-thread')))).toEqual(['miniport', 'driver', 'stack-protocol']);

    await pasteSource(page, returnsTwice);
    await panel.getByRole('button', { name: 'Start live traffic' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/Live traffic did not finish cleanly/);
    expect(await panel.locator('.summary').textContent()).toMatch(/NblNotOwned: miniport nic\d, from driver: NBL \d+ returned by driver, which it does not hold/);
    expect(await panel.getByRole('alert', { name: 'Bug check' }).textContent()).toMatch(/DRIVER_VERIFIER_DETECTED_VIOLATION[\s\S]*NblNotOwned/);
    expect(await editorText(page)).toBe(returnsTwice);

    // A datapath handler that throws while live: HandlerThrew, and the editor underlines the token.
    const thrower = 'if (m.state === \'Running\') (m as unknown as { gone: { boom(): void } }).gone.boom();';
    const throwsLive = filterSolution.replace(/ReceiveNetBufferListsHandler\([^)]*\): void \{/, (head) => `${head}\n      ${thrower}`);
    expect(throwsLive).toContain(thrower);
    await pasteSource(page, throwsLive);
    await panel.getByRole('button', { name: 'Start live traffic' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/Live traffic did not finish cleanly/);
    expect(await panel.locator('.summary').textContent()).toMatch(/HandlerThrew: filter module driver\/nic\d: a datapath handler threw TypeError/);
    await expect.poll(() => page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    expect(await page.locator('code-editor .cm-lintRange-error').textContent()).toBe('boom');

    // A driver that does not compile: said where, and nothing else is attempted.
    const broken = 'export function DriverEntry( {';
    await pasteSource(page, broken);
    await panel.getByRole('button', { name: 'Start live traffic' }).click();
    await expect.poll(() => panel.locator('.summary').count(), { timeout: 60_000 }).toBe(1);
    expect(await panel.locator('.summary').textContent()).toMatch(/your driver did not load: driver\.ts: does not compile: .*\(1:\d+\)/);
    expect(await editorText(page)).toBe(broken);
    expect(await page.locator('code-editor .cm-lint-marker-error').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('grades the solution with full marks and keeps the draft and the grade across a reload', async () => {
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, solution);
    await page.getByRole('button', { name: 'Grade' }).click();
    // The page answers while the worker grades.
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`score ${publicPoints}/${publicPoints}`));
    expect(await page.locator('grade-report tr[data-scenario]').count()).toBe(manifest.scenarios.filter((s) => !s.hidden).length);
    await page.reload();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(page)).toBe(solution);
    expect(await page.getByRole('status').textContent()).toMatch(new RegExp(`Last grade: score ${publicPoints}/${publicPoints}`));
    await page.getByRole('link', { name: '← All labs' }).click();
    const entry = page.locator('li[data-lab="protocol-binding"]');
    await expect.poll(() => entry.locator('.status').textContent()).toBe('completed');
    expect(await entry.locator('.best').textContent()).toBe(`best score ${publicPoints}/${publicPoints}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a draft saved before the ndis module changed opens as it was, and the page names its lines, what changed and how to update them', async () => {
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    // The solution as it was written before Data stopped giving out its buffer.
    const old = solution.replace(/^( *)const seq = (.+);\n.*\n/m, '$1new DataView(data.buffer, data.byteOffset).setUint32(14, $2, true);\n');
    expect(old).not.toBe(solution);
    const line = old.split('\n').findIndex((l) => l.includes('DataView(data.buffer')) + 1;
    await pasteSource(page, old);
    await expect.poll(() => page.locator('.save-state').textContent(), { timeout: 10_000 }).toMatch(/Draft saved/);
    await page.reload();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(page)).toBe(old);
    const notice = page.getByRole('note', { name: 'What changed in the ndis module' });
    await expect.poll(() => notice.textContent()).toContain(`Line ${line} `);
    expect(await notice.textContent()).toMatch(/no longer gives out its buffer.*data\[14\] = seq/);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a pasted driver that tries to delete the learner\'s storage and reach the network, in Run and in Grade, leaves drafts and grades intact', async () => {
    const { page, errors } = await newPage(context);
    const hostileRequests: string[] = [];
    context.on('request', (request) => {
      if (request.url().includes('__hostile')) hostileRequests.push(request.url());
    });
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, solution);
    await page.getByRole('button', { name: 'Grade' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`score ${publicPoints}/${publicPoints}`));
    // A driver "from a forum": the solution with the wrecker before it.
    const hostile = `${PAGE_WRECKER}\n${solution}`;
    await pasteSource(page, hostile);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    await page.getByRole('button', { name: 'Grade' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`score ${publicPoints}/${publicPoints}`));
    await page.waitForTimeout(500); // anything it set going would have gone by now
    await page.reload();
    await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(page)).toBe(hostile);
    expect(await page.getByRole('status').textContent()).toMatch(new RegExp(`Last grade: score ${publicPoints}/${publicPoints}`));
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toContain('nic-lab');
    await page.getByRole('link', { name: '← All labs' }).click();
    await expect.poll(() => page.locator('li[data-lab="protocol-binding"] .best').textContent()).toBe(`best score ${publicPoints}/${publicPoints}`);
    expect(hostileRequests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('grading a driver that does not compile says so once, with the line and column, marks it in the editor, and offers nothing to replay', async () => {
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    await pasteSource(page, 'export function DriverEntry( {\n');
    await page.getByRole('button', { name: 'Grade' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^Grade: score 0\/\d+: your driver does not compile, so no scenario ran\.\s*driver\.ts: does not compile: .*\(2:1\)$/);
    expect(await page.locator('grade-report').getByRole('alert').textContent()).toMatch(/^Not graded: driver\.ts: does not compile: .*\(2:1\)$/);
    expect(await page.locator('grade-report').getByRole('button').count()).toBe(0);
    // The editor marks the spot; a Run that compiles takes the mark away.
    const mark = page.locator('code-editor .cm-lint-marker-error');
    expect(await mark.count()).toBe(1);
    await pasteSource(page, solution);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    expect(await mark.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a handler that throws: the bug check, and the editor marks the line and token of the learner\'s source that threw', async () => {
    const { page, errors } = await newPage(context);
    await openLab(page, site, 'protocol-binding');
    // TypeScript before the throw on its line: the compiled column is not the source's.
    const thrower = "const code = 7 as number satisfies number; if (code) throw new Error('boom');";
    const throwing = solution.replace(/BindAdapterHandlerEx\(([^)]*)\)([^{]*)\{/, (all) => `${all}\n    ${thrower}`);
    const line = throwing.split('\n').findIndex((l) => l.includes(thrower)) + 1;
    await pasteSource(page, throwing);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/failed under seed 1/);
    await expect.poll(() => page.getByRole('alert', { name: 'Bug check' }).count()).toBe(1);
    expect(await page.getByRole('alert', { name: 'Bug check' }).textContent()).toMatch(/SYSTEM_THREAD_EXCEPTION_NOT_HANDLED[\s\S]*Rule: HandlerThrew[\s\S]*STOP: 0x0000007E/);
    const mark = page.locator('code-editor .cm-lint-marker-error');
    await expect.poll(() => mark.count()).toBe(1);
    // Scrolled into view: the marker beside the line that threw (its number in the gutter), the
    // construction that threw underlined.
    const number = page.locator('code-editor .cm-lineNumbers .cm-gutterElement').filter({ hasText: new RegExp(`^${line}$`) });
    // The gutter is drawn again when the language service's next check lands, so both boxes are
    // read together until the marker and the number are on screen at once.
    const offset = async () => {
      const [markBox, numberBox] = [await mark.boundingBox(), await number.boundingBox()];
      return markBox && numberBox ? Math.abs(markBox.y + markBox.height / 2 - (numberBox.y + numberBox.height / 2)) < numberBox.height / 2 : 'not on screen';
    };
    await expect.poll(offset, { timeout: 10_000 }).toBe(true);
    expect(await page.locator('code-editor .cm-lintRange-error').textContent()).toBe('new');
    expect(await page.locator('code-editor .cm-lintRange-error').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops a driver that never returns with DriverHung, keeps the page responsive and the draft, and runs again', async () => {
    const { page, errors } = await newPage(context);
    // The page's watchdog, well under the worker host's 2 s (RUN_WATCHDOG_MS), which is the one a
    // Run normally meets: at 1.5 s a loaded machine sometimes let the host's fire first.
    await openLab(page, site, 'protocol-binding', '?watchdog=500');
    await pasteSource(page, hanging);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // While the worker spins, the page still reacts to the learner.
    await page.getByRole('button', { name: /Show hint 1 of/ }).click();
    await page.locator('.hints li').first().waitFor({ timeout: 1000 });
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/Stopped: DriverHung/);
    const screen = page.getByRole('alert', { name: 'Bug check' });
    expect(await screen.textContent()).toMatch(/DRIVER_VERIFIER_DETECTED_VIOLATION[\s\S]*Rule: DriverHung[\s\S]*driver!ProtocolBindAdapterEx/);
    const finding = page.locator('findings-list li[data-rule="DriverHung"]');
    expect(await finding.textContent()).toMatch(/A driver handler did not return before the watchdog expired/);
    expect(await finding.textContent()).toMatch(/seed 1/);
    // Where the handler that hung is declared (its stuck thread's line cannot be read): a link.
    const declared = hanging.split('\n').findIndex((l) => l.includes('BindAdapterHandlerEx(')) + 1;
    expect(await finding.textContent()).toMatch(new RegExp(`handler declared at\\s*line ${declared}\\b`));
    expect(await editorText(page)).toBe(hanging);
    // A fresh worker runs the next driver.
    await pasteSource(page, solution);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 30_000 }).toMatch(/passed under seed 1/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a draft saved in one tab reaches another tab of the same lab, which does not write its older draft back', async () => {
    const fresh = await browser.newContext();
    const a = await newPage(fresh);
    const b = await newPage(fresh);
    await openLab(a.page, site, 'protocol-binding');
    await openLab(b.page, site, 'protocol-binding');
    const edited = `// edited in tab A\n${solution}`;
    await pasteSource(a.page, edited);
    await expect.poll(() => a.page.getByText(/Draft saved/).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => editorText(b.page), { timeout: 10_000 }).toBe(edited);
    await b.page.reload();
    await b.page.getByRole('textbox', { name: 'Driver source' }).waitFor();
    await expect.poll(() => editorText(b.page)).toBe(edited);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await fresh.close();
  });
});
