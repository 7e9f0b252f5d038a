// NET_BUFFER_LIST and NET_BUFFER as a driver sees them: objects with NDIS's field names, backed
// by the records in the shared NBL pool (no copies), plus the NDIS accessor macros as functions
// (NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_DATA_LENGTH...). A driver walks a chain with `Next` and
// reads a frame through `NdisGetDataBuffer` or a NET_BUFFER's `Data`, a view of the pool memory.

import { NblPool, NBL_WORD, NB_WORD } from '../memory/nbl-pool.ts';

// Both classes read and write their record's words directly (no per-access method chain), and a
// NET_BUFFER keeps the view it last gave out as `Data`, so a driver that reads its frames through
// `Data` allocates nothing per frame while the record's buffer, offset and length stay the same.
// Their fields are #private: the words are the whole pool (every record, the data of every frame)
// and lead to the pool itself, none of which a driver may reach; a driver gets at a record only
// through the NDIS field names below, and at the data only through `Data` (whose buffer is not
// given out: core/memory/protect.ts).

export class NET_BUFFER {
  /** The pool's memory as words, and this record's first word in it. */
  readonly #words: Uint32Array;
  readonly #at: number;
  readonly #views: NetBufferViews;
  readonly #index: number;
  /** The last `Data` view, and the buffer address, offset and length it was made for. */
  #data: Uint8Array | null = null;
  #dataBuffer = 0;
  #dataOffset = 0;
  #dataLength = 0;

  constructor(views: NetBufferViews, index: number) {
    this.#views = views;
    this.#index = index;
    this.#words = views.pool.words;
    this.#at = views.pool.nbWord(index);
  }

  /** The record's index in the pool (what crosses to another thread). */
  get index(): number {
    return this.#index;
  }

  get Next(): NET_BUFFER | null {
    const link = this.#words[this.#at + NB_WORD.next]!;
    return link === 0 ? null : this.#views.nb(link - 1);
  }

  set Next(next: NET_BUFFER | null) {
    this.#words[this.#at + NB_WORD.next] = next ? next.index + 1 : 0;
  }

  /** Bytes from the start of the buffer to the first byte of data. */
  get DataOffset(): number {
    return this.#words[this.#at + NB_WORD.offset]!;
  }

  set DataOffset(value: number) {
    this.#words[this.#at + NB_WORD.offset] = value >>> 0;
  }

  /** Bytes of data. */
  get DataLength(): number {
    return this.#words[this.#at + NB_WORD.length]!;
  }

  set DataLength(value: number) {
    this.#words[this.#at + NB_WORD.length] = value >>> 0;
  }

  /** Size of the buffer (the MDL) the data lies in. */
  get BufferLength(): number {
    return this.#words[this.#at + NB_WORD.bufferLength]!;
  }

