#!/usr/bin/env node
// The `nic-lab` command. The project is TypeScript run as-is (through tsx), so there is no build
// step between editing a file and running it; worker threads register tsx the same way.
//
// tsx keeps a cache of compiled files in the temporary folder, and picks that folder when it is
// imported, so `--tmp DIR` (any command) is read here, before tsx is loaded: DIR becomes the
// temporary folder of this process and of what it starts. Without --tmp, a temporary folder that
// cannot be written (a read-only root, a locked-down grader) turns the cache off instead of
// crashing at start-up: grading then writes no file except the reports it was asked for.
import { accessSync, statSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

const argv = process.argv.slice(2);
const tmpAt = argv.findIndex((a) => a === '--tmp' || a.startsWith('--tmp='));
if (tmpAt >= 0) {
  const inline = argv[tmpAt].startsWith('--tmp=');
  const dir = inline ? argv[tmpAt].slice('--tmp='.length) : argv[tmpAt + 1];
  const problem = usableFolder(dir);
  if (problem) {
    console.error(`nic-lab: --tmp ${problem}`);
    process.exit(2);
  }
  argv.splice(tmpAt, inline ? 1 : 2);
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = resolve(dir);
} else if (usableFolder(tmpdir())) {
  process.env.TSX_DISABLE_CACHE = '1';
}

/** Why `dir` cannot be the temporary folder, or undefined when it can. */
function usableFolder(dir) {
  if (dir === undefined || dir === '' || dir.startsWith('--')) return 'needs a folder (where temporary files may go)';
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    return error.code === 'ENOENT' ? `${dir} does not exist` : `${dir} cannot be written (${error.code ?? error.message})`;
  }
}

const { register } = await import('tsx/esm/api');
register();
// `nic-lab rules | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(argv);
