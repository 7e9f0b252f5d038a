// NDIS's side of memory and MDLs: NdisAllocateMemoryWithTagPriority and NdisFreeMemory (a buffer
// of the NBL pool for a driver, so a NIC can transmit from it), NdisAllocateMdl and NdisFreeMdl
// (an MDL over a view of memory the driver holds), and the two calls that move a NET_BUFFER's data
// start across its MDLs, NdisAdvanceNetBufferDataStart and NdisRetreatNetBufferDataStart, which
// free and allocate MDLs. What a driver passes is checked against the core's own tables (which
// slot is whose, which MDL describes what), never against what shared memory says.

import { NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES } from './status.ts';
import { NB_WORD, MDL_WORD } from '../memory/nbl-pool.ts';
import { bufferOf, rangeIn } from '../memory/protect.ts';
import { isNetBuffer } from './net-buffer-list.ts';
import { isMdl, type MDL } from './mdl.ts';
import { describe } from './describe.ts';
import type { NdisEngine } from './engine.ts';
import type { DriverRecord } from './driver-record.ts';

export class MdlAllocation {
  /** MDLs NDIS allocated in a retreat, with the memory slot each lies in (-1: none); NDIS frees them in an advance. */
  private readonly retreatSlot: Int32Array;
  /** MDLs a retreat got from the driver's AllocateMdlHandler: an advance hands them to FreeMdlHandler. */
  private readonly fromHandler: Uint8Array;

  constructor(private readonly runtime: NdisEngine) {
    this.retreatSlot = new Int32Array(runtime.pool.layout.mdlCount).fill(-1);
    this.fromHandler = new Uint8Array(runtime.pool.layout.mdlCount);
  }

  /**
   * NdisAllocateMemoryWithTagPriority: Length bytes (1 to one buffer) of the pool's memory for the
   * driver, zeroed, as a view whose `buffer` throws. null when Length does not fit one buffer or
   * the pool is exhausted.
   */
  allocateMemory(driver: DriverRecord, Length: unknown): Uint8Array | null {
    const pool = this.runtime.pool;
    if (typeof Length !== 'number' || !Number.isInteger(Length) || Length <= 0 || Length > pool.layout.bufferBytes) return null;
    const slot = pool.allocateMemory(driver.owner);
    if (slot < 0) return null;
    const at = pool.bufferAddress(slot);
    return pool.bytes.subarray(at, at + Length);
  }

