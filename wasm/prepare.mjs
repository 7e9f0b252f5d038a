// `npm install`'s prepare step: builds the NIC's wasm (wasm/build/nic.wasm) with AssemblyScript
// when AssemblyScript is installed, as on a development machine or CI. A grading install
// (`npm ci --omit=dev`) has no AssemblyScript, and needs none when the wasm is already there
// (`npm pack`'s tarball ships it; the kits copy it in): then this builds nothing. Without either,
// it says what to do and lets the install finish; grading then says the NIC is not built.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const wasm = fileURLToPath(new URL('./build/nic.wasm', import.meta.url));
let asc;
try {
  asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
} catch {
  asc = undefined;
}
if (asc) {
  const built = spawnSync(process.execPath, [asc, '--config', 'asconfig.json', '--target', 'release'], { cwd: root, stdio: 'inherit' });
  process.exit(built.status ?? 1);
}
if (!existsSync(wasm)) {
  console.warn('nic-lab: wasm/build/nic.wasm is not built and AssemblyScript is not installed (npm ci --omit=dev): '
    + 'run `npm run build:wasm` where the dev dependencies are installed and copy wasm/build/ here, or install from `npm pack`\'s tarball, which ships it.');
}
