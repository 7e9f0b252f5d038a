// Global setup of the browser tests: builds the site once (into a temporary folder), serves it
// twice — with the cross-origin isolation headers, and from a plain static server without them
// (where the service worker must supply them) — starts a Vite dev server over web/ for the
// component harness, and launches one Chromium that every test file connects to.

import { build, preview, createServer, type PreviewServer, type ViteDevServer } from 'vite';
import { chromium, type BrowserServer } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './chromium.ts';
import { serveStatic, type StaticServer } from './static-server.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the site was built. */
    siteDir: string;
    /** The built site, served with COOP/COEP. */
    siteUrl: string;
    /** The same build from a static server that sends no isolation headers. */
    plainSiteUrl: string;
    /** Vite dev server over web/ (component harness). */
    devUrl: string;
    /** Where the shared Chromium listens. */
    browserEndpoint: string;
  }
}

function urlOf(server: { httpServer: unknown } | PreviewServer | ViteDevServer): string {
  const address = (server.httpServer as import('node:http').Server).address();
  if (!address || typeof address === 'string') throw new Error('a test server did not get a port');
  return `http://127.0.0.1:${address.port}`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireChromium();
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  const outDir = await mkdtemp(join(tmpdir(), 'nic-lab-site-'));
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle (no service
  // worker registration, Lit in dev mode): build what `npm run build` builds.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(repoRoot, 'vite.config.ts'), mode: 'production', logLevel: 'error', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }

  const site = await preview({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  const plain: StaticServer = await serveStatic(outDir);
  const dev = await createServer({
    configFile: join(repoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await dev.listen();
  const browser: BrowserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

  project.provide('siteDir', outDir);
  project.provide('siteUrl', urlOf(site));
  project.provide('plainSiteUrl', plain.url);
  project.provide('devUrl', urlOf(dev));
  project.provide('browserEndpoint', browser.wsEndpoint());

  return async () => {
    await browser.close();
    await dev.close();
    await plain.close();
    await new Promise<void>((resolve) => site.httpServer.close(() => resolve()));
    await rm(outDir, { recursive: true, force: true });
  };
}