  /** NdisFreeMemory: VirtualAddress is what NdisAllocateMemoryWithTagPriority returned. */
  freeMemory(driver: DriverRecord, VirtualAddress: unknown): void {
    const pool = this.runtime.pool;
    const range = rangeIn(bufferOf(pool.bytes), VirtualAddress);
    const slot = range ? pool.slotOfAddress(range.offset) : -1;
    if (!range || slot < 0 || range.offset !== pool.bufferAddress(slot) || !pool.freeMemory(slot, driver.owner)) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `NdisFreeMemory: VirtualAddress must be memory NdisAllocateMemoryWithTagPriority gave the driver and not yet freed (it is ${describe(VirtualAddress)})` });
    }
  }

  /**
   * NdisAllocateMdl: an MDL over the first Length bytes of VirtualAddress, a view of machine
   * memory the driver holds (its memory, or the data of an NBL it owns) or a subarray of one.
   * null when no MDL is left.
   */
  allocateMdl(driver: DriverRecord, VirtualAddress: unknown, Length: unknown): MDL | null {
    const pool = this.runtime.pool;
    const range = rangeIn(bufferOf(pool.bytes), VirtualAddress);
    const length = Length ?? range?.length;
    const problem = !range
      ? `VirtualAddress must be a view of the machine's memory NDIS gave the driver (memory from NdisAllocateMemoryWithTagPriority, a NET_BUFFER's Data, an MDL's view) or a subarray of one; it is ${describe(VirtualAddress)}`
      : typeof length !== 'number' || !Number.isInteger(length) || length <= 0 || length > range.length
        ? `Length ${describe(length)} must be 1 to the view's ${range.length} bytes`
        : pool.mdlGrantProblem(driver.owner, range.offset, length);
    if (problem) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `NdisAllocateMdl: ${problem}` });
      return null;
    }
    const m = pool.allocateMdl(driver.owner, range!.offset, length as number);
    return m < 0 ? null : this.runtime.views.mdl(m);
  }

  /** NdisFreeMdl: an MDL the driver allocated, once. */
  freeMdl(driver: DriverRecord, Mdl: unknown): void {
    if (!isMdl(Mdl) || !this.runtime.pool.freeMdl(Mdl.index, driver.owner)) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `NdisFreeMdl with an MDL the driver did not allocate with NdisAllocateMdl, or freed already (${describe(Mdl)})` });
      return;
    }
    this.fromHandler[Mdl.index] = 0;
  }

  /** Rewrites NET_BUFFER `nb`'s Buffer and BufferLength from its chain: its one MDL's, or 0 for a longer chain. */
  private redescribe(nb: number): void {
    const pool = this.runtime.pool;
    const w = pool.words;
    const at = pool.nbWord(nb);
    const first = w[at + NB_WORD.mdlChain]! - 1;
    const m = pool.mdlWord(first);
    const single = w[m + MDL_WORD.next] === 0;
    w[at + NB_WORD.buffer] = single ? w[m + MDL_WORD.address]! : 0;
    w[at + NB_WORD.bufferLength] = single ? w[m + MDL_WORD.byteCount]! : 0;
  }

  /** The NET_BUFFER a driver passed, its MDL chain checked; or undefined after a finding. */
  private netBuffer(driver: DriverRecord, call: string, NetBuffer: unknown): number | undefined {
    if (!isNetBuffer(NetBuffer)) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: NetBuffer is not a NET_BUFFER (${describe(NetBuffer)})` });
      return undefined;
    }
    try {
      this.runtime.pool.walkMdls(NetBuffer.index, true);
    } catch (error) {
      this.runtime.report('SharedMemoryCorrupted', { driver: driver.name, message: `${call}: ${(error as Error).message}` });
      return undefined;
    }
    return NetBuffer.index;
  }

  /**
   * NdisAdvanceNetBufferDataStart: DataOffset grows and DataLength shrinks by DataOffsetDelta.
   * With FreeMdl, the MDLs a retreat added that now lie wholly before the data are unlinked:
   * those NDIS allocated it frees, those the driver's AllocateMdlHandler gave go to FreeMdlHandler.
   */
  advance(driver: DriverRecord, NetBuffer: unknown, DataOffsetDelta: unknown, FreeMdl: unknown, FreeMdlHandler: unknown): void {
    const call = 'NdisAdvanceNetBufferDataStart';
    const nb = this.netBuffer(driver, call, NetBuffer);
    if (nb === undefined) return;
    const pool = this.runtime.pool;
    const w = pool.words;
    const at = pool.nbWord(nb);
    const length = w[at + NB_WORD.length]!;
    if (typeof DataOffsetDelta !== 'number' || !Number.isInteger(DataOffsetDelta) || DataOffsetDelta < 0 || DataOffsetDelta > length) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: DataOffsetDelta ${describe(DataOffsetDelta)} must be 0 to the NET_BUFFER's DataLength (${length})` });
      return;
    }
    w[at + NB_WORD.offset] = w[at + NB_WORD.offset]! + DataOffsetDelta;
    w[at + NB_WORD.length] = length - DataOffsetDelta;
    if (FreeMdl) {
      for (;;) {
        const first = w[at + NB_WORD.mdlChain]! - 1;
        const m = pool.mdlWord(first);
        const count = w[m + MDL_WORD.byteCount]!;
        const next = w[m + MDL_WORD.next]!;
        const added = this.retreatSlot[first]! >= 0 || this.fromHandler[first] === 1;
        if (!added || next === 0 || w[at + NB_WORD.offset]! < count) break;
        w[at + NB_WORD.mdlChain] = next;
        w[at + NB_WORD.offset] = w[at + NB_WORD.offset]! - count;
        w[m + MDL_WORD.next] = 0;
        if (this.fromHandler[first] === 1) {
          this.fromHandler[first] = 0;
          if (typeof FreeMdlHandler === 'function') this.runtime.invoke(driver, 'FreeMdlHandler', undefined, false, () => (FreeMdlHandler as (mdl: MDL) => void)(this.runtime.views.mdl(first)));
        } else {
          pool.freeMdl(first, driver.owner);
          pool.freeMemory(this.retreatSlot[first]!, driver.owner);
          this.retreatSlot[first] = -1;
        }
      }
    }
    this.redescribe(nb);
  }

  /**
   * NdisRetreatNetBufferDataStart: DataOffset shrinks and DataLength grows by DataOffsetDelta. When
   * the space before the data is too small, a new MDL goes in front of the chain, with the missing
   * bytes at its end and DataBackFill more before them: from AllocateMdlHandler(BufferSize) if the
   * driver gives one (an MDL of at least BufferSize bytes it allocated), else NDIS's own. Returns
   * NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES (nothing changed).
   */
  retreat(driver: DriverRecord, NetBuffer: unknown, DataOffsetDelta: unknown, DataBackFill: unknown, AllocateMdlHandler: unknown): number {
    const call = 'NdisRetreatNetBufferDataStart';
    const nb = this.netBuffer(driver, call, NetBuffer);
    if (nb === undefined) return NDIS_STATUS_RESOURCES;
    const pool = this.runtime.pool;
    const w = pool.words;
    const at = pool.nbWord(nb);
    const offset = w[at + NB_WORD.offset]!;
    const backFill = DataBackFill ?? 0;
    if (typeof DataOffsetDelta !== 'number' || !Number.isInteger(DataOffsetDelta) || DataOffsetDelta < 0 || typeof backFill !== 'number' || !Number.isInteger(backFill) || backFill < 0) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: DataOffsetDelta ${describe(DataOffsetDelta)} and DataBackFill ${describe(backFill)} must be whole numbers of bytes` });
      return NDIS_STATUS_RESOURCES;
    }
    if (DataOffsetDelta <= offset) {
      w[at + NB_WORD.offset] = offset - DataOffsetDelta;
      w[at + NB_WORD.length] = w[at + NB_WORD.length]! + DataOffsetDelta;
      return NDIS_STATUS_SUCCESS;
    }
    // The bytes before the data in the first MDL become data; the rest go in a new MDL in front.
    const missing = DataOffsetDelta - offset;
    const size = missing + backFill;
    let m: number;
    if (typeof AllocateMdlHandler === 'function') {
      let given: unknown = null;
      this.runtime.invoke(driver, 'AllocateMdlHandler', undefined, false, () => {
        given = (AllocateMdlHandler as (BufferSize: number) => unknown)(size);
      });
      if (given === null || given === undefined) return NDIS_STATUS_RESOURCES;
      if (!isMdl(given) || pool.mdlOwnerOf(given.index) !== driver.owner || given.ByteCount < missing || given.Next !== null) {
        this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: AllocateMdlHandler must return an unchained MDL the driver allocated with at least ${missing} bytes (it returned ${describe(given)})` });
        return NDIS_STATUS_RESOURCES;
      }
      m = given.index;
      this.fromHandler[m] = 1;
    } else {
      if (size > pool.layout.bufferBytes) return NDIS_STATUS_RESOURCES;
      const slot = pool.allocateMemory(driver.owner);
      if (slot < 0) return NDIS_STATUS_RESOURCES;
      m = pool.allocateMdl(driver.owner, pool.bufferAddress(slot), size);
      if (m < 0) {
        pool.freeMemory(slot, driver.owner);
        return NDIS_STATUS_RESOURCES;
      }
      this.retreatSlot[m] = slot;
    }
    const mdl = pool.mdlWord(m);
    w[mdl + MDL_WORD.next] = w[at + NB_WORD.mdlChain]!;
    w[at + NB_WORD.mdlChain] = m + 1;
    w[at + NB_WORD.offset] = w[mdl + MDL_WORD.byteCount]! - missing;
    w[at + NB_WORD.length] = w[at + NB_WORD.length]! + DataOffsetDelta;
    this.redescribe(nb);
    return NDIS_STATUS_SUCCESS;
  }
}

