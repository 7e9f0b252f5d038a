// One side of the ring-sab-64B benchmark (see ring-sab.ts): the producer writes 64-byte frames
// into shared frame slots and publishes their slot numbers through an SpscRing; the consumer
// checks each frame and releases its slot. Each run is one synchronous call started by a
// message, so the thread is back in its event loop (and can be terminated) between runs.
import { threadContext } from '../host/thread.ts';
import { SpscRing } from '../memory/spsc-ring.ts';
import { FRAME_BYTES, type RingSabReport, type RingSabRun, type RingSabWorkerData } from './ring-sab.ts';

/** A park longer than this (milliseconds) means the other side has stopped. */
const STALL_MS = 5000;

/** 32-bit words per frame. */
const FRAME_WORDS = FRAME_BYTES / 4;

const { data, port } = await threadContext<RingSabWorkerData>();
const ring = new SpscRing(data.buffer, data.ringOffset);
const frameWords = new Int32Array(data.buffer, data.framesOffset, data.slotCount * FRAME_WORDS);
const slotMask = data.slotCount - 1;
/** Sequence number of the next frame; carries on across runs so stale frames are caught. */
let nextSeq = 0;

// The per-batch work lives in these small functions, not inline in the run loops: V8 optimises
// a long-running loop (on-stack replacement) early, before it has type feedback for the code
// inside; a separate function gets compiled on its own with full feedback.

/** Writes frames firstSeq .. firstSeq+count-1 into their slots and publishes them. */
function produceBatch(firstSeq: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const seq = (firstSeq + i) | 0;
    const slot = seq & slotMask;
    const base = slot * FRAME_WORDS;
    // The first and last words: every cache line the frame spans is written, and a torn or
    // stale frame fails the consumer's check. Two stores, not sixteen: the cost here is moving
    // lines between cores, and with four stores per frame the bench ran about a quarter slower.
    frameWords[base] = seq;
    frameWords[base + FRAME_WORDS - 1] = ~seq;
    ring.set(i, slot);
  }
  ring.publish(count);
}

/** Checks `count` frames starting at firstSeq, releases their slots, returns how many were wrong. */
function consumeBatch(firstSeq: number, count: number): number {
  let mismatches = 0;
  for (let i = 0; i < count; i++) {
    const seq = (firstSeq + i) | 0;
    const slot = ring.get(i);
    const base = slot * FRAME_WORDS;
    if (slot !== (seq & slotMask) || frameWords[base] !== seq || frameWords[base + FRAME_WORDS - 1] !== ~seq) mismatches++;
  }
  ring.release(count);
  return mismatches;
}

function runProducer(frames: number): RingSabReport {
  const report: RingSabReport = { type: 'report', role: 'producer', frames: 0, elapsedMs: 0, mismatches: 0 };
  let produced = 0;
  while (produced < frames) {
    const wanted = frames - produced < data.batch ? frames - produced : data.batch;
    const n = ring.reserve(wanted);
    if (n === 0) {
      if (ring.waitForSpace(data.spinIterations, STALL_MS) === 0) {
        report.stalled = `producer: no free slot for ${STALL_MS} ms after ${produced} frames`;
        break;
      }
      continue;
    }
    produceBatch(nextSeq, n);
    nextSeq = (nextSeq + n) | 0;
    produced += n;
  }
  report.frames = produced;
  return report;
}

function runConsumer(frames: number): RingSabReport {
  const report: RingSabReport = { type: 'report', role: 'consumer', frames: 0, elapsedMs: 0, mismatches: 0 };
  let consumed = 0;
  let mismatches = 0;
  let firstAt = 0;
  while (consumed < frames) {
    let n = ring.available();
    if (n === 0) {
      n = ring.waitForData(data.spinIterations, STALL_MS);
      if (n === 0) {
        report.stalled = `consumer: no frame for ${STALL_MS} ms after ${consumed} frames`;
        break;
      }
    }
    if (consumed === 0) firstAt = performance.now();
    if (n > data.batch) n = data.batch;
    if (n > frames - consumed) n = frames - consumed;
    mismatches += consumeBatch(nextSeq, n);
    nextSeq = (nextSeq + n) | 0;
    consumed += n;
  }
  report.elapsedMs = performance.now() - firstAt;
  report.frames = consumed;
  report.mismatches = mismatches;
  return report;
}

port.onMessage((message) => {
  const run = message as RingSabRun;
  if (run.type !== 'run') return;
  port.postMessage(data.role === 'producer' ? runProducer(run.frames) : runConsumer(run.frames));
});
port.postMessage({ type: 'ready' });