  /**
   * The data, as a view of the pool memory (zero-copy: writing it writes the frame). Throws a
   * RangeError if DataOffset and DataLength do not fit the buffer.
   */
  get Data(): Uint8Array {
    const words = this.#words;
    const buffer = words[this.#at + NB_WORD.buffer]!;
    const offset = words[this.#at + NB_WORD.offset]!;
    const length = words[this.#at + NB_WORD.length]!;
    if (this.#data !== null && buffer === this.#dataBuffer && offset === this.#dataOffset && length === this.#dataLength) return this.#data;
    const bufferLength = words[this.#at + NB_WORD.bufferLength]!;
    if (offset + length > bufferLength) {
      throw new RangeError(`NET_BUFFER ${this.#index}: DataOffset ${offset} + DataLength ${length} is past its ${bufferLength}-byte buffer`);
    }
    const pool = this.#views.pool;
    if (buffer < pool.layout.dataBase || buffer + offset + length > pool.dataEnd) {
      throw new RangeError(`NET_BUFFER ${this.#index}: its buffer 0x${buffer.toString(16)} (+${offset + length}) is not inside the pool's data`);
    }
    this.#data = pool.bytes.subarray(buffer + offset, buffer + offset + length);
    this.#dataBuffer = buffer;
    this.#dataOffset = offset;
    this.#dataLength = length;
    return this.#data;
  }
}

export class NET_BUFFER_LIST {
  readonly #words: Uint32Array;
  readonly #at: number;
  readonly #views: NetBufferViews;
  readonly #index: number;

  constructor(views: NetBufferViews, index: number) {
    this.#views = views;
    this.#index = index;
    this.#words = views.pool.words;
    this.#at = views.pool.nblWord(index);
  }

  /** The record's index in the pool (what crosses to another thread). */
  get index(): number {
    return this.#index;
  }

  get Next(): NET_BUFFER_LIST | null {
    const link = this.#words[this.#at + NBL_WORD.next]!;
    return link === 0 ? null : this.#views.nbl(link - 1);
  }

  set Next(next: NET_BUFFER_LIST | null) {
    this.#words[this.#at + NBL_WORD.next] = next ? next.index + 1 : 0;
  }

  get FirstNetBuffer(): NET_BUFFER | null {
    const link = this.#words[this.#at + NBL_WORD.firstNb]!;
    return link === 0 ? null : this.#views.nb(link - 1);
  }

  set FirstNetBuffer(nb: NET_BUFFER | null) {
    this.#words[this.#at + NBL_WORD.firstNb] = nb ? nb.index + 1 : 0;
  }

  /** NDIS_STATUS of a send, set by whoever completes it. */
  get Status(): number {
    return this.#words[this.#at + NBL_WORD.status]!;
  }

  set Status(status: number) {
    this.#words[this.#at + NBL_WORD.status] = status >>> 0;
  }

  get Flags(): number {
    return this.#words[this.#at + NBL_WORD.flags]!;
  }

  set Flags(flags: number) {
    this.#words[this.#at + NBL_WORD.flags] = flags >>> 0;
  }

  /**
   * The handle of whoever originated the NBL (NDIS sets it on a send: a protocol's binding
   * handle, or a filter module's NdisFilterHandle), so `nbl.SourceHandle === myHandle` tells a
   * filter its own NBLs apart.
   */
  get SourceHandle(): unknown {
    const id = this.#words[this.#at + NBL_WORD.source]!;
    return id === 0 ? null : (this.#views.handleOf?.(id) ?? id);
  }

  set SourceHandle(handle: unknown) {
    const id = typeof handle === 'number' ? handle : ((handle as { id?: unknown } | null)?.id ?? 0);
    this.#words[this.#at + NBL_WORD.source] = typeof id === 'number' ? id >>> 0 : 0;
  }
}

/** One wrapper object per record, made on first use, so `===` compares NBLs as a driver expects. */
export class NetBufferViews {
  /** Turns a handle id stored in a record back into the handle object the driver knows. */
  handleOf: ((id: number) => unknown) | undefined;
  private readonly nbls: (NET_BUFFER_LIST | undefined)[];
  private readonly nbs: (NET_BUFFER | undefined)[];
  private readonly nblCount: number;
  private readonly nbCount: number;

  constructor(readonly pool: NblPool) {
    this.nblCount = pool.layout.nblCount;
    this.nbCount = pool.layout.nbCount;
    this.nbls = new Array(this.nblCount);
    this.nbs = new Array(this.nbCount);
  }

  nbl(index: number): NET_BUFFER_LIST {
    // `>>> 0 === index` is true only for integers 0..2^32-1; the count bounds the rest.
    if (index >>> 0 !== index || index >= this.nblCount) throw new RangeError(`no NET_BUFFER_LIST ${index} in the pool`);
    return (this.nbls[index] ??= new NET_BUFFER_LIST(this, index));
  }

  nb(index: number): NET_BUFFER {
    if (index >>> 0 !== index || index >= this.nbCount) throw new RangeError(`no NET_BUFFER ${index} in the pool`);
    return (this.nbs[index] ??= new NET_BUFFER(this, index));
  }
}

// ---- The NDIS accessor macros, as functions ------------------------------------------------------

export const NET_BUFFER_LIST_NEXT_NBL = (nbl: NET_BUFFER_LIST): NET_BUFFER_LIST | null => nbl.Next;
export const NET_BUFFER_LIST_FIRST_NB = (nbl: NET_BUFFER_LIST): NET_BUFFER | null => nbl.FirstNetBuffer;
export const NET_BUFFER_LIST_STATUS = (nbl: NET_BUFFER_LIST): number => nbl.Status;
export const NET_BUFFER_NEXT_NB = (nb: NET_BUFFER): NET_BUFFER | null => nb.Next;
export const NET_BUFFER_DATA_LENGTH = (nb: NET_BUFFER): number => nb.DataLength;
export const NET_BUFFER_DATA_OFFSET = (nb: NET_BUFFER): number => nb.DataOffset;

/**
 * NdisGetDataBuffer: the first `BytesNeeded` bytes of the NET_BUFFER's data. Here the data is
 * always contiguous, so this is a view of the pool memory (no copy) and `Storage` is not needed;
 * null when the NET_BUFFER holds fewer bytes than asked for.
 */
export function NdisGetDataBuffer(NetBuffer: NET_BUFFER, BytesNeeded: number): Uint8Array | null {
  const data = NetBuffer.Data;
  return BytesNeeded > data.length ? null : data.subarray(0, BytesNeeded);
}
