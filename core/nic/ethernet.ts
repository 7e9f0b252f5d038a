// Building and reading Ethernet II frames (without the FCS, which the NIC appends on IFCS).

import { parseMac, formatMac } from './mac.ts';

export const ETH_HEADER_LEN = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
/** IEEE 802 "local experimental" EtherType: what NIC Lab's test traffic uses. */
export const ETHERTYPE_EXPERIMENTAL = 0x88b5;
export const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/**
 * An Ethernet frame from `src` to `dst`: header, then `payload` (a length fills it with a
 * repeating byte pattern). No FCS.
 */
export function buildFrame(dst: string, src: string, etherType: number, payload: Uint8Array | number): Uint8Array {
  const body = typeof payload === 'number' ? Uint8Array.from({ length: payload }, (_, i) => (i * 7 + 3) & 0xff) : payload;
  const frame = new Uint8Array(ETH_HEADER_LEN + body.length);
  frame.set(parseMac(dst), 0);
  frame.set(parseMac(src), 6);
  frame[12] = etherType >> 8;
  frame[13] = etherType & 0xff;
  frame.set(body, ETH_HEADER_LEN);
  return frame;
}

export function destinationOf(frame: Uint8Array): string {
  return formatMac(frame.subarray(0, 6));
}

export function sourceOf(frame: Uint8Array): string {
  return formatMac(frame.subarray(6, 12));
}

export function etherTypeOf(frame: Uint8Array): number {
  return ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
}

/**
 * The multicast table bit a group address selects with RCTL.MO = `offset` (0..3): which MTA
 * word (0..127) and which bit in it.
 */
export function multicastTableBit(mac: string, offset = 0): { word: number; bit: number } {
  const b = parseMac(mac);
  const b4 = b[4]!;
  const b5 = b[5]!;
  const hash = [(b4 >> 4) | (b5 << 4), (b4 >> 3) | (b5 << 5), (b4 >> 2) | (b5 << 6), b4 | (b5 << 8)][offset]! & 0xfff;
  return { word: hash >> 5, bit: hash & 31 };
}

/** Where numberedFrame puts its sequence number: the first payload bytes (u32, little-endian). */
export const SEQUENCE_OFFSET = ETH_HEADER_LEN;

/** The default MAC address of NIC `index` (formatMachine gives NIC n 02:4e:49:43:00:<n+1>). */
export function defaultMac(index: number): string {
  return `02:4e:49:43:00:${(index + 1).toString(16).padStart(2, '0')}`;
}

/** A test frame of `size` bytes (no FCS) whose payload starts with the sequence number `seq`. */
export function numberedFrame(dst: string, src: string, seq: number, size = 60): Uint8Array {
  const frame = buildFrame(dst, src, ETHERTYPE_EXPERIMENTAL, size - ETH_HEADER_LEN);
  new DataView(frame.buffer).setUint32(SEQUENCE_OFFSET, seq >>> 0, true);
  return frame;
}

/** The sequence number numberedFrame wrote. */
export function sequenceOf(frame: Uint8Array): number {
  // Byte by byte: the frame may be a view of the machine's memory, whose buffer is not given out.
  const o = SEQUENCE_OFFSET;
  return (frame[o]! | (frame[o + 1]! << 8) | (frame[o + 2]! << 16) | (frame[o + 3]! << 24)) >>> 0;
}
