// Benchmark postmessage-per-packet-64B: the naive way to move packets between threads, one
// postMessage per 64-byte frame, for comparison with ring-sab-64B (ring-sab.ts). Each frame is
// a fresh copy through structured clone; the producer worker keeps at most 1024 in flight and
// this thread, the consumer, acknowledges every 256 and checks each frame's sequence number.
import { spawnThread, type Thread } from '../host/thread.ts';
import { resultOf, type BenchResult } from './result.ts';

export const POSTMESSAGE_NAME = 'postmessage-per-packet-64B';

/** Bytes per frame. */
export const FRAME_BYTES = 64;
/** Most frames sent and not yet acknowledged. */
export const MAX_IN_FLIGHT = 1024;

/** Parent → producer: send `frames` more frames. */
export interface PostMessageRun {
  type: 'run';
  frames: number;
}

/** Parent → producer: frames received so far, over all runs. */
export interface PostMessageAck {
  type: 'ack';
  received: number;
}

/** Frames between acknowledgements. */
const ACK_EVERY = 256;
/** No frame for this long (milliseconds) means frames were lost. */
const STALL_MS = 5000;

/** Fewest frames per run that still time meaningfully (first to last frame). */
const MIN_FRAMES = 1000;

function checkBenchSize(name: string, runs: number, frames: number): void {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`${name}: runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(frames) || frames < MIN_FRAMES) {
    throw new RangeError(`${name}: frames must be an integer of at least ${MIN_FRAMES}, got ${frames}`);
  }
}

/** The sequence number the producer wrote into the first 4 bytes, little-endian. */
function sequenceOf(frame: Uint8Array): number {
  return (frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24)) >>> 0;
}

export async function benchPostMessage(runs = 5, frames = 200_000): Promise<BenchResult> {
  checkBenchSize(POSTMESSAGE_NAME, runs, frames);
  let producer: Thread | undefined;
  try {
    producer = await spawnThread(new URL('./postmessage.worker.ts', import.meta.url), null);
    const thread = producer;

    /** Frames received over all runs; also the sequence number due next. */
    let received = 0;
    let mismatches = 0;
    let runEnd = 0;
    let firstAt = 0;
    let lastAt = 0;
    let settle: { resolve(): void; reject(error: Error): void } | undefined;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      settle?.reject(error);
    };

    thread.onMessage((message) => {
      if (!(message instanceof Uint8Array)) {
        if ((message as { type?: string }).type === 'ready') settle?.resolve();
        return;
      }
      const seq = sequenceOf(message);
      if (received === runEnd) {
        fail(new Error(`${POSTMESSAGE_NAME}: frame ${seq} arrived after the run ended`));
        return;
      }
      if (message.length !== FRAME_BYTES || seq !== received) mismatches++;
      if (received === runEnd - frames) firstAt = performance.now();
      received++;
      if (received === runEnd) {
        lastAt = performance.now();
        const ack: PostMessageAck = { type: 'ack', received };
        thread.postMessage(ack);
        settle?.resolve();
      } else if (received % ACK_EVERY === 0) {
        const ack: PostMessageAck = { type: 'ack', received };
        thread.postMessage(ack);
      }
    });
    thread.onError(fail);
    await new Promise<void>((resolve, reject) => (settle = { resolve, reject })); // 'ready'

    const rates: number[] = [];
    for (let run = 0; run < runs; run++) {
      if (failure) throw failure;
      runEnd = received + frames;
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      let seenAtLastCheck = received;
      const watchdog = setInterval(() => {
        if (received === seenAtLastCheck) {
          fail(new Error(`${POSTMESSAGE_NAME} run ${run + 1}: no frame for ${STALL_MS} ms, ${received - (runEnd - frames)} of ${frames} arrived`));
        }
        seenAtLastCheck = received;
      }, STALL_MS);
      const start: PostMessageRun = { type: 'run', frames };
      thread.postMessage(start);
      try {
        await done;
      } finally {
        clearInterval(watchdog);
        settle = undefined;
      }
      if (mismatches > 0) throw new Error(`${POSTMESSAGE_NAME} run ${run + 1}: ${mismatches} frames out of order or corrupt`);
      rates.push(frames / ((lastAt - firstAt) / 1000));
    }
    if (failure) throw failure;
    return resultOf(
      POSTMESSAGE_NAME,
      rates,
      undefined,
      `One ${FRAME_BYTES}-byte frame per postMessage (structured-clone copy) from a worker to the main thread, ` +
        `at most ${MAX_IN_FLIGHT} in flight, acknowledged every ${ACK_EVERY}. Limited by per-message ` +
        `serialisation, allocation and event-loop dispatch.`,
    );
  } finally {
    await producer?.terminate();
  }
}
