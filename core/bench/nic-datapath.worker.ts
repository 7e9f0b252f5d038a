// Threads of the NIC benchmarks (see nic-datapath.ts): the wasm traffic generator, and the JS
// driver side that drains the receive ring (and, for loopback, refills the transmit ring).
// Per-packet work touches only typed-array views created once; nothing is allocated per frame.

import { threadContext } from '../host/thread.ts';
import { instantiateNic, type NicExports } from '../nic/module.ts';
import type { MachineLayout } from '../memory/map.ts';
import {
  RDT, TDT, TDH, ICR, DESC_SIZE, RXD_STATUS, RXD_LENGTH, RXD_STAT_DD, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS,
} from '../../wasm/e1000/registers.ts';
import { E_INTR_SEQ, FRAME_FCS_LAZY } from '../../wasm/e1000/machine.ts';

export interface DatapathWorkerData {
  role: 'generator' | 'drainer' | 'loopback-driver';
  memory: WebAssembly.Memory;
  layout: MachineLayout;
  module: WebAssembly.Module;
  /** Frames per run. */
  frames: number;
  /** Bytes the driver reads back per frame (what the device wrote: FCS stripped). */
  frameBytes: number;
  /** Generator: the template frame's address (outside the DMA window: it is "the wire"). */
  template?: number;
}

export interface DatapathReport {
  role: DatapathWorkerData['role'];
  frames: number;
  elapsedMs: number;
  mismatches: number;
  parks: number;
}

/** Offset in the frame of the u32 sequence number (in the payload, 4-byte aligned in the buffer). */
export const STAMP_OFFSET = 16;
const BATCH = 32;
const SPINS = 20_000;

const { data, port } = await threadContext<DatapathWorkerData>();
const device: NicExports = await instantiateNic(data.memory, data.module);
const nicRegs = data.layout.nics[0]!;
const nic = nicRegs.registers;
const words = new Int32Array(data.memory.buffer);
const bytes = new Uint8Array(data.memory.buffer);
const u16 = new Uint16Array(data.memory.buffer);
const u32 = new Uint32Array(data.memory.buffer);
const intrWord = (nic + E_INTR_SEQ) >> 2;
const rxRing = nicRegs.rxRing.base;
const rxCount = nicRegs.rxRing.bytes / DESC_SIZE;
const txRing = nicRegs.txRing.base;
const txCount = nicRegs.txRing.bytes / DESC_SIZE;
const bufferBytes = data.layout.config.bufferBytes;

// ---- receive side (drainer, loopback driver) ------------------------------------------------
const frameBytes = data.frameBytes;
let rxNext = 0;
let expected = 0;
let mismatches = 0;

/**
 * Takes up to BATCH completed frames off the receive ring; returns how many. Two passes: find the
 * completed descriptors first, then read their frames, so the reads of frames the other core just
 * wrote are independent of each other and their cache misses overlap.
 */
function drainBatch(): number {
  let n = 0;
  let index = rxNext;
  while (n < BATCH && (Atomics.load(bytes, rxRing + index * DESC_SIZE + RXD_STATUS) & RXD_STAT_DD) !== 0) {
    index = index + 1 === rxCount ? 0 : index + 1;
    n++;
  }
  if (n === 0) return 0;
  index = rxNext;
  for (let i = 0; i < n; i++) {
    const d = rxRing + index * DESC_SIZE;
    // Typed-array indexing (little-endian like the device) is what V8 compiles best.
    const buffer = u32[d >> 2]!;
    if (u16[(d + RXD_LENGTH) >> 1] !== frameBytes || u32[(buffer + STAMP_OFFSET) >> 2] !== expected + i) mismatches++;
    bytes[d + RXD_STATUS] = 0;
    index = index + 1 === rxCount ? 0 : index + 1;
  }
  expected += n;
  rxNext = index;
  device.mmio_write(nic, RDT, rxNext === 0 ? rxCount - 1 : rxNext - 1);
  return n;
}

// ---- transmit side (loopback driver) ---------------------------------------------------------
let txTail = 0;
let stamp = 0;

