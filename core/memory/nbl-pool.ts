// The NBL pool: NET_BUFFER_LIST and NET_BUFFER records and their data buffers, in the machine's
// shared memory (the memory map's `pool` region, inside the DMA window, so a NIC can transmit
// straight from a NET_BUFFER's data). Records hold indices, not pointers, so every thread reads
// the same values; an index is stored plus one so that 0 means NULL.
//
// Which NBL belongs to whom is the core's own bookkeeping (owner table, free lists), kept out of
// shared memory: drivers can write the records but never forge ownership. Everything read from a
// record is checked before use (see `checkChain`).
//
//   header        64 B: magic, counts, where the three arrays start
//   NBL records   nblCount x 32 B
//   NB records    nbCount x 32 B
//   data buffers  bufferCount x bufferBytes (one buffer per NET_BUFFER: its MDL, in NDIS terms)

import { protectBuffer } from './protect.ts';
import type { Region } from './map.ts';

export const POOL_MAGIC = 0x504c424e; // "NBLP"
const HEADER_BYTES = 64;
const H_MAGIC = 0;
const H_NBL_COUNT = 4;
const H_NB_COUNT = 8;
const H_BUFFER_BYTES = 12;
const H_NBL_BASE = 16;
const H_NB_BASE = 20;
const H_DATA_BASE = 24;

export const NBL_RECORD_BYTES = 32;
/** NET_BUFFER_LIST fields (byte offsets in the record; u32 each). */
export const NBL_NEXT = 0; // index + 1 of the next NBL in the chain, 0 = NULL
export const NBL_FIRST_NB = 4; // index + 1 of the first NET_BUFFER
export const NBL_STATUS = 8; // NDIS_STATUS of a completed send
export const NBL_FLAGS = 12; // NBL_FLAGS_*
export const NBL_SOURCE = 16; // SourceHandle: the handle of the driver that originated it
export const NBL_CONTEXT = 20; // 3 words the current owner may use freely (ProtocolReserved in spirit)

export const NB_RECORD_BYTES = 32;
/** NET_BUFFER fields. */
export const NB_NEXT = 0; // index + 1 of the next NET_BUFFER
export const NB_DATA_OFFSET = 4; // bytes from the buffer's start to the first byte of data
export const NB_DATA_LENGTH = 8; // bytes of data
export const NB_BUFFER = 12; // address of the buffer (the MDL's memory)
export const NB_BUFFER_LENGTH = 16; // bytes in the buffer

/**
 * The same fields as word indices from a record's first word (NblPool.nblWord / nbWord), for the
 * code that reads records on every hop of the datapath.
 */
export const NBL_WORD = { next: NBL_NEXT >> 2, firstNb: NBL_FIRST_NB >> 2, status: NBL_STATUS >> 2, flags: NBL_FLAGS >> 2, source: NBL_SOURCE >> 2, context: NBL_CONTEXT >> 2 } as const;
export const NB_WORD = { next: NB_NEXT >> 2, offset: NB_DATA_OFFSET >> 2, length: NB_DATA_LENGTH >> 2, buffer: NB_BUFFER >> 2, bufferLength: NB_BUFFER_LENGTH >> 2 } as const;

export interface PoolLayout {
  nblCount: number;
  nbCount: number;
  bufferBytes: number;
  nblBase: number;
  nbBase: number;
  dataBase: number;
}

/** How a region of `bytes` divides into NBLs, NET_BUFFERs and buffers of `bufferBytes` each. */
export function planPool(region: Region, bufferBytes = 2048): PoolLayout {
  const per = NBL_RECORD_BYTES + NB_RECORD_BYTES + bufferBytes;
  const count = Math.floor((region.bytes - HEADER_BYTES - 64) / per);
  if (count < 1) throw new RangeError(`the NBL pool region (${region.bytes} bytes) cannot hold one NBL with a ${bufferBytes}-byte buffer`);
  const nblBase = region.base + HEADER_BYTES;
  const nbBase = nblBase + count * NBL_RECORD_BYTES;
  const dataBase = Math.ceil((nbBase + count * NB_RECORD_BYTES) / 64) * 64;
  return { nblCount: count, nbCount: count, bufferBytes, nblBase, nbBase, dataBase };
}

