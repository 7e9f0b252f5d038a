// A worker that makes synchronous calls through a mailbox (for mailbox.test.ts).
import { threadContext } from './thread.ts';
import { Mailbox } from './mailbox.ts';

const { data, port } = await threadContext<{ buffer: SharedArrayBuffer; offset: number; calls: number }>();
const mailbox = new Mailbox(data.buffer, data.offset);
let sum = 0;
for (let i = 0; i < data.calls; i++) {
  const reply = mailbox.call({ call: 'add', args: [sum, i] }, 5000) as { ok: boolean; value: number };
  sum = reply.value;
}
port.postMessage({ sum });
