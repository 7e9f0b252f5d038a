// A single-producer/single-consumer ring of u32 values inside a SharedArrayBuffer: the way one
// thread hands indices (NBL indices, frame slot numbers) to exactly one other thread without
// messages. It follows the lessons of fast rings (DPDK rte_ring, virtio, Linux AF_XDP):
//   - publish per batch: the producer writes many entries, then makes them visible with ONE
//     store of head; the consumer frees many with ONE store of tail. Each store moves a cache
//     line between cores, so doing it per packet is what makes naive rings slow.
//   - cached indices: each side keeps a copy of the other side's index and reads the shared one
//     only when its copy says it cannot make progress.
//   - need-wakeup: a side that parks sets its "sleeping" flag first; the other side pays for
//     Atomics.notify (a syscall-heavy operation) only when that flag is set. As with AF_XDP's
//     XDP_RING_NEED_WAKEUP, only the sleeper raises and lowers its flag: if the waker cleared it,
//     a waker that read the flag of an earlier park could clear the flag of the next park and
//     notify before that park began waiting; the sleeper would then sleep with its flag down
//     and no later publish would wake it (seen as 5 s stalls in ring-sab-64B).
//   - park on the exact snapshot: Atomics.wait is given the index value the sleeper last saw,
//     not a fresh load, so a publish that lands between the check and the wait wakes it at once
//     instead of being lost.
//   - refill only when a whole batch is free is the caller's choice: freeSlots() tells it.
//
// Shared layout, in bytes from the ring's byteOffset. byteOffset must be a multiple of 64, so
// each 64-byte group below is its own cache line when the buffer starts on a line, as
// WebAssembly memory (page-aligned) does; the four index and flag words are 64 bytes apart, so
// they never share a line whatever the buffer's alignment. Words are 32-bit, host byte order.
//     0  magic          u32  SPSC_RING_MAGIC once formatted
//     4  capacity       u32  number of entries; a power of two, 2 ..= 2^30
//    64  head           u32  producer index: entries ever published, free-running (wraps at 2^32)
//   128  consumerSleeping  u32  1 while the consumer is parked (or about to park) on head
//   192  tail           u32  consumer index: entries ever released, free-running
//   256  producerSleeping  u32  1 while the producer is parked (or about to park) on tail
//   320  entries        u32[capacity]; entry for index k lives at entries[k & (capacity - 1)]
// head - tail (mod 2^32) is the number of entries in flight, always 0 ..= capacity.
//
// Each word has one writer: the producer writes head and producerSleeping, the consumer writes
// tail and consumerSleeping. Nothing on the hot path allocates: the methods take and return
// numbers.

/** Byte offsets of the header words, relative to the ring's byteOffset. */
export const SPSC_RING_LAYOUT = {
  magic: 0,
  capacity: 4,
  head: 64,
  consumerSleeping: 128,
  tail: 192,
  producerSleeping: 256,
  entries: 320,
} as const;

/** 'SPSC' in ASCII: tells a formatted ring from zeroed or foreign memory. */
export const SPSC_RING_MAGIC = 0x53505343;

/** Bytes per cache line; the ring's byteOffset must be a multiple of it. */
const CACHE_LINE_BYTES = 64;
/** Largest capacity in entries: keeps head - tail unambiguous in 32-bit arithmetic. */
const MAX_CAPACITY = 2 ** 30;
/** Bytes of header before the first entry. */
const HEADER_BYTES = SPSC_RING_LAYOUT.entries;

// Word (4-byte) indices into the header view.
const MAGIC = SPSC_RING_LAYOUT.magic >> 2;
const CAPACITY = SPSC_RING_LAYOUT.capacity >> 2;
const HEAD = SPSC_RING_LAYOUT.head >> 2;
const CONSUMER_SLEEPING = SPSC_RING_LAYOUT.consumerSleeping >> 2;
const TAIL = SPSC_RING_LAYOUT.tail >> 2;
const PRODUCER_SLEEPING = SPSC_RING_LAYOUT.producerSleeping >> 2;

