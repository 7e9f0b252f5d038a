// The smallest e1000 driver there is: no NDIS, just rings. It copies frames into the NIC's
// transmit buffers and rings the doorbell, and takes received frames off the receive ring and
// hands the descriptors back. Tests, the demo and the bring-up of later drivers use it; it is
// the shape of the reference miniport's datapath, with none of its bookkeeping.

import {
  DESC_SIZE, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_STAT_DD, RXD_STAT_DD, RXD_STAT_EOP,
} from '../../wasm/e1000/registers.ts';
import { writeTxDescriptor, txStatus, rxStatus, rxErrors, rxLength, descriptorBuffer, clearRxStatus } from './descriptors.ts';
import { bringUp, type BringUpOptions } from './bringup.ts';
import type { Machine } from './machine.ts';
import type { Nic } from './nic.ts';

export interface ReceivedFrame {
  bytes: Uint8Array;
  status: number;
  errors: number;
  /** Descriptors the frame spanned. */
  descriptors: number;
}

export const DEFAULT_TX_CMD = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;

export class RawDriver {
  readonly txCount: number;
  readonly rxCount: number;
  /** Next receive descriptor to look at. */
  private rxNext = 0;

  constructor(readonly machine: Machine, readonly nic: Nic, options: BringUpOptions = {}) {
    bringUp(machine, nic, options);
    this.txCount = nic.regions.txRing.bytes / DESC_SIZE;
    this.rxCount = nic.regions.rxRing.bytes / DESC_SIZE;
  }

  private txBuffer(index: number): number {
    return this.nic.regions.txBuffers.base + index * this.machine.layout.config.bufferBytes;
  }

  /** Free transmit descriptors (one is always left empty so head = tail means empty). */
  txFree(): number {
    const head = this.nic.peek('TDH');
    const tail = this.nic.peek('TDT');
    return (head - tail - 1 + this.txCount) % this.txCount;
  }

  /**
   * Queues frames, one descriptor each (or one per fragment when a frame is given as several
   * parts), and moves TDT once. Returns the descriptor indices used.
   */
  send(frames: (Uint8Array | Uint8Array[])[], cmd = DEFAULT_TX_CMD): number[] {
    const used: number[] = [];
    let tail = this.nic.peek('TDT');
    for (const frame of frames) {
      const parts = Array.isArray(frame) ? frame : [frame];
      if (this.txFree() - used.length < parts.length) throw new Error(`transmit ring full: ${this.txFree()} descriptors free`);
      parts.forEach((part, i) => {
        if (part.length > this.machine.layout.config.bufferBytes) throw new RangeError(`a ${part.length}-byte fragment does not fit a ${this.machine.layout.config.bufferBytes}-byte transmit buffer`);
        const last = i === parts.length - 1;
        this.machine.bytes.set(part, this.txBuffer(tail));
        writeTxDescriptor(this.machine.view, this.nic.regions.txRing.base, tail, this.txBuffer(tail), part.length, last ? cmd : cmd & ~(TXD_CMD_EOP | TXD_CMD_RS));
        used.push(tail);
        tail = (tail + 1) % this.txCount;
      });
    }
    this.nic.write('TDT', tail);
    return used;
  }

  /** Writes one raw descriptor at the tail (any address, length and command) and moves TDT. */
  sendDescriptor(buffer: number, length: number, cmd: number): number {
    const tail = this.nic.peek('TDT');
    writeTxDescriptor(this.machine.view, this.nic.regions.txRing.base, tail, buffer, length, cmd);
    this.nic.write('TDT', (tail + 1) % this.txCount);
    return tail;
  }

  /** Whether transmit descriptor `index` has DD written back. */
  txDone(index: number): boolean {
    return (txStatus(this.machine.bytes, this.nic.regions.txRing.base, index) & TXD_STAT_DD) !== 0;
  }

  /** Whether the next receive descriptor has a frame (DD set). */
  rxReady(): boolean {
    return (rxStatus(this.machine.bytes, this.nic.regions.rxRing.base, this.rxNext) & RXD_STAT_DD) !== 0;
  }

  /**
   * Sleeps (worker threads, or Node's main thread) until a frame may have arrived or
   * `timeoutMs` passes. The order matters: acknowledge ICR first, then look at the ring, then
   * wait on the interrupt line. A frame that arrived before the acknowledgement raised no new
   * edge, and the look at the ring finds it; one that arrives after it asserts the line.
   */
  waitForReceive(timeoutMs: number): 'ready' | 'interrupt' | 'timed-out' {
    const seen = this.nic.interruptCount;
    this.nic.read('ICR');
    if (this.rxReady()) return 'ready';
    return this.nic.waitForInterrupt(seen, timeoutMs) === 'timed-out' ? 'timed-out' : 'interrupt';
  }

  /**
   * Takes every completed frame off the receive ring and hands the descriptors back. A frame is
   * taken only when all its descriptors, up to the one with EOP, have DD.
   */
  receive(): ReceivedFrame[] {
    const frames: ReceivedFrame[] = [];
    const { rxRing } = this.nic.regions;
    const { bytes, view } = this.machine;
    let lastPosted = -1;
    for (;;) {
      // Find the end of the next frame.
      let count = 0;
      let index = this.rxNext;
      let status = 0;
      do {
        status = rxStatus(bytes, rxRing.base, index);
        if ((status & RXD_STAT_DD) === 0) break;
        count++;
        index = (index + 1) % this.rxCount;
      } while ((status & RXD_STAT_EOP) === 0 && count < this.rxCount);
      if ((status & RXD_STAT_DD) === 0 || (status & RXD_STAT_EOP) === 0) break;
      const parts: Uint8Array[] = [];
      let errors = 0;
      for (let i = 0; i < count; i++) {
        const buffer = descriptorBuffer(view, rxRing.base, this.rxNext);
        parts.push(bytes.slice(buffer, buffer + rxLength(view, rxRing.base, this.rxNext)));
        errors |= rxErrors(view, rxRing.base, this.rxNext);
        clearRxStatus(bytes, rxRing.base, this.rxNext);
        lastPosted = this.rxNext;
        this.rxNext = (this.rxNext + 1) % this.rxCount;
      }
      const frame = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        frame.set(p, at);
        at += p.length;
      }
      frames.push({ bytes: frame, status, errors, descriptors: count });
    }
    // Hand the used descriptors back: the new tail is the last one processed.
    if (lastPosted >= 0) this.nic.write('RDT', lastPosted);
    return frames;
  }
}

export { TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS };
