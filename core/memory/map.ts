// The machine's physical memory map: the one place that decides where every region lives in the
// shared WebAssembly.Memory that all threads (NIC, core, drivers) see.
//
//   0x00000  guard: 64 KiB never used, so address 0 is never a valid buffer or record
//   0x10000  machine header, CRC tables, wire tables (endpoints, links, switches, MAC tables)
//            link slots for held frames (delay, reorder, corruption)
//            NIC register blocks (32 KiB each: e1000 registers + emulator page)
//            transmit FIFOs (the device's own; gathers multi-descriptor frames)
//            SPSC rings (thread-to-thread queues of NBL indices)
//            scratch: frames the core or a test puts on the wire from outside any NIC
//            capture rings: per NIC, the records of its port's tap (core/trace/capture.ts)
//   dma.base ------------------------------------------------------------- DMA window start
//            per NIC: TX descriptor ring, RX descriptor ring, RX buffers, TX buffers
//            NBL pool (NET_BUFFER_LIST, NET_BUFFER and MDL records and their data: core/memory/nbl-pool.ts)
//   dma.limit ------------------------------------------------------------ end of memory
//
// Everything below dma.base is the device's or the core's; a NIC can only DMA inside the window,
// which is "RAM" in the hardware sense: memory a driver owns and hands to the device by address.
// All sizes are bytes; all addresses are byte offsets into the shared memory.

import {
  MACHINE_HEADER_BYTES, NIC_BLOCK_BYTES, ENDPOINT_BYTES, LINK_BYTES, SWITCH_BYTES, MAC_ENTRY_BYTES,
  QUEUE_SLOT_BYTES,
} from '../../wasm/e1000/machine.ts';
import { DESC_SIZE } from '../../wasm/e1000/registers.ts';

export const PAGE_BYTES = 65536; // one WebAssembly page
const GUARD_BYTES = PAGE_BYTES;
const CRC_TABLE_BYTES = 8 * 256 * 4;
const TX_FIFO_BYTES = 16 * 1024; // the 82540EM's transmit packet buffer is 16 KiB by default
const SCRATCH_BYTES = 64 * 1024;

export interface SwitchConfig {
  /** Number of ports (2..64). */
  ports: number;
  /** MAC table entries (default 256). */
  tableEntries?: number;
}

export interface MachineConfig {
  /** Number of NICs (1..16). */
  nics: number;
  switches?: SwitchConfig[];
  /** Transmit descriptors per NIC ring: a multiple of 8 (RDLEN/TDLEN are multiples of 128 bytes). */
  txRingEntries?: number;
  /** Receive descriptors per NIC ring: a multiple of 8. */
  rxRingEntries?: number;
  /** Size of each receive and transmit buffer the map sets aside per descriptor (bytes). */
  bufferBytes?: number;
  /** Held-frame slots per link (frames a link can delay at once). */
  linkQueueSlots?: number;
  /** Bytes for SPSC rings between threads. */
  spscBytes?: number;
  /** Bytes for the NBL pool (NET_BUFFER_LIST, NET_BUFFER and data). */
  poolBytes?: number;
  /**
   * Bytes per NIC for its capture ring, header included: 0 (no capturing), or 4096 to 256 MiB, a
   * multiple of 64. Default 1 MiB, about 10 000 minimum-size frames.
   */
  captureBytes?: number;
}

export interface Region {
  base: number;
  bytes: number;
}

export interface NicRegions {
  registers: number;
  txFifo: Region;
  txRing: Region;
  rxRing: Region;
  rxBuffers: Region;
  txBuffers: Region;
  /** The capture ring of this NIC's tap (outside the DMA window: the device's, not the driver's). */
  capture: Region;
  endpoint: number;
}

export interface SwitchRegions {
  record: number;
  table: Region;
  firstEndpoint: number;
  ports: number;
}

