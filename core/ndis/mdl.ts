// MDLs as a driver sees them: an MDL is a bounded view of one buffer of the machine's memory (the
// NBL pool's data), which NDIS describes for a driver with NdisAllocateMdl and which NET_BUFFERs
// chain to describe their data. Here the "virtual address" an MDL is made over is a Uint8Array
// that NDIS gave the driver (memory from NdisAllocateMemoryWithTagPriority, a NET_BUFFER's Data,
// what MmGetSystemAddressForMdlSafe returned) or a subarray of one: a view of machine memory the
// driver holds, never its own ArrayBuffer (NDIS could not hand that to the NIC).
//
// The record lives in the pool (MDL_* in core/memory/nbl-pool.ts) so a driver in a worker sees
// it; the object keeps the pool's words #private, as NET_BUFFER does. An MDL is recognised by its
// #private brand, not by its fields: an object a driver builds or copies is not an MDL. Its
// address and length have no setter, and are checked (NblPool.checkMdl) every time a view is made,
// so a record rewritten in memory never yields a view past the one buffer it lies in.
//
// The functions here touch no NDIS state (they read records and make views), so they run where
// the driver runs (core/ndis/local-api.ts); allocating and freeing MDLs are NDIS's (api.ts).

import { MDL_WORD } from '../memory/nbl-pool.ts';
import type { NblPool } from '../memory/nbl-pool.ts';

/** What an MDL needs of the views over the pool (net-buffer-list.ts's MdlViews). */
export interface MdlViews {
  readonly pool: NblPool;
  mdl(index: number): MDL;
}

/** The mapped view of an MDL (module-private: the class hands it out only through the functions below). */
let mappedView: (mdl: MDL) => Uint8Array;
let isMdlObject: (value: unknown) => value is MDL;

export class MDL {
  readonly #views: MdlViews;
  readonly #index: number;
  readonly #words: Uint32Array;
  readonly #at: number;
  /** The last mapped view, and the address and length it was made for. */
  #view: Uint8Array | null = null;
  #viewAddress = 0;
  #viewLength = 0;

  static {
    mappedView = (mdl) => mdl.#mapped();
    isMdlObject = (value): value is MDL => typeof value === 'object' && value !== null && #index in value;
  }

  constructor(views: MdlViews, index: number) {
    this.#views = views;
    this.#index = index;
    this.#words = views.pool.words;
    this.#at = views.pool.mdlWord(index);
  }

  /** The record's index in the pool (what crosses to another thread). */
  get index(): number {
    return this.#index;
  }

  /**
   * The next MDL of the chain (NDIS_MDL_LINKAGE). Only a driver's own MDLs link onward: the MDL
   * that comes with a NET_BUFFER's own buffer is NDIS's, and no chain may lead into one.
   */
  get Next(): MDL | null {
    const link = this.#words[this.#at + MDL_WORD.next]!;
    return link === 0 ? null : this.#views.mdl(link - 1);
  }

  set Next(next: MDL | null) {
    if (next !== null && !isMdlObject(next)) throw new TypeError('MDL.Next (NDIS_MDL_LINKAGE) must be an MDL from NdisAllocateMdl, or null');
    const pool = this.#views.pool;
    if (!pool.isDriverMdl(this.#index)) throw new TypeError(`MDL ${this.#index} describes a NET_BUFFER's own buffer and belongs to NDIS: its Next cannot be set`);
    if (next !== null && !pool.isDriverMdl(next.#index)) throw new TypeError(`MDL ${next.#index} describes a NET_BUFFER's own buffer and belongs to NDIS: no MDL can link to it`);
    // The owner words are NDIS's (no setter): a driver links only MDLs made for one driver, so an
    // MDL it was shown (another driver's, in an NBL passing through) cannot pull its own into view.
    if (next !== null && this.#words[this.#at + MDL_WORD.owner] !== next.#words[next.#at + MDL_WORD.owner]) {
      throw new TypeError(`MDL ${next.#index} was made for another driver: an MDL links only to MDLs of the same driver`);
    }
    this.#words[this.#at + MDL_WORD.next] = next === null ? 0 : next.#index + 1;
  }

  /** Bytes the MDL describes (MmGetMdlByteCount). */
  get ByteCount(): number {
    return this.#words[this.#at + MDL_WORD.byteCount]!;
  }

  /** The MDL's bytes as a view of machine memory, checked before it is made (throws ChainError). */
  #mapped(): Uint8Array {
    const address = this.#words[this.#at + MDL_WORD.address]!;
    const length = this.#words[this.#at + MDL_WORD.byteCount]!;
    if (this.#view !== null && address === this.#viewAddress && length === this.#viewLength) return this.#view;
    const pool = this.#views.pool;
    pool.checkMdl(this.#index, pool.mdlTableLive);
    this.#view = pool.bytes.subarray(address, address + length);
    this.#viewAddress = address;
    this.#viewLength = length;
    return this.#view;
  }
}

/** Whether `value` is an MDL NDIS made (by its brand: a copy or a forgery is not). */
export function isMdl(value: unknown): value is MDL {
  return isMdlObject(value);
}

/** The MDL's mapped view (engine code and the local functions; drivers use MmGetSystemAddressForMdlSafe). */
export function mdlView(mdl: MDL): Uint8Array {
  return mappedView(mdl);
}

function requireMdl(call: string, Mdl: unknown): MDL {
  if (!isMdlObject(Mdl)) throw new TypeError(`${call}: not an MDL (pass an MDL from NdisAllocateMdl or a NET_BUFFER's MdlChain; a copy of one is not an MDL)`);
  return Mdl;
}

// ---- The NDIS MDL functions and macros, as functions ---------------------------------------------

/** MmGetSystemAddressForMdlSafe: the MDL's bytes, a view of machine memory (its `buffer` throws). */
export function MmGetSystemAddressForMdlSafe(Mdl: MDL, _Priority?: number): Uint8Array {
  return mappedView(requireMdl('MmGetSystemAddressForMdlSafe', Mdl));
}

/** NdisQueryMdl: the MDL's view and length (C's two out parameters, returned). */
export function NdisQueryMdl(Mdl: MDL, _Priority?: number): { VirtualAddress: Uint8Array; Length: number } {
  const view = mappedView(requireMdl('NdisQueryMdl', Mdl));
  return { VirtualAddress: view, Length: view.length };
}

/** NdisQueryMdlOffset: the offset of the MDL's first byte in its page, and its length. */
export function NdisQueryMdlOffset(Mdl: MDL): { Offset: number; Length: number } {
  const view = mappedView(requireMdl('NdisQueryMdlOffset', Mdl));
  return { Offset: view.byteOffset & 0xfff, Length: view.length };
}

/** NdisGetNextMdl: the MDL after CurrentMdl in its chain (C's out parameter, returned). */
export function NdisGetNextMdl(CurrentMdl: MDL): { NextMdl: MDL | null } {
  return { NextMdl: requireMdl('NdisGetNextMdl', CurrentMdl).Next };
}

/** NDIS_MDL_LINKAGE: the MDL's Next (to link, assign `Mdl.Next = NextMdl`). */
export function NDIS_MDL_LINKAGE(Mdl: MDL): MDL | null {
  return requireMdl('NDIS_MDL_LINKAGE', Mdl).Next;
}

/** MmGetMdlByteCount: the bytes the MDL describes. */
export function MmGetMdlByteCount(Mdl: MDL): number {
  return requireMdl('MmGetMdlByteCount', Mdl).ByteCount;
}
