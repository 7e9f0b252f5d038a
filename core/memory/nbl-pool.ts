// The NBL pool: NET_BUFFER_LIST and NET_BUFFER records and their data buffers, in the machine's
// shared memory (the memory map's `pool` region, inside the DMA window, so a NIC can transmit
// straight from a NET_BUFFER's data). Records hold indices, not pointers, so every thread reads
// the same values; an index is stored plus one so that 0 means NULL.
//
// Which NBL belongs to whom is the core's own bookkeeping (owner table, free lists), kept out of
// shared memory: drivers can write the records but never forge ownership. Everything read from a
// record is checked before use (see `checkChain`).
//
//   header        64 B: magic, counts, where the four arrays start
//   NBL records   nblCount x 160 B (with ProtocolReserved, MiniportReserved and a 64-byte context area)
//   NB records    nbCount x 112 B (with ProtocolReserved and MiniportReserved)
//   MDL records   mdlCount x 16 B: MDL i < nbCount is the built-in MDL over buffer i; the rest
//                 are the MDLs drivers allocate with NdisAllocateMdl
//   data buffers  nbCount x bufferBytes (one per slot: NET_BUFFER i's own buffer, or memory a
//                 driver allocated with NdisAllocateMemoryWithTagPriority)
//
// Slot i is NBL i, NET_BUFFER i and buffer i together; a slot is free, an NBL (allocate) or a
// driver's memory (allocateMemory). A NET_BUFFER describes its data by an MDL chain (MdlChain);
// while that chain is one MDL, the record also holds the MDL's address and length (Buffer,
// BufferLength), which is what the datapath reads: DataOffset counts from there. A chain of two
// or more MDLs has Buffer = BufferLength = 0, and only the MDL walk (walkMdls) finds its data.

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
const H_MDL_BASE = 28;
const H_MDL_COUNT = 32;

export const NBL_RECORD_BYTES = 160;
/** NET_BUFFER_LIST fields (byte offsets in the record; u32 each). */
export const NBL_NEXT = 0; // index + 1 of the next NBL in the chain, 0 = NULL
export const NBL_FIRST_NB = 4; // index + 1 of the first NET_BUFFER
export const NBL_STATUS = 8; // NDIS_STATUS of a completed send
export const NBL_FLAGS = 12; // NBL_FLAGS_*
export const NBL_SOURCE = 16; // SourceHandle: the handle of the driver that originated it
export const NBL_CONTEXT_OFFSET = 20; // where the current context starts in the context area (NBL_CONTEXT_BYTES = none)
export const NBL_NBL_FLAGS = 24; // NblFlags: NDIS_NBL_FLAGS_* (NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET)
export const NBL_PROTOCOL_RESERVED = 32; // ProtocolReserved[4] (4 pointers on x64)
export const NBL_PROTOCOL_RESERVED_BYTES = 32;
export const NBL_MINIPORT_RESERVED = 64; // MiniportReserved[2]
export const NBL_MINIPORT_RESERVED_BYTES = 16;
export const NBL_CONTEXT_AREA = 96; // the NET_BUFFER_LIST_CONTEXT's ContextData
/** Bytes of context an NBL can hold (NET_BUFFER_LIST_CONTEXT_DATA_SIZE at most). */
export const NBL_CONTEXT_BYTES = 64;

export const NB_RECORD_BYTES = 112;
/** NET_BUFFER fields. */
export const NB_NEXT = 0; // index + 1 of the next NET_BUFFER
export const NB_DATA_OFFSET = 4; // bytes from the buffer's start to the first byte of data
export const NB_DATA_LENGTH = 8; // bytes of data
export const NB_BUFFER = 12; // address of the buffer (the MDL's memory)
export const NB_BUFFER_LENGTH = 16; // bytes in the buffer
export const NB_MDL_CHAIN = 20; // index + 1 of the first MDL (NET_BUFFER_FIRST_MDL)
export const NB_PROTOCOL_RESERVED = 32; // ProtocolReserved[6]
export const NB_PROTOCOL_RESERVED_BYTES = 48;
export const NB_MINIPORT_RESERVED = 80; // MiniportReserved[4]
export const NB_MINIPORT_RESERVED_BYTES = 32;

