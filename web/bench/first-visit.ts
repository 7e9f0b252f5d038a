// Does the dev server's first visit reload? Vite pre-bundles the page's dependencies when the
// server starts (those vite.config.ts's optimizeDeps.include names, and those its scan of
// index.html finds); one the browser asks for later is optimized then, and Vite reloads the page
// (~3 s after the first render, losing what the learner began). This starts `vite` on a fresh,
// empty cache folder of its own (never the project's node_modules/.vite, which other servers
// share), opens a lab in Chromium, works in its editor and runs the driver, and watches 10 s from
// the first render for a second navigation.
//   npx tsx web/bench/first-visit.ts [--port 5199] [--watch-ms 10000]
// Exits 1, naming what Vite optimized late, if the page reloaded.

import { createServer, createLogger } from 'vite';
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../testing/chromium.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { port: { type: 'string', default: '5199' }, 'watch-ms': { type: 'string', default: '10000' } } });
const watchMs = Number(values['watch-ms']);

requireChromium();
const cacheDir = await mkdtemp(join(tmpdir(), 'nic-lab-vite-cache-'));
// What Vite says about optimizing: the late ones are the reason for a reload.
const said: string[] = [];
const logger = createLogger('info');
const info = logger.info.bind(logger);
logger.info = (message, options) => {
  if (/optimiz|reload|dependenc/i.test(message)) said.push(message.replace(/\x1b\[[0-9;]*m/g, '').trim());
  info(message, options);
};
const server = await createServer({
  configFile: join(repoRoot, 'vite.config.ts'),
  cacheDir,
  customLogger: logger,
  server: { port: Number(values.port), strictPort: true, host: '127.0.0.1' },
});
await server.listen();
const url = `http://127.0.0.1:${values.port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let reloaded = false;
try {
  const page = await browser.newPage();
  const reloads: string[] = [];
  let marked = false;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && marked) reloads.push(frame.url());
  });
  const started = Date.now();
  await page.goto(`${url}#/lab/protocol-binding`);
  // A reload drops this mark (a change of the hash keeps it).
  await page.evaluate(() => { (window as unknown as { firstVisit: boolean }).firstVisit = true; });
  marked = true;
  // The lab: the editor, its language service worker, the lab runtime worker, then a Run (the
  // driver's own worker).
  const editor = page.getByRole('textbox', { name: 'Driver source' });
  await editor.waitFor({ timeout: 60_000 });
  const rendered = Date.now() - started;
  await editor.click();
  const run = page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled'));
  await run.click({ timeout: 60_000 });
  const outcome = page.getByRole('status').filter({ hasText: /^Run: / });
  await outcome.waitFor({ timeout: 60_000 }).catch(() => undefined);
  const ran = (await outcome.textContent({ timeout: 1000 }).catch(() => null))?.split('\n')[0] ?? 'the Run did not finish';
  await page.waitForTimeout(Math.max(0, watchMs - (Date.now() - started - rendered)));
  const kept = await page.evaluate(() => (window as unknown as { firstVisit?: boolean }).firstVisit === true).catch(() => false);
  reloaded = !kept || reloads.length > 0;
  console.log(`first render of the lab: ${rendered} ms; ${ran}; ${watchMs} ms watched from the render: ${reloaded ? `reloaded (${reloads.join(', ') || 'the page lost its mark'})` : 'no reload'}`);
} finally {
  await browser.close();
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
}
console.log(said.length ? `Vite said:\n  ${said.join('\n  ')}` : 'Vite said nothing about optimizing.');
if (reloaded) {
  console.error('the first visit reloaded: add what Vite optimized late to optimizeDeps.include in vite.config.ts');
  process.exit(1);
}