export class ChainError extends Error {
  constructor(message: string, readonly address: number) {
    super(message);
    this.name = 'ChainError';
  }
}

/** What a valid chain looks like, summed up by checkChain (no allocation). */
export interface ChainSummary {
  nbls: number;
  netBuffers: number;
  bytes: number;
}

/**
 * The pool as the core sees it: records, allocation, ownership and validation. NBL i comes with
 * NET_BUFFER i and data buffer i; a driver may rechain them, and checkChain verifies whatever it
 * wrote before the core follows it.
 */
export class NblPool {
  readonly layout: PoolLayout;
  /** The memory as u32 words (records are read and written through it). */
  readonly words: Uint32Array;
  readonly bytes: Uint8Array;
  /** Owner id per NBL (0 = free). */
  private readonly owners: Int32Array;
  private readonly free: Int32Array;
  private freeCount: number;
  /** Visit stamps for cycle detection, one per record, so a walk allocates nothing. */
  private readonly nblStamp: Uint32Array;
  private readonly nbStamp: Uint32Array;
  private stamp = 0;
  /** First byte past the data buffers. */
  readonly dataEnd: number;
  /** Indices in `words` of the first NBL and NET_BUFFER records (kept: nblWord runs per record per hop). */
  private readonly firstNblWord: number;
  private readonly firstNbWord: number;

  constructor(buffer: ArrayBufferLike, region: Region, bufferBytes = 2048) {
    protectBuffer(buffer);
    this.layout = planPool(region, bufferBytes);
    this.words = new Uint32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    const { nblCount } = this.layout;
    this.owners = new Int32Array(nblCount);
    this.free = new Int32Array(nblCount);
    this.nblStamp = new Uint32Array(nblCount);
    this.nbStamp = new Uint32Array(this.layout.nbCount);
    for (let i = 0; i < nblCount; i++) this.free[i] = nblCount - 1 - i;
    this.freeCount = nblCount;
    this.dataEnd = this.layout.dataBase + this.layout.nbCount * bufferBytes;
    this.firstNblWord = this.layout.nblBase >> 2;
    this.firstNbWord = this.layout.nbBase >> 2;
    const h = region.base >> 2;
    this.words[h + H_MAGIC / 4] = POOL_MAGIC;
    this.words[h + H_NBL_COUNT / 4] = nblCount;
    this.words[h + H_NB_COUNT / 4] = this.layout.nbCount;
    this.words[h + H_BUFFER_BYTES / 4] = bufferBytes;
    this.words[h + H_NBL_BASE / 4] = this.layout.nblBase;
    this.words[h + H_NB_BASE / 4] = this.layout.nbBase;
    this.words[h + H_DATA_BASE / 4] = this.layout.dataBase;
  }

  nblAddress(index: number): number {
    return this.layout.nblBase + index * NBL_RECORD_BYTES;
  }

  nbAddress(index: number): number {
    return this.layout.nbBase + index * NB_RECORD_BYTES;
  }

  /** Index in `words` of NBL `index`'s first word (see NBL_WORD). */
  nblWord(index: number): number {
    return this.firstNblWord + index * (NBL_RECORD_BYTES >> 2);
  }

  /** Index in `words` of NET_BUFFER `index`'s first word (see NB_WORD). */
  nbWord(index: number): number {
    return this.firstNbWord + index * (NB_RECORD_BYTES >> 2);
  }

  /** The data buffer that comes with NET_BUFFER `index`. */
  bufferAddress(index: number): number {
    return this.layout.dataBase + index * this.layout.bufferBytes;
  }

