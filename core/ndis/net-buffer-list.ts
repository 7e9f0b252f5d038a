// NET_BUFFER_LIST and NET_BUFFER as a driver sees them: objects with NDIS's field names, backed
// by the records in the shared NBL pool (no copies), plus the NDIS accessor macros as functions
// (NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_DATA_LENGTH...). A driver walks a chain with `Next` and
// reads a frame through `NdisGetDataBuffer` or a NET_BUFFER's `Data`, a view of the pool memory.
// A NET_BUFFER's data is described by its MDL chain (core/ndis/mdl.ts): DataOffset bytes into
// the chain, DataLength bytes long, possibly across MDLs.

import {
  NblPool, NBL_WORD, NB_WORD, MDL_WORD, NBL_CONTEXT_AREA, NBL_CONTEXT_BYTES, NBL_PROTOCOL_RESERVED, NBL_PROTOCOL_RESERVED_BYTES,
  NBL_MINIPORT_RESERVED, NBL_MINIPORT_RESERVED_BYTES, NB_PROTOCOL_RESERVED, NB_PROTOCOL_RESERVED_BYTES, NB_MINIPORT_RESERVED, NB_MINIPORT_RESERVED_BYTES,
} from '../memory/nbl-pool.ts';
import { MDL } from './mdl.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES } from './status.ts';

// Both classes read and write their record's words directly (no per-access method chain), and a
// NET_BUFFER keeps the view it last gave out as `Data`, so a driver that reads its frames through
// `Data` allocates nothing per frame while the record's buffer, offset and length stay the same.
// Their fields are #private: the words are the whole pool (every record, the data of every frame)
// and lead to the pool itself, none of which a driver may reach; a driver gets at a record only
// through the NDIS field names below, and at the data only through `Data` (whose buffer is not
// given out: core/memory/protect.ts).

// Set by the classes' static blocks (below), which can read their #private fields.
/** A view of `length` bytes at `address` kept on the NET_BUFFER while the same bytes are asked for (NdisGetDataBuffer per frame allocates nothing). */
let peekNetBuffer: (nb: NET_BUFFER, address: number, length: number) => Uint8Array;
let poolOfNetBuffer: (nb: NET_BUFFER) => NblPool;
/** Whether `value` is a NET_BUFFER NDIS made (by its brand). */
export let isNetBuffer: (value: unknown) => value is NET_BUFFER;

