import { describe, it, expect } from 'vitest';
import { Mailbox, MailboxError, serve } from './mailbox.ts';
import { spawnThread } from './thread.ts';

describe('syscall mailbox', () => {
  it('a worker makes 5,000 synchronous calls; the core answers each without blocking', async () => {
    const buffer = new SharedArrayBuffer(4096);
    const mailbox = new Mailbox(buffer, 64, 1024);
    const calls = 5000;
    const thread = await spawnThread(new URL('./mailbox.test-worker.ts', import.meta.url), { buffer, offset: 64, calls });
    let stop = false;
    let served = 0;
    const serving = serve(mailbox, (request) => {
      const { call, args } = request as { call: string; args: number[] };
      if (call !== 'add') throw new Error(`unknown call ${call}`);
      served++;
      return args[0]! + args[1]!;
    }, () => stop);
    const result = await new Promise<{ sum: number }>((resolve) => thread.onMessage((m) => resolve(m as { sum: number })));
    stop = true;
    await serving;
    await thread.terminate();
    expect(served).toBe(calls);
    expect(result.sum).toBe((calls * (calls - 1)) / 2);
  });

  it('a call with nobody answering times out with a clear error', () => {
    const mailbox = new Mailbox(new SharedArrayBuffer(1024), 0, 512);
    expect(() => mailbox.call({ call: 'x' }, 20)).toThrow(new MailboxError('no reply within 20 ms'));
  });

  it('treats the region as untrusted: a scribbled length or capacity is an error, not a bad read', () => {
    const buffer = new SharedArrayBuffer(1024);
    const mailbox = new Mailbox(buffer, 0, 512);
    const words = new Int32Array(buffer);
    words[0] = 1; // REQUEST
    words[2] = 100_000; // length beyond the mailbox
    expect(() => mailbox.pending()).toThrow(/message length 100000 is outside 0\.\.496/);
    words[2] = 3;
    new Uint8Array(buffer, 16, 3).set([0x7b, 0x7b, 0x7b]); // "{{{"
    expect(() => mailbox.pending()).toThrow('the mailbox holds 3 bytes that are not a JSON message');
    words[3] = 1 << 20; // capacity past the buffer
    expect(() => new Mailbox(buffer, 0)).toThrow(/says it holds 1048576 bytes, which do not fit/);
  });

  it('refuses a message larger than the mailbox', () => {
    const mailbox = new Mailbox(new SharedArrayBuffer(1024), 0, 128);
    expect(() => mailbox.call({ big: 'x'.repeat(500) }, 10)).toThrow(/does not fit the 112-byte mailbox/);
  });
});