/** Queues up to BATCH frames on free transmit descriptors and rings the doorbell; returns how many. */
function refillBatch(limit: number): number {
  const head = device.mmio_read(nic, TDH) >>> 0;
  let free = (head - txTail - 1 + txCount) % txCount;
  if (free < BATCH && free < limit) return 0; // refill only when a whole batch fits
  let n = 0;
  const wire = data.frameBytes; // FCS added by IFCS
  while (n < BATCH && n < limit && free > 0) {
    const d = txRing + txTail * DESC_SIZE;
    const buffer = nicRegs.txBuffers.base + txTail * bufferBytes;
    u32[(buffer + STAMP_OFFSET) >> 2] = stamp++;
    u32[d >> 2] = buffer;
    u32[(d + 4) >> 2] = 0;
    u16[(d + 8) >> 1] = wire;
    bytes[d + 11] = TXD_CMD_EOP | TXD_CMD_IFCS | (n === BATCH - 1 ? TXD_CMD_RS : 0);
    bytes[d + 12] = 0;
    txTail = txTail + 1 === txCount ? 0 : txTail + 1;
    free--;
    n++;
  }
  device.mmio_write(nic, TDT, txTail);
  return n;
}

let parks = 0;
let fruitlessParks = 0;
/** Parks in a row after which the run is declared stalled (at 50 ms each). */
const STALL_PARKS = 40;

/**
 * Sleeps on the interrupt line until it asserts after `seen` (or 50 ms pass). Reading ICR
 * acknowledges the pending causes so the next one asserts the line again; a frame that arrived
 * before the acknowledgement raised no new edge, so look at the ring once more before sleeping.
 */
function park(seen: number): void {
  device.mmio_read(nic, ICR);
  if ((Atomics.load(bytes, rxRing + rxNext * DESC_SIZE + RXD_STATUS) & RXD_STAT_DD) !== 0) return;
  parks++;
  if (Atomics.wait(words, intrWord, seen, 50) === 'timed-out') fruitlessParks++;
}

let idle = 0;

/**
 * After a pass over the rings that did `work` (frames moved): spins while there is none, then
 * parks on the interrupt line. Returns false once the run has stalled (no progress for
 * STALL_PARKS parks), so the caller can report what arrived instead of hanging.
 */
function afterPass(work: number, seen: number): boolean {
  if (work > 0) {
    idle = 0;
    fruitlessParks = 0;
  } else if (fruitlessParks >= STALL_PARKS) {
    return false;
  } else if (++idle > SPINS) {
    park(seen);
    idle = 0;
  }
  return true;
}

function runDrainer(): DatapathReport {
  let got = 0;
  let start = 0;
  for (let going = true; going && got < data.frames; ) {
    const seen = Atomics.load(words, intrWord);
    const n = drainBatch();
    if (n > 0 && got === 0) start = performance.now();
    got += n;
    going = afterPass(n, seen);
  }
  return { role: data.role, frames: got, elapsedMs: performance.now() - start, mismatches, parks };
}

function runLoopbackDriver(): DatapathReport {
  let got = 0;
  let sent = 0;
  const start = performance.now();
  for (let going = true; going && got < data.frames; ) {
    const seen = Atomics.load(words, intrWord);
    let work = 0;
    // Keep no more frames in flight than the receive ring can hold, or the NIC (rightly) misses them.
    if (sent < data.frames && sent - got + BATCH < rxCount) {
      const n = refillBatch(data.frames - sent);
      sent += n;
      work += n;
    }
    const n = drainBatch();
    got += n;
    going = afterPass(work + n, seen);
  }
  return { role: data.role, frames: got, elapsedMs: performance.now() - start, mismatches, parks };
}

port.onMessage(() => {
  let report: DatapathReport;
  if (data.role === 'generator') {
    const start = performance.now();
    const frames = device.rx_generate(nic, data.template!, data.frameBytes + 4, FRAME_FCS_LAZY, data.frames, STAMP_OFFSET) >>> 0;
    report = { role: 'generator', frames, elapsedMs: performance.now() - start, mismatches: 0, parks: 0 };
  } else if (data.role === 'drainer') {
    report = runDrainer();
  } else {
    report = runLoopbackDriver();
  }
  port.postMessage(report);
});
port.postMessage({ ready: true });
