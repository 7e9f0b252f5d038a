// Test support for running code in a real browser: a Vite dev server over the repository with
// the cross-origin isolation headers SharedArrayBuffer needs, and Debian's Chromium driven by
// playwright-core (test tools must never download a browser here).

import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { fileURLToPath } from 'node:url';

export { CHROMIUM } from './tools.ts';
import { CHROMIUM, missing } from './tools.ts';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves the repository root with COOP/COEP; returns the server and its base URL. `dependencies`
 * are npm packages the page imports that Vite must pre-bundle (CommonJS ones such as sucrase).
 */
export async function serveRepository(dependencies: string[] = []): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    root: fileURLToPath(new URL('../..', import.meta.url)),
    configFile: false,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', headers: ISOLATION_HEADERS },
    optimizeDeps: { noDiscovery: true, include: dependencies },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the test server did not get a port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  if (missing('chromium')) throw new Error(missing('chromium'));
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
