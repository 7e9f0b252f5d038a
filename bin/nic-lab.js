#!/usr/bin/env node
// The `nic-lab` command. The project is TypeScript run as-is (through tsx), so there is no build
// step between editing a file and running it; worker threads register tsx the same way.
import { register } from 'tsx/esm/api';

register();
// `nic-lab rules | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