  nblField(index: number, field: number): number {
    return this.words[(this.nblAddress(index) + field) >> 2]!;
  }

  setNblField(index: number, field: number, value: number): void {
    this.words[(this.nblAddress(index) + field) >> 2] = value;
  }

  nbField(index: number, field: number): number {
    return this.words[(this.nbAddress(index) + field) >> 2]!;
  }

  setNbField(index: number, field: number, value: number): void {
    this.words[(this.nbAddress(index) + field) >> 2] = value;
  }

  get available(): number {
    return this.freeCount;
  }

  /**
   * An NBL with one NET_BUFFER over its own buffer (DataOffset 0, DataLength `dataLength`),
   * owned by `owner`. Returns the NBL index, or -1 if the pool is exhausted.
   */
  allocate(owner: number, dataLength: number): number {
    if (!Number.isInteger(owner) || owner <= 0) throw new RangeError(`owner ids are positive integers; got ${owner}`);
    if (!Number.isInteger(dataLength) || dataLength < 0 || dataLength > this.layout.bufferBytes) {
      throw new RangeError(`a NET_BUFFER here holds 0 to ${this.layout.bufferBytes} bytes; asked for ${dataLength}`);
    }
    if (this.freeCount === 0) return -1;
    const i = this.free[--this.freeCount]!;
    this.owners[i] = owner;
    this.resetRecords(i, 0, dataLength);
    return i;
  }

  /**
   * Writes NBL `index` and NET_BUFFER `index` as freshly allocated: one NET_BUFFER over its own
   * buffer with `dataOffset` and `dataLength`, nothing chained, status, flags, source and context
   * zero. Word by word, since the live datapath does this for every frame.
   */
  resetRecords(index: number, dataOffset: number, dataLength: number): void {
    const w = this.words;
    const nbl = this.nblWord(index);
    const nb = this.nbWord(index);
    w[nbl + NBL_WORD.next] = 0;
    w[nbl + NBL_WORD.firstNb] = index + 1;
    w[nbl + NBL_WORD.status] = 0;
    w[nbl + NBL_WORD.flags] = 0;
    w[nbl + NBL_WORD.source] = 0;
    w[nbl + NBL_WORD.context] = 0;
    w[nbl + NBL_WORD.context + 1] = 0;
    w[nbl + NBL_WORD.context + 2] = 0;
    w[nb + NB_WORD.next] = 0;
    w[nb + NB_WORD.offset] = dataOffset;
    w[nb + NB_WORD.length] = dataLength;
    w[nb + NB_WORD.buffer] = this.layout.dataBase + index * this.layout.bufferBytes;
    w[nb + NB_WORD.bufferLength] = this.layout.bufferBytes;
  }

  /** Gives NBL `index` back to the pool; false if `owner` does not own it. */
  release(index: number, owner: number): boolean {
    if (!this.isIndex(index) || this.owners[index] !== owner) return false;
    this.owners[index] = 0;
    this.free[this.freeCount++] = index;
    return true;
  }

  isIndex(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.layout.nblCount;
  }

  /** Owner id of NBL `index` (0 = free), or -1 for an index outside the pool. */
  ownerOf(index: number): number {
    return this.isIndex(index) ? this.owners[index]! : -1;
  }

  /** Hands NBL `index` from `from` to `to`; false if `from` does not own it. */
  transfer(index: number, from: number, to: number): boolean {
    if (!this.isIndex(index) || this.owners[index] !== from) return false;
    this.owners[index] = to;
    return true;
  }

