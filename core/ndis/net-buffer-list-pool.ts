// NBL and NET_BUFFER pools as NDIS keeps them: NdisAllocateNetBufferListPool checks its
// NET_BUFFER_LIST_POOL_PARAMETERS as NDIS does and returns NULL for bad ones; the pool counts what
// it has handed out, so freeing it with NBLs outstanding is a finding (NblPoolFreedWithNblsOutstanding);
// and NBLs and NET_BUFFERs come from it with NdisAllocateNetBufferList, NdisAllocateNetBuffer and
// NdisAllocateNetBufferAndNetBufferList, over an MDL chain or the NET_BUFFER's own buffer.
//
// Every pool draws on the machine's one NBL pool (core/memory/nbl-pool.ts): a driver's pool is
// the bookkeeping (parameters, count, which slot came from it), kept here on the core's side.

import {
  NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
  NET_BUFFER_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_MAX, MEMORY_ALLOCATION_ALIGNMENT,
} from './constants.ts';
import { NBL_CONTEXT_BYTES, NBL_WORD, NB_WORD, MDL_WORD, SLOT_NBL, SLOT_NET_BUFFER, NBL_CONTEXT_AREA } from '../memory/nbl-pool.ts';
import { isNetBufferList, type NET_BUFFER_LIST, type NET_BUFFER } from './net-buffer-list.ts';
import { isMdl } from './mdl.ts';
import { describe } from './describe.ts';
import type { NdisEngine } from './engine.ts';
import type { DriverRecord } from './driver-record.ts';
import type { NdisHandle } from './handle.ts';

export interface PoolRecord {
  driver: DriverRecord;
  kind: 'nblPool' | 'nbPool';
  fAllocateNetBuffer: boolean;
  ContextSize: number;
  DataSize: number;
  PoolTag: number;
  /** NBLs (or NET_BUFFERs) from this pool not yet freed. */
  outstanding: number;
  freed: boolean;
  label: string;
}

/** Why NET_BUFFER_LIST_POOL_PARAMETERS are refused (NDIS returns a NULL pool), or null if they are good. */
export function nblPoolParametersProblem(p: unknown, bufferBytes: number): string | null {
  if (typeof p !== 'object' || p === null) return 'Parameters must be a NET_BUFFER_LIST_POOL_PARAMETERS';
  const params = p as Record<string, unknown>;
  const header = headerProblem(params['Header'], NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, 'NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1', 'NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1');
  if (header) return header;
  const { ProtocolId, fAllocateNetBuffer, ContextSize, PoolTag, DataSize } = params;
  if (!isU32(ProtocolId) || ProtocolId > NDIS_PROTOCOL_ID_MAX) return `ProtocolId ${describe(ProtocolId)} is not an NDIS_PROTOCOL_ID_* value (0 to NDIS_PROTOCOL_ID_MAX, 0x0f)`;
  if (typeof fAllocateNetBuffer !== 'boolean') return `fAllocateNetBuffer must be true or false; it is ${describe(fAllocateNetBuffer)}`;
  if (!isU32(ContextSize) || ContextSize % MEMORY_ALLOCATION_ALIGNMENT !== 0) return `ContextSize ${describe(ContextSize)} must be a multiple of MEMORY_ALLOCATION_ALIGNMENT (16)`;
  if (ContextSize > NBL_CONTEXT_BYTES) return `ContextSize ${ContextSize} is more than an NBL's context area holds here (${NBL_CONTEXT_BYTES} bytes)`;
  if (!isU32(PoolTag)) return `PoolTag ${describe(PoolTag)} is not a ULONG`;
  if (!isU32(DataSize)) return `DataSize ${describe(DataSize)} is not a ULONG`;
  if (!fAllocateNetBuffer && DataSize !== 0) return 'DataSize must be 0 when fAllocateNetBuffer is FALSE';
  if (DataSize > bufferBytes) return `DataSize ${DataSize} is more than a buffer holds here (${bufferBytes} bytes)`;
  return null;
}

