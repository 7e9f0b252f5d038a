// Vite builds and serves the web lab from web/: `npm start` (dev server), `npm run build`
// (static site in dist/), `npm run preview` (serves dist/). Every response carries the
// cross-origin isolation headers; the service worker adds them where a static host does not.

import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ISOLATION_HEADERS } from './web/isolation-headers.ts';
import { libraryFileNames } from './web/editor/driver-language-service.ts';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * core/host/thread.ts names the Node-only worker boot file (it registers tsx); a browser never
 * loads it, so it (and tsx with it) stays out of the site instead of being bundled as an asset.
 */
function withoutNodeWorkerBoot(): Plugin {
  return {
    name: 'nic-lab:without-node-worker-boot',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('/core/host/thread.ts')) return undefined;
      const node = "new URL('./node-worker-boot.mjs', import.meta.url)";
      if (!code.includes(node)) this.error('core/host/thread.ts no longer names node-worker-boot.mjs as expected; update vite.config.ts');
      return { code: code.replace(node, "new URL('node:worker-boot-is-node-only')"), map: null };
    },
  };
}

/** Hidden scenarios are the instructor's: they never ship in the site (the page grades public ones). */
function withoutHiddenScenarios(): Plugin {
  return {
    name: 'nic-lab:without-hidden-scenarios',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/labs\/[^/]+\/lab\.json$/.test(id)) return undefined;
      const lab = JSON.parse(code) as { scenarios?: { hidden?: boolean }[] };
      if (Array.isArray(lab.scenarios)) lab.scenarios = lab.scenarios.filter((s) => s.hidden !== true);
      return { code: JSON.stringify(lab), map: null };
    },
  };
}

/**
 * `virtual:driver-libs`: the TypeScript 6 library files the editor's language service checks a
 * driver against (lib.es2022.d.ts and what it references; no DOM), by file name, bundled into its
 * worker so that diagnostics need no network. Each file's licence header is given once.
 */
function driverLibs(): Plugin {
  const id = 'virtual:driver-libs';
  const resolved = `\0${id}`;
  return {
    name: 'nic-lab:driver-libs',
    resolveId: (source) => (source === id ? resolved : undefined),
    load(loading) {
      if (loading !== resolved) return undefined;
      const dir = join(dirname(createRequire(import.meta.url).resolve('typescript-6/package.json')), 'lib');
      const read = (name: string) => readFileSync(join(dir, name), 'utf8');
      const header = /^\/\*![\s\S]*?\*\/\s*/;
      const licence = header.exec(read('lib.es5.d.ts'))?.[0].trim() ?? '';
      const libs = Object.fromEntries(libraryFileNames(read).map((name) => [name, read(name).replace(header, '')]));
      return { code: `${licence}\nexport default ${JSON.stringify(libs)};\n`, map: null };
    },
  };
}

export default defineConfig({
  root: 'web',
  // Relative asset URLs: the built site works from any folder of any static server.
  base: './',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es', plugins: () => [withoutNodeWorkerBoot(), withoutHiddenScenarios(), driverLibs()] },
  // The dev server pre-bundles these as it starts. Its scan of index.html does not see into the
  // workers, so the lab runtime worker's (ses, sucrase, trace-mapping) would be found at the first
  // visit, and Vite would reload the page ~3 s after it rendered (web/bench/first-visit.ts checks).
  // acorn is imported only after an early error or a finding with no driver code running (a hung
  // handler's place, core/ndis/handler-places.ts): named so that its first use reloads nothing.
  // TypeScript 6 (the editor's language service worker) is CommonJS: served converted, and named
  // here so that a dev server that discovers nothing (the browser tests') has it.
  optimizeDeps: { include: ['typescript-6', 'ses', 'sucrase', '@jridgewell/trace-mapping', 'acorn'] },
  server: {
    headers: { ...ISOLATION_HEADERS },
    // Labs, the engine and the NIC's wasm live outside web/.
    fs: { allow: [repoRoot] },
  },
  preview: { headers: { ...ISOLATION_HEADERS } },
  plugins: [
    withoutNodeWorkerBoot(),
    withoutHiddenScenarios(),
    driverLibs(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: '.',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{html,js,css,wasm,svg,json,woff2}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
});
