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
import type { RingSabReport, RingSabRun, RingSabWorkerData } from './ring-sab.worker.ts';

export const RING_SAB_NAME = 'ring-sab-64B';

/** Ring entries and frame slots (frames). */
const RING_CAPACITY = 1024;
/** Entries per publish and per release (frames). */
const BATCH = 64;
/** Re-checks of the other side's index before parking; roughly tens of microseconds. */
const SPIN_ITERATIONS = 20_000;
/** Bytes per frame. */
const FRAME_BYTES = 64;

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

export async function benchRingSab(runs = 5, frames = 20_000_000): Promise<BenchResult> {
  const ringOffset = 0;
  const framesOffset = Math.ceil(SpscRing.bytesFor(RING_CAPACITY) / 64) * 64;
  const buffer = new SharedArrayBuffer(framesOffset + RING_CAPACITY * FRAME_BYTES);
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
      `${FRAME_BYTES}-byte frames written into SharedArrayBuffer slots, slot numbers passed through a ` +
        `${RING_CAPACITY}-entry SpscRing in batches of ${BATCH}; producer and consumer on their own worker threads, ` +
        `consumer checks every sequence number. Limited by cache-line transfers between the two cores.`,
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
