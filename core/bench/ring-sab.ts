// Benchmark ring-sab-64B: how fast 64-byte frames move between two threads through shared
// memory, with slot numbers handed over by an SpscRing in batches. This is the path the NIC
// and the driver use for packets; compare postmessage-per-packet-64B (postmessage.ts).
//
// A producer worker and a consumer worker each run on their own core; this thread only starts
// runs and sleeps. The consumer checks every frame's sequence number and times first to last
// frame; any mismatch or lost frame makes the benchmark throw rather than report a rate.
import { spawnThread, type Thread } from '../host/thread.ts';
import { SpscRing } from '../memory/spsc-ring.ts';
import { resultOf, type BenchResult } from './result.ts';

export const RING_SAB_NAME = 'ring-sab-64B';

/** Bytes per frame. */
export const FRAME_BYTES = 64;

/** What each worker of the benchmark is started with. */
export interface RingSabWorkerData {
  role: 'producer' | 'consumer';
  buffer: SharedArrayBuffer;
  ringOffset: number;
  /** Byte offset of the frame slots: `slotCount` frames of FRAME_BYTES each. */
  framesOffset: number;
  /** Number of frame slots; equals the ring capacity, so a published slot is never rewritten. */
  slotCount: number;
  /** Entries the producer asks for per reserve() and the most the consumer takes per batch. */
  batch: number;
  /** Re-checks of the shared index before parking. */
  spinIterations: number;
}

/** Parent → worker: produce or consume `frames` frames, then report. */
export interface RingSabRun {
  type: 'run';
  frames: number;
}

/** Worker → parent, once per run. */
export interface RingSabReport {
  type: 'report';
  role: 'producer' | 'consumer';
  /** Frames produced or consumed in this run. */
  frames: number;
  /** Consumer only: first to last frame, in milliseconds. */
  elapsedMs: number;
  /** Consumer only: frames whose slot or contents did not carry the expected sequence number. */
  mismatches: number;
  /** Set when the thread gave up waiting for the other side. */
  stalled?: string;
}

/** Ring entries and frame slots (frames). */
const RING_CAPACITY = 1024;
/** Entries per publish and per release (frames). */
const BATCH = 64;
/** Fewest frames per run that still time meaningfully (several batches, first to last frame). */
const MIN_FRAMES = 1000;
/**
 * Re-checks of the other side's index before parking (well under a microsecond each). Short on
 * purpose: with a third busy thread on this 2-core machine, a 20,000-check spin burned the time
 * slice the other side needed (4-22 Mpps against 34-51 Mpps with 200), and idle it gained nothing.
 */
const SPIN_ITERATIONS = 200;

/** Messages from one worker, delivered in order to whoever awaits next(). */
function mailbox(thread: Thread): { next(): Promise<unknown> } {
  const queued: unknown[] = [];
  const waiting: { resolve(message: unknown): void; reject(error: Error): void }[] = [];
  let failure: Error | undefined;
  thread.onMessage((message) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(message);
    else queued.push(message);
  });
  thread.onError((error) => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  });
  return {
    next() {
      if (queued.length > 0) return Promise.resolve(queued.shift());
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

/** Bytes per WebAssembly page. */
const WASM_PAGE_BYTES = 65536;

/**
 * Shared memory that starts on a page boundary, as the machine's (WebAssembly) memory does, so
 * each 64-byte frame slot is exactly one cache line. `new SharedArrayBuffer` promises no such
 * alignment (in Node its memory comes from the C allocator), and a frame straddling two lines
 * moves twice the lines between cores; runs on plain buffers varied more between processes.
 */
function pageAlignedSharedBuffer(bytes: number): SharedArrayBuffer {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return memory.buffer as unknown as SharedArrayBuffer;
}

export async function benchRingSab(runs = 5, frames = 20_000_000): Promise<BenchResult> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`${RING_SAB_NAME}: runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(frames) || frames < MIN_FRAMES) {
    throw new RangeError(`${RING_SAB_NAME}: frames must be an integer of at least ${MIN_FRAMES}, got ${frames}`);
  }
  const ringOffset = 0;
  const framesOffset = Math.ceil(SpscRing.bytesFor(RING_CAPACITY) / FRAME_BYTES) * FRAME_BYTES; // on a cache line
  const buffer = pageAlignedSharedBuffer(framesOffset + RING_CAPACITY * FRAME_BYTES);
  SpscRing.format(buffer, ringOffset, RING_CAPACITY);

  const entry = new URL('./ring-sab.worker.ts', import.meta.url);
  const common = { buffer, ringOffset, framesOffset, slotCount: RING_CAPACITY, batch: BATCH, spinIterations: SPIN_ITERATIONS };
  const threads: Thread[] = [];
  try {
    const producerData: RingSabWorkerData = { role: 'producer', ...common };
    const consumerData: RingSabWorkerData = { role: 'consumer', ...common };
    const producer = await spawnThread(entry, producerData);
    threads.push(producer);
    const consumer = await spawnThread(entry, consumerData);
    threads.push(consumer);
    const fromProducer = mailbox(producer);
    const fromConsumer = mailbox(consumer);
    await Promise.all([fromProducer.next(), fromConsumer.next()]); // 'ready'

    const rates: number[] = [];
    for (let run = 0; run < runs; run++) {
      const start: RingSabRun = { type: 'run', frames };
      consumer.postMessage(start);
      producer.postMessage(start);
      const [produced, consumed] = (await Promise.all([fromProducer.next(), fromConsumer.next()])) as [
        RingSabReport,
        RingSabReport,
      ];
      const problem =
        produced.stalled ??
        consumed.stalled ??
        (consumed.mismatches > 0 ? `${consumed.mismatches} frames out of order or corrupt` : undefined) ??
        (consumed.frames !== frames || produced.frames !== frames
          ? `produced ${produced.frames}, consumed ${consumed.frames} of ${frames} frames`
          : undefined);
      if (problem !== undefined) throw new Error(`${RING_SAB_NAME} run ${run + 1}: ${problem}`);
      rates.push(frames / (consumed.elapsedMs / 1000));
    }
    return resultOf(
      RING_SAB_NAME,
      rates,
      undefined,
      `${FRAME_BYTES}-byte frames written into slots in shared (WebAssembly) memory, slot numbers passed through a ` +
        `${RING_CAPACITY}-entry SpscRing in batches of ${BATCH}; producer and consumer on their own worker threads, ` +
        `consumer checks every sequence number. Limited by cache-line transfers between the two cores.`,
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
