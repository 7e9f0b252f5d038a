// The receive side of OID_GEN_CURRENT_PACKET_FILTER as NDIS carries it out per binding: which
// NDIS_PACKET_TYPE_* bits accept a frame, read from its destination address, so that a frame the
// miniport received for one binding's filter (the adapter's filter is the OR of all of them) is
// indicated only to the bindings whose own filter takes it. Also the OR the miniport is given.
// Nothing here allocates: it runs for every frame indicated to the protocols.

import type { NblPool } from '../memory/nbl-pool.ts';
import { NB_BUFFER, NB_BUFFER_LENGTH, NB_DATA_LENGTH, NB_DATA_OFFSET, MDL_ADDRESS, MDL_BYTE_COUNT } from '../memory/nbl-pool.ts';
import type { Binding } from './binding.ts';
import { macKey } from '../nic/mac.ts';
import {
  NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_PROMISCUOUS,
  NDIS_PACKET_TYPE_ALL_LOCAL, NDIS_PACKET_TYPE_NO_LOCAL,
} from './constants.ts';


const BROADCAST_KEY = 0xffff_ffff_ffff;
/** The I/G bit (the first byte's lowest bit) of a key: a group (multicast) address. */
const GROUP_BIT = 0x0100_0000_0000;

/** The bits that are NDIS's own (loopback), never the miniport's: they stay out of what it is given. */
export const NDIS_ONLY_PACKET_TYPES = NDIS_PACKET_TYPE_ALL_LOCAL | NDIS_PACKET_TYPE_NO_LOCAL;

/**
 * The destination address of the frame in NET_BUFFER `nb` (-1 for none) as a key, or -1 if its
 * data has fewer than 6 bytes. The usual NET_BUFFER (one MDL) is read in place; a chain of MDLs
 * byte by byte.
 */
export function destinationKey(pool: NblPool, bytes: Uint8Array, nb: number): number {
  if (nb < 0 || pool.nbField(nb, NB_DATA_LENGTH) < 6) return -1;
  const offset = pool.nbField(nb, NB_DATA_OFFSET);
  const buffer = pool.nbField(nb, NB_BUFFER);
  if (buffer !== 0) {
    if (offset + 6 > pool.nbField(nb, NB_BUFFER_LENGTH)) return -1;
    return macKey(bytes, buffer + offset);
  }
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 6; i++) {
    const m = pool.locate(nb, offset + i, false);
    if (m < 0) return -1;
    const b = bytes[pool.mdlField(m, MDL_ADDRESS) + pool.located]!;
    if (i < 2) hi = hi * 256 + b;
    else lo = lo * 256 + b;
  }
  return hi * 0x1_0000_0000 + lo;
}

/** What acceptingTypes needs of an adapter (MiniportAdapter has it; packet-filter.ts sits below miniport.ts). */
export interface AdapterAddresses {
  /** The adapter's own address (macKey). */
  readonly addressKey: number;
  /** Its multicast list (macKey each). */
  readonly multicastKeys: readonly number[];
}

/**
 * The NDIS_PACKET_TYPE_* bits any one of which accepts a frame to `destination` (a key, -1 for a
 * frame too short to have one) on `adapter`: directed to the adapter's address, broadcast,
 * multicast in the adapter's list, any multicast; PROMISCUOUS takes everything.
 */
export function acceptingTypes(adapter: AdapterAddresses, destination: number): number {
  if (destination < 0) return NDIS_PACKET_TYPE_PROMISCUOUS;
  if (destination === BROADCAST_KEY) return NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;
  if (Math.floor(destination / GROUP_BIT) % 2 === 1) {
    const keys = adapter.multicastKeys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === destination) return NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS;
    }
    return NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS;
  }
  if (destination === adapter.addressKey) return NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_PROMISCUOUS;
  return NDIS_PACKET_TYPE_PROMISCUOUS;
}

/**
 * Whether a binding with `filter` gets the other bindings' sends looped back: NDIS_PACKET_TYPE_ALL_LOCAL,
 * or PROMISCUOUS without NO_LOCAL ("Looping Back NDIS Packets", conditions 2.1 and 2.2).
 */
export function takesLocalSends(filter: number): boolean {
  return (filter & NDIS_PACKET_TYPE_ALL_LOCAL) !== 0 || ((filter & NDIS_PACKET_TYPE_PROMISCUOUS) !== 0 && (filter & NDIS_PACKET_TYPE_NO_LOCAL) === 0);
}

/**
 * What the miniport is given for `adapter`: the OR of every open binding's filter (a set on its
 * way down counts with its new value), with `binding`'s taken as `filter`, without NDIS's own bits.
 * Worked out at each set only: NDIS would also lower it when a binding closes; here the miniport
 * keeps a closed binding's bits until the next set (not modelled: the close is protocol-binding.ts's),
 * which no binding can see, since each is indicated only what its own filter takes.
 */
export function adapterFilter(bindings: readonly Binding[], adapter: Binding['adapter'], binding: Binding, filter: number): number {
  let union = filter;
  for (const b of bindings) {
    if (b === binding || b.adapter !== adapter || !b.handle) continue;
    union |= b.pendingPacketFilter >= 0 ? b.pendingPacketFilter : b.packetFilter;
  }
  return (union & ~NDIS_ONLY_PACKET_TYPES) >>> 0;
}

/**
 * Copies the `length` bytes of data of NET_BUFFER `nb` to `to` (an address in `bytes`). False,
 * with nothing promised about `to`, if the records do not describe that much data.
 */
export function copyNetBufferData(pool: NblPool, bytes: Uint8Array, nb: number, to: number, length: number): boolean {
  const offset = pool.nbField(nb, NB_DATA_OFFSET);
  const buffer = pool.nbField(nb, NB_BUFFER);
  if (buffer !== 0) {
    if (offset + length > pool.nbField(nb, NB_BUFFER_LENGTH)) return false;
    bytes.copyWithin(to, buffer + offset, buffer + offset + length);
    return true;
  }
  let copied = 0;
  while (copied < length) {
    const m = pool.locate(nb, offset + copied, false);
    if (m < 0) return false;
    const n = Math.min(length - copied, pool.mdlField(m, MDL_BYTE_COUNT) - pool.located);
    if (n <= 0) return false;
    const from = pool.mdlField(m, MDL_ADDRESS) + pool.located;
    bytes.copyWithin(to + copied, from, from + n);
    copied += n;
  }
  return true;
}
