// The grading child's program as one JavaScript module, built with esbuild from child.ts. The
// child cannot run TypeScript through tsx: tsx's loader needs a worker thread and esbuild's
// transform needs a child process, and the sandbox allows neither (nor the cache file tsx would
// write). So the parent bundles once per process, in memory, and pipes the program to the
// child's stdin: the child needs no read access to the sources at all.

import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Each module keeps its own import.meta.url (the NIC finds its wasm beside its source). */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

let program: Promise<Uint8Array> | undefined;

/** The child's program (built on first use, then reused by every child of this process). */
export function childProgram(): Promise<Uint8Array> {
  program ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
  }).then((result) => result.outputFiles[0]!.contents);
  return program;
}
