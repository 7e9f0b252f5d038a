// The receive side of OID_GEN_CURRENT_PACKET_FILTER and OID_802_3_MULTICAST_LIST as NDIS carries
// them out per binding: which NDIS_PACKET_TYPE_* bits accept a frame, read from its destination
// address, so that a frame the miniport received for one binding's filter (the adapter's filter is
// the OR of all of them, its multicast list their union) is indicated only to the bindings whose
// own filter and list take it. Also the OR and the union the miniport is given.
// Nothing on the receive side allocates: it runs for every frame indicated to the protocols.

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

/** Whether `key` (macKey) is a group address: the I/G bit of its first byte is set (multicast or broadcast). */
export function isGroupAddress(key: number): boolean {
  return key >= 0 && Math.floor(key / GROUP_BIT) % 2 === 1;
}

/** No multicast list: acceptingTypes then leaves NDIS_PACKET_TYPE_MULTICAST to the caller (inMulticastList, per binding). */
export const NO_MULTICAST_LIST: readonly number[] = Object.freeze([]);

/**
 * The NDIS_PACKET_TYPE_* bits any one of which accepts a frame to `destination` (a key, -1 for a
 * frame too short to have one) on an adapter whose address is `addressKey`, matched against the
 * multicast list `groups`: directed to the adapter's address, broadcast, multicast in the list,
 * any multicast; PROMISCUOUS takes everything. A broadcast is not a multicast here (its own bit,
 * NDIS_PACKET_TYPE_BROADCAST, takes it).
 */
export function acceptingTypes(addressKey: number, groups: readonly number[], destination: number): number {
  if (destination < 0) return NDIS_PACKET_TYPE_PROMISCUOUS;
  if (destination === BROADCAST_KEY) return NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;
  if (isGroupAddress(destination)) {
    return inMulticastList(groups, destination) ? NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS : NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS;
  }
  if (destination === addressKey) return NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_PROMISCUOUS;
  return NDIS_PACKET_TYPE_PROMISCUOUS;
}

/** Whether `destination` (a key) is in the multicast list `groups`. */
export function inMulticastList(groups: readonly number[], destination: number): boolean {
  for (let i = 0; i < groups.length; i++) if (groups[i] === destination) return true;
  return false;
}

/**
 * Whether a binding with packet filter `filter` and multicast list `groups` takes a frame whose
 * destination `accepts` was worked out without a list (acceptingTypes with NO_MULTICAST_LIST):
 * one of its bits accepts it, or it is a multicast (ALL_MULTICAST accepts it, BROADCAST does not)
 * to a group in the binding's own list and the filter has NDIS_PACKET_TYPE_MULTICAST.
 */
export function filterTakes(filter: number, groups: readonly number[], accepts: number, destination: number): boolean {
  if ((filter & accepts) !== 0) return true;
  return (filter & NDIS_PACKET_TYPE_MULTICAST) !== 0 && (accepts & NDIS_PACKET_TYPE_ALL_MULTICAST) !== 0 && inMulticastList(groups, destination);
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
 * way down counts with its new value), with `binding`'s taken as `filter` (no binding: every open
 * one as it is), without NDIS's own bits. Worked out at each set, and again when a binding closes
 * (protocol-oid-requests.ts restoreAfterClose): the closed binding's bits are no longer in it.
 */
export function adapterFilter(bindings: readonly Binding[], adapter: Binding['adapter'], binding: Binding | undefined, filter: number): number {
  let union = filter;
  for (const b of bindings) {
    if (b === binding || b.adapter !== adapter || !b.handle) continue;
    union |= b.pendingPacketFilter >= 0 ? b.pendingPacketFilter : b.packetFilter;
  }
  return (union & ~NDIS_ONLY_PACKET_TYPES) >>> 0;
}

/**
 * The multicast list the miniport is given for `adapter` (OID_802_3_MULTICAST_LIST): the union of
 * every open binding's list, each address once ("NDIS removes the duplicates before sending the
 * OID_802_3_MULTICAST_LIST set request to the miniport driver"; "If multiple protocol drivers try
 * to modify the list at the same time, NDIS combines their requests into a single
 * OID_802_3_MULTICAST_LIST set request"), with `binding`'s taken as `groups` (a set on its way
 * down counts with its new list). In binding order, each binding's addresses in its own order.
 * Allocates: it runs at an OID request or a close, never per frame.
 */
export function adapterMulticastList(bindings: readonly Binding[], adapter: Binding['adapter'], binding: Binding | undefined, groups: readonly number[]): number[] {
  const union: number[] = [];
  for (const b of bindings) {
    if (b.adapter !== adapter || (b !== binding && !b.handle)) continue;
    for (const key of b === binding ? groups : b.pendingMulticastKeys ?? b.multicastKeys) if (!union.includes(key)) union.push(key);
  }
  return union;
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