function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= 2 && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}

function checkByteOffset(buffer: SharedArrayBuffer, byteOffset: number): void {
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % CACHE_LINE_BYTES !== 0) {
    throw new Error(`SpscRing byteOffset ${byteOffset} must be a non-negative multiple of ${CACHE_LINE_BYTES}`);
  }
  if (byteOffset + HEADER_BYTES > buffer.byteLength) {
    throw new Error(
      `SpscRing at byte offset ${byteOffset}: header (${HEADER_BYTES} bytes) runs past the end of the ` +
        `${buffer.byteLength}-byte buffer`,
    );
  }
}

export class SpscRing {
  /** Bytes a ring of `capacity` entries occupies: header plus 4 bytes per entry. */
  static bytesFor(capacity: number): number {
    if (!isValidCapacity(capacity)) {
      throw new Error(`SpscRing capacity ${capacity} must be a power of two from 2 to ${MAX_CAPACITY}`);
    }
    return HEADER_BYTES + capacity * 4;
  }

  /**
   * Writes an empty ring of `capacity` entries at `byteOffset` and attaches to it. Call it once,
   * before any other thread attaches (hand the buffer over afterwards).
   */
  static format(buffer: SharedArrayBuffer, byteOffset: number, capacity: number): SpscRing {
    const bytes = SpscRing.bytesFor(capacity);
    checkByteOffset(buffer, byteOffset);
    if (byteOffset + bytes > buffer.byteLength) {
      throw new Error(
        `SpscRing at byte offset ${byteOffset}: ${capacity} entries need ${bytes} bytes, past the end of the ` +
          `${buffer.byteLength}-byte buffer`,
      );
    }
    const header = new Int32Array(buffer, byteOffset, HEADER_BYTES >> 2);
    header.fill(0);
    header[CAPACITY] = capacity;
    // Magic last, atomically: an attacher that sees it also sees the capacity and zeroed indices.
    Atomics.store(header, MAGIC, SPSC_RING_MAGIC | 0);
    return new SpscRing(buffer, byteOffset);
  }

  readonly byteOffset: number;
  /** Number of entries the ring holds. */
  readonly capacity: number;
  private readonly mask: number;
  private readonly header: Int32Array;
  private readonly entries: Uint32Array;

  // Producer-side state. Indices are kept as int32 (|0) so they wrap like the shared u32 words.
  /** Head as this producer last published it. */
  private producerHead: number;
  /** The consumer's tail as last read; may lag the shared word, never lead it. */
  private cachedTail: number;
  /** Slots claimed by the last reserve() and not yet published. */
  private reserved = 0;

  // Consumer-side state.
  /** Tail as this consumer last released it. */
  private consumerTail: number;
  /** The producer's head as last read; may lag the shared word, never lead it. */
  private cachedHead: number;

