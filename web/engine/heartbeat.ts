// The heartbeat between the lab runtime worker and the page's watchdog: a few words of shared
// memory the worker writes as the run makes progress (every trace event but a driver's own NDIS
// calls) and the page reads on a wall-clock timer. A driver stuck in a handler stops the beat
// even though the worker cannot answer messages, and the last handler entered is named here.

const encoder = new TextEncoder();
const WORDS = 4;
const LABEL_OFFSET = WORDS * 4;
export const HEARTBEAT_BYTES = 256;

// Word indices.
const BEATS = 0;
const HANDLER_EVENT = 1;
const LABEL_LENGTH = 2;

export class Heartbeat {
  private readonly words: Int32Array;
  private readonly label: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(HEARTBEAT_BYTES)) {
    this.words = new Int32Array(buffer, 0, WORDS);
    this.label = new Uint8Array(buffer, LABEL_OFFSET, HEARTBEAT_BYTES - LABEL_OFFSET);
  }

  /** The worker made progress. */
  beat(): void {
    Atomics.add(this.words, BEATS, 1);
  }

  /** The worker is entering a driver's handler (`label` like "driver!BindAdapterHandlerEx") at trace event `event`. */
  enter(label: string, event: number): void {
    // encodeInto refuses shared memory: encode, then copy.
    const bytes = encoder.encode(label).subarray(0, this.label.length);
    this.label.set(bytes);
    Atomics.store(this.words, LABEL_LENGTH, bytes.length);
    Atomics.store(this.words, HANDLER_EVENT, event);
    this.beat();
  }

  get beats(): number {
    return Atomics.load(this.words, BEATS);
  }

  /** The handler most recently entered, and its trace event number. */
  lastHandler(): { label: string; event: number } | undefined {
    const event = Atomics.load(this.words, HANDLER_EVENT);
    if (event === 0) return undefined;
    const length = Atomics.load(this.words, LABEL_LENGTH);
    // TextDecoder refuses views of shared memory: copy first.
    return { label: new TextDecoder().decode(this.label.slice(0, length)), event };
  }

  /** Forget the last handler (a new run starts). */
  reset(): void {
    Atomics.store(this.words, HANDLER_EVENT, 0);
    Atomics.store(this.words, LABEL_LENGTH, 0);
  }
}
