#!/usr/bin/env node
// The `nic-lab` command. The project is TypeScript run as-is (through tsx), so there is no build
// step between editing a file and running it; worker threads register tsx the same way.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
