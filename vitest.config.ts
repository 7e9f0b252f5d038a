import { defineConfig } from 'vitest/config';

// Two projects. "node": tests beside the code they test (core/**/x.test.ts, labs, and the web
// lab's logic that needs no browser: the store on fake-indexeddb, the catalog, the recorder).
// Worker threads load TypeScript through core/host/node-worker-boot.mjs, so these need no build
// step beyond the wasm module. "browser": the web lab's components and pages in Debian's Chromium;
// its global setup (run only when a browser test is selected) builds the site once, serves it and
// starts one shared browser.
const nodeOnlyWeb = ['web/store/**/*.test.ts', 'web/labs/**/*.test.ts', 'web/editor/**/*.test.ts', 'web/engine/**/*.test.ts'];

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
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['web/**/*.test.ts'],
          exclude: nodeOnlyWeb,
          globalSetup: ['web/testing/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
