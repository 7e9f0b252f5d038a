// Behaviour of SpscRing: header validation, batching, wrap-around, the need-wakeup flags, and a
// real producer thread handing a million values to this thread.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { spawnThread } from '../host/thread.ts';
import { SpscRing, SPSC_RING_LAYOUT, SPSC_RING_MAGIC } from './spsc-ring.ts';
import type { SpscTestProducerData, SpscTestProducerReport } from './spsc-ring.test-worker.ts';

/** A formatted ring plus a second attachment, as the producer and consumer threads would have. */
function ringPair(capacity: number, byteOffset = 0, extraBytes = 0) {
  const buffer = new SharedArrayBuffer(byteOffset + SpscRing.bytesFor(capacity) + extraBytes);
  const producer = SpscRing.format(buffer, byteOffset, capacity);
  const consumer = new SpscRing(buffer, byteOffset);
  return { buffer, producer, consumer };
}

/** The 32-bit header word at `byteOffsetInRing`, read or written the way the other thread would. */
function headerWord(buffer: SharedArrayBuffer, ringOffset: number, byteOffsetInRing: number): Int32Array {
  return new Int32Array(buffer, ringOffset + byteOffsetInRing, 1);
}

function pushAll(producer: SpscRing, values: readonly number[]): void {
  expect(producer.reserve(values.length)).toBe(values.length);
  values.forEach((value, i) => producer.set(i, value));
  producer.publish(values.length);
}

function drain(consumer: SpscRing): number[] {
  const n = consumer.available();
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(consumer.get(i));
  consumer.release(n);
  return values;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SpscRing format and attach', () => {
  it('sizes a ring as the 320-byte header plus 4 bytes per entry', () => {
    expect(SpscRing.bytesFor(2)).toBe(328);
    expect(SpscRing.bytesFor(1024)).toBe(320 + 4096);
  });

  it.each([0, 1, 3, 6, 100, 1.5, -4, 2 ** 31, Number.NaN])('rejects capacity %s, naming it', (capacity) => {
    const buffer = new SharedArrayBuffer(4096);
    expect(() => SpscRing.format(buffer, 0, capacity)).toThrow(`capacity ${capacity}`);
    expect(() => SpscRing.bytesFor(capacity)).toThrow(`capacity ${capacity}`);
  });

  it('refuses to format a ring that would run past the buffer', () => {
    const buffer = new SharedArrayBuffer(1024);
    expect(() => SpscRing.format(buffer, 512, 256)).toThrow(/offset 512.*past the end of the 1024-byte buffer/);
  });

  it('refuses a byte offset that is not a whole number of cache lines', () => {
    const buffer = new SharedArrayBuffer(4096);
    expect(() => SpscRing.format(buffer, 4, 8)).toThrow(/byteOffset 4 must be a non-negative multiple of 64/);
    expect(() => new SpscRing(buffer, 100)).toThrow(/byteOffset 100/);
  });

  it('refuses to attach where the header itself would run past the buffer', () => {
    const buffer = new SharedArrayBuffer(1024);
    expect(() => new SpscRing(buffer, 768)).toThrow(/offset 768: header \(320 bytes\) runs past the end/);
  });

  it('refuses unformatted memory and garbage magic', () => {
    const buffer = new SharedArrayBuffer(4096);
    expect(() => new SpscRing(buffer, 128)).toThrow(/offset 128: bad magic 0x0/);
    SpscRing.format(buffer, 128, 16);
    headerWord(buffer, 128, SPSC_RING_LAYOUT.magic)[0] = 0x12345678;
    expect(() => new SpscRing(buffer, 128)).toThrow(/offset 128: bad magic 0x12345678/);
  });

  it('refuses a header capacity that is not a power of two', () => {
    const buffer = new SharedArrayBuffer(4096);
    SpscRing.format(buffer, 128, 16);
    headerWord(buffer, 128, SPSC_RING_LAYOUT.capacity)[0] = 12;
    expect(() => new SpscRing(buffer, 128)).toThrow(/offset 128: header capacity 12 is not a power of two/);
  });

  it('refuses a header capacity that points past the buffer', () => {
    const buffer = new SharedArrayBuffer(4096);
    SpscRing.format(buffer, 128, 16);
    headerWord(buffer, 128, SPSC_RING_LAYOUT.capacity)[0] = 1 << 20;
    expect(() => new SpscRing(buffer, 128)).toThrow(/offset 128: header capacity 1048576 .*past the end of the 4096-byte buffer/);
  });

  it('refuses indices no correct peer could have written', () => {
    const buffer = new SharedArrayBuffer(4096);
    SpscRing.format(buffer, 0, 16);
    headerWord(buffer, 0, SPSC_RING_LAYOUT.head)[0] = 17; // 17 in flight in a 16-entry ring
    expect(() => new SpscRing(buffer, 0)).toThrow(/corrupt indices head 17, tail 0/);
  });

  it('writes the magic and capacity where the layout says', () => {
    const { buffer } = ringPair(64, 192);
    expect(headerWord(buffer, 192, SPSC_RING_LAYOUT.magic)[0]! >>> 0).toBe(SPSC_RING_MAGIC);
    expect(headerWord(buffer, 192, SPSC_RING_LAYOUT.capacity)[0]).toBe(64);
  });
});

