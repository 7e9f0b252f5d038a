// Benchmarks of the virtual NIC's datapath, each the median of several runs on fresh machines:
//   ring-wasm-64B       the NIC's receive path (wasm) fills 64-byte frames into its RX ring from a
//                       flow-controlled generator; a JS worker drains the ring and reposts buffers
//   nic-loopback-64B    a JS driver worker fills the TX ring; the live device (its own worker)
//   nic-loopback-1500B  sends over a loopback plug into the RX ring; the driver drains it
// Every frame carries a sequence number that the receiving side checks; a lost, damaged or
// reordered frame makes the benchmark throw instead of reporting a rate.

import { Machine } from '../nic/machine.ts';
import { bringUp } from '../nic/bringup.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from '../nic/ethernet.ts';
import { spawnThread, type Thread } from '../host/thread.ts';
import { ICR_RXT0, ICR_TXDW } from '../../wasm/e1000/registers.ts';
import { resultOf, type BenchResult } from './result.ts';
import type { DatapathReport, DatapathWorkerData } from './nic-datapath.worker.ts';

const RING_ENTRIES = 1024;
const MAC = '02:4e:49:43:00:01';

function nextMessage(thread: Thread): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let done = false;
    thread.onMessage((message) => {
      if (!done) {
        done = true;
        resolve(message);
      }
    });
    thread.onError((error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    });
  });
}

async function startWorker(data: DatapathWorkerData): Promise<Thread> {
  const thread = await spawnThread(new URL('./nic-datapath.worker.ts', import.meta.url), data);
  await nextMessage(thread); // ready
  return thread;
}

function check(name: string, report: DatapathReport, frames: number): void {
  if (report.frames !== frames || report.mismatches !== 0) {
    throw new Error(`${name}: ${report.frames} of ${frames} frames arrived, ${report.mismatches} out of order or damaged`);
  }
}

/** One run of ring-wasm-64B; returns frames per second. */
async function ringWasmRun(frames: number): Promise<number> {
  const machine = await Machine.create({ nics: 1, txRingEntries: 8, rxRingEntries: RING_ENTRIES });
  const nic = machine.nic(0);
  bringUp(machine, nic, { interrupts: ICR_RXT0 }); // strips the FCS: 60 bytes land in each buffer
  const template = machine.layout.scratch.base;
  machine.bytes.set(buildFrame(MAC, '02:00:00:00:00:02', ETHERTYPE_EXPERIMENTAL, 46), template);
  const common = { memory: machine.memory, layout: machine.layout, module: machine.module, frames, frameBytes: 60 };
  const generator = await startWorker({ ...common, role: 'generator', template });
  const drainer = await startWorker({ ...common, role: 'drainer' });
  const drained = nextMessage(drainer);
  const generated = nextMessage(generator);
  drainer.postMessage('run');
  generator.postMessage('run');
  const [report, gen] = (await Promise.all([drained, generated])) as [DatapathReport, DatapathReport];
  if (process.env.NICLAB_BENCH_DEBUG) console.error(report, gen);
  await Promise.all([generator.terminate(), drainer.terminate()]);
  check('ring-wasm-64B', report, frames);
  return frames / (report.elapsedMs / 1000);
}

/** One run of nic-loopback-<size>B; `payload` is the frame without FCS. Returns frames per second. */
async function loopbackRun(payload: number, frames: number): Promise<number> {
  const machine = await Machine.create({ nics: 1, txRingEntries: RING_ENTRIES, rxRingEntries: RING_ENTRIES });
  const nic = machine.nic(0);
  bringUp(machine, nic, { interrupts: ICR_RXT0 | ICR_TXDW });
  machine.wire.loopback(nic.endpoint);
  const frame = buildFrame(MAC, '02:00:00:00:00:02', ETHERTYPE_EXPERIMENTAL, payload - 14);
  for (let i = 0; i < RING_ENTRIES; i++) machine.bytes.set(frame, nic.regions.txBuffers.base + i * machine.layout.config.bufferBytes);
  await machine.startLive();
  const driver = await startWorker({ role: 'loopback-driver', memory: machine.memory, layout: machine.layout, module: machine.module, frames, frameBytes: payload });
  const done = nextMessage(driver);
  driver.postMessage('run');
  const report = (await done) as DatapathReport;
  await driver.terminate();
  await machine.stopLive();
  check(`nic-loopback-${payload + 4}B`, report, frames);
  return frames / (report.elapsedMs / 1000);
}

async function repeat(runs: number, once: () => Promise<number>): Promise<number[]> {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(await once());
  return rates;
}

export async function benchRingWasm(runs = 5, frames = 20_000_000): Promise<BenchResult> {
  return resultOf('ring-wasm-64B', await repeat(runs, () => ringWasmRun(frames)), undefined,
    `wasm generator -> e1000 RX path (filter, DMA, descriptor write-back) -> ${RING_ENTRIES}-entry RX ring -> JS drainer worker; 60 B per buffer (FCS stripped), every sequence number checked`);
}

export async function benchNicLoopback(size: 64 | 1518, runs = 5, frames = size === 64 ? 10_000_000 : 3_000_000): Promise<BenchResult> {
  const name = `nic-loopback-${size === 64 ? 64 : 1500}B`;
  const rates = await repeat(runs, () => loopbackRun(size - 4, frames));
  return resultOf(name, rates, size,
    `JS driver worker fills the TX ring (IFCS, RS per ${32}) -> live device worker -> loopback plug -> RX ring -> same driver drains; ${size}-byte frames on the wire incl. FCS (gbps counts those bytes)`);
}