/** Why NET_BUFFER_POOL_PARAMETERS are refused, or null. */
export function nbPoolParametersProblem(p: unknown, bufferBytes: number): string | null {
  if (typeof p !== 'object' || p === null) return 'Parameters must be a NET_BUFFER_POOL_PARAMETERS';
  const params = p as Record<string, unknown>;
  const header = headerProblem(params['Header'], NET_BUFFER_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, 'NET_BUFFER_POOL_PARAMETERS_REVISION_1', 'NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1');
  if (header) return header;
  if (!isU32(params['PoolTag'])) return `PoolTag ${describe(params['PoolTag'])} is not a ULONG`;
  if (!isU32(params['DataSize']) || (params['DataSize'] as number) > bufferBytes) return `DataSize ${describe(params['DataSize'])} must be a ULONG of at most ${bufferBytes}`;
  return null;
}

function headerProblem(header: unknown, revision: number, size: number, revisionName: string, sizeName: string): string | null {
  const h = header as { Type?: unknown; Revision?: unknown; Size?: unknown } | null | undefined;
  if (typeof h !== 'object' || h === null) return `Header is missing: set Header to { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: ${revisionName}, Size: ${sizeName} }`;
  if (h.Type !== NDIS_OBJECT_TYPE_DEFAULT) return `Header.Type is ${describe(h.Type)}; it must be NDIS_OBJECT_TYPE_DEFAULT (0x80)`;
  if (typeof h.Revision !== 'number' || h.Revision < revision) return `Header.Revision is ${describe(h.Revision)}; it must be ${revisionName} (${revision})`;
  if (typeof h.Size !== 'number' || h.Size < size) return `Header.Size is ${describe(h.Size)}; it must be at least ${sizeName} (${size})`;
  return null;
}

function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** The pools of one runtime: what each driver's pool handle stands for, and which pool each slot came from. */
export class NetBufferListPools {
  /** The pool each slot was allocated from (NBL or NET_BUFFER slots), or undefined. */
  private readonly poolOfSlot: (PoolRecord | undefined)[];

  constructor(private readonly runtime: NdisEngine) {
    this.poolOfSlot = new Array(runtime.pool.layout.nblCount);
  }

  /** NdisAllocateNetBufferListPool / NdisAllocateNetBufferPool: a handle, or null for refused parameters. */
  allocatePool(driver: DriverRecord, kind: 'nblPool' | 'nbPool', NdisHandle: unknown, Parameters: unknown): NdisHandle | null {
    const call = kind === 'nblPool' ? 'NdisAllocateNetBufferListPool' : 'NdisAllocateNetBufferPool';
    if (NdisHandle !== null && NdisHandle !== undefined && !this.ownsHandle(driver, NdisHandle)) {
      this.runtime.report('InvalidHandle', { driver: driver.name, message: `${call}: NdisHandle must be one of the driver's own handles (its NdisProtocolHandle, NdisFilterDriverHandle, an NdisBindingHandle or an NdisFilterHandle); it is ${describe(NdisHandle)}` });
      return null;
    }
    const bufferBytes = this.runtime.pool.layout.bufferBytes;
    const problem = kind === 'nblPool' ? nblPoolParametersProblem(Parameters, bufferBytes) : nbPoolParametersProblem(Parameters, bufferBytes);
    if (problem) {
      this.runtime.trace.record('ndis-refused', { driver: driver.name, call, reason: problem });
      return null;
    }
    const p = Parameters as Record<string, unknown>;
    const record: PoolRecord = {
      driver, kind, fAllocateNetBuffer: kind === 'nbPool' || p['fAllocateNetBuffer'] === true, ContextSize: (p['ContextSize'] as number | undefined) ?? 0,
      DataSize: p['DataSize'] as number, PoolTag: p['PoolTag'] as number, outstanding: 0, freed: false, label: driver.name,
    };
    return this.runtime.newHandle(kind, driver.name, record);
  }

