// NET_BUFFER_LIST and NET_BUFFER as a driver sees them: objects with NDIS's field names, backed
// by the records in the shared NBL pool (no copies), plus the NDIS accessor macros as functions
// (NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_DATA_LENGTH...). A driver walks a chain with `Next` and
// reads a frame through `NdisGetDataBuffer` or a NET_BUFFER's `Data`, a view of the pool memory.

import {
  NblPool, NBL_NEXT, NBL_FIRST_NB, NBL_STATUS, NBL_FLAGS, NBL_SOURCE, NB_NEXT, NB_DATA_OFFSET,
  NB_DATA_LENGTH, NB_BUFFER, NB_BUFFER_LENGTH,
} from '../memory/nbl-pool.ts';

export class NET_BUFFER {
  constructor(private readonly views: NetBufferViews, readonly index: number) {}

  private get pool(): NblPool {
    return this.views.pool;
  }

  get Next(): NET_BUFFER | null {
    const link = this.pool.nbField(this.index, NB_NEXT);
    return link === 0 ? null : this.views.nb(link - 1);
  }

  set Next(next: NET_BUFFER | null) {
    this.pool.setNbField(this.index, NB_NEXT, next ? next.index + 1 : 0);
  }

  /** Bytes from the start of the buffer to the first byte of data. */
  get DataOffset(): number {
    return this.pool.nbField(this.index, NB_DATA_OFFSET);
  }

  set DataOffset(value: number) {
    this.pool.setNbField(this.index, NB_DATA_OFFSET, value >>> 0);
  }

  /** Bytes of data. */
  get DataLength(): number {
    return this.pool.nbField(this.index, NB_DATA_LENGTH);
  }

  set DataLength(value: number) {
    this.pool.setNbField(this.index, NB_DATA_LENGTH, value >>> 0);
  }

  /** Size of the buffer (the MDL) the data lies in. */
  get BufferLength(): number {
    return this.pool.nbField(this.index, NB_BUFFER_LENGTH);
  }

  /**
   * The data, as a view of the pool memory (zero-copy: writing it writes the frame). Throws a
   * RangeError if DataOffset and DataLength do not fit the buffer.
   */
  get Data(): Uint8Array {
    const buffer = this.pool.nbField(this.index, NB_BUFFER);
    const offset = this.DataOffset;
    const length = this.DataLength;
    if (offset + length > this.BufferLength) {
      throw new RangeError(`NET_BUFFER ${this.index}: DataOffset ${offset} + DataLength ${length} is past its ${this.BufferLength}-byte buffer`);
    }
    return this.pool.bytes.subarray(buffer + offset, buffer + offset + length);
  }
}

export class NET_BUFFER_LIST {
  constructor(private readonly views: NetBufferViews, readonly index: number) {}

  private get pool(): NblPool {
    return this.views.pool;
  }

  get Next(): NET_BUFFER_LIST | null {
    const link = this.pool.nblField(this.index, NBL_NEXT);
    return link === 0 ? null : this.views.nbl(link - 1);
  }

  set Next(next: NET_BUFFER_LIST | null) {
    this.pool.setNblField(this.index, NBL_NEXT, next ? next.index + 1 : 0);
  }

  get FirstNetBuffer(): NET_BUFFER | null {
    const link = this.pool.nblField(this.index, NBL_FIRST_NB);
    return link === 0 ? null : this.views.nb(link - 1);
  }

  set FirstNetBuffer(nb: NET_BUFFER | null) {
    this.pool.setNblField(this.index, NBL_FIRST_NB, nb ? nb.index + 1 : 0);
  }

  /** NDIS_STATUS of a send, set by whoever completes it. */
  get Status(): number {
    return this.pool.nblField(this.index, NBL_STATUS);
  }

  set Status(status: number) {
    this.pool.setNblField(this.index, NBL_STATUS, status >>> 0);
  }

  get Flags(): number {
    return this.pool.nblField(this.index, NBL_FLAGS);
  }

  set Flags(flags: number) {
    this.pool.setNblField(this.index, NBL_FLAGS, flags >>> 0);
  }

  /**
   * The handle of whoever originated the NBL (NDIS sets it on a send: a protocol's binding
   * handle, or a filter module's NdisFilterHandle), so `nbl.SourceHandle === myHandle` tells a
   * filter its own NBLs apart.
   */
  get SourceHandle(): unknown {
    const id = this.pool.nblField(this.index, NBL_SOURCE);
    return id === 0 ? null : (this.views.handleOf?.(id) ?? id);
  }

  set SourceHandle(handle: unknown) {
    const id = typeof handle === 'number' ? handle : ((handle as { id?: unknown } | null)?.id ?? 0);
    this.pool.setNblField(this.index, NBL_SOURCE, typeof id === 'number' ? id >>> 0 : 0);
  }
}

/** One wrapper object per record, made on first use, so `===` compares NBLs as a driver expects. */
export class NetBufferViews {
  /** Turns a handle id stored in a record back into the handle object the driver knows. */
  handleOf: ((id: number) => unknown) | undefined;
  private readonly nbls: (NET_BUFFER_LIST | undefined)[];
  private readonly nbs: (NET_BUFFER | undefined)[];

  constructor(readonly pool: NblPool) {
    this.nbls = new Array(pool.layout.nblCount);
    this.nbs = new Array(pool.layout.nbCount);
  }

  nbl(index: number): NET_BUFFER_LIST {
    if (!this.pool.isIndex(index)) throw new RangeError(`no NET_BUFFER_LIST ${index} in the pool`);
    return (this.nbls[index] ??= new NET_BUFFER_LIST(this, index));
  }

  nb(index: number): NET_BUFFER {
    if (!Number.isInteger(index) || index < 0 || index >= this.pool.layout.nbCount) throw new RangeError(`no NET_BUFFER ${index} in the pool`);
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