export const MDL_RECORD_BYTES = 16;
/** MDL fields. */
export const MDL_NEXT = 0; // index + 1 of the next MDL (NDIS_MDL_LINKAGE), 0 = NULL
export const MDL_ADDRESS = 4; // address of its first byte (MappedSystemVa)
export const MDL_BYTE_COUNT = 8; // bytes it describes (ByteCount)
export const MDL_OWNER = 12; // owner id of the driver NDIS made it for (0: a built-in MDL, or free)

/** Slot kinds (the core's bookkeeping, never in shared memory). */
export const SLOT_FREE = 0;
export const SLOT_NBL = 1;
export const SLOT_MEMORY = 2;
export const SLOT_NET_BUFFER = 3; // a NET_BUFFER alone (NdisAllocateNetBuffer): the slot's NBL is unused

/**
 * The same fields as word indices from a record's first word (NblPool.nblWord / nbWord), for the
 * code that reads records on every hop of the datapath.
 */
export const NBL_WORD = { next: NBL_NEXT >> 2, firstNb: NBL_FIRST_NB >> 2, status: NBL_STATUS >> 2, flags: NBL_FLAGS >> 2, nblFlags: NBL_NBL_FLAGS >> 2, source: NBL_SOURCE >> 2, contextOffset: NBL_CONTEXT_OFFSET >> 2, protocolReserved: NBL_PROTOCOL_RESERVED >> 2 } as const;
export const NB_WORD = { next: NB_NEXT >> 2, offset: NB_DATA_OFFSET >> 2, length: NB_DATA_LENGTH >> 2, buffer: NB_BUFFER >> 2, bufferLength: NB_BUFFER_LENGTH >> 2, mdlChain: NB_MDL_CHAIN >> 2, protocolReserved: NB_PROTOCOL_RESERVED >> 2 } as const;
export const MDL_WORD = { next: MDL_NEXT >> 2, address: MDL_ADDRESS >> 2, byteCount: MDL_BYTE_COUNT >> 2, owner: MDL_OWNER >> 2 } as const;

export interface PoolLayout {
  nblCount: number;
  nbCount: number;
  bufferBytes: number;
  nblBase: number;
  nbBase: number;
  /** MDL records: nbCount built-in ones, then as many for drivers' NdisAllocateMdl. */
  mdlBase: number;
  mdlCount: number;
  dataBase: number;
}

