// Debian's Chromium for the browser tests and the web benchmark: where it is, the flags this
// machine's closed network needs, and a clear error when it is missing (tools never download one).

import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.NIC_LAB_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does) or set NIC_LAB_CHROMIUM`);
  }
}