  /** NdisFreeNetBufferListPool / NdisFreeNetBufferPool. */
  freePool(driver: DriverRecord, kind: 'nblPool' | 'nbPool', PoolHandle: unknown): void {
    const call = kind === 'nblPool' ? 'NdisFreeNetBufferListPool' : 'NdisFreeNetBufferPool';
    const pool = this.poolFor(driver, kind, PoolHandle, call);
    if (!pool) return;
    if (pool.outstanding > 0) {
      const what = kind === 'nblPool' ? 'NBL(s)' : 'NET_BUFFER(s)';
      const rule = kind === 'nblPool' ? 'NblPoolFreedWithNblsOutstanding' : 'NetBufferPoolFreedWithNetBuffersOutstanding';
      this.runtime.report(rule, { driver: driver.name, message: `${call} with ${pool.outstanding} ${what} from the pool not yet freed (free each with ${kind === 'nblPool' ? 'NdisFreeNetBufferList' : 'NdisFreeNetBuffer'} first, after its send completes)` });
    }
    pool.freed = true;
  }

  /** The live pool of `kind` behind `handle` that belongs to `driver`, or undefined after an InvalidHandle finding. */
  private poolFor(driver: DriverRecord, kind: 'nblPool' | 'nbPool', handle: unknown, call: string): PoolRecord | undefined {
    const pool = this.runtime.resolve<PoolRecord>(handle, kind);
    const what = kind === 'nblPool' ? 'an NBL pool from NdisAllocateNetBufferListPool' : 'a NET_BUFFER pool from NdisAllocateNetBufferPool';
    if (!pool || pool.driver !== driver) {
      this.runtime.report('InvalidHandle', { driver: driver.name, message: `${call}: PoolHandle must be ${what} of this driver; it is ${describe(handle)}` });
      return undefined;
    }
    if (pool.freed) {
      this.runtime.report('InvalidHandle', { driver: driver.name, message: `${call}: the pool was already freed` });
      return undefined;
    }
    return pool;
  }

  private ownsHandle(driver: DriverRecord, handle: unknown): boolean {
    const kind = (handle as NdisHandle | undefined)?.kind ?? '';
    if (!['protocol', 'filterDriver', 'binding', 'filterModule'].includes(kind)) return false;
    const owner = this.runtime.resolve<{ driver?: DriverRecord; protocol?: DriverRecord }>(handle, kind);
    return owner === driver || owner?.driver === driver || owner?.protocol === driver;
  }

