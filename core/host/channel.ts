// The call channel between the core and one driver worker: a region of shared memory that holds
// one message at a time, and a turn word saying who it is for. Calls between the two sides are
// strictly nested (NDIS calls a handler, the handler calls NDIS, NDIS may call another handler...),
// so one slot is enough: whoever does not hold the turn is waiting for it in Atomics.wait.
//
// Layout (4-byte words from the start of the region):
//   0  turn      EMPTY, FOR_CORE or FOR_DRIVER: whom the message in `data` is for
//   1  length    bytes of the message
//   2  capacity  bytes `data` can hold
//   3  (reserved)
//  16  data      UTF-8 JSON
// The driver's thread can write anything here: the core checks every length and parse.

import { wallClockMs } from '../sched/wall-clock.ts';

export const CHANNEL_HEADER_BYTES = 16;
/** Default size of a channel region (bytes): control messages are small; NBL data never passes here. */
export const CHANNEL_BYTES = 256 * 1024;

const TURN = 0;
const LENGTH = 1;
const CAPACITY = 2;

export const EMPTY = 0;
export const FOR_CORE = 1;
export const FOR_DRIVER = 2;
export type Side = typeof FOR_CORE | typeof FOR_DRIVER;

/** The other side wrote something that is not a message: the region was scribbled on. */
export class ChannelCorrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelCorrupted';
  }
}

/** The other side did not hand the turn back in time. */
export class ChannelTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`no answer within ${waitedMs} ms`);
    this.name = 'ChannelTimeout';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class CallChannel {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  readonly capacity: number;

  /** `buffer` is the whole region; `initialize` is done once, by the side that creates it. */
  constructor(readonly buffer: SharedArrayBuffer, initialize = false) {
    this.words = new Int32Array(buffer, 0, CHANNEL_HEADER_BYTES / 4);
    this.bytes = new Uint8Array(buffer, CHANNEL_HEADER_BYTES);
    this.capacity = this.bytes.length;
    if (initialize) {
      Atomics.store(this.words, TURN, EMPTY);
      Atomics.store(this.words, CAPACITY, this.capacity);
    }
  }

  static create(bytes = CHANNEL_BYTES): CallChannel {
    return new CallChannel(new SharedArrayBuffer(bytes), true);
  }

  /** Writes `message` for `to` and wakes it. */
  send(to: Side, message: unknown): void {
    const encoded = encoder.encode(JSON.stringify(message));
    if (encoded.length > this.capacity) throw new RangeError(`a message of ${encoded.length} bytes does not fit the ${this.capacity}-byte call channel`);
    this.bytes.set(encoded, 0);
    Atomics.store(this.words, LENGTH, encoded.length);
    Atomics.store(this.words, TURN, to);
    Atomics.notify(this.words, TURN);
  }

  /**
   * Waits until a message is for `me` and returns it. `timeoutMs` bounds the wait (wall clock:
   * it is a watchdog, not part of the run); without it, waits for ever.
   */
  receive(me: Side, timeoutMs = Infinity): unknown {
    const deadline = timeoutMs === Infinity ? Infinity : wallClockMs() + timeoutMs;
    for (;;) {
      const turn = Atomics.load(this.words, TURN);
      if (turn === me) break;
      if (turn !== EMPTY && turn !== FOR_CORE && turn !== FOR_DRIVER) throw new ChannelCorrupted(`turn word holds ${turn}`);
      const left = deadline - wallClockMs();
      if (left <= 0) throw new ChannelTimeout(timeoutMs);
      Atomics.wait(this.words, TURN, turn, left === Infinity ? undefined : left);
    }
    const length = Atomics.load(this.words, LENGTH);
    if (!Number.isInteger(length) || length < 0 || length > this.capacity) throw new ChannelCorrupted(`message length ${length} is outside 0..${this.capacity}`);
    // slice() copies out of shared memory: the other side cannot change the message under us,
    // and TextDecoder refuses shared views.
    const text = decoder.decode(this.bytes.slice(0, length));
    Atomics.store(this.words, TURN, EMPTY);
    try {
      return JSON.parse(text);
    } catch {
      throw new ChannelCorrupted(`the message is not JSON (${length} bytes)`);
    }
  }
}
