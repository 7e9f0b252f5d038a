// Debian's Chromium for the browser tests and the web benchmark: where it is, the flags this
// machine's closed network needs, and a clear error when it is missing (tools never download one).

import { CHROMIUM, missing } from '../../core/testing/tools.ts';

export { CHROMIUM };

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function requireChromium(): void {
  if (missing('chromium')) throw new Error(missing('chromium'));
}
