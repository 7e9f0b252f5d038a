import { defineConfig } from 'vitest/config';

// Tests sit beside the code they test (core/**/x.test.ts). Worker threads load TypeScript through
// core/host/node-worker-boot.mjs, so the suites need no build step beyond the wasm module.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'labs/**/*.test.ts', 'web/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
