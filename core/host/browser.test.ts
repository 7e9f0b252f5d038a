// The worker host in a real browser (Debian's Chromium): drivers in Web Workers, the core in a
// worker, the same trace as the in-process host in the browser and as both hosts in Node.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { serveRepository, launchChromium } from '../testing/browser.ts';
import { referenceRun, type ReferenceRunResult, type ReferenceSources } from './reference-run.ts';
import type { LiveRunSummary } from '../live/live-run.ts';
import { skipWithout, needing } from '../testing/tools.ts';

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const SOURCES: ReferenceSources = { protocol: reference('protocol.ts'), filter: reference('counting-filter.ts') };

describe.skipIf(skipWithout('chromium'))(needing('chromium', 'drivers in Web Workers'), () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const served = await serveRepository(['sucrase', 'comlink', '@jridgewell/trace-mapping', 'acorn']);
    server = served.server;
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${served.url}/core/host/browser-page/index.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const inBrowser = (host: 'in-process' | 'worker', seed: number) =>
    page.evaluate(([sources, host, seed]) => (window as unknown as { __referenceRun(s: unknown, h: string, n: number): Promise<ReferenceRunResult> }).__referenceRun(sources, host, seed), [SOURCES, host, seed] as const);

  it('gives, in Chromium with each driver in its own Web Worker, the trace Node gives', async () => {
    const node = await referenceRun(SOURCES, 'in-process', 2);
    expect(node.findings).toEqual([]);
    expect(await inBrowser('worker', 2)).toEqual(node);
    expect(await inBrowser('in-process', 2)).toEqual(node);
    expect(errors).toEqual([]);
  });

  it('starts a driver worker ahead and the next load takes it, once: same trace, same sandbox', async () => {
    const node = await referenceRun(SOURCES, 'in-process', 4);
    const ahead = await page.evaluate(([sources]) => (window as unknown as { __runWithWorkerAhead(s: unknown, n: number): Promise<unknown> }).__runWithWorkerAhead(sources, 4), [SOURCES] as const);
    expect(ahead).toEqual({ waitingBefore: true, waitingAfter: false, run: node, reached: '', waitingAtEnd: false });
    expect(errors).toEqual([]);
  });

  it('gives a driver in a Web Worker no fetch, WebSocket, importScripts, indexedDB, caches, BroadcastChannel or real timers', async () => {
    const reached = await page.evaluate(() => (window as unknown as { __probeSandbox(): Promise<string> }).__probeSandbox());
    expect(reached).toBe('');
  });

  it('stops a driver that never returns with DriverHung, and the next run is clean', async () => {
    expect(await page.evaluate(() => (window as unknown as { __hungDriver(): Promise<string> }).__hungDriver())).toBe('DriverHung');
    expect((await inBrowser('worker', 3)).findings).toEqual([]);
  });

  it('runs the stack live: drivers and the miniport in Web Workers, 20,000 frames intact and in order, every NBL home', async () => {
    const sources = { filter: SOURCES.filter, protocol: readFileSync(new URL('../../labs/reference/stack-protocol.ts', import.meta.url), 'utf8') };
    const result = await page.evaluate(([s]) => (window as unknown as { __liveRun(s: unknown, n: number): Promise<LiveRunSummary> }).__liveRun(s, 20_000), [sources] as const);
    expect(result).toEqual({
      traffic: [20_000, 20_000, 20_000, 0, null],
      finding: undefined,
      outstanding: 0,
      threads: ['miniport', 'counting-filter', 'stack-protocol'],
      sent: [20_000, 0],
      indicated: [0, 20_000],
      elapsedMs: expect.any(Number),
    });
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 60_000);
});