  /** Attaches to a ring that SpscRing.format wrote; the header is checked, not trusted. */
  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    checkByteOffset(buffer, byteOffset);
    const header = new Int32Array(buffer, byteOffset, HEADER_BYTES >> 2);
    const magic = Atomics.load(header, MAGIC) >>> 0;
    if (magic !== SPSC_RING_MAGIC) {
      throw new Error(
        `SpscRing at byte offset ${byteOffset}: bad magic 0x${magic.toString(16)} ` +
          `(expected 0x${SPSC_RING_MAGIC.toString(16)}; not formatted, or wrong offset)`,
      );
    }
    const capacity = header[CAPACITY]! >>> 0;
    if (!isValidCapacity(capacity)) {
      throw new Error(
        `SpscRing at byte offset ${byteOffset}: header capacity ${capacity} is not a power of two from 2 to ${MAX_CAPACITY}`,
      );
    }
    const end = byteOffset + HEADER_BYTES + capacity * 4;
    if (end > buffer.byteLength) {
      throw new Error(
        `SpscRing at byte offset ${byteOffset}: header capacity ${capacity} makes the ring end at byte ${end}, ` +
          `past the end of the ${buffer.byteLength}-byte buffer`,
      );
    }
    this.byteOffset = byteOffset;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.header = header;
    this.entries = new Uint32Array(buffer, byteOffset + HEADER_BYTES, capacity);
    this.producerHead = Atomics.load(header, HEAD);
    this.consumerTail = Atomics.load(header, TAIL);
    this.cachedTail = this.consumerTail;
    this.cachedHead = this.producerHead;
    this.checkInFlight(this.producerHead, this.consumerTail);
  }

  // ---- Producer side -------------------------------------------------------------------------

  /** Slots the producer could fill right now. Reads the shared tail (one load). */
  freeSlots(): number {
    this.refreshTail();
    return this.capacity - ((this.producerHead - this.cachedTail) | 0);
  }

  /**
   * Claims up to `n` slots for writing and returns how many were claimed (0 when full). Reads
   * the shared tail only when the cached copy says fewer than `n` are free. A new reserve
   * replaces any unpublished claim.
   */
  reserve(n: number): number {
    let free = this.capacity - ((this.producerHead - this.cachedTail) | 0);
    if (free < n) {
      this.refreshTail();
      free = this.capacity - ((this.producerHead - this.cachedTail) | 0);
    }
    const claimed = n < free ? (n > 0 ? n : 0) : free;
    this.reserved = claimed;
    return claimed;
  }

  /** Writes the i-th reserved slot (0 = the first slot after everything published). Unchecked. */
  set(i: number, value: number): void {
    this.entries[(this.producerHead + i) & this.mask] = value;
  }

  /**
   * Makes the first `n` reserved slots visible to the consumer with one store of head, then
   * wakes the consumer only if it said it was going to sleep.
   */
  publish(n: number): void {
    if (n > this.reserved || n < 0) {
      throw new Error(`SpscRing at byte offset ${this.byteOffset}: publish(${n}) but only ${this.reserved} slots reserved`);
    }
    this.reserved -= n;
    this.producerHead = (this.producerHead + n) | 0;
    // Atomics.store is sequentially consistent: the load of the flag below cannot move above it,
    // which is what makes the consumer's "set flag, re-check head" in waitForData race-free.
    Atomics.store(this.header, HEAD, this.producerHead);
    // The flag is left for the consumer to lower (see need-wakeup at the top).
    if (Atomics.load(this.header, CONSUMER_SLEEPING) !== 0) Atomics.notify(this.header, HEAD, 1);
  }

  /** Publishes one value if there is room; false when the ring is full. */
  tryPush(value: number): boolean {
    if (this.reserve(1) === 0) return false;
    this.set(0, value);
    this.publish(1);
    return true;
  }

  /**
   * Producer parking (worker threads only: browsers forbid Atomics.wait on the main thread).
   * Re-checks the shared tail `spinIterations` times, then raises producerSleeping, re-checks,
   * and sleeps on tail until the consumer releases or `timeoutMs` passes with no wakeup
   * (Infinity = no limit). Returns the free slots; 0 means it timed out.
   */
  waitForSpace(spinIterations: number, timeoutMs: number): number {
    const header = this.header;
    const full = (this.producerHead - this.capacity) | 0; // the tail value at which no slot is free
    for (let spin = 0; spin < spinIterations; spin++) {
      if (Atomics.load(header, TAIL) !== full) return this.freeSlots();
    }
    Atomics.store(header, PRODUCER_SLEEPING, 1);
    // Re-check after raising the flag: a release that landed before the flag was visible did
    // not notify. Wait on `full`, the value we know, so a release after this load returns at
    // once. A wakeup with tail unchanged is a late notify meant for an earlier park: sleep again.
    while (Atomics.load(header, TAIL) === full) {
      if (Atomics.wait(header, TAIL, full, timeoutMs) === 'timed-out') break;
    }
    Atomics.store(header, PRODUCER_SLEEPING, 0);
    return this.freeSlots();
  }

  // ---- Consumer side -------------------------------------------------------------------------

  /** Entries the consumer could read right now. Reads the shared head (one load). */
  available(): number {
    this.refreshHead();
    return (this.cachedHead - this.consumerTail) | 0;
  }

  /** Reads the i-th available entry (0 = oldest unreleased). Unchecked: call available() first. */
  get(i: number): number {
    return this.entries[(this.consumerTail + i) & this.mask]!;
  }

  /**
   * Hands the oldest `n` entries' slots back to the producer with one store of tail, then wakes
   * the producer only if it said it was going to sleep.
   */
  release(n: number): void {
    if (n > ((this.cachedHead - this.consumerTail) | 0) || n < 0) {
      throw new Error(
        `SpscRing at byte offset ${this.byteOffset}: release(${n}) but only ${(this.cachedHead - this.consumerTail) | 0} entries available`,
      );
    }
    this.consumerTail = (this.consumerTail + n) | 0;
    Atomics.store(this.header, TAIL, this.consumerTail);
    if (Atomics.load(this.header, PRODUCER_SLEEPING) !== 0) Atomics.notify(this.header, TAIL, 1);
  }

  /** True when nothing is available. Reads the shared head only when the cached copy says empty. */
  isEmpty(): boolean {
    if (this.cachedHead !== this.consumerTail) return false;
    this.refreshHead();
    return this.cachedHead === this.consumerTail;
  }

  /** Takes the oldest entry and releases its slot. Call only after isEmpty() returned false. */
  pop(): number {
    if (this.isEmpty()) throw new Error(`SpscRing at byte offset ${this.byteOffset}: pop() on an empty ring`);
    const value = this.entries[this.consumerTail & this.mask]!;
    this.release(1);
    return value;
  }

  /**
   * Consumer parking (worker threads only: browsers forbid Atomics.wait on the main thread).
   * Re-checks the shared head `spinIterations` times, then raises consumerSleeping, re-checks,
   * and sleeps on head, passing the empty snapshot it saw, until the producer publishes or
   * `timeoutMs` passes with no wakeup (Infinity = no limit). Returns the entries available;
   * 0 means it timed out.
   */
  waitForData(spinIterations: number, timeoutMs: number): number {
    const header = this.header;
    const empty = this.consumerTail; // the head value at which nothing is available
    for (let spin = 0; spin < spinIterations; spin++) {
      if (Atomics.load(header, HEAD) !== empty) return this.available();
    }
    Atomics.store(header, CONSUMER_SLEEPING, 1);
    // Re-check after raising the flag: a publish that landed before the flag was visible did
    // not notify. Wait on `empty`, the value we know, so a publish after this load returns at
    // once. A wakeup with head unchanged is a late notify meant for an earlier park: sleep again.
    while (Atomics.load(header, HEAD) === empty) {
      if (Atomics.wait(header, HEAD, empty, timeoutMs) === 'timed-out') break;
    }
    Atomics.store(header, CONSUMER_SLEEPING, 0);
    return this.available();
  }

  // ---- Internals -----------------------------------------------------------------------------

  private refreshTail(): void {
    const tail = Atomics.load(this.header, TAIL);
    this.checkInFlight(this.producerHead, tail);
    this.cachedTail = tail;
  }

  private refreshHead(): void {
    const head = Atomics.load(this.header, HEAD);
    this.checkInFlight(head, this.consumerTail);
    this.cachedHead = head;
  }

  /** The other side's index is untrusted: refuse a head/tail pair no correct peer could write. */
  private checkInFlight(head: number, tail: number): void {
    const inFlight = (head - tail) | 0;
    if (inFlight < 0 || inFlight > this.capacity) {
      throw new Error(
        `SpscRing at byte offset ${this.byteOffset}: corrupt indices head ${head >>> 0}, tail ${tail >>> 0} ` +
          `(${inFlight} in flight, capacity ${this.capacity})`,
      );
    }
  }
}
