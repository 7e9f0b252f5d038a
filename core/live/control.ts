// The live stack's control block: a SharedArrayBuffer of its own, outside the machine's memory, that
// only NDIS's code on each thread holds (the core, the live miniport thread, the NDIS side of each
// driver worker). A driver's code never gets a reference to it: its NBL views reach the machine's
// memory, not this. It holds
//   - who holds each NBL now (holder id and role) and who allocated it: the ownership NDIS checks,
//     which a driver could forge if it lived in memory the driver can write;
//   - the run word (1 while live) and the first finding, which stops every thread;
//   - one bell per thread: the need-wakeup flag and sequence word a parked thread sleeps on.
//
// Layout (bytes):
//      0  run             i32  1 while live; 0 asks every thread to leave its pump
//      4  findingState    i32  0 none; 1 being written; 2 written (first finding wins)
//      8  findingBytes    i32  length of the finding's UTF-8 text
//     64  finding         FINDING_BYTES of "rule\u0000driver\u0000message"
//   4160  bells           MAX_THREADS x 128 B: [flag i32 (AWAKE, PARKING, RUNG), seq i32] on their own cache lines
//   then  holders         i32 per NBL: holder id << 2 | role (0 = free)
//   then  origins         i32 per NBL: holder id that allocated it (the miniport for receive buffers)

export const MAX_THREADS = 16;
const FINDING_OFFSET = 64;
const FINDING_BYTES = 4096;
const BELLS_OFFSET = FINDING_OFFSET + FINDING_BYTES;
const BELL_BYTES = 128;
const TABLES_OFFSET = BELLS_OFFSET + MAX_THREADS * BELL_BYTES;

/** A bell's flag: the thread is running (producers need not ring), parking, or already rung. */
const AWAKE = 0;
const PARKING = 1;
const RUNG = 2;

const RUN = 0;
const FINDING_STATE = 1;
const FINDING_LENGTH = 2;

/** What a holder does with an NBL it holds (the low 2 bits of a holder word). */
export const ROLE_OWN = 1; // allocated by it (or its receive buffer): its to use, send, free
export const ROLE_SEND = 2; // a send it was handed from above and must pass down or complete
export const ROLE_RECEIVE = 3; // a receive it was handed from below and must pass up or return

export interface LiveFinding {
  rule: string;
  driver: string;
  message: string;
}

/** Bytes of a control block for a pool of `nblCount` NBLs. */
export function controlBytes(nblCount: number): number {
  return TABLES_OFFSET + nblCount * 8;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LiveControl {
  readonly words: Int32Array;
  /** Per NBL: holder id << 2 | role, 0 when free. */
  readonly holders: Int32Array;
  /** Per NBL: the holder id that allocated it. */
  readonly origins: Int32Array;
  private readonly findingText: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly nblCount: number) {
    if (buffer.byteLength < controlBytes(nblCount)) throw new RangeError(`the live control block needs ${controlBytes(nblCount)} bytes for ${nblCount} NBLs; it has ${buffer.byteLength}`);
    this.words = new Int32Array(buffer, 0, TABLES_OFFSET >> 2);
    this.holders = new Int32Array(buffer, TABLES_OFFSET, nblCount);
    this.origins = new Int32Array(buffer, TABLES_OFFSET + nblCount * 4, nblCount);
    this.findingText = new Uint8Array(buffer, FINDING_OFFSET, FINDING_BYTES);
  }

  static create(nblCount: number): LiveControl {
    return new LiveControl(new SharedArrayBuffer(controlBytes(nblCount)), nblCount);
  }

  get live(): boolean {
    return Atomics.load(this.words, RUN) === 1;
  }

  setLive(on: boolean): void {
    Atomics.store(this.words, RUN, on ? 1 : 0);
    if (!on) for (let t = 0; t < MAX_THREADS; t++) this.ring(t, true);
  }

  /** A finding was made (or is being written): every thread stops at its next look. */
  get failed(): boolean {
    return Atomics.load(this.words, FINDING_STATE) !== 0;
  }

  /**
   * Records the first finding of the run and stops every thread; later ones are dropped (the
   * machine has already stopped). Returns whether this one was recorded.
   */
  fail(finding: LiveFinding): boolean {
    if (Atomics.compareExchange(this.words, FINDING_STATE, 0, 1) !== 0) return false;
    const bytes = encoder.encode(`${finding.rule}\u0000${finding.driver}\u0000${finding.message}`);
    const length = Math.min(bytes.length, FINDING_BYTES);
    this.findingText.set(bytes.subarray(0, length));
    Atomics.store(this.words, FINDING_LENGTH, length);
    Atomics.store(this.words, FINDING_STATE, 2);
    this.setLive(false);
    return true;
  }

  /** The finding that stopped the run, once it is completely written. */
  finding(): LiveFinding | undefined {
    if (Atomics.load(this.words, FINDING_STATE) !== 2) return undefined;
    const length = Atomics.load(this.words, FINDING_LENGTH);
    const [rule = '', driver = '', ...message] = decoder.decode(this.findingText.slice(0, length)).split('\u0000');
    return { rule, driver, message: message.join('\u0000') };
  }

  // ---- bells: how a parked thread is woken ----------------------------------------------------

  private sleepingWord(thread: number): number {
    return (BELLS_OFFSET + thread * BELL_BYTES) >> 2;
  }

  /**
   * After publishing to `thread`: wakes it if it said it was parking (or always, with `force`).
   * Only the first ring of a park notifies: it moves the flag from PARKING to RUNG, so the
   * producers that publish while the sleeper is still waking up (~16 µs here) do not each pay for
   * another futex wake (that was 40-50 ns per frame on the threads that wake the filter). A ring
   * that finds RUNG needs nothing more: whoever set it bumps the sequence after setting it, so
   * after the sleeper's snapshot, and the sleeper cannot miss it.
   */
  ring(thread: number, force = false): void {
    const sleeping = this.sleepingWord(thread);
    if (force || (Atomics.load(this.words, sleeping) === PARKING && Atomics.compareExchange(this.words, sleeping, PARKING, RUNG) === PARKING)) {
      Atomics.add(this.words, sleeping + 1, 1);
      Atomics.notify(this.words, sleeping + 1);
    }
  }

  /** Rings the bell of every thread whose bit (1 << thread) is set in `threads`. */
  ringAll(threads: number): void {
    for (let t = 0; threads !== 0; t++, threads >>>= 1) if ((threads & 1) !== 0) this.ring(t);
  }

  /** The bell's sequence now: take it before the last look at the rings, then park on it. */
  bellSnapshot(thread: number): number {
    return Atomics.load(this.words, this.sleepingWord(thread) + 1);
  }

  /** Raises this thread's need-wakeup flag (producers ring from now on). */
  raise(thread: number): void {
    Atomics.store(this.words, this.sleepingWord(thread), PARKING);
  }

  /** Sleeps until the bell rings after `snapshot` or `timeoutMs` pass, then lowers the flag. */
  park(thread: number, snapshot: number, timeoutMs: number): void {
    const sleeping = this.sleepingWord(thread);
    Atomics.wait(this.words, sleeping + 1, snapshot, timeoutMs);
    Atomics.store(this.words, sleeping, AWAKE);
  }

  /** Lowers the flag without sleeping (work turned up on the last look). */
  lower(thread: number): void {
    Atomics.store(this.words, this.sleepingWord(thread), AWAKE);
  }
}

/** Holder word for `holder` in `role`. */
export function holderWord(holder: number, role: number): number {
  return (holder << 2) | role;
}
