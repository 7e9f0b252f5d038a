// Reading and writing legacy e1000 descriptors in shared memory from the driver's side. Plain
// functions over one view, no objects per descriptor: the datapath calls them per packet.
// The status byte is read and cleared with Atomics, because the device writes it from its thread.

import {
  DESC_SIZE, TXD_LENGTH, TXD_CMD, TXD_STATUS, RXD_LENGTH, RXD_STATUS, RXD_ERRORS, RXD_CSUM, RXD_SPECIAL,
} from '../../wasm/e1000/registers.ts';

export { DESC_SIZE };

/** Fills transmit descriptor `index` of the ring at `ring`: buffer, length (bytes), command bits. */
export function writeTxDescriptor(view: DataView, ring: number, index: number, buffer: number, length: number, cmd: number): void {
  const d = ring + index * DESC_SIZE;
  view.setUint32(d, buffer, true);
  view.setUint32(d + 4, 0, true);
  view.setUint16(d + TXD_LENGTH, length, true);
  view.setUint8(d + 10, 0); // CSO
  view.setUint8(d + TXD_CMD, cmd);
  view.setUint8(d + TXD_STATUS, 0);
  view.setUint8(d + 13, 0); // CSS
  view.setUint16(d + 14, 0, true);
}

/** STA of transmit descriptor `index` (DD when the device has written it back). */
export function txStatus(bytes: Uint8Array, ring: number, index: number): number {
  return Atomics.load(bytes, ring + index * DESC_SIZE + TXD_STATUS);
}

/** Hands receive descriptor `index` to the device with an empty buffer at `buffer`. */
export function writeRxDescriptor(view: DataView, ring: number, index: number, buffer: number): void {
  const d = ring + index * DESC_SIZE;
  view.setUint32(d, buffer, true);
  view.setUint32(d + 4, 0, true);
  view.setUint16(d + RXD_LENGTH, 0, true);
  view.setUint16(d + RXD_CSUM, 0, true);
  view.setUint8(d + RXD_ERRORS, 0);
  view.setUint16(d + RXD_SPECIAL, 0, true);
  view.setUint8(d + RXD_STATUS, 0);
}

/** Status byte of receive descriptor `index` (DD, EOP, PIF...). */
export function rxStatus(bytes: Uint8Array, ring: number, index: number): number {
  return Atomics.load(bytes, ring + index * DESC_SIZE + RXD_STATUS);
}

export function rxErrors(view: DataView, ring: number, index: number): number {
  return view.getUint8(ring + index * DESC_SIZE + RXD_ERRORS);
}

/** Bytes the device wrote into receive descriptor `index`'s buffer. */
export function rxLength(view: DataView, ring: number, index: number): number {
  return view.getUint16(ring + index * DESC_SIZE + RXD_LENGTH, true);
}

/** Buffer address of descriptor `index` (either ring). */
export function descriptorBuffer(view: DataView, ring: number, index: number): number {
  return view.getUint32(ring + index * DESC_SIZE, true);
}

/** Clears a receive descriptor's status so it can be handed back to the device. */
export function clearRxStatus(bytes: Uint8Array, ring: number, index: number): void {
  Atomics.store(bytes, ring + index * DESC_SIZE + RXD_STATUS, 0);
}