/** How a region of `bytes` divides into NBLs, NET_BUFFERs and buffers of `bufferBytes` each. */
export function planPool(region: Region, bufferBytes = 2048): PoolLayout {
  const per = NBL_RECORD_BYTES + NB_RECORD_BYTES + 2 * MDL_RECORD_BYTES + bufferBytes;
  const count = Math.floor((region.bytes - HEADER_BYTES - 64) / per);
  if (count < 1) throw new RangeError(`the NBL pool region (${region.bytes} bytes) cannot hold one NBL with a ${bufferBytes}-byte buffer`);
  const nblBase = region.base + HEADER_BYTES;
  const nbBase = nblBase + count * NBL_RECORD_BYTES;
  const mdlBase = nbBase + count * NB_RECORD_BYTES;
  const mdlCount = 2 * count;
  const dataBase = Math.ceil((mdlBase + mdlCount * MDL_RECORD_BYTES) / 64) * 64;
  return { nblCount: count, nbCount: count, bufferBytes, nblBase, nbBase, mdlBase, mdlCount, dataBase };
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
  /** Owner id per slot (0 = free), and what the slot is (SLOT_*). */
  private readonly owners: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly free: Int32Array;
  private freeCount: number;
  /**
   * Per MDL a driver allocated: its owner (0 = free) and the slot whose buffer it was made over.
   * The core's alone, like `owners`: the worker's copy of the pool has none, which is why its
   * views check MDLs by the layout only (checkMdl with strict = false).
   */
  private readonly mdlOwners: Int32Array;
  private readonly mdlSlots: Int32Array;
  /**
   * Per slot, how many times it has been allocated; per MDL, the count its slot had when the MDL
   * was made. An MDL kept past a free of its memory (use after free) no longer matches once the
   * slot is someone else's.
   */
  private readonly generations: Uint32Array;
  private readonly mdlGenerations: Uint32Array;
  private readonly mdlFree: Int32Array;
  private mdlFreeCount: number;
  /** Visit stamps for cycle detection, one per record, so a walk allocates nothing. */
  private readonly nblStamp: Uint32Array;
  private readonly nbStamp: Uint32Array;
  private stamp = 0;
  /** First byte past the data buffers. */
  readonly dataEnd: number;
  /** Indices in `words` of the first NBL, NET_BUFFER and MDL records (kept: nblWord runs per record per hop). */
  private readonly firstNblWord: number;
  private readonly firstNbWord: number;
  private readonly firstMdlWord: number;

  constructor(buffer: ArrayBufferLike, region: Region, bufferBytes = 2048) {
    protectBuffer(buffer);
    this.layout = planPool(region, bufferBytes);
    this.words = new Uint32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    const { nblCount, nbCount, mdlCount } = this.layout;
    this.owners = new Int32Array(nblCount);
    this.kinds = new Uint8Array(nblCount);
    this.free = new Int32Array(nblCount);
    this.nblStamp = new Uint32Array(nblCount);
    this.nbStamp = new Uint32Array(nbCount);
    for (let i = 0; i < nblCount; i++) this.free[i] = nblCount - 1 - i;
    this.freeCount = nblCount;
    this.mdlOwners = new Int32Array(mdlCount);
    this.mdlSlots = new Int32Array(mdlCount).fill(-1);
    this.generations = new Uint32Array(nblCount);
    this.mdlGenerations = new Uint32Array(mdlCount);
    const driverMdls = mdlCount - nbCount;
    this.mdlFree = new Int32Array(driverMdls);
    for (let i = 0; i < driverMdls; i++) this.mdlFree[i] = mdlCount - 1 - i;
    this.mdlFreeCount = driverMdls;
    this.dataEnd = this.layout.dataBase + nbCount * bufferBytes;
    this.firstNblWord = this.layout.nblBase >> 2;
    this.firstNbWord = this.layout.nbBase >> 2;
    this.firstMdlWord = this.layout.mdlBase >> 2;
    const h = region.base >> 2;
    this.words[h + H_MAGIC / 4] = POOL_MAGIC;
    this.words[h + H_NBL_COUNT / 4] = nblCount;
    this.words[h + H_NB_COUNT / 4] = nbCount;
    this.words[h + H_BUFFER_BYTES / 4] = bufferBytes;
    this.words[h + H_NBL_BASE / 4] = this.layout.nblBase;
    this.words[h + H_NB_BASE / 4] = this.layout.nbBase;
    this.words[h + H_DATA_BASE / 4] = this.layout.dataBase;
    this.words[h + H_MDL_BASE / 4] = this.layout.mdlBase;
    this.words[h + H_MDL_COUNT / 4] = mdlCount;
    // The built-in MDLs never change: each describes its whole buffer (every thread writes the same values).
    for (let i = 0; i < nbCount; i++) {
      const m = this.mdlWord(i);
      this.words[m + MDL_WORD.next] = 0;
      this.words[m + MDL_WORD.address] = this.bufferAddress(i);
      this.words[m + MDL_WORD.byteCount] = bufferBytes;
      this.words[m + MDL_WORD.owner] = 0;
    }
  }

  nblAddress(index: number): number {
    return this.layout.nblBase + index * NBL_RECORD_BYTES;
  }

  nbAddress(index: number): number {
    return this.layout.nbBase + index * NB_RECORD_BYTES;
  }

  mdlAddress(index: number): number {
    return this.layout.mdlBase + index * MDL_RECORD_BYTES;
  }

  /** Index in `words` of NBL `index`'s first word (see NBL_WORD). */
  nblWord(index: number): number {
    return this.firstNblWord + index * (NBL_RECORD_BYTES >> 2);
  }

  /** Index in `words` of NET_BUFFER `index`'s first word (see NB_WORD). */
  nbWord(index: number): number {
    return this.firstNbWord + index * (NB_RECORD_BYTES >> 2);
  }

  /** Index in `words` of MDL `index`'s first word (see MDL_WORD). */
  mdlWord(index: number): number {
    return this.firstMdlWord + index * (MDL_RECORD_BYTES >> 2);
  }

  /** The data buffer that comes with NET_BUFFER `index`. */
  bufferAddress(index: number): number {
    return this.layout.dataBase + index * this.layout.bufferBytes;
  }

  /** The slot whose buffer holds byte `address`, or -1 outside the pool's data. */
  slotOfAddress(address: number): number {
    if (!Number.isInteger(address) || address < this.layout.dataBase || address >= this.dataEnd) return -1;
    return Math.floor((address - this.layout.dataBase) / this.layout.bufferBytes);
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

  mdlField(index: number, field: number): number {
    return this.words[(this.mdlAddress(index) + field) >> 2]!;
  }

  setMdlField(index: number, field: number, value: number): void {
    this.words[(this.mdlAddress(index) + field) >> 2] = value;
  }

  get available(): number {
    return this.freeCount;
  }

  /** MDLs left for NdisAllocateMdl. */
  get mdlsAvailable(): number {
    return this.mdlFreeCount;
  }

  /**
   * An NBL with one NET_BUFFER over its own buffer (DataOffset 0, DataLength `dataLength`),
   * owned by `owner`. Returns the NBL index, or -1 if the pool is exhausted.
   */
  allocate(owner: number, dataLength: number): number {
    if (!Number.isInteger(dataLength) || dataLength < 0 || dataLength > this.layout.bufferBytes) {
      throw new RangeError(`a NET_BUFFER here holds 0 to ${this.layout.bufferBytes} bytes; asked for ${dataLength}`);
    }
    const i = this.allocateSlot(owner, SLOT_NBL);
    if (i >= 0) this.resetRecords(i, 0, dataLength);
    return i;
  }

  /**
   * Slot `index`'s buffer as memory for `owner` (NdisAllocateMemoryWithTagPriority), zeroed: the
   * slot's last user may have been another driver. Returns the slot, or -1 if the pool is exhausted.
   */
  allocateMemory(owner: number): number {
    const i = this.allocateSlot(owner, SLOT_MEMORY);
    if (i >= 0) this.bytes.fill(0, this.bufferAddress(i), this.bufferAddress(i) + this.layout.bufferBytes);
    return i;
  }

  /** Gives memory slot `index` back; false if it is not memory `owner` holds. */
  freeMemory(index: number, owner: number): boolean {
    return this.releaseSlot(index, owner, SLOT_MEMORY);
  }

  /** Slot for `owner` as `kind` (SLOT_*), records untouched; -1 if the pool is exhausted. */
  allocateSlot(owner: number, kind: number): number {
    if (!Number.isInteger(owner) || owner <= 0) throw new RangeError(`owner ids are positive integers; got ${owner}`);
    if (this.freeCount === 0) return -1;
    const i = this.free[--this.freeCount]!;
    this.owners[i] = owner;
    this.kinds[i] = kind;
    this.generations[i] = (this.generations[i]! + 1) >>> 0;
    return i;
  }

  /**
   * Writes NBL `index` and NET_BUFFER `index` as freshly allocated: one NET_BUFFER over its own
   * buffer (its built-in MDL) with `dataOffset` and `dataLength`, nothing chained, status, flags,
   * source zero and no context. Word by word, since the live datapath does this for every frame,
   * and only the records' first words (their first cache line): the reserved areas are not
   * touched here. A driver's pool clears them when it hands a record out (clearReserved); a
   * received NBL's are what its last holder left, as in NDIS (write them before reading them).
   */
  resetRecords(index: number, dataOffset: number, dataLength: number): void {
    const w = this.words;
    const nbl = this.nblWord(index);
    const nb = this.nbWord(index);
    w[nbl + NBL_WORD.next] = 0;
    w[nbl + NBL_WORD.firstNb] = index + 1;
    w[nbl + NBL_WORD.status] = 0;
    w[nbl + NBL_WORD.flags] = 0;
    w[nbl + NBL_WORD.nblFlags] = 0;
    w[nbl + NBL_WORD.source] = 0;
    w[nbl + NBL_WORD.contextOffset] = NBL_CONTEXT_BYTES;
    w[nb + NB_WORD.next] = 0;
    w[nb + NB_WORD.offset] = dataOffset;
    w[nb + NB_WORD.length] = dataLength;
    w[nb + NB_WORD.buffer] = this.layout.dataBase + index * this.layout.bufferBytes;
    w[nb + NB_WORD.bufferLength] = this.layout.bufferBytes;
    w[nb + NB_WORD.mdlChain] = index + 1;
  }

  /**
   * Zeroes the ProtocolReserved and MiniportReserved areas of NBL `index` and NET_BUFFER `index`:
   * what a driver's pool does when it hands the records out, since their last user may have been
   * another driver.
   */
  clearReserved(index: number): void {
    const nbl = this.nblAddress(index);
    const nb = this.nbAddress(index);
    this.bytes.fill(0, nbl + NBL_PROTOCOL_RESERVED, nbl + NBL_MINIPORT_RESERVED + NBL_MINIPORT_RESERVED_BYTES);
    this.bytes.fill(0, nb + NB_PROTOCOL_RESERVED, nb + NB_MINIPORT_RESERVED + NB_MINIPORT_RESERVED_BYTES);
  }

  /** Gives NBL `index` back to the pool; false if `owner` does not own it. */
  release(index: number, owner: number): boolean {
    return this.releaseSlot(index, owner, SLOT_NBL);
  }

  /** Gives slot `index` back; false unless it is a `kind` slot `owner` holds. */
  releaseSlot(index: number, owner: number, kind: number): boolean {
    if (!this.isIndex(index) || this.owners[index] !== owner || this.kinds[index] !== kind) return false;
    this.owners[index] = 0;
    this.kinds[index] = SLOT_FREE;
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

  /** What slot `index` is (SLOT_*), or -1 outside the pool. */
  kindOf(index: number): number {
    return this.isIndex(index) ? this.kinds[index]! : -1;
  }

  /** Hands NBL `index` from `from` to `to`; false if `from` does not own it. */
  transfer(index: number, from: number, to: number): boolean {
    if (!this.isIndex(index) || this.owners[index] !== from) return false;
    this.owners[index] = to;
    return true;
  }

  // ---- MDLs ---------------------------------------------------------------------------------

  /**
   * Why `owner` may not describe `length` bytes at `address` with an MDL, or null if it may: the
   * bytes must lie in one buffer of the pool, a slot `owner` holds (its memory, or an NBL of its own).
   */
  mdlGrantProblem(owner: number, address: number, length: number): string | null {
    const slot = this.slotOfAddress(address);
    if (slot < 0) return `address 0x${address.toString(16)} is not in the pool's data`;
    if (!Number.isInteger(length) || length <= 0) return `Length ${length} is not a positive whole number of bytes`;
    const end = this.bufferAddress(slot) + this.layout.bufferBytes;
    if (address + length > end) return `${length} bytes from 0x${address.toString(16)} run past the end of the buffer they start in (0x${end.toString(16)})`;
    if (this.owners[slot] !== owner) return `the buffer at 0x${this.bufferAddress(slot).toString(16)} is not the driver's (it was not allocated for it, or it was freed)`;
    return null;
  }

  /** An MDL over `length` bytes at `address` for `owner` (check mdlGrantProblem first); -1 if none is left. */
  allocateMdl(owner: number, address: number, length: number): number {
    if (this.mdlFreeCount === 0) return -1;
    const m = this.mdlFree[--this.mdlFreeCount]!;
    this.mdlOwners[m] = owner;
    this.mdlSlots[m] = this.slotOfAddress(address);
    this.mdlGenerations[m] = this.generations[this.mdlSlots[m]!]!;
    const w = this.mdlWord(m);
    this.words[w + MDL_WORD.next] = 0;
    this.words[w + MDL_WORD.address] = address;
    this.words[w + MDL_WORD.byteCount] = length;
    // In the record too, for a driver's thread, which has no MDL table: MDL.Next links only MDLs of one owner.
    this.words[w + MDL_WORD.owner] = owner;
    return m;
  }

  /** Frees MDL `index`; false if it is not a driver MDL `owner` holds. */
  freeMdl(index: number, owner: number): boolean {
    if (!this.isDriverMdl(index) || this.mdlOwners[index] !== owner) return false;
    this.mdlOwners[index] = 0;
    this.mdlSlots[index] = -1;
    this.words[this.mdlWord(index) + MDL_WORD.owner] = 0;
    this.mdlFree[this.mdlFreeCount++] = index;
    return true;
  }

  isMdlIndex(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.layout.mdlCount;
  }

  isDriverMdl(index: number): boolean {
    return this.isMdlIndex(index) && index >= this.layout.nbCount;
  }

  /** Owner of driver MDL `index` (0 = free), -1 for a built-in MDL or an index outside the pool. */
  mdlOwnerOf(index: number): number {
    return this.isDriverMdl(index) ? this.mdlOwners[index]! : -1;
  }

  /**
   * Checks MDL `index` before anything follows it: its bytes lie in one buffer of the pool (a
   * built-in MDL: exactly its own buffer). `strict` (the core's own pool, which holds the MDL
   * table) adds that the MDL is allocated and still describes the buffer it was made over, and
   * that buffer has not been freed since (nor freed and allocated again). Throws ChainError.
   */
  checkMdl(index: number, strict: boolean): void {
    if (!this.isMdlIndex(index)) throw new ChainError(`MDL index ${index} is outside the pool (0..${this.layout.mdlCount - 1})`, 0);
    const w = this.mdlWord(index);
    const address = this.words[w + MDL_WORD.address]!;
    const byteCount = this.words[w + MDL_WORD.byteCount]!;
    if (index < this.layout.nbCount) {
      if (address !== this.bufferAddress(index) || byteCount !== this.layout.bufferBytes || this.words[w + MDL_WORD.next] !== 0) {
        throw new ChainError(`MDL ${index} (the built-in MDL of buffer ${index}) was rewritten`, this.mdlAddress(index));
      }
      return;
    }
    const slot = this.slotOfAddress(address);
    const end = slot < 0 ? 0 : this.bufferAddress(slot) + this.layout.bufferBytes;
    if (slot < 0 || byteCount === 0 || address + byteCount > end) {
      throw new ChainError(`MDL ${index}: its ${byteCount} bytes at 0x${address.toString(16)} are not inside one buffer of the pool`, this.mdlAddress(index) + MDL_ADDRESS);
    }
    if (!strict) return;
    if (this.mdlOwners[index] === 0) throw new ChainError(`MDL ${index} was freed (NdisFreeMdl) or never allocated`, this.mdlAddress(index));
    if (this.mdlSlots[index] !== slot) throw new ChainError(`MDL ${index} was rewritten: it now points into buffer ${slot}, not the buffer it was made over`, this.mdlAddress(index) + MDL_ADDRESS);
    if (this.owners[slot] === 0 || this.generations[slot] !== this.mdlGenerations[index]) throw new ChainError(`MDL ${index} describes memory that was freed${this.owners[slot] === 0 ? '' : ' and has been allocated again'}`, this.mdlAddress(index));
  }

  /**
   * Walks NET_BUFFER `nb`'s MDL chain, checking each MDL (checkMdl) and that the chain holds
   * DataOffset + DataLength bytes; a chain of one MDL must also agree with the NET_BUFFER's Buffer
   * and BufferLength. Bounded by the number of MDLs, so a loop in Next ends as an error. Returns
   * the number of MDLs. Throws ChainError.
   */
  walkMdls(nb: number, strict: boolean): number {
    const w = this.words;
    const at = this.nbWord(nb);
    let link = w[at + NB_WORD.mdlChain]!;
    if (link === 0) throw new ChainError(`NET_BUFFER ${nb} has no MDL (MdlChain is NULL)`, this.nbAddress(nb) + NB_MDL_CHAIN);
    let mdls = 0;
    let bytes = 0;
    let owner = 0;
    while (link !== 0) {
      if (++mdls > this.layout.mdlCount) throw new ChainError(`NET_BUFFER ${nb}: its MDL chain loops`, this.nbAddress(nb) + NB_MDL_CHAIN);
      if (strict && link - 1 >= this.layout.nbCount) {
        // One chain describes one driver's memory: an MDL of another's in it would show that driver's bytes.
        const of = this.mdlOwners[link - 1]!; // 0: freed, which checkMdl reports as such
        if (of !== 0 && owner !== 0 && of !== owner) throw new ChainError(`NET_BUFFER ${nb}: its MDL chain joins MDLs of two drivers (MDL ${link - 1} is another's)`, this.mdlAddress(link - 1));
        if (of !== 0) owner = of;
      }
      if (link - 1 < this.layout.nbCount && link - 1 !== nb) throw new ChainError(`NET_BUFFER ${nb}: its MDL chain leads into the built-in MDL of buffer ${link - 1}, another NET_BUFFER's`, this.nbAddress(nb) + NB_MDL_CHAIN);
      this.checkMdl(link - 1, strict);
      const m = this.mdlWord(link - 1);
      bytes += w[m + MDL_WORD.byteCount]!;
      link = w[m + MDL_WORD.next]!;
    }
    const offset = w[at + NB_WORD.offset]!;
    const length = w[at + NB_WORD.length]!;
    if (offset + length > bytes) throw new ChainError(`NET_BUFFER ${nb}: DataOffset ${offset} + DataLength ${length} runs past its MDL chain's ${bytes} bytes`, this.nbAddress(nb) + NB_DATA_OFFSET);
    const first = this.mdlWord(w[at + NB_WORD.mdlChain]! - 1);
    const single = mdls === 1;
    const buffer = w[at + NB_WORD.buffer]!;
    const bufferLength = w[at + NB_WORD.bufferLength]!;
    if (single ? buffer !== w[first + MDL_WORD.address] || bufferLength !== w[first + MDL_WORD.byteCount] : buffer !== 0 || bufferLength !== 0) {
      throw new ChainError(`NET_BUFFER ${nb}: its Buffer 0x${buffer.toString(16)} (+${bufferLength}) does not match its MDL chain`, this.nbAddress(nb) + NB_BUFFER);
    }
    return mdls;
  }

  /** The offset inside the MDL `locate` last returned (a field: locating allocates nothing). */
  located = 0;

  /**
   * The MDL of NET_BUFFER `nb`'s chain that holds byte `offset` (counted from the chain's start),
   * with the offset inside it in `located`; -1 (and `located` the bytes past the end) when the
   * chain is no longer than `offset`. Each MDL passed is checked as walkMdls checks it.
   */
  locate(nb: number, offset: number, strict: boolean): number {
    const w = this.words;
    let link = w[this.nbWord(nb) + NB_WORD.mdlChain]!;
    let steps = 0;
    while (link !== 0) {
      const m = link - 1;
      if (++steps > this.layout.mdlCount) throw new ChainError(`NET_BUFFER ${nb}: its MDL chain loops`, this.nbAddress(nb) + NB_MDL_CHAIN);
      if (m < this.layout.nbCount && m !== nb) throw new ChainError(`NET_BUFFER ${nb}: its MDL chain leads into the built-in MDL of buffer ${m}, another NET_BUFFER's`, this.nbAddress(nb) + NB_MDL_CHAIN);
      this.checkMdl(m, strict);
      const at = this.mdlWord(m);
      const count = w[at + MDL_WORD.byteCount]!;
      if (offset < count) {
        this.located = offset;
        return m;
      }
      offset -= count;
      link = w[at + MDL_WORD.next]!;
    }
    this.located = offset;
    return -1;
  }

  /**
   * Walks the NBL chain starting at `head` as a driver left it and checks everything the core
   * will follow: indices in range, no loops, each NET_BUFFER's data inside its MDLs and each MDL
   * inside one of the pool's buffers. Returns a summary, or throws ChainError naming the
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
  /** The MDLs of the NET_BUFFERs walkNetBuffers last walked: the transmit descriptors they need. */
  walkedMdls = 0;

  /** Walks and checks NBL `nbl`'s NET_BUFFERs under the current stamp; returns how many. */
  private walkNetBuffers(nbl: number): number {
    const { nbCount } = this.layout;
    let netBuffers = 0;
    let bytes = 0;
    let mdls = 0;
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
      if (buffer !== 0 || bufferLength !== 0) {
        if (buffer < this.layout.dataBase || buffer + bufferLength > this.dataEnd || buffer + bufferLength < buffer) {
          throw new ChainError(`NET_BUFFER ${nb}: its buffer 0x${buffer.toString(16)} (+${bufferLength}) is not inside the pool's data`, this.nbAddress(nb) + NB_BUFFER);
        }
        if (offset + length > bufferLength || offset + length < offset) {
          throw new ChainError(`NET_BUFFER ${nb}: DataOffset ${offset} + DataLength ${length} runs past its ${bufferLength}-byte buffer`, this.nbAddress(nb) + NB_DATA_OFFSET);
        }
      }
      // The core's own pool checks MDLs against its table; a worker's copy has none.
      mdls += this.walkMdls(nb, this.mdlTableLive);
      netBuffers++;
      bytes += length;
      nbLink = this.nbField(nb, NB_NEXT);
    }
    this.walkedBytes = bytes;
    this.walkedMdls = mdls;
    return netBuffers;
  }

  /**
   * Whether this pool object holds the MDL table: true for the core's pool. A driver's or the
   * live miniport's thread builds its own NblPool over the same memory, with an empty table, and
   * sets this false: there MDLs are checked by the layout alone.
   */
  mdlTableLive = true;
}
