// Measures the web lab in Debian's Chromium (never asserted by a test): time to interactive of the
// course page and of a lab, the first Run after the lab page is ready, the editor's language
// service (its worker's bytes, the time from its start to its first diagnostics, and from the
// last key of a mistake to its mark), the frame rate of the
// live views playing a traffic run, and the live stack (core/live) with its drivers and miniport
// in Web Workers, on the stack benchmarks' machine (core/bench/stack-live.ts), and the lab page's
// Live traffic through two filters (the counting filter and filter-pause's solution). Run with
// `npm run bench:web` (builds the site first); prints one JSON object. Figures are medians of
// several fresh browser contexts or runs.
//
//   npm run bench:web -- --runs 5 --live-frames 5000000

import { preview, createServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { runScenario } from '../../core/scenario/runner.ts';
import { labById, referenceDrivers } from '../../core/grading/labs.ts';
import { RunRecorder } from '../engine/recorder.ts';
import type { RunChunk } from '../engine/protocol.ts';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../testing/chromium.ts';
import { serveRepository } from '../../core/testing/browser.ts';
import { BENCH_SHAPE } from '../../core/bench/stack-live.ts';
import type { LiveRunSummary } from '../../core/live/live-run.ts';
import type { LiveOutcome } from '../engine/protocol.ts';
import { liveProblems } from '../engine/live-problems.ts';
import { openLab, pasteSource } from '../testing/browser.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const config = join(repoRoot, 'vite.config.ts');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const TRAFFIC_FRAMES = 2000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Measured in the page: from the click's event time to the animation frame whose DOM shows the
 * Run's result. (Timed from Playwright's side, a click also takes its actionability checks and
 * round trips, 50 to 140 ms here, which a learner's click does not.)
 */
function clickToResultMs(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve) => {
    let clicked = 0;
    let running = false;
    addEventListener('click', (event) => void (clicked = event.timeStamp), { capture: true, once: true });
    const status = () => document.querySelector('nic-lab-app')?.shadowRoot?.querySelector('lab-page')?.shadowRoot?.querySelector('[role=status]')?.textContent ?? '';
    const look = (now: number) => {
      const text = status();
      if (text.includes('Running')) running = true;
      if (clicked > 0 && running && text.includes('passed under seed 1')) resolve(now - clicked);
      else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }));
}

async function pageTimings(browser: Browser, site: string) {
  const solution = readFileSync(join(repoRoot, 'labs/protocol-binding/solution.ts'), 'utf8');
  const course: number[] = [];
  const lab: number[] = [];
  const firstRun: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let start = performance.now();
    await page.goto(site);
    await page.getByRole('list', { name: 'Labs' }).getByRole('link').first().waitFor();
    course.push(performance.now() - start);
    await context.close();

    const labContext = await browser.newContext();
    const labPage = await labContext.newPage();
    await labPage.addInitScript('window.__name = (f) => f');
    start = performance.now();
    await labPage.goto(`${site}/#/lab/protocol-binding`);
    await labPage.getByRole('button', { name: 'Run', exact: true }).and(labPage.locator(':enabled')).waitFor();
    lab.push(performance.now() - start);
    await labPage.evaluate((text) => {
      const editor = document.querySelector('nic-lab-app')!.shadowRoot!.querySelector('lab-page')!.shadowRoot!.querySelector('code-editor') as unknown as { value: string };
      editor.value = text;
    }, solution);
    const shown = clickToResultMs(labPage);
    await labPage.getByRole('button', { name: 'Run', exact: true }).click();
    firstRun.push(await shown);
    await labContext.close();
  }
  return { course, lab, firstRun };
}

/**
 * The editor's language service on the built site: its worker's size in dist/, and in RUNS fresh
 * contexts the time from its start (the learner's first click into the editor) to its first
 * diagnostics, and from the last key of a mistake to its mark (the linter waits 300 ms after the last key).
 */
