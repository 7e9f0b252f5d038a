// Cables. A frame sent from an endpoint crosses the link it is plugged into and arrives at the
// other end (the same endpoint for a loopback plug): a NIC's receive path or a switch port. The
// fault injector may drop it, flip a bit in it, or hold it back (delay, reorder) in one of the
// link's slots until virtual time reaches its due time. An untouched frame on an idle link is
// delivered at once, straight from the sender's buffer into the receiver's.

import {
  M_LINK_COUNT, EP_KIND, EP_OWNER, EP_PORT, EP_LINK, ENDPOINT_NIC, ENDPOINT_SWITCH_PORT,
  L_END_A, L_END_B, L_UP, L_DELAY_NS, L_REORDER_NS, L_QUEUE, L_QUEUE_SLOTS, L_QUEUE_USED, L_SEQ,
  L_FRAMES, L_DROPPED, L_CORRUPTED, L_DELAYED, L_REORDERED, L_DOWN_DROPS, L_OVERFLOWS, L_TOUCHED,
  Q_DUE_NS, Q_SEQ, Q_TO, Q_LEN, Q_FLAGS, Q_DATA, QUEUE_SLOT_BYTES, WIRE_MAX_FRAME, WIRE_MAX_HOPS,
  FRAME_FCS_LAZY, FRAME_CORRUPTED, FRAME_DELAYED, FRAME_REORDERED, CAPTURE_TX, CAPTURE_RX,
} from "../../e1000/machine";
import { ETH_FCS_LEN } from "../../e1000/registers";
import { endpointAt, linkAt, nicAt, now, crcTable, inMemory, ringDoorbell } from "../machine";
import { crc32 } from "../crc32";
import { receive } from "../rx";
import { updateLinkStatus } from "../phy";
import { decideFaults, nextRandom, FAULT_DROP, FAULT_CORRUPT, FAULT_REORDER } from "./faults";
import { switchForward } from "./switch";
import { tap } from "./tap";

@inline function bump(p: u32): void {
  store<u32>(p, load<u32>(p) + 1);
}

/** Delivers a frame that has crossed a link to the endpoint at its far end. */
function arrive(m: u32, to: u32, frame: u32, wireLen: u32, flags: u32, hops: u32): void {
  const ep = endpointAt(m, to);
  if (ep == 0) return;
  const kind = load<u32>(ep + EP_KIND);
  if (kind == ENDPOINT_NIC) {
    tap(m, ep, CAPTURE_RX, frame, wireLen, flags);
    const nic = nicAt(m, load<u32>(ep + EP_OWNER));
    if (nic != 0) receive(nic, frame, wireLen, flags);
  } else if (kind == ENDPOINT_SWITCH_PORT && hops < WIRE_MAX_HOPS) {
    switchForward(m, load<u32>(ep + EP_OWNER), load<u32>(ep + EP_PORT), frame, wireLen, flags, hops + 1);
  }
}

/** A free slot of the link's queue, or 0. */
function freeSlot(link: u32): u32 {
  const queue = load<u32>(link + L_QUEUE);
  const slots = load<u32>(link + L_QUEUE_SLOTS);
  if (!inMemory(queue, <u64>slots * QUEUE_SLOT_BYTES)) return 0;
  for (let i: u32 = 0; i < slots; i++) {
    const slot = queue + i * QUEUE_SLOT_BYTES;
    if (load<u32>(slot + Q_LEN) == 0) return slot;
  }
  return 0;
}

/** Delivers every held frame whose due time has come, earliest first. Returns how many. */
export function linkPoll(m: u32, link: u32): u32 {
  let delivered: u32 = 0;
  const queue = load<u32>(link + L_QUEUE);
  const slots = load<u32>(link + L_QUEUE_SLOTS);
  if (!inMemory(queue, <u64>slots * QUEUE_SLOT_BYTES)) return 0;
  const t = now(m);
  while (load<u32>(link + L_QUEUE_USED) != 0) {
    let best: u32 = 0;
    for (let i: u32 = 0; i < slots; i++) {
      const slot = queue + i * QUEUE_SLOT_BYTES;
      if (load<u32>(slot + Q_LEN) == 0) continue;
      if (
        best == 0 || load<u64>(slot + Q_DUE_NS) < load<u64>(best + Q_DUE_NS) ||
        (load<u64>(slot + Q_DUE_NS) == load<u64>(best + Q_DUE_NS) && load<u32>(slot + Q_SEQ) < load<u32>(best + Q_SEQ))
      ) best = slot;
    }
    if (best == 0 || load<u64>(best + Q_DUE_NS) > t) break;
    const len = load<u32>(best + Q_LEN);
    store<u32>(link + L_QUEUE_USED, load<u32>(link + L_QUEUE_USED) - 1);
    if (atomic.load<u32>(link + L_UP) != 0) {
      arrive(m, load<u32>(best + Q_TO), best + Q_DATA, len, load<u32>(best + Q_FLAGS), 0);
    } else {
      bump(link + L_DOWN_DROPS);
    }
    store<u32>(best + Q_LEN, 0); // free only after delivery: the slot is the frame's memory
    delivered++;
  }
  return delivered;
}

