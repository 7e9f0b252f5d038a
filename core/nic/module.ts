// Loading the virtual NIC: compile wasm/build/nic.wasm once per thread and instantiate it on a
// machine's shared memory. Works in Node (file read) and in browsers (fetch, bundled asset URL).

export interface NicExports {
  device_boot(machine: number): void;
  mmio_read(nic: number, offset: number): number;
  mmio_write(nic: number, offset: number, value: number): void;
  nic_transmit(nic: number, budget: number): number;
  nic_receive(nic: number, frame: number, wireLength: number, flags: number): number;
  wire_send(machine: number, endpoint: number, frame: number, wireLength: number, flags: number): void;
  wire_poll(machine: number): number;
  wire_next_due(machine: number): bigint;
  link_set_up(machine: number, link: number, up: number): void;
  machine_step(machine: number, budget: number): number;
  machine_run(machine: number, budget: number): void;
  rx_generate(nic: number, frame: number, wireLength: number, flags: number, frames: number, stampOffset: number): number;
  crc32(machine: number, address: number, length: number): number;
}

const WASM_URL = new URL('../../wasm/build/nic.wasm', import.meta.url);
let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled device module (compiled once per thread). */
export function nicModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    let bytes: BufferSource;
    if (typeof process !== 'undefined' && process.versions?.node) {
      const { readFile } = await import('node:fs/promises');
      try {
        bytes = await readFile(WASM_URL);
      } catch (error) {
        throw new Error(`the virtual NIC is not built (${WASM_URL.pathname} is missing): run \`npm run build\` first`, { cause: error });
      }
    } else {
      const response = await fetch(WASM_URL);
      if (!response.ok) throw new Error(`could not load the virtual NIC from ${WASM_URL.href}: HTTP ${response.status}`);
      bytes = await response.arrayBuffer();
    }
    return WebAssembly.compile(bytes);
  })();
  return compiled;
}

/** An instance of the device on `memory`; each thread makes its own, all share the machine. */
export async function instantiateNic(memory: WebAssembly.Memory, module?: WebAssembly.Module): Promise<NicExports> {
  const instance = await WebAssembly.instantiate(module ?? (await nicModule()), { env: { memory } });
  return instance.exports as unknown as NicExports;
}