async function languageServiceTimings(browser: Browser, site: string) {
  const assets = join(repoRoot, 'dist/assets');
  const worker = readdirSync(assets).find((f) => f.startsWith('language-service.worker'))!;
  const bytes = statSync(join(assets, worker)).size;
  const gzipBytes = gzipSync(readFileSync(join(assets, worker))).length;
  const firstDiagnostics: number[] = [];
  const keyToMark: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript('window.__name = (f) => f');
    await openLab(page, site, 'protocol-binding');
    await page.getByRole('textbox', { name: 'Driver source' }).click();
    await page.waitForFunction(() => performance.getEntriesByName('nic-lab:first-diagnostics').length > 0, undefined, { timeout: 60_000, polling: 20 });
    firstDiagnostics.push(await page.evaluate(() => performance.getEntriesByName('nic-lab:first-diagnostics')[0]!.duration));
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nNdisCloseAdapterEx();');
    const typed = Date.now();
    await page.locator('code-editor .cm-lintRange-error').first().waitFor({ timeout: 30_000 });
    keyToMark.push(Date.now() - typed);
    await context.close();
  }
  return { workerBytes: bytes, workerGzipBytes: gzipBytes, firstDiagnosticsMs: round(median(firstDiagnostics)), lastKeyToMarkMs: round(median(keyToMark)), samples: { firstDiagnostics: firstDiagnostics.map(round), lastKeyToMark: keyToMark } };
}

/** A traffic run recorded as the lab worker records it: the lab's traffic scenario with more frames. */
async function trafficRun(): Promise<{ chunks: RunChunk[]; events: number; frames: number }> {
  const lab = labById('protocol-binding');
  const base = lab.scenarios.find((s) => s.steps.some((step) => step.op === 'traffic'))!;
  const scenario = { ...base, steps: base.steps.map((step) => (step.op === 'traffic' ? { ...step, count: TRAFFIC_FRAMES } : step)) };
  const chunks: RunChunk[] = [];
  let recorder: RunRecorder | undefined;
  const run = await runScenario(lab, scenario, lab.solutionSource, 'driver.ts', 1, referenceDrivers(), { observe: (rt) => {
    recorder = new RunRecorder(rt, (chunk) => chunks.push(chunk));
  } });
  recorder!.finish();
  return { chunks, events: run.traceLength, frames: chunks.reduce((n, c) => n + c.frames.length, 0) };
}

async function liveViewFps(browser: Browser, devUrl: string, speed: string) {
  const { chunks, events, frames } = await trafficRun();
  const page = await browser.newPage();
  // tsx keeps function names with a __name helper, which functions sent to the page need too.
  await page.addInitScript('window.__name = (f) => f');
  await page.goto(`${devUrl}/testing/harness.html`);
  await page.evaluate(`Promise.all([import('/engine/run-session.ts'), import('/components/run-viewer/run-viewer.ts')]).then(([m]) => { window.RunSession = m.RunSession; })`);
  const plain = chunks.map((c) => ({ ...c, frames: c.frames.map((f) => ({ ...f, bytes: Array.from(f.bytes) })) }));
  const result = await page.evaluate(async ({ plain, speed }) => {
    const { RunSession } = window as unknown as { RunSession: new (l: string, s: string, seed: number) => { add(c: unknown): void; finish(o: unknown): void } };
    const session = new RunSession('protocol-binding', 'traffic', 1);
    const viewer = document.createElement('run-viewer') as HTMLElement & { session: unknown; speed: string; updateComplete: Promise<unknown> };
    viewer.session = session;
    document.body.replaceChildren(viewer);
    await viewer.updateComplete;
    viewer.speed = speed;
    for (const chunk of plain) session.add({ ...chunk, frames: chunk.frames.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })) });
    // Frames the browser painted while playback moved through the run, over 3 s.
    const times: number[] = [];
    await new Promise<void>((resolve) => {
      const start = performance.now();
      const tick = (now: number) => {
        times.push(now);
        if (now - start < 3000) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.sort((a, b) => a - b);
    return { fps: (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000), p95FrameMs: gaps[Math.floor(gaps.length * 0.95)]!, slider: Number(viewer.shadowRoot!.querySelector('event-timeline')!.shadowRoot!.querySelector('input')!.value) };
  }, { plain, speed });
  await page.close();
  return { speed, events, frames, ...result };
}

