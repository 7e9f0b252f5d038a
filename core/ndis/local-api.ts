// The part of the "ndis" module that runs where the driver runs, without calling NDIS: status
// codes, constants, the NBL accessor macros (they read the shared NBL records directly) and the
// interlocked functions (on the driver's own memory, interlocked.ts). The
// rest of the module (api.ts) are NDIS's functions, which the core traces and checks.

import * as status from './status.ts';
import * as constants from './constants.ts';
import * as netBuffers from './net-buffer-list.ts';
import * as interlocked from './interlocked.ts';
import * as mdls from './mdl.ts';
import { NdisHandle } from './handle.ts';
import { NblPool } from '../memory/nbl-pool.ts';
import { hardenWhenConfined } from '../host/confinement.ts';

// The classes of what NDIS hands a driver: their prototypes are frozen once the realm is locked
// down. (NetBufferViews and NblPool: what a NET_BUFFER's own fields lead to.)
hardenWhenConfined(netBuffers.NET_BUFFER, netBuffers.NET_BUFFER_LIST, netBuffers.NetBufferViews, mdls.MDL, NblPool, NdisHandle);

export const LOCAL_NDIS: Readonly<Record<string, unknown>> = Object.freeze({
  ...status,
  ...constants,
  NET_BUFFER_LIST_NEXT_NBL: netBuffers.NET_BUFFER_LIST_NEXT_NBL,
  NET_BUFFER_LIST_FIRST_NB: netBuffers.NET_BUFFER_LIST_FIRST_NB,
  NET_BUFFER_LIST_STATUS: netBuffers.NET_BUFFER_LIST_STATUS,
  NET_BUFFER_NEXT_NB: netBuffers.NET_BUFFER_NEXT_NB,
  NET_BUFFER_DATA_LENGTH: netBuffers.NET_BUFFER_DATA_LENGTH,
  NET_BUFFER_DATA_OFFSET: netBuffers.NET_BUFFER_DATA_OFFSET,
  NdisGetDataBuffer: netBuffers.NdisGetDataBuffer,
  ...interlocked,
  NET_BUFFER_FIRST_MDL: netBuffers.NET_BUFFER_FIRST_MDL,
  NET_BUFFER_CURRENT_MDL: netBuffers.NET_BUFFER_CURRENT_MDL,
  NET_BUFFER_CURRENT_MDL_OFFSET: netBuffers.NET_BUFFER_CURRENT_MDL_OFFSET,
  NdisCopyFromNetBufferToNetBuffer: netBuffers.NdisCopyFromNetBufferToNetBuffer,
  // The context area is the NBL record's own: allocating and freeing context only moves its offset.
  NdisAllocateNetBufferListContext: netBuffers.NdisAllocateNetBufferListContext,
  NdisFreeNetBufferListContext: netBuffers.NdisFreeNetBufferListContext,
  NET_BUFFER_LIST_CONTEXT_DATA_START: netBuffers.NET_BUFFER_LIST_CONTEXT_DATA_START,
  NET_BUFFER_LIST_CONTEXT_DATA_SIZE: netBuffers.NET_BUFFER_LIST_CONTEXT_DATA_SIZE,
  // MDLs: reading one and viewing its bytes touch no NDIS state (allocating one does: api.ts).
  MmGetSystemAddressForMdlSafe: mdls.MmGetSystemAddressForMdlSafe,
  MmGetMdlByteCount: mdls.MmGetMdlByteCount,
  NdisQueryMdl: mdls.NdisQueryMdl,
  NdisQueryMdlOffset: mdls.NdisQueryMdlOffset,
  NdisGetNextMdl: mdls.NdisGetNextMdl,
  NDIS_MDL_LINKAGE: mdls.NDIS_MDL_LINKAGE,
});

/** The NDIS functions in `api` (everything that is not local): what a driver in a worker calls across. */
export function ndisFunctionNames(api: Record<string, unknown>): string[] {
  return Object.keys(api).filter((name) => typeof api[name] === 'function' && !(name in LOCAL_NDIS));
}