describe('SpscRing on one thread', () => {
  it('fills to capacity, then reserve and tryPush refuse', () => {
    const { producer, consumer } = ringPair(8);
    expect(producer.freeSlots()).toBe(8);
    expect(producer.reserve(20)).toBe(8);
    for (let i = 0; i < 8; i++) producer.set(i, 100 + i);
    producer.publish(8);
    expect(producer.freeSlots()).toBe(0);
    expect(producer.reserve(1)).toBe(0);
    expect(producer.tryPush(7)).toBe(false);
    expect(consumer.available()).toBe(8);
    expect(drain(consumer)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  });

  it('makes entries visible only when published', () => {
    const { producer, consumer } = ringPair(16);
    expect(producer.reserve(4)).toBe(4);
    producer.set(0, 10);
    producer.set(1, 11);
    producer.set(2, 12);
    producer.set(3, 13);
    expect(consumer.available()).toBe(0);
    expect(consumer.isEmpty()).toBe(true);
    producer.publish(2);
    expect(consumer.available()).toBe(2);
    expect(consumer.get(0)).toBe(10);
    expect(consumer.get(1)).toBe(11);
    producer.publish(2);
    expect(consumer.available()).toBe(4);
    expect(drain(consumer)).toEqual([10, 11, 12, 13]);
  });

  it('frees space only when the consumer releases', () => {
    const { producer, consumer } = ringPair(8);
    pushAll(producer, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(consumer.available()).toBe(8);
    expect(consumer.get(0)).toBe(1);
    expect(producer.freeSlots()).toBe(0); // read but not released
    consumer.release(3);
    expect(producer.freeSlots()).toBe(3);
    expect(producer.reserve(5)).toBe(3);
    expect(consumer.available()).toBe(5);
    expect(consumer.get(0)).toBe(4);
  });

  it('keeps values in order over many wrap-arounds with uneven batches', () => {
    const { producer, consumer } = ringPair(8);
    let nextValue = 0;
    let expected = 0;
    for (let cycle = 0; cycle < 20_000; cycle++) {
      const want = 1 + (cycle % 7);
      const n = producer.reserve(want);
      for (let i = 0; i < n; i++) producer.set(i, nextValue + i);
      producer.publish(n);
      nextValue += n;
      const take = Math.min(consumer.available(), 1 + (cycle % 5));
      for (let i = 0; i < take; i++) {
        if (consumer.get(i) !== expected + i) throw new Error(`cycle ${cycle}: got ${consumer.get(i)}, expected ${expected + i}`);
      }
      consumer.release(take);
      expected += take;
    }
    expect(expected).toBeGreaterThan(20_000 * 2);
    while (!consumer.isEmpty()) expect(consumer.pop()).toBe(expected++);
    expect(expected).toBe(nextValue);
  });

  it('carries on when the free-running u32 indices wrap past 2^32', () => {
    const buffer = new SharedArrayBuffer(SpscRing.bytesFor(4));
    SpscRing.format(buffer, 0, 4);
    const nearWrap = 0xfffffffa | 0; // 6 steps before 2^32
    headerWord(buffer, 0, SPSC_RING_LAYOUT.head)[0] = nearWrap;
    headerWord(buffer, 0, SPSC_RING_LAYOUT.tail)[0] = nearWrap;
    const producer = new SpscRing(buffer, 0);
    const consumer = new SpscRing(buffer, 0);
    for (let value = 0; value < 20; value++) {
      expect(producer.tryPush(value)).toBe(true);
      expect(producer.tryPush(value + 1000)).toBe(true);
      expect(consumer.pop()).toBe(value);
      expect(consumer.pop()).toBe(value + 1000);
      expect(consumer.isEmpty()).toBe(true);
    }
    expect(headerWord(buffer, 0, SPSC_RING_LAYOUT.head)[0]! >>> 0).toBe((nearWrap + 40) >>> 0);
  });

  it('refuses to publish more than was reserved or release more than is available', () => {
    const { producer, consumer } = ringPair(8);
    expect(producer.reserve(2)).toBe(2);
    expect(() => producer.publish(3)).toThrow(/publish\(3\) but only 2 slots reserved/);
    producer.publish(2);
    expect(consumer.available()).toBe(2);
    expect(() => consumer.release(3)).toThrow(/release\(3\) but only 2 entries available/);
    consumer.release(2);
    expect(() => consumer.pop()).toThrow(/pop\(\) on an empty ring/);
  });

  it('refuses a tail that a misbehaving consumer moved past head', () => {
    const { buffer, producer } = ringPair(8);
    headerWord(buffer, 0, SPSC_RING_LAYOUT.tail)[0] = 5;
    expect(() => producer.freeSlots()).toThrow(/corrupt indices head 0, tail 5/);
  });
});

describe('SpscRing need-wakeup', () => {
  it('publish notifies only while consumerSleeping is raised, and leaves the flag to the consumer', () => {
    const { buffer, producer } = ringPair(8);
    const consumerSleeping = headerWord(buffer, 0, SPSC_RING_LAYOUT.consumerSleeping);
    const notify = vi.spyOn(Atomics, 'notify');

    expect(producer.tryPush(1)).toBe(true);
    expect(notify).not.toHaveBeenCalled();

    consumerSleeping[0] = 1;
    expect(producer.tryPush(2)).toBe(true);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify.mock.calls[0]![1]).toBe(SPSC_RING_LAYOUT.head / 4);
    // Lowering it is the sleeper's job: a waker that cleared it could clear a later park's flag.
    expect(consumerSleeping[0]).toBe(1);

    consumerSleeping[0] = 0;
    expect(producer.tryPush(3)).toBe(true);
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('release notifies only while producerSleeping is raised, and leaves the flag to the producer', () => {
    const { buffer, producer, consumer } = ringPair(8);
    const producerSleeping = headerWord(buffer, 0, SPSC_RING_LAYOUT.producerSleeping);
    pushAll(producer, [1, 2, 3]);
    const notify = vi.spyOn(Atomics, 'notify');

    expect(consumer.pop()).toBe(1);
    expect(notify).not.toHaveBeenCalled();

    producerSleeping[0] = 1;
    expect(consumer.available()).toBe(2);
    consumer.release(2);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify.mock.calls[0]![1]).toBe(SPSC_RING_LAYOUT.tail / 4);
    expect(producerSleeping[0]).toBe(1);
  });

  it('sleeps again after a late wakeup that brought no data', () => {
    const { buffer, producer, consumer } = ringPair(8);
    let calls = 0;
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation(() => {
      calls++;
      if (calls === 1) return 'ok'; // a notify meant for an earlier park: head has not moved
      producer.tryPush(42);
      return 'ok';
    });
    expect(consumer.waitForData(0, 1000)).toBe(1);
    expect(wait).toHaveBeenCalledTimes(2);
    expect(consumer.get(0)).toBe(42);
    expect(headerWord(buffer, 0, SPSC_RING_LAYOUT.consumerSleeping)[0]).toBe(0);
  });

  it('parks with the flag raised, on the exact empty snapshot, and lowers it after', () => {
    const { buffer, producer, consumer } = ringPair(8);
    const consumerSleeping = headerWord(buffer, 0, SPSC_RING_LAYOUT.consumerSleeping);
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation((_array, index, value) => {
      expect(index).toBe(SPSC_RING_LAYOUT.head / 4);
      expect(value).toBe(0);
      expect(consumerSleeping[0]).toBe(1);
      return 'timed-out';
    });
    expect(consumer.waitForData(10, 0)).toBe(0);
    expect(wait).toHaveBeenCalledTimes(1);
    expect(consumerSleeping[0]).toBe(0);

    producer.tryPush(5);
    expect(consumer.waitForData(0, 0)).toBe(1); // data already there: no park
    expect(wait).toHaveBeenCalledTimes(1);
  });

  it('parks the producer on the tail it saw when the ring was full', () => {
    const { buffer, producer, consumer } = ringPair(4);
    pushAll(producer, [1, 2, 3, 4]);
    consumer.release(consumer.available() - 2); // tail is now 2, ring has 2 free
    pushAll(producer, [5, 6]); // full again at head 6, tail 2
    const producerSleeping = headerWord(buffer, 0, SPSC_RING_LAYOUT.producerSleeping);
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation((_array, index, value) => {
      expect(index).toBe(SPSC_RING_LAYOUT.tail / 4);
      expect(value).toBe(2);
      expect(producerSleeping[0]).toBe(1);
      return 'timed-out';
    });
    expect(producer.waitForSpace(10, 0)).toBe(0);
    expect(wait).toHaveBeenCalledTimes(1);
    expect(producerSleeping[0]).toBe(0);
  });

  it('really sleeps until the timeout when nothing arrives', () => {
    const { consumer } = ringPair(8);
    const started = performance.now();
    expect(consumer.waitForData(0, 30)).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('SpscRing across threads', () => {
  it('delivers 1,000,000 values from a producer thread exactly once and in order', async () => {
    const count = 1_000_000;
    const ringOffset = 64;
    const buffer = new SharedArrayBuffer(ringOffset + SpscRing.bytesFor(256));
    const ring = SpscRing.format(buffer, ringOffset, 256);
    const producerSleeping = headerWord(buffer, ringOffset, SPSC_RING_LAYOUT.producerSleeping);

    const data: SpscTestProducerData = { buffer, ringOffset, count, batch: 32 };
    const thread = await spawnThread(new URL('./spsc-ring.test-worker.ts', import.meta.url), data);
    try {
      const report = new Promise<SpscTestProducerReport>((resolve, reject) => {
        thread.onMessage((message) => resolve(message as SpscTestProducerReport));
        thread.onError(reject);
      });
      const failed = report.then(
        () => new Promise<never>(() => {}),
        (error: unknown) => Promise.reject(error),
      );

      // Let the producer fill the ring and park before consuming, so parking and the
      // release-side wakeup are exercised for certain.
      const parked = (async () => {
        for (let waited = 0; Atomics.load(producerSleeping, 0) === 0; waited += 2) {
          if (waited > 10_000) throw new Error('producer never parked on a full ring');
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await Promise.race([parked, failed]);
      expect(ring.available()).toBe(256);

      let expected = 0;
      let mismatches = 0;
      let firstMismatch = '';
      while (expected < count) {
        let n = ring.available();
        if (n === 0) n = ring.waitForData(1000, 3000);
        if (n === 0) throw new Error(`no data for 3 s after ${expected} values`);
        for (let i = 0; i < n; i++) {
          const value = ring.get(i);
          if (value !== expected + i) {
            mismatches++;
            if (firstMismatch === '') firstMismatch = `value ${value} where ${expected + i} was due`;
          }
        }
        ring.release(n);
        expected += n;
      }

      expect(firstMismatch).toBe('');
      expect(mismatches).toBe(0);
      expect(expected).toBe(count);
      const { produced, timesFull, error } = await report;
      expect(error).toBeUndefined();
      expect(produced).toBe(count);
      expect(timesFull).toBeGreaterThan(0);
      expect(ring.available()).toBe(0);
    } finally {
      await thread.terminate();
    }
  }, 20_000);
});