// And for NET_BUFFER_LIST: the context's start in the context area (checked before
// use: the word is in shared memory), setting it, and the current context as a view.
let contextOffsetOf: (nbl: NET_BUFFER_LIST) => number;
let setContextOffset: (nbl: NET_BUFFER_LIST, offset: number) => void;
let contextView: (nbl: NET_BUFFER_LIST) => Uint8Array;
/** Whether `value` is a NET_BUFFER_LIST NDIS made (by its brand). */
export let isNetBufferList: (value: unknown) => value is NET_BUFFER_LIST;

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

  /** Size of the buffer (the MDL) the data lies in while the chain is one MDL; 0 for a longer chain. */
  get BufferLength(): number {
    return this.#words[this.#at + NB_WORD.bufferLength]!;
  }

  /** The first MDL of the data's chain (NET_BUFFER_FIRST_MDL). */
  get MdlChain(): MDL | null {
    const link = this.#words[this.#at + NB_WORD.mdlChain]!;
    return link === 0 ? null : this.#views.mdl(link - 1);
  }

  /**
   * The MDL the data starts in (NET_BUFFER_CURRENT_MDL). NDIS stores CurrentMdl and
   * CurrentMdlOffset and keeps them in step with DataOffset; here both are found from MdlChain and
   * DataOffset, so a driver that writes DataOffset cannot make them disagree.
   */
  get CurrentMdl(): MDL | null {
    const pool = this.#views.pool;
    const m = pool.locate(this.#index, this.#words[this.#at + NB_WORD.offset]!, pool.mdlTableLive);
    return m < 0 ? null : this.#views.mdl(m);
  }

  /** Where in CurrentMdl the data starts (NET_BUFFER_CURRENT_MDL_OFFSET). */
  get CurrentMdlOffset(): number {
    const pool = this.#views.pool;
    pool.locate(this.#index, this.#words[this.#at + NB_WORD.offset]!, pool.mdlTableLive);
    return pool.located;
  }

  /**
   * The data, as a view of the pool memory (zero-copy: writing it writes the frame), when it lies
   * in one MDL. Throws a RangeError if DataOffset and DataLength do not fit the buffer, or if the
   * data spans MDLs (read it with NdisGetDataBuffer, which copies it into your Storage then).
   */
  get Data(): Uint8Array {
    const words = this.#words;
    const buffer = words[this.#at + NB_WORD.buffer]!;
    const offset = words[this.#at + NB_WORD.offset]!;
    const length = words[this.#at + NB_WORD.length]!;
    if (buffer === 0) return this.#chainData(offset, length);
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

  /** ProtocolReserved[6]: bytes the protocol driver that holds the NET_BUFFER may use (a view of its record). */
  get ProtocolReserved(): Uint8Array {
    return (this.#protocolReserved ??= this.#views.pool.bytes.subarray(this.#views.pool.nbAddress(this.#index) + NB_PROTOCOL_RESERVED, this.#views.pool.nbAddress(this.#index) + NB_PROTOCOL_RESERVED + NB_PROTOCOL_RESERVED_BYTES));
  }

  /** MiniportReserved[4]: the miniport's (NDIS's own miniport here); a filter or protocol must not use it. */
  get MiniportReserved(): Uint8Array {
    return (this.#miniportReserved ??= this.#views.pool.bytes.subarray(this.#views.pool.nbAddress(this.#index) + NB_MINIPORT_RESERVED, this.#views.pool.nbAddress(this.#index) + NB_MINIPORT_RESERVED + NB_MINIPORT_RESERVED_BYTES));
  }

  #protocolReserved: Uint8Array | null = null;
  #miniportReserved: Uint8Array | null = null;

  /** Data for a chain of several MDLs: a view when the bytes lie in one of them. */
  #chainData(offset: number, length: number): Uint8Array {
    const pool = this.#views.pool;
    const m = pool.locate(this.#index, offset, pool.mdlTableLive);
    const inMdl = pool.located;
    const at = pool.mdlWord(m < 0 ? 0 : m);
    if (m < 0 ? length > 0 : inMdl + length > pool.words[at + MDL_WORD.byteCount]!) {
      throw new RangeError(`NET_BUFFER ${this.#index}: its ${length} bytes of data span more than one MDL, so there is no one view of them; read them with NdisGetDataBuffer(NetBuffer, BytesNeeded, Storage, 1, 0), which copies them into Storage`);
    }
    const address = m < 0 ? 0 : pool.words[at + MDL_WORD.address]! + inMdl;
    // Kept under the address the walk found (the chain can change under the same DataOffset), in
    // #dataOffset with #dataBuffer 0, which no NET_BUFFER over one MDL has.
    if (this.#data !== null && this.#dataBuffer === 0 && this.#dataOffset === address && this.#dataLength === length) return this.#data;
    this.#data = pool.bytes.subarray(address, address + length);
    this.#dataBuffer = 0;
    this.#dataOffset = address;
    this.#dataLength = length;
    return this.#data;
  }

  /** The view NdisGetDataBuffer last returned for contiguous bytes, and what it was made for. */
  #peek: Uint8Array | null = null;
  #peekAddress = 0;
  #peekLength = 0;

  // What the functions below need of a NET_BUFFER, handed to them here and not put on the class:
  // a static method would be reachable from a driver's `nb.constructor` (and the pool leads to
  // all of the machine's memory).
  static {
    peekNetBuffer = (nb, address, length) => {
      if (nb.#peek !== null && nb.#peekAddress === address && nb.#peekLength === length) return nb.#peek;
      nb.#peek = nb.#views.pool.bytes.subarray(address, address + length);
      nb.#peekAddress = address;
      nb.#peekLength = length;
      return nb.#peek;
    };
    poolOfNetBuffer = (nb) => nb.#views.pool;
    isNetBuffer = (value): value is NET_BUFFER => typeof value === 'object' && value !== null && #index in value;
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

  /** NDIS_NBL_FLAGS_*: NDIS sets NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET on a receive it looped back from a send. */
  get NblFlags(): number {
    return this.#words[this.#at + NBL_WORD.nblFlags]!;
  }

  set NblFlags(flags: number) {
    this.#words[this.#at + NBL_WORD.nblFlags] = flags >>> 0;
  }

  /**
   * The handle of whoever originated the NBL, set by the sender before it sends (a protocol's
   * binding handle, or a filter module's NdisFilterHandle; the send path checks it), so
   * `nbl.SourceHandle === myHandle` tells a filter its own NBLs apart.
   */
  get SourceHandle(): unknown {
    const id = this.#words[this.#at + NBL_WORD.source]!;
    return id === 0 ? null : (this.#views.handleOf?.(id) ?? id);
  }

  set SourceHandle(handle: unknown) {
    const id = typeof handle === 'number' ? handle : ((handle as { id?: unknown } | null)?.id ?? 0);
    this.#words[this.#at + NBL_WORD.source] = typeof id === 'number' ? id >>> 0 : 0;
  }

  /** ProtocolReserved[4]: bytes the protocol driver that allocated (or holds) the NBL may use for per-packet state. */
  get ProtocolReserved(): Uint8Array {
    const at = this.#views.pool.nblAddress(this.#index) + NBL_PROTOCOL_RESERVED;
    return (this.#protocolReserved ??= this.#views.pool.bytes.subarray(at, at + NBL_PROTOCOL_RESERVED_BYTES));
  }

  /** MiniportReserved[2]: the miniport's (NDIS's own miniport here); a filter or protocol must not use it. */
  get MiniportReserved(): Uint8Array {
    const at = this.#views.pool.nblAddress(this.#index) + NBL_MINIPORT_RESERVED;
    return (this.#miniportReserved ??= this.#views.pool.bytes.subarray(at, at + NBL_MINIPORT_RESERVED_BYTES));
  }

  #protocolReserved: Uint8Array | null = null;
  #miniportReserved: Uint8Array | null = null;
  /** One view per context offset (multiples of CONTEXT_ALIGNMENT up to NBL_CONTEXT_BYTES), made on first use. */
  readonly #contextViews: (Uint8Array | undefined)[] = [];

  static {
    contextOffsetOf = (nbl) => {
      const offset = nbl.#words[nbl.#at + NBL_WORD.contextOffset]!;
      if (offset > NBL_CONTEXT_BYTES || offset % CONTEXT_ALIGNMENT !== 0) throw new RangeError(`NET_BUFFER_LIST ${nbl.#index}: its context offset ${offset} was rewritten (it is a multiple of ${CONTEXT_ALIGNMENT} from 0 to ${NBL_CONTEXT_BYTES})`);
      return offset;
    };
    setContextOffset = (nbl, offset) => {
      nbl.#words[nbl.#at + NBL_WORD.contextOffset] = offset;
    };
    contextView = (nbl) => {
      const offset = contextOffsetOf(nbl);
      const slot = offset / CONTEXT_ALIGNMENT;
      let view = nbl.#contextViews[slot];
      if (view === undefined) {
        const area = nbl.#views.pool.nblAddress(nbl.#index) + NBL_CONTEXT_AREA;
        view = nbl.#views.pool.bytes.subarray(area + offset, area + NBL_CONTEXT_BYTES);
        nbl.#contextViews[slot] = view;
      }
      return view;
    };
    isNetBufferList = (value): value is NET_BUFFER_LIST => typeof value === 'object' && value !== null && #index in value;
  }
}


/** sizeof(void*) on x64: NdisAllocateNetBufferListContext's sizes are multiples of it. */
export const CONTEXT_ALIGNMENT = 8;

/** One wrapper object per record, made on first use, so `===` compares NBLs as a driver expects. */
export class NetBufferViews {
  /** Turns a handle id stored in a record back into the handle object the driver knows. */
  handleOf: ((id: number) => unknown) | undefined;
  private readonly nbls: (NET_BUFFER_LIST | undefined)[];
  private readonly nbs: (NET_BUFFER | undefined)[];
  private readonly mdls: (MDL | undefined)[];
  private readonly nblCount: number;
  private readonly nbCount: number;
  private readonly mdlCount: number;

  constructor(readonly pool: NblPool) {
    this.nblCount = pool.layout.nblCount;
    this.nbCount = pool.layout.nbCount;
    this.mdlCount = pool.layout.mdlCount;
    this.nbls = new Array(this.nblCount);
    this.nbs = new Array(this.nbCount);
    this.mdls = new Array(this.mdlCount);
  }

  mdl(index: number): MDL {
    if (index >>> 0 !== index || index >= this.mdlCount) throw new RangeError(`no MDL ${index} in the pool`);
    return (this.mdls[index] ??= new MDL(this, index));
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
 * NdisGetDataBuffer: the first `BytesNeeded` bytes of the NET_BUFFER's data. A view of the pool
 * memory (no copy) when they lie in one MDL and their address is AlignOffset past a multiple of
 * AlignMultiple; otherwise they are copied into `Storage` (at least BytesNeeded bytes the caller
 * gives) and Storage is returned, or null without Storage. null too when the NET_BUFFER holds
 * fewer bytes than asked for.
 */
export function NdisGetDataBuffer(NetBuffer: NET_BUFFER, BytesNeeded: number, Storage?: Uint8Array | null, AlignMultiple = 1, AlignOffset = 0): Uint8Array | null {
  if (!isNetBuffer(NetBuffer)) throw new TypeError('NdisGetDataBuffer: NetBuffer is not a NET_BUFFER');
  if (!Number.isInteger(BytesNeeded) || BytesNeeded < 0) throw new RangeError(`NdisGetDataBuffer: BytesNeeded ${String(BytesNeeded)} is not a whole number of bytes`);
  if (BytesNeeded > NetBuffer.DataLength) return null;
  const pool = poolOfNetBuffer(NetBuffer);
  const m = pool.locate(NetBuffer.index, NetBuffer.DataOffset, pool.mdlTableLive);
  if (m >= 0 || BytesNeeded === 0) {
    const at = pool.mdlWord(m < 0 ? 0 : m);
    const address = m < 0 ? 0 : pool.words[at + MDL_WORD.address]! + pool.located;
    const fits = m < 0 || pool.located + BytesNeeded <= pool.words[at + MDL_WORD.byteCount]!;
    const aligned = AlignMultiple <= 1 || (address - AlignOffset) % AlignMultiple === 0;
    if (fits && aligned) return peekNetBuffer(NetBuffer, address, BytesNeeded);
  }
  if (Storage === null || Storage === undefined) return null;
  if (!(Storage instanceof Uint8Array) || Storage.length < BytesNeeded) throw new RangeError(`NdisGetDataBuffer: Storage must be a Uint8Array of at least BytesNeeded (${BytesNeeded}) bytes`);
  copyOut(pool, NetBuffer.index, NetBuffer.DataOffset, BytesNeeded, Storage);
  return Storage;
}

/** Copies `length` bytes of NET_BUFFER `nb`'s chain, from `offset`, into `into`, MDL by MDL. */
function copyOut(pool: NblPool, nb: number, offset: number, length: number, into: Uint8Array): void {
  let done = 0;
  while (done < length) {
    const m = pool.locate(nb, offset + done, pool.mdlTableLive);
    if (m < 0) throw new RangeError(`NET_BUFFER ${nb}: its MDL chain ends before its data does`);
    const at = pool.mdlWord(m);
    const n = Math.min(length - done, pool.words[at + MDL_WORD.byteCount]! - pool.located);
    const from = pool.words[at + MDL_WORD.address]! + pool.located;
    into.set(pool.bytes.subarray(from, from + n), done);
    done += n;
  }
}

/**
 * NdisCopyFromNetBufferToNetBuffer: copies up to BytesToCopy bytes of Source's data, from
 * SourceOffset, into Destination's data at DestinationOffset, across the MDLs of both; as many
 * as both hold. C's out parameter BytesCopied comes back with the Status, NDIS_STATUS_SUCCESS
 * (BytesCopied is less than BytesToCopy when the source runs out of data or the destination of
 * space; NDIS_STATUS_RESOURCES, NDIS's other answer, needs an allocation this copy never makes).
 */
export function NdisCopyFromNetBufferToNetBuffer(Destination: NET_BUFFER, DestinationOffset: number, BytesToCopy: number, Source: NET_BUFFER, SourceOffset: number): { Status: number; BytesCopied: number } {
  if (!isNetBuffer(Destination) || !isNetBuffer(Source)) throw new TypeError('NdisCopyFromNetBufferToNetBuffer: Destination and Source must be NET_BUFFERs');
  for (const [name, value] of [['DestinationOffset', DestinationOffset], ['BytesToCopy', BytesToCopy], ['SourceOffset', SourceOffset]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`NdisCopyFromNetBufferToNetBuffer: ${name} ${String(value)} is not a whole number of bytes`);
  }
  const pool = poolOfNetBuffer(Destination);
  const total = Math.max(0, Math.min(BytesToCopy, Source.DataLength - SourceOffset, Destination.DataLength - DestinationOffset));
  const bytes = pool.bytes;
  let done = 0;
  while (done < total) {
    const s = pool.locate(Source.index, Source.DataOffset + SourceOffset + done, pool.mdlTableLive);
    const sIn = pool.located;
    const d = pool.locate(Destination.index, Destination.DataOffset + DestinationOffset + done, pool.mdlTableLive);
    const dIn = pool.located;
    if (s < 0 || d < 0) break;
    const sa = pool.mdlWord(s);
    const da = pool.mdlWord(d);
    const n = Math.min(total - done, pool.words[sa + MDL_WORD.byteCount]! - sIn, pool.words[da + MDL_WORD.byteCount]! - dIn);
    const from = pool.words[sa + MDL_WORD.address]! + sIn;
    bytes.copyWithin(pool.words[da + MDL_WORD.address]! + dIn, from, from + n);
    done += n;
  }
  return { Status: NDIS_STATUS_SUCCESS, BytesCopied: done };
}

// ---- The NBL context area -----------------------------------------------------------------------
// Each NBL has NBL_CONTEXT_BYTES of context, used from the end down as NET_BUFFER_LIST_CONTEXT's
// Offset says; a layer allocates its context in front of the one below it, and frees it before it
// gives the NBL back. NDIS allocates a bigger context block when the space runs out; this NBL's
// area is fixed, so that is NDIS_STATUS_RESOURCES here. The documentation does not promise new
// context is zeroed (a C driver sets what it uses); here it always is, because its bytes were
// another layer's, or another driver's the last time the record was used, and one layer must not
// read another's per-packet state.

/**
 * NdisAllocateNetBufferListContext: ContextSize more bytes of context in front of the current
 * one (a multiple of sizeof(void*), 8). NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when the area is full.
 */
export function NdisAllocateNetBufferListContext(NetBufferList: NET_BUFFER_LIST, ContextSize: number, _ContextBackFill = 0, _PoolTag = 0): number {
  if (!isNetBufferList(NetBufferList)) throw new TypeError('NdisAllocateNetBufferListContext: NetBufferList is not a NET_BUFFER_LIST');
  if (!Number.isInteger(ContextSize) || ContextSize <= 0 || ContextSize % CONTEXT_ALIGNMENT !== 0) throw new RangeError(`NdisAllocateNetBufferListContext: ContextSize ${String(ContextSize)} must be a positive multiple of sizeof(void*) (${CONTEXT_ALIGNMENT})`);
  const offset = contextOffsetOf(NetBufferList);
  if (ContextSize > offset) return NDIS_STATUS_RESOURCES;
  setContextOffset(NetBufferList, offset - ContextSize);
  contextView(NetBufferList).fill(0, 0, ContextSize);
  return NDIS_STATUS_SUCCESS;
}

/** NdisFreeNetBufferListContext: gives back the ContextSize bytes the caller allocated last (throws if more than is allocated). */
export function NdisFreeNetBufferListContext(NetBufferList: NET_BUFFER_LIST, ContextSize: number): void {
  if (!isNetBufferList(NetBufferList)) throw new TypeError('NdisFreeNetBufferListContext: NetBufferList is not a NET_BUFFER_LIST');
  const offset = contextOffsetOf(NetBufferList);
  if (!Number.isInteger(ContextSize) || ContextSize <= 0 || ContextSize % CONTEXT_ALIGNMENT !== 0 || offset + ContextSize > NBL_CONTEXT_BYTES) {
    throw new RangeError(`NdisFreeNetBufferListContext: ContextSize ${String(ContextSize)} is not context this NBL holds (${NBL_CONTEXT_BYTES - offset} bytes are allocated)`);
  }
  setContextOffset(NetBufferList, offset + ContextSize);
}

/** NET_BUFFER_LIST_CONTEXT_DATA_START: the current context, a view of the NBL's record (it reaches nothing else). */
export function NET_BUFFER_LIST_CONTEXT_DATA_START(NetBufferList: NET_BUFFER_LIST): Uint8Array {
  if (!isNetBufferList(NetBufferList)) throw new TypeError('NET_BUFFER_LIST_CONTEXT_DATA_START: not a NET_BUFFER_LIST');
  return contextView(NetBufferList);
}

/** NET_BUFFER_LIST_CONTEXT_DATA_SIZE: bytes of context allocated. */
export function NET_BUFFER_LIST_CONTEXT_DATA_SIZE(NetBufferList: NET_BUFFER_LIST): number {
  if (!isNetBufferList(NetBufferList)) throw new TypeError('NET_BUFFER_LIST_CONTEXT_DATA_SIZE: not a NET_BUFFER_LIST');
  return NBL_CONTEXT_BYTES - contextOffsetOf(NetBufferList);
}

export const NET_BUFFER_FIRST_MDL = (nb: NET_BUFFER): MDL | null => nb.MdlChain;
export const NET_BUFFER_CURRENT_MDL = (nb: NET_BUFFER): MDL | null => nb.CurrentMdl;
export const NET_BUFFER_CURRENT_MDL_OFFSET = (nb: NET_BUFFER): number => nb.CurrentMdlOffset;
