// Producer thread of the postmessage-per-packet-64B benchmark (see postmessage.ts): sends each
// 64-byte frame as its own message, a fresh copy every time, keeping at most MAX_IN_FLIGHT frames
// unacknowledged so the consumer's queue cannot grow without bound.
import { threadContext } from '../host/thread.ts';
import { FRAME_BYTES, MAX_IN_FLIGHT, type PostMessageAck, type PostMessageRun } from './postmessage.ts';

const { port } = await threadContext<null>();
/** Frames sent, acknowledged and asked for, counted over all runs; also the next sequence number. */
let sent = 0;
let acknowledged = 0;
let target = 0;

function sendWhileWindowOpen(): void {
  while (sent < target && sent - acknowledged < MAX_IN_FLIGHT) {
    const frame = new Uint8Array(FRAME_BYTES);
    const seq = sent;
    frame[0] = seq;
    frame[1] = seq >>> 8;
    frame[2] = seq >>> 16;
    frame[3] = seq >>> 24;
    frame[FRAME_BYTES - 1] = 0xa5;
    port.postMessage(frame); // structured clone: the consumer gets a copy
    sent++;
  }
}

port.onMessage((message) => {
  const control = message as PostMessageRun | PostMessageAck;
  if (control.type === 'run') target += control.frames;
  else if (control.type === 'ack') acknowledged = control.received;
  sendWhileWindowOpen();
});
port.postMessage({ type: 'ready' });
