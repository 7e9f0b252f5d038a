// The syscall mailbox: how a driver in a worker calls NDIS synchronously while the core never
// blocks. The worker writes a request into a shared region, wakes the core and sleeps with
// Atomics.wait; the core (which may be a page's main thread) learns of it through
// Atomics.waitAsync, answers, and wakes the worker. One request at a time per driver: the driver
// is blocked until its answer comes, which is exactly NDIS's synchronous calling convention.
//
// Layout (bytes from the mailbox's offset, 4-byte words):
//   0  state     IDLE, REQUEST (worker -> core) or REPLY (core -> worker)
//   4  sequence  incremented by each request, echoed by its reply
//   8  length    bytes of the message in `data`
//  12  capacity  bytes `data` can hold
//  16  data      UTF-8 JSON of the request or reply
// Everything read from the region is checked: a worker can write anything there.

export const MAILBOX_HEADER_BYTES = 16;
const STATE = 0;
const SEQUENCE = 1;
const LENGTH = 2;
const CAPACITY = 3;

export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;

export class MailboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A mailbox region inside a SharedArrayBuffer, seen from either side. */
export class Mailbox {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  readonly capacity: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly byteOffset: number, bytes?: number) {
    if (byteOffset % 4 !== 0) throw new RangeError(`a mailbox starts on a 4-byte boundary; got offset ${byteOffset}`);
    this.words = new Int32Array(buffer, byteOffset, MAILBOX_HEADER_BYTES / 4);
    if (bytes !== undefined) {
      if (bytes < MAILBOX_HEADER_BYTES + 64 || byteOffset + bytes > buffer.byteLength) throw new RangeError(`a mailbox of ${bytes} bytes at ${byteOffset} does not fit a ${buffer.byteLength}-byte buffer`);
      Atomics.store(this.words, CAPACITY, bytes - MAILBOX_HEADER_BYTES);
      Atomics.store(this.words, STATE, IDLE);
      Atomics.store(this.words, SEQUENCE, 0);
    }
    this.capacity = Atomics.load(this.words, CAPACITY);
    if (this.capacity <= 0 || byteOffset + MAILBOX_HEADER_BYTES + this.capacity > buffer.byteLength) {
      throw new MailboxError(`the mailbox at ${byteOffset} says it holds ${this.capacity} bytes, which do not fit its buffer`);
    }
    this.bytes = new Uint8Array(buffer, byteOffset + MAILBOX_HEADER_BYTES, this.capacity);
  }

  private write(message: unknown): void {
    const encoded = encoder.encode(JSON.stringify(message));
    if (encoded.length > this.capacity) throw new MailboxError(`a ${encoded.length}-byte message does not fit the ${this.capacity}-byte mailbox`);
    this.bytes.set(encoded);
    Atomics.store(this.words, LENGTH, encoded.length);
  }

  private read(): unknown {
    const length = Atomics.load(this.words, LENGTH);
    if (length < 0 || length > this.capacity) throw new MailboxError(`the mailbox's message length ${length} is outside 0..${this.capacity}`);
    // Copy out of shared memory before decoding: the other side could change it meanwhile.
    const text = decoder.decode(this.bytes.slice(0, length));
    try {
      return JSON.parse(text);
    } catch {
      throw new MailboxError(`the mailbox holds ${length} bytes that are not a JSON message`);
    }
  }

  // ---- the worker's side ----------------------------------------------------------------------

  /**
   * Sends `request` and blocks until the reply (worker threads only: Atomics.wait). Throws
   * MailboxError if no reply comes within `timeoutMs`.
   */
  call(request: unknown, timeoutMs = Infinity): unknown {
    if (Atomics.load(this.words, STATE) !== IDLE) throw new MailboxError('a call is already in progress on this mailbox');
    this.write(request);
    const sequence = Atomics.add(this.words, SEQUENCE, 1) + 1;
    Atomics.store(this.words, STATE, REQUEST);
    Atomics.notify(this.words, STATE);
    for (;;) {
      const result = Atomics.wait(this.words, STATE, REQUEST, timeoutMs);
      if (result === 'timed-out') throw new MailboxError(`no reply within ${timeoutMs} ms`);
      if (Atomics.load(this.words, STATE) === REPLY) break;
    }
    if (Atomics.load(this.words, SEQUENCE) !== sequence) throw new MailboxError('the reply answers a different request');
    const reply = this.read();
    Atomics.store(this.words, STATE, IDLE);
    return reply;
  }

  // ---- the core's side ----------------------------------------------------------------------------

  /** The pending request, if the worker has written one, else undefined. */
  pending(): unknown {
    return Atomics.load(this.words, STATE) === REQUEST ? this.read() : undefined;
  }

  /** Answers the pending request and wakes the worker. */
  reply(message: unknown): void {
    if (Atomics.load(this.words, STATE) !== REQUEST) throw new MailboxError('there is no request to reply to');
    this.write(message);
    Atomics.store(this.words, STATE, REPLY);
    Atomics.notify(this.words, STATE);
  }

  /**
   * Resolves when a request is waiting (or after `timeoutMs`, with false). Never blocks the
   * calling thread: Atomics.waitAsync.
   */
  async whenRequest(timeoutMs = Infinity): Promise<boolean> {
    for (;;) {
      const state = Atomics.load(this.words, STATE);
      if (state === REQUEST) return true;
      const waiting = Atomics.waitAsync(this.words, STATE, state, timeoutMs);
      const result = waiting.async ? await waiting.value : waiting.value;
      if (result === 'timed-out') return Atomics.load(this.words, STATE) === REQUEST;
    }
  }
}

/** Serves a mailbox on the core's side: each request goes to `handle`, whose result is the reply. */
export async function serve(mailbox: Mailbox, handle: (request: unknown) => unknown, stop: () => boolean): Promise<void> {
  while (!stop()) {
    if (!(await mailbox.whenRequest(50))) continue;
    let reply: unknown;
    try {
      reply = { ok: true, value: handle(mailbox.pending()) };
    } catch (error) {
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    mailbox.reply(reply);
  }
}