export interface MachineLayout {
  config: Required<MachineConfig>;
  header: number;
  crcTables: Region;
  nicTable: Region;
  endpointTable: Region;
  linkTable: Region;
  switchTable: Region;
  linkQueues: Region;
  endpointCount: number;
  /** Links the machine can hold: one per endpoint is always enough. */
  linkCount: number;
  nics: NicRegions[];
  switches: SwitchRegions[];
  spsc: Region;
  scratch: Region;
  /** Every NIC's capture ring, one after another. */
  captures: Region;
  dma: Region;
  pool: Region;
  /** Total bytes, a whole number of pages. */
  bytes: number;
  pages: number;
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

function requireInt(name: string, value: number, min: number, max: number, multipleOf = 1): void {
  if (!Number.isInteger(value) || value < min || value > max || value % multipleOf !== 0) {
    const multiple = multipleOf > 1 ? `, a multiple of ${multipleOf}` : '';
    throw new RangeError(`machine config: ${name} must be an integer from ${min} to ${max}${multiple}; got ${value}`);
  }
}

/** Places every region for `config`. Throws a RangeError naming the field if a value is unusable. */
export function layoutMachine(input: MachineConfig): MachineLayout {
  const config: Required<MachineConfig> = {
    nics: input.nics,
    switches: input.switches ?? [],
    txRingEntries: input.txRingEntries ?? 256,
    rxRingEntries: input.rxRingEntries ?? 256,
    bufferBytes: input.bufferBytes ?? 2048,
    linkQueueSlots: input.linkQueueSlots ?? 64,
    spscBytes: input.spscBytes ?? 256 * 1024,
    poolBytes: input.poolBytes ?? 4 * 1024 * 1024,
    captureBytes: input.captureBytes ?? 1024 * 1024,
  };
  requireInt('nics', config.nics, 1, 16);
  requireInt('txRingEntries', config.txRingEntries, 8, 65536, 8);
  requireInt('rxRingEntries', config.rxRingEntries, 8, 65536, 8);
  requireInt('bufferBytes', config.bufferBytes, 256, 16384, 16);
  requireInt('linkQueueSlots', config.linkQueueSlots, 1, 4096);
  requireInt('spscBytes', config.spscBytes, 0, 1 << 28, 64);
  requireInt('poolBytes', config.poolBytes, 0, 1 << 29, 64);
  if (config.captureBytes !== 0) requireInt('captureBytes', config.captureBytes, 4096, 1 << 28, 64);
  config.switches.forEach((s, i) => {
    requireInt(`switches[${i}].ports`, s.ports, 2, 64);
    if (s.tableEntries !== undefined) requireInt(`switches[${i}].tableEntries`, s.tableEntries, 1, 4096);
  });

  let at = GUARD_BYTES;
  const take = (bytes: number, alignment = 64): Region => {
    const base = align(at, alignment);
    at = base + bytes;
    return { base, bytes };
  };

  const header = take(MACHINE_HEADER_BYTES, 4096).base;
  const crcTables = take(CRC_TABLE_BYTES);
  const nicTable = take(config.nics * 4);
  const switchPorts = config.switches.reduce((sum, s) => sum + s.ports, 0);
  const endpointCount = config.nics + switchPorts;
  const linkCount = endpointCount;
  const endpointTable = take(endpointCount * ENDPOINT_BYTES);
  const linkTable = take(linkCount * LINK_BYTES);
  const switchTable = take(Math.max(1, config.switches.length) * SWITCH_BYTES);
  let firstEndpoint = config.nics;
  const switches: SwitchRegions[] = config.switches.map((s, i) => {
    const entries = s.tableEntries ?? 256;
    const regions: SwitchRegions = {
      record: switchTable.base + i * SWITCH_BYTES,
      table: take(entries * MAC_ENTRY_BYTES),
      firstEndpoint,
      ports: s.ports,
    };
    firstEndpoint += s.ports;
    return regions;
  });
  const linkQueues = take(linkCount * config.linkQueueSlots * QUEUE_SLOT_BYTES);
  const registerBlocks = take(config.nics * NIC_BLOCK_BYTES, 4096);
  const fifos = take(config.nics * TX_FIFO_BYTES, 4096);
  const spsc = take(config.spscBytes, 4096);
  const scratch = take(SCRATCH_BYTES, 4096);
  const captures = take(config.nics * config.captureBytes, 4096);

  const dmaBase = align(at, PAGE_BYTES);
  at = dmaBase;
  const nics: NicRegions[] = [];
  for (let i = 0; i < config.nics; i++) {
    nics.push({
      registers: registerBlocks.base + i * NIC_BLOCK_BYTES,
      txFifo: { base: fifos.base + i * TX_FIFO_BYTES, bytes: TX_FIFO_BYTES },
      txRing: take(config.txRingEntries * DESC_SIZE, 128),
      rxRing: take(config.rxRingEntries * DESC_SIZE, 128),
      rxBuffers: take(config.rxRingEntries * config.bufferBytes, 64),
      txBuffers: take(config.txRingEntries * config.bufferBytes, 64),
      capture: { base: captures.base + i * config.captureBytes, bytes: config.captureBytes },
      endpoint: i,
    });
  }
  const pool = take(config.poolBytes, 4096);
  const bytes = align(at, PAGE_BYTES);
  const pages = bytes / PAGE_BYTES;
  if (pages > 16384) throw new RangeError(`machine config needs ${pages} pages of memory; the device allows at most 16384 (1 GiB)`);
  return {
    config,
    header,
    crcTables,
    nicTable,
    endpointTable,
    linkTable,
    switchTable,
    linkQueues,
    endpointCount,
    linkCount,
    nics,
    switches,
    spsc,
    scratch,
    captures,
    dma: { base: dmaBase, bytes: bytes - dmaBase },
    pool,
    bytes,
    pages,
  };
}

/** The shared memory for a layout: fixed size (initial = maximum), zero-filled. */
export function createMachineMemory(layout: MachineLayout): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
}