  /**
   * Walks the NBL chain starting at `head` as a driver left it and checks everything the core
   * will follow: indices in range, no loops, each NET_BUFFER's data inside its buffer and each
   * buffer inside the pool's data area. Returns a summary, or throws ChainError naming the
   * record and the field that is wrong.
   */
  checkChain(head: number): ChainSummary {
    if (++this.stamp === 0xffffffff) {
      this.nblStamp.fill(0);
      this.nbStamp.fill(0);
      this.stamp = 1;
    }
    const { nblCount } = this.layout;
    let nbls = 0;
    let netBuffers = 0;
    let bytes = 0;
    let nbl = head;
    for (;;) {
      if (!this.isIndex(nbl)) throw new ChainError(`NBL index ${nbl} is outside the pool (0..${nblCount - 1})`, 0);
      if (this.nblStamp[nbl] === this.stamp) throw new ChainError(`NBL ${nbl} appears twice in one chain (Next makes a loop)`, this.nblAddress(nbl));
      this.nblStamp[nbl] = this.stamp;
      nbls++;
      netBuffers += this.walkNetBuffers(nbl);
      bytes += this.walkedBytes;
      const next = this.nblField(nbl, NBL_NEXT);
      if (next === 0) return { nbls, netBuffers, bytes };
      nbl = next - 1;
    }
  }

  /**
   * Checks the NET_BUFFERs of one NBL (not its Next): as checkChain does for each NBL of a chain.
   * The miniport checks again before it hands the data to the device, since a driver can rewrite
   * an NBL's records while NDIS holds it. Throws ChainError; returns the number of NET_BUFFERs.
   */
  checkNetBuffers(nbl: number): number {
    if (!this.isIndex(nbl)) throw new ChainError(`NBL index ${nbl} is outside the pool (0..${this.layout.nblCount - 1})`, 0);
    if (++this.stamp === 0xffffffff) {
      this.nblStamp.fill(0);
      this.nbStamp.fill(0);
      this.stamp = 1;
    }
    return this.walkNetBuffers(nbl);
  }

  /** The bytes of the NET_BUFFERs walkNetBuffers last walked (a field: the walk allocates nothing). */
  private walkedBytes = 0;

  /** Walks and checks NBL `nbl`'s NET_BUFFERs under the current stamp; returns how many. */
  private walkNetBuffers(nbl: number): number {
    const { nbCount } = this.layout;
    let netBuffers = 0;
    let bytes = 0;
    let nbLink = this.nblField(nbl, NBL_FIRST_NB);
    if (nbLink === 0) throw new ChainError(`NBL ${nbl} has no NET_BUFFER (FirstNetBuffer is NULL)`, this.nblAddress(nbl) + NBL_FIRST_NB);
    while (nbLink !== 0) {
      const nb = nbLink - 1;
      if (nb >= nbCount) throw new ChainError(`NBL ${nbl}: NET_BUFFER index ${nb} is outside the pool (0..${nbCount - 1})`, this.nblAddress(nbl));
      if (this.nbStamp[nb] === this.stamp) throw new ChainError(`NET_BUFFER ${nb} appears twice (its Next makes a loop, or two NBLs share it)`, this.nbAddress(nb));
      this.nbStamp[nb] = this.stamp;
      const buffer = this.nbField(nb, NB_BUFFER);
      const bufferLength = this.nbField(nb, NB_BUFFER_LENGTH);
      const offset = this.nbField(nb, NB_DATA_OFFSET);
      const length = this.nbField(nb, NB_DATA_LENGTH);
      if (buffer < this.layout.dataBase || buffer + bufferLength > this.dataEnd || buffer + bufferLength < buffer) {
        throw new ChainError(`NET_BUFFER ${nb}: its buffer 0x${buffer.toString(16)} (+${bufferLength}) is not inside the pool's data`, this.nbAddress(nb) + NB_BUFFER);
      }
      if (offset + length > bufferLength || offset + length < offset) {
        throw new ChainError(`NET_BUFFER ${nb}: DataOffset ${offset} + DataLength ${length} runs past its ${bufferLength}-byte buffer`, this.nbAddress(nb) + NB_DATA_OFFSET);
      }
      netBuffers++;
      bytes += length;
      nbLink = this.nbField(nb, NB_NEXT);
    }
    this.walkedBytes = bytes;
    return netBuffers;
  }
}
