import { defineConfig } from 'vitest/config';
import { skipWithout, missing } from './core/testing/tools.ts';

// Two projects. "node": tests beside the code they test (core/**/x.test.ts, labs, and the web
// lab's logic that needs no browser: the store on fake-indexeddb, the catalog, the recorder).
// Worker threads load TypeScript through core/host/node-worker-boot.mjs, so these need no build
// step beyond the wasm module. "browser": the web lab's components and pages in Debian's Chromium;
// its global setup (run only when a browser test is selected) builds the site once, serves it and
// starts one shared browser.
const nodeOnlyWeb = ['web/store/**/*.test.ts', 'web/labs/**/*.test.ts', 'web/editor/**/*.test.ts', 'web/engine/**/*.test.ts'];

// Without Chromium (a machine with only Node) the browser project is left out, and said so; CI
// sets NIC_LAB_REQUIRE_TOOLS=1, and then a missing Chromium fails the run (core/testing/tools.ts).
const browserTests = !skipWithout('chromium');
if (!browserTests) console.warn(`nic-lab: the browser tests (web/**) are skipped: ${missing('chromium')}`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['core/**/*.test.ts', 'labs/**/*.test.ts', ...nodeOnlyWeb] },
      },
      ...(browserTests ? [{
        extends: true as const,
        test: {
          name: 'browser',
          include: ['web/**/*.test.ts'],
          exclude: nodeOnlyWeb,
          globalSetup: ['web/testing/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      }] : []),
    ],
  },
});