/** Carries a frame across `link` towards endpoint `to`, applying the link's faults. */
function carry(m: u32, link: u32, to: u32, frame: u32, wireLen: u32, flags: u32, hops: u32): void {
  bump(link + L_FRAMES);
  if (atomic.load<u32>(link + L_UP) == 0) {
    bump(link + L_DOWN_DROPS);
    return;
  }
  const faults = decideFaults(link);
  if (faults & FAULT_DROP) {
    bump(link + L_DROPPED);
    bump(link + L_TOUCHED);
    return;
  }
  const delay = load<u32>(link + L_DELAY_NS);
  if (faults == 0 && delay == 0 && load<u32>(link + L_QUEUE_USED) == 0) {
    arrive(m, to, frame, wireLen, flags, hops);
    return;
  }
  if (wireLen > WIRE_MAX_FRAME) return;
  const slot = freeSlot(link);
  if (slot == 0) {
    bump(link + L_OVERFLOWS);
    return;
  }
  let f = flags;
  const payloadLen = wireLen - ETH_FCS_LEN;
  memory.copy(slot + Q_DATA, frame, f & FRAME_FCS_LAZY ? payloadLen : wireLen);
  if (faults & FAULT_CORRUPT) {
    if (f & FRAME_FCS_LAZY) {
      // Write the FCS the sender meant, then damage the bits: the receiver's check must catch it.
      store<u32>(slot + Q_DATA + payloadLen, crc32(crcTable(m), slot + Q_DATA, payloadLen));
      f &= ~FRAME_FCS_LAZY;
    }
    const bit = nextRandom(link) % (wireLen << 3);
    const p = slot + Q_DATA + (bit >>> 3);
    store<u8>(p, load<u8>(p) ^ <u8>(1 << <u8>(bit & 7)));
    f |= FRAME_CORRUPTED;
    bump(link + L_CORRUPTED);
  }
  let due = now(m) + <u64>delay;
  if (delay != 0) {
    f |= FRAME_DELAYED;
    bump(link + L_DELAYED);
  }
  if (faults & FAULT_REORDER) {
    due += <u64>load<u32>(link + L_REORDER_NS);
    f |= FRAME_REORDERED;
    bump(link + L_REORDERED);
  }
  if (f & (FRAME_CORRUPTED | FRAME_DELAYED | FRAME_REORDERED)) bump(link + L_TOUCHED);
  store<u64>(slot + Q_DUE_NS, due);
  store<u32>(slot + Q_SEQ, load<u32>(link + L_SEQ));
  bump(link + L_SEQ);
  store<u32>(slot + Q_TO, to);
  store<u32>(slot + Q_FLAGS, f);
  store<u32>(slot + Q_LEN, wireLen);
  store<u32>(link + L_QUEUE_USED, load<u32>(link + L_QUEUE_USED) + 1);
  if (due <= now(m)) linkPoll(m, link);
}

/** Sends a frame out of endpoint `from` onto the link plugged into it (if any). */
export function wireSend(m: u32, from: u32, frame: u32, wireLen: u32, flags: u32, hops: u32): void {
  const ep = endpointAt(m, from);
  if (ep == 0) return;
  // The tap sees what the NIC sent, plugged in or not, before the cable can touch it.
  if (load<u32>(ep + EP_KIND) == ENDPOINT_NIC) tap(m, ep, CAPTURE_TX, frame, wireLen, flags);
  const linkNo = load<u32>(ep + EP_LINK);
  if (linkNo == 0) return; // nothing plugged in: the frame is lost, as on a bare port
  const link = linkAt(m, linkNo - 1);
  if (link == 0) return;
  const a = load<u32>(link + L_END_A);
  const to = a == from ? load<u32>(link + L_END_B) : a;
  carry(m, link, to, frame, wireLen, flags, hops);
}

/** Delivers the held frames that are due on every link. Returns how many. */
export function wirePoll(m: u32): u32 {
  let delivered: u32 = 0;
  const links = load<u32>(m + M_LINK_COUNT);
  for (let i: u32 = 0; i < links; i++) {
    const link = linkAt(m, i);
    if (link != 0 && load<u32>(link + L_QUEUE_USED) != 0) delivered += linkPoll(m, link);
  }
  return delivered;
}

/** Earliest due time of any held frame, or u64.MAX_VALUE when the wire holds nothing. */
export function wireNextDue(m: u32): u64 {
  let next = u64.MAX_VALUE;
  const links = load<u32>(m + M_LINK_COUNT);
  for (let i: u32 = 0; i < links; i++) {
    const link = linkAt(m, i);
    if (link == 0 || load<u32>(link + L_QUEUE_USED) == 0) continue;
    const queue = load<u32>(link + L_QUEUE);
    const slots = load<u32>(link + L_QUEUE_SLOTS);
    if (!inMemory(queue, <u64>slots * QUEUE_SLOT_BYTES)) continue;
    for (let s: u32 = 0; s < slots; s++) {
      const slot = queue + s * QUEUE_SLOT_BYTES;
      if (load<u32>(slot + Q_LEN) != 0 && load<u64>(slot + Q_DUE_NS) < next) next = load<u64>(slot + Q_DUE_NS);
    }
  }
  return next;
}

/** Plugs a link in (carrier up) or pulls it (down); NICs at either end see LSC. */
export function linkSetUp(m: u32, index: u32, up: bool): void {
  const link = linkAt(m, index);
  if (link == 0) return;
  atomic.store<u32>(link + L_UP, up ? 1 : 0);
  for (let end: u32 = 0; end < 2; end++) {
    const ep = endpointAt(m, load<u32>(link + (end == 0 ? L_END_A : L_END_B)));
    if (ep != 0 && load<u32>(ep + EP_KIND) == ENDPOINT_NIC) {
      const nic = nicAt(m, load<u32>(ep + EP_OWNER));
      if (nic != 0) updateLinkStatus(nic);
    }
  }
  ringDoorbell(m);
}