  /** Sets the new NBL's context: ContextSize used bytes at the end of its area, zeroed, with ContextBackFill free in front. */
  private context(driver: DriverRecord, call: string, nbl: number, ContextSize: unknown, ContextBackFill: unknown): boolean {
    const size = ContextSize ?? 0;
    const backFill = ContextBackFill ?? 0;
    if (!isU32(size) || !isU32(backFill) || size % MEMORY_ALLOCATION_ALIGNMENT !== 0 || size + backFill > NBL_CONTEXT_BYTES) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: ContextSize ${describe(size)} (a multiple of MEMORY_ALLOCATION_ALIGNMENT, 16) and ContextBackFill ${describe(backFill)} must fit an NBL's ${NBL_CONTEXT_BYTES}-byte context area here` });
      return false;
    }
    const pool = this.runtime.pool;
    pool.words[pool.nblWord(nbl) + NBL_WORD.contextOffset] = NBL_CONTEXT_BYTES - size;
    const area = pool.nblAddress(nbl) + NBL_CONTEXT_AREA;
    pool.bytes.fill(0, area, area + NBL_CONTEXT_BYTES);
    return true;
  }

  /**
   * Checks an MdlChain a driver passes: MDLs it allocated, each checked against NDIS's table, and
   * their bytes. Returns the chain's first MDL index and its byte count, or undefined after a finding.
   */
  private chain(driver: DriverRecord, call: string, MdlChain: unknown): { first: number; bytes: number; single: boolean } | undefined {
    const pool = this.runtime.pool;
    let bytes = 0;
    let count = 0;
    for (let mdl: unknown = MdlChain; mdl !== null; ) {
      if (!isMdl(mdl) || pool.mdlOwnerOf(mdl.index) !== driver.owner || ++count > pool.layout.mdlCount) {
        this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: MdlChain must be a chain of MDLs the driver allocated with NdisAllocateMdl (it holds ${describe(mdl)})` });
        return undefined;
      }
      try {
        pool.checkMdl(mdl.index, true);
      } catch (error) {
        this.runtime.report('SharedMemoryCorrupted', { driver: driver.name, message: `${call}: ${(error as Error).message}` });
        return undefined;
      }
      bytes += mdl.ByteCount;
      mdl = mdl.Next;
    }
    return { first: (MdlChain as { index: number }).index, bytes, single: count === 1 };
  }

  /** Points NET_BUFFER `nb` at a driver's MDL chain (Buffer and BufferLength only for a chain of one). */
  private describeWith(nb: number, chain: { first: number; single: boolean }, offset: number, length: number): void {
    const pool = this.runtime.pool;
    const w = pool.words;
    const at = pool.nbWord(nb);
    const mdl = pool.mdlWord(chain.first);
    w[at + NB_WORD.next] = 0;
    w[at + NB_WORD.offset] = offset;
    w[at + NB_WORD.length] = length;
    w[at + NB_WORD.mdlChain] = chain.first + 1;
    w[at + NB_WORD.buffer] = chain.single ? w[mdl + MDL_WORD.address]! : 0;
    w[at + NB_WORD.bufferLength] = chain.single ? w[mdl + MDL_WORD.byteCount]! : 0;
  }

  /** DataOffset and DataLength as a driver passed them: whole numbers whose sum fits `bytes`. */
  private dataProblem(DataOffset: unknown, DataLength: unknown, bytes: number): string | null {
    if (!isU32(DataOffset) || !isU32(DataLength)) return `DataOffset ${describe(DataOffset)} and DataLength ${describe(DataLength)} must be whole numbers of bytes`;
    if (DataOffset + DataLength > bytes) return `DataOffset ${DataOffset} + DataLength ${DataLength} is more than the ${bytes} bytes the data lies in`;
    return null;
  }

  /**
   * NdisAllocateNetBufferAndNetBufferList: an NBL from the pool with one NET_BUFFER, over MdlChain
   * (the driver's MDLs) or, with MdlChain null, over the NET_BUFFER's own buffer. null when the
   * pool is exhausted or the call is refused.
   */
  allocateNblAndNb(driver: DriverRecord, PoolHandle: unknown, ContextSize: unknown, ContextBackFill: unknown, MdlChain: unknown, DataOffset: unknown, DataLength: unknown): NET_BUFFER_LIST | null {
    const call = 'NdisAllocateNetBufferAndNetBufferList';
    const poolRecord = this.poolFor(driver, 'nblPool', PoolHandle, call);
    if (!poolRecord) return null;
    if (!poolRecord.fAllocateNetBuffer) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: the pool was allocated with fAllocateNetBuffer FALSE; use NdisAllocateNetBufferList, or a pool with fAllocateNetBuffer TRUE` });
      return null;
    }
    const pool = this.runtime.pool;
    const chain = MdlChain === null || MdlChain === undefined ? null : this.chain(driver, call, MdlChain);
    if (chain === undefined) return null;
    const problem = this.dataProblem(DataOffset ?? 0, DataLength, chain ? chain.bytes : pool.layout.bufferBytes);
    if (problem) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: ${problem}` });
      return null;
    }
    const offset = (DataOffset ?? 0) as number;
    const length = DataLength as number;
    const nbl = pool.allocateSlot(driver.owner, SLOT_NBL);
    if (nbl < 0) return null;
    pool.resetRecords(nbl, offset, length);
    pool.clearReserved(nbl);
    if (chain) this.describeWith(nbl, chain, offset, length);
    if (!this.context(driver, call, nbl, ContextSize, ContextBackFill)) {
      pool.release(nbl, driver.owner);
      return null;
    }
    this.poolOfSlot[nbl] = poolRecord;
    poolRecord.outstanding++;
    return this.runtime.views.nbl(nbl);
  }

  /** NdisAllocateNetBufferList: an NBL from the pool with no NET_BUFFER; null when the pool is exhausted. */
  allocateNbl(driver: DriverRecord, PoolHandle: unknown, ContextSize: unknown, ContextBackFill: unknown): NET_BUFFER_LIST | null {
    const call = 'NdisAllocateNetBufferList';
    const poolRecord = this.poolFor(driver, 'nblPool', PoolHandle, call);
    if (!poolRecord) return null;
    const pool = this.runtime.pool;
    const nbl = pool.allocateSlot(driver.owner, SLOT_NBL);
    if (nbl < 0) return null;
    pool.resetRecords(nbl, 0, 0);
    pool.clearReserved(nbl);
    pool.words[pool.nblWord(nbl) + NBL_WORD.firstNb] = 0;
    if (!this.context(driver, call, nbl, ContextSize, ContextBackFill)) {
      pool.release(nbl, driver.owner);
      return null;
    }
    this.poolOfSlot[nbl] = poolRecord;
    poolRecord.outstanding++;
    return this.runtime.views.nbl(nbl);
  }

  /** NdisFreeNetBufferList: back to its pool (NblNotOwned if the driver does not hold it). */
  freeNbl(driver: DriverRecord, NetBufferList: unknown): void {
    const index = isNetBufferList(NetBufferList) ? NetBufferList.index : (NetBufferList as { index?: unknown } | null)?.index;
    if (!isNetBufferList(NetBufferList) || !this.runtime.pool.release(NetBufferList.index, driver.owner)) {
      this.runtime.report('NblNotOwned', { driver: driver.name, message: `NdisFreeNetBufferList with an NBL the driver does not own (${describe(NetBufferList)}${typeof index === 'number' ? `, NBL ${index}` : ''})` });
      return;
    }
    const poolRecord = this.poolOfSlot[NetBufferList.index];
    this.poolOfSlot[NetBufferList.index] = undefined;
    if (poolRecord) poolRecord.outstanding--;
  }

  /** NdisAllocateNetBuffer: a NET_BUFFER over MdlChain (or, null, its own buffer); null when the pool is exhausted. */
  allocateNb(driver: DriverRecord, PoolHandle: unknown, MdlChain: unknown, DataOffset: unknown, DataLength: unknown): NET_BUFFER | null {
    const call = 'NdisAllocateNetBuffer';
    const poolRecord = this.poolFor(driver, 'nbPool', PoolHandle, call);
    if (!poolRecord) return null;
    const pool = this.runtime.pool;
    const chain = MdlChain === null || MdlChain === undefined ? null : this.chain(driver, call, MdlChain);
    if (chain === undefined) return null;
    const problem = this.dataProblem(DataOffset, DataLength, chain ? chain.bytes : pool.layout.bufferBytes);
    if (problem) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `${call}: ${problem}` });
      return null;
    }
    const nb = pool.allocateSlot(driver.owner, SLOT_NET_BUFFER);
    if (nb < 0) return null;
    pool.resetRecords(nb, DataOffset as number, DataLength as number);
    pool.clearReserved(nb);
    if (chain) this.describeWith(nb, chain, DataOffset as number, DataLength as number);
    this.poolOfSlot[nb] = poolRecord;
    poolRecord.outstanding++;
    return this.runtime.views.nb(nb);
  }

  /** NdisFreeNetBuffer: a NET_BUFFER from NdisAllocateNetBuffer, back to its pool. */
  freeNb(driver: DriverRecord, NetBuffer: unknown): void {
    const index = (NetBuffer as { index?: unknown } | null)?.index;
    const ok = typeof index === 'number' && this.runtime.views.pool.isIndex(index) && this.runtime.views.nb(index) === NetBuffer;
    if (!ok || !this.runtime.pool.releaseSlot(index, driver.owner, SLOT_NET_BUFFER)) {
      this.runtime.report('InvalidParameter', { driver: driver.name, message: `NdisFreeNetBuffer with a NET_BUFFER the driver did not allocate with NdisAllocateNetBuffer, or freed already (${describe(NetBuffer)})` });
      return;
    }
    const poolRecord = this.poolOfSlot[index];
    this.poolOfSlot[index] = undefined;
    if (poolRecord) poolRecord.outstanding--;
  }
}

