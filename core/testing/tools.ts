// The outside tools some tests need, and what a test run does without them. Chromium runs the
// browser tests (the web lab, the NIC and the worker host in a real browser); tshark, Wireshark's
// engine, reads our pcapng captures. `npm test` on a machine with only Node skips those tests and
// says which and why (the rest still run); CI sets NIC_LAB_REQUIRE_TOOLS=1 (.ci/run does), and then
// a missing tool fails the run instead, so nothing is skipped where it counts.
// Plain Node (no Vite, no Vitest): vitest.config.ts reads it too.

import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.NIC_LAB_CHROMIUM ?? '/usr/bin/chromium';
export const TSHARK = process.env.NIC_LAB_TSHARK ?? '/usr/bin/tshark';

/** When set, a missing tool fails the tests that need it instead of skipping them. */
export const REQUIRE_TOOLS = process.env.NIC_LAB_REQUIRE_TOOLS === '1';

const INSTALL = {
  chromium: { path: CHROMIUM, package: 'chromium', variable: 'NIC_LAB_CHROMIUM' },
  tshark: { path: TSHARK, package: 'tshark', variable: 'NIC_LAB_TSHARK' },
} as const;

export type Tool = keyof typeof INSTALL;

/** Why `tool` is not usable here ('' when it is). */
export function missing(tool: Tool): string {
  const t = INSTALL[tool];
  return existsSync(t.path) ? '' : `no ${tool} at ${t.path}: install it (Debian: \`apt-get install -y ${t.package}\`; .ci/run does) or set ${t.variable}`;
}

/** Whether the tests that need `tool` should be skipped (it is missing and not required). */
export function skipWithout(tool: Tool): boolean {
  return !REQUIRE_TOOLS && missing(tool) !== '';
}

/** The title of a block of tests that need `tool`, saying so when they are skipped. */
export function needing(tool: Tool, title: string): string {
  return skipWithout(tool) ? `${title} [skipped: ${missing(tool)}]` : title;
}