/** stack-live-64B in Chromium: the core in a worker, the drivers and the miniport in nested Web Workers. */
async function liveStackInChromium(browser: Browser, frames: number) {
  const served = await serveRepository(['sucrase', 'comlink', '@jridgewell/trace-mapping', 'acorn']);
  const page = await browser.newPage();
  try {
    await page.goto(`${served.url}/core/host/browser-page/index.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 30_000 });
    const sources = {
      filter: readFileSync(join(repoRoot, 'labs/reference/counting-filter.ts'), 'utf8'),
      protocol: readFileSync(join(repoRoot, 'labs/reference/stack-protocol.ts'), 'utf8'),
    };
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await page.evaluate(([s, n, shape]) => (window as unknown as { __liveRun(s: unknown, n: number, shape: unknown): Promise<LiveRunSummary> }).__liveRun(s, n, shape), [sources, frames, BENCH_SHAPE] as const);
      const [, completed, received, errors] = run.traffic;
      if (run.finding || received !== frames || completed !== frames || errors !== 0 || run.outstanding !== 0) {
        throw new Error(`the live stack in Chromium: ${received} of ${frames} frames, ${errors} damaged, ${run.outstanding} NBLs away${run.finding ? `, ${run.finding}` : ''}`);
      }
      rates.push(frames / (run.elapsedMs / 1000));
    }
    return { frames, window: BENCH_SHAPE.window, mpps: round(median(rates) / 1e6), runsMpps: rates.map((r) => Math.round(r / 1e4) / 100) };
  } finally {
    await page.close();
    await served.server.close();
  }
}

/**
 * The lab page's Live traffic, as a learner starts it: a filter lab, a filter pasted into the
 * editor, 10⁶ frames of 64 bytes, RUNS times; the rate each run reports.
 */
async function liveTrafficOnLabPage(browser: Browser, site: string, filter: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await openLab(page, site, 'filter-pause');
    await pasteSource(page, filter);
    const panel = page.locator('live-traffic');
    await panel.getByRole('combobox', { name: 'Frames' }).selectOption('1000000');
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await panel.getByRole('button', { name: 'Start live traffic' }).click();
      await panel.locator('.summary').waitFor({ timeout: 120_000 });
      const outcome = await panel.evaluate((e) => (e as unknown as { outcome: LiveOutcome }).outcome);
      const problems = liveProblems(outcome);
      if (problems.length > 0) {
        throw new Error(`Live traffic on the lab page: ${problems.join('; ')}`);
      }
      rates.push(outcome.framesPerSecond);
    }
    return { frames: 1_000_000, mpps: round(median(rates) / 1e6), runsMpps: rates.map((r) => Math.round(r / 1e4) / 100) };
  } finally {
    await context.close();
  }
}

requireChromium();
const liveFramesArg = process.argv.indexOf('--live-frames');
const LIVE_FRAMES = liveFramesArg > 0 ? Number(process.argv[liveFramesArg + 1]) : 5_000_000;
process.env.NODE_ENV = 'production';
const site = await preview({ configFile: config, logLevel: 'error', preview: { port: 0, host: '127.0.0.1' } });
const dev = await createServer({ configFile: config, logLevel: 'error', mode: 'development', server: { port: 0, host: '127.0.0.1', hmr: false }, optimizeDeps: { noDiscovery: true, include: [] } });
await dev.listen();
const urlOf = (server: { httpServer: unknown }) => `http://127.0.0.1:${((server.httpServer as import('node:http').Server).address() as { port: number }).port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const timings = await pageTimings(browser, urlOf(site));
  const languageService = await languageServiceTimings(browser, urlOf(site));
  const fps = [await liveViewFps(browser, urlOf(dev), 'normal'), await liveViewFps(browser, urlOf(dev), 'fast')];
  const liveStack = await liveStackInChromium(browser, LIVE_FRAMES);
  const liveTraffic = {
    countingFilter: await liveTrafficOnLabPage(browser, urlOf(site), readFileSync(join(repoRoot, 'labs/reference/counting-filter.ts'), 'utf8')),
    filterPauseSolution: await liveTrafficOnLabPage(browser, urlOf(site), readFileSync(join(repoRoot, 'labs/filter-pause/solution.ts'), 'utf8')),
  };
  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, chromium: browser.version() },
    runs: RUNS,
    timeToInteractiveCourseMs: round(median(timings.course)),
    timeToInteractiveLabMs: round(median(timings.lab)),
    firstRunAfterReadyMs: round(median(timings.firstRun)),
    languageService,
    liveViews: fps.map((f) => ({ ...f, fps: round(f.fps), p95FrameMs: round(f.p95FrameMs) })),
    stackLive64BInChromium: liveStack,
    liveTrafficOnLabPage: liveTraffic,
    samples: { course: timings.course.map(round), lab: timings.lab.map(round), firstRun: timings.firstRun.map(round) },
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await browser.close();
  await dev.close();
  await new Promise<void>((resolve) => site.httpServer.close(() => resolve()));
}
