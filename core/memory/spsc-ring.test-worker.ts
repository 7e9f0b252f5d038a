// Producer thread for the cross-thread test in spsc-ring.test.ts: pushes 0, 1, 2, ... in batches
// through the ring, parking when it is full, and reports how often it found the ring full.
import { threadContext } from '../host/thread.ts';
import { SpscRing } from './spsc-ring.ts';

export interface SpscTestProducerData {
  buffer: SharedArrayBuffer;
  ringOffset: number;
  /** How many values to push, starting at 0. */
  count: number;
  /** Slots asked for per reserve(). */
  batch: number;
}

export interface SpscTestProducerReport {
  produced: number;
  /** How many times reserve() found the ring full and the producer went to waitForSpace. */
  timesFull: number;
  /** Set when a wait for space timed out: the consumer stopped. */
  error?: string;
}

const { data, port } = await threadContext<SpscTestProducerData>();
const ring = new SpscRing(data.buffer, data.ringOffset);

function pushBatch(first: number, n: number): void {
  for (let i = 0; i < n; i++) ring.set(i, first + i);
  ring.publish(n);
}

let next = 0;
let timesFull = 0;
let error: string | undefined;
while (next < data.count) {
  const n = ring.reserve(Math.min(data.batch, data.count - next));
  if (n === 0) {
    timesFull++;
    if (ring.waitForSpace(100, 5000) === 0) {
      error = `no space for 5 s after ${next} values`;
      break;
    }
    continue;
  }
  pushBatch(next, n);
  next += n;
}
const report: SpscTestProducerReport = { produced: next, timesFull };
if (error !== undefined) report.error = error;
port.postMessage(report);