/** A human-readable table of the regions, for `nic-lab memory-map` and the docs. */
export function describeLayout(layout: MachineLayout): string {
  const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');
  const rows: [string, Region][] = [
    ['machine header', { base: layout.header, bytes: 128 }],
    ['CRC-32 tables', layout.crcTables],
    ['endpoint table', layout.endpointTable],
    ['link table', layout.linkTable],
    ['link held-frame slots', layout.linkQueues],
    ...layout.switches.map((s, i): [string, Region] => [`switch ${i} MAC table`, s.table]),
    ...layout.nics.map((n, i): [string, Region] => [`NIC ${i} registers`, { base: n.registers, bytes: NIC_BLOCK_BYTES }]),
    ...layout.nics.map((n, i): [string, Region] => [`NIC ${i} TX FIFO`, n.txFifo]),
    ['SPSC rings', layout.spsc],
    ['scratch (frames injected from outside)', layout.scratch],
    ...layout.nics.map((n, i): [string, Region] => [`NIC ${i} capture ring`, n.capture]),
    ...layout.nics.flatMap((n, i): [string, Region][] => [
      [`NIC ${i} TX descriptor ring (DMA)`, n.txRing],
      [`NIC ${i} RX descriptor ring (DMA)`, n.rxRing],
      [`NIC ${i} RX buffers (DMA)`, n.rxBuffers],
      [`NIC ${i} TX buffers (DMA)`, n.txBuffers],
    ]),
    ['NBL pool (DMA)', layout.pool],
  ];
  const lines = rows.map(([name, r]) => `${hex(r.base)}  ${hex(r.base + r.bytes)}  ${String(r.bytes).padStart(9)}  ${name}`);
  return [`start       end         bytes      region`, ...lines, `DMA window ${hex(layout.dma.base)}..${hex(layout.dma.base + layout.dma.bytes)}; total ${layout.pages} pages (${layout.bytes} bytes)`].join('\n');
}
