// The virtual NIC loaded by a real browser (Debian's Chromium) on a shared memory: the same
// seeded scenario must give the same result, frame for frame, as in Node.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { serveRepository, launchChromium } from '../testing/browser.ts';
import { runReplayScenario, type ReplayResult } from './replay-scenario.ts';
import { skipWithout, needing } from '../testing/tools.ts';

describe.skipIf(skipWithout('chromium'))(needing('chromium', 'the virtual NIC in Chromium'), () => {
  let server: ViteDevServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ server, url } = await serveRepository());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function inBrowser(seed: number): Promise<ReplayResult> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/core/nic/browser-page/index.html?seed=${seed}`);
    await page.waitForFunction(() => {
      const w = window as unknown as { __nicLabResult?: unknown; __nicLabError?: string };
      return w.__nicLabResult !== undefined || w.__nicLabError !== undefined;
    }, undefined, { timeout: 30_000 });
    const outcome = await page.evaluate(() => {
      const w = window as unknown as { __nicLabResult?: ReplayResult; __nicLabError?: string; crossOriginIsolated: boolean };
      return { result: w.__nicLabResult, error: w.__nicLabError, isolated: w.crossOriginIsolated };
    });
    await page.close();
    expect(errors).toEqual([]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.isolated).toBe(true);
    return outcome.result!;
  }

  it('loads on a shared WebAssembly.Memory and replays a seeded scenario exactly as Node does', async () => {
    for (const seed of [5, 6]) {
      const node = await runReplayScenario(seed);
      expect(node.arrivals.length).toBeGreaterThan(200);
      expect(node.wire.dropped).toBeGreaterThan(0);
      expect(node.wire.reordered).toBeGreaterThan(0);
      expect(await inBrowser(seed)).toEqual(node);
    }
  });
});
