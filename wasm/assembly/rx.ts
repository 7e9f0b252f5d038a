// The receive path: FCS and length checks, the address filter (RCTL, RAL/RAH, MTA), and DMA of
// the frame into the buffers of the descriptors between RDH and RDT. A frame larger than one
// buffer spans several descriptors; only the last carries EOP.

import {
  RCTL, RCTL_EN, RCTL_SBP, RCTL_UPE, RCTL_MPE, RCTL_LPE, RCTL_BAM, RCTL_SECRC, RCTL_MO_SHIFT,
  RCTL_RDMTS_SHIFT, RCTL_BSIZE_SHIFT, RCTL_BSEX, RAL, RAH, RAH_AV, RA_ENTRIES, MTA,
  RDBAL, RDBAH, RDLEN, RDH, RDT, DESC_SIZE, RXD_LENGTH, RXD_CSUM, RXD_STATUS, RXD_ERRORS,
  RXD_STAT_DD, RXD_STAT_EOP, RXD_STAT_PIF, RXD_ERR_CE, RXD_ERR_RXE,
  ICR_RXT0, ICR_RXDMT0, ICR_RXO, CRCERRS, MPC, RNBC, RUC, ROC, GPRC, GORCL, TPR, TORL, BPRC, MPRC, PRC64,
  ETH_FCS_LEN, ETH_MIN_FRAME, ETH_MAX_FRAME,
} from "../e1000/registers";
import {
  E_RX_FRAMES, E_RX_FILTERED, E_RX_OVERRUNS, FRAME_FCS_LAZY,
  ERR_RING_EMPTY_LENGTH, ERR_RING_OUTSIDE_DMA, ERR_BUFFER_OUTSIDE_DMA, ERR_REG_VALUE,
} from "../e1000/machine";
import { crc32 } from "./crc32";
import { crcTable, machineOf } from "./machine";
import { dmaAllowed, dmaRefused, dmaBase, dmaLimit, inWindow } from "./dma";
import { raise } from "./interrupts";
import { count, flushStats, sizeBucket } from "./stats";

/** Result of a frame that is dropped rather than placed. */
export const RX_DROP: i32 = -1;

/** Receive buffer size in bytes selected by RCTL.BSIZE and RCTL.BSEX. */
@inline function bufferSize(rctl: u32): u32 {
  const code = (rctl >>> RCTL_BSIZE_SHIFT) & 3;
  if (rctl & RCTL_BSEX) return code == 0 ? 2048 : 32768 >>> code;
  return 2048 >>> code;
}

/** Whether the MTA bit for a group address is set, hashing the bits RCTL.MO selects. */
function multicastHashHit(nic: u32, frame: u32, rctl: u32): bool {
  const b4 = <u32>load<u8>(frame, 4);
  const b5 = <u32>load<u8>(frame, 5);
  const mo = (rctl >>> RCTL_MO_SHIFT) & 3;
  let hash: u32;
  if (mo == 0) hash = (b4 >>> 4) | (b5 << 4);
  else if (mo == 1) hash = (b4 >>> 3) | (b5 << 5);
  else if (mo == 2) hash = (b4 >>> 2) | (b5 << 6);
  else hash = b4 | (b5 << 8);
  hash &= 0xfff;
  return (atomic.load<u32>(nic + MTA + ((hash >>> 5) << 2)) & (1 << (hash & 31))) != 0;
}

/**
 * Checks FCS, length and destination. Returns RX_DROP, or the status and error bits to write
 * into the descriptor (errors << 8 | status).
 */
function screen(nic: u32, frame: u32, wireLen: u32, flags: u32, rctl: u32): i32 {
  let errors: u32 = 0;
  let status: u32 = 0;
  if ((flags & FRAME_FCS_LAZY) == 0) {
    const payload = wireLen - ETH_FCS_LEN;
    if (crc32(crcTable(machineOf(nic)), frame, payload) != load<u32>(frame + payload)) {
      atomic.add<u32>(nic + CRCERRS, 1);
      if ((rctl & RCTL_SBP) == 0) return RX_DROP;
      errors |= RXD_ERR_CE;
    }
  }
  if (wireLen < ETH_MIN_FRAME) {
    atomic.add<u32>(nic + RUC, 1);
    if ((rctl & RCTL_SBP) == 0) return RX_DROP;
  } else if (wireLen > ETH_MAX_FRAME && (rctl & RCTL_LPE) == 0) {
    atomic.add<u32>(nic + ROC, 1);
    return RX_DROP;
  }
  const first = load<u8>(frame);
  if (first & 1) {
    const broadcast = load<u32>(frame) == 0xffffffff && load<u16>(frame, 4) == 0xffff;
    if (broadcast) {
      if ((rctl & (RCTL_BAM | RCTL_MPE)) == 0) return RX_DROP;
      count(nic, BPRC, 1);
    } else {
      if ((rctl & RCTL_MPE) == 0) {
        if (!multicastHashHit(nic, frame, rctl)) return RX_DROP;
        status |= RXD_STAT_PIF;
      }
      count(nic, MPRC, 1);
    }
  } else if ((rctl & RCTL_UPE) == 0) {
    const lo = load<u32>(frame);
    const hi = <u32>load<u16>(frame, 4);
    let hit = false;
    for (let i: u32 = 0; i < RA_ENTRIES; i++) {
      const rah = atomic.load<u32>(nic + RAH + i * 8);
      if ((rah & RAH_AV) != 0 && (rah & 0xffff) == hi && atomic.load<u32>(nic + RAL + i * 8) == lo) {
        hit = true;
        break;
      }
    }
    if (!hit) return RX_DROP;
  }
  return <i32>((errors << 8) | status);
}

/** Writes bytes [from, from + n) of the frame as delivered (payload, then the FCS) to `dst`. */
function copyOut(dst: u32, frame: u32, payloadLen: u32, flags: u32, fcs: u32, from: u32, n: u32): void {
  if ((flags & FRAME_FCS_LAZY) == 0 || from + n <= payloadLen) {
    memory.copy(dst, frame + from, n); // explicit FCS bytes lie right after the payload
    return;
  }
  let i = from;
  if (i < payloadLen) {
    memory.copy(dst, frame + i, payloadLen - i);
    i = payloadLen;
  }
  for (; i < from + n; i++) store<u8>(dst + i - from, <u8>(fcs >>> ((i - payloadLen) << 3)));
}

/**
 * Places one screened frame into the ring at `head`. Returns the new head; the caller publishes
 * RDH. `free` is the number of descriptors the device owns ([head, tail)).
 */
export function place(
  nic: u32, frame: u32, wireLen: u32, flags: u32, rctl: u32, screened: u32,
  base: u32, ringCount: u32, head: u32, free: u32, winBase: u64, winLimit: u64,
): u32 {
  const payloadLen = wireLen - ETH_FCS_LEN;
  const deliverLen = rctl & RCTL_SECRC ? payloadLen : wireLen;
  const size = bufferSize(rctl);
  const needed: u32 = deliverLen <= size ? 1 : (deliverLen + size - 1) / size;
  if (needed > free) {
    atomic.add<u32>(nic + MPC, 1);
    atomic.add<u32>(nic + RNBC, 1);
    atomic.add<u32>(nic + E_RX_OVERRUNS, 1);
    raise(nic, ICR_RXO);
    return head;
  }
  let fcs: u32 = 0;
  if ((flags & FRAME_FCS_LAZY) != 0 && (rctl & RCTL_SECRC) == 0) {
    fcs = crc32(crcTable(machineOf(nic)), frame, payloadLen);
  }
  let offset: u32 = 0;
  let h = head;
  // The first descriptor's status is written last, so a driver that sees its DD sees the whole frame.
  const first = base + head * DESC_SIZE;
  let firstStatus: u32 = 0;
  while (offset < deliverLen) {
    const d = base + h * DESC_SIZE;
    const bufLo = load<u32>(d);
    const bufHi = load<u32>(d, 4);
    const chunk = min(size, deliverLen - offset);
    const last = offset + chunk == deliverLen;
    h = h + 1 == ringCount ? 0 : h + 1;
    if (bufHi != 0 || !inWindow(winBase, winLimit, bufLo, chunk)) {
      // Give the descriptor back with an error so the driver can recycle it; drop the frame.
      dmaRefused(nic, ERR_BUFFER_OUTSIDE_DMA, bufLo);
      store<u16>(d, 0, RXD_LENGTH);
      store<u8>(d, <u8>RXD_ERR_RXE, RXD_ERRORS);
      atomic.store<u8>(d + RXD_STATUS, <u8>(RXD_STAT_DD | RXD_STAT_EOP));
      if (d != first) atomic.store<u8>(first + RXD_STATUS, <u8>firstStatus);
      return h;
    }
    copyOut(bufLo, frame, payloadLen, flags, fcs, offset, chunk);
    store<u16>(d, <u16>chunk, RXD_LENGTH);
    store<u16>(d, 0, RXD_CSUM);
    store<u8>(d, <u8>(screened >>> 8), RXD_ERRORS);
    const status = RXD_STAT_DD | (last ? RXD_STAT_EOP | (screened & 0xff) : 0);
    if (d == first) firstStatus = status;
    else atomic.store<u8>(d + RXD_STATUS, <u8>status);
    offset += chunk;
  }
  atomic.store<u8>(first + RXD_STATUS, <u8>firstStatus);
  return h;
}

/** Counts `frames` good frames of `wireLen` bytes written into the ring. */
export function countReceived(nic: u32, wireLen: u32, frames: u32): void {
  count(nic, GPRC, frames);
  count(nic, GORCL, wireLen * frames);
  count(nic, sizeBucket(PRC64, wireLen), frames);
  store<u32>(nic + E_RX_FRAMES, load<u32>(nic + E_RX_FRAMES) + frames);
}

/** The receive ring as the device sees it; 0 base means the ring cannot be used. */
export function ringBase(nic: u32, ringCount: u32): u32 {
  if (ringCount == 0) {
    dmaRefused(nic, ERR_RING_EMPTY_LENGTH, RDLEN);
    return 0;
  }
  const base = atomic.load<u32>(nic + RDBAL);
  if (atomic.load<u32>(nic + RDBAH) != 0 || !dmaAllowed(nic, base, ringCount * DESC_SIZE)) {
    dmaRefused(nic, ERR_RING_OUTSIDE_DMA, base);
    return 0;
  }
  return base;
}

/** Interrupt causes after receiving into a ring left with `free` device-owned descriptors. */
@inline export function rxCauses(rctl: u32, ringCount: u32, free: u32): u32 {
  const shift = min<u32>(((rctl >>> RCTL_RDMTS_SHIFT) & 3) + 1, 3);
  return free <= ringCount >>> shift ? ICR_RXT0 | ICR_RXDMT0 : ICR_RXT0;
}

/** A frame arrives from the wire. Returns true if it was written into the receive ring. */
export function receive(nic: u32, frame: u32, wireLen: u32, flags: u32): bool {
  const rctl = atomic.load<u32>(nic + RCTL);
  count(nic, TPR, 1);
  count(nic, TORL, wireLen);
  if ((rctl & RCTL_EN) == 0 || wireLen < ETH_FCS_LEN) {
    flushStats(nic);
    return false;
  }
  const screened = screen(nic, frame, wireLen, flags, rctl);
  if (screened == RX_DROP) {
    store<u32>(nic + E_RX_FILTERED, load<u32>(nic + E_RX_FILTERED) + 1);
    flushStats(nic);
    return false;
  }
  const ringCount = atomic.load<u32>(nic + RDLEN) / DESC_SIZE;
  const base = ringBase(nic, ringCount);
  const head = atomic.load<u32>(nic + RDH);
  const tail = atomic.load<u32>(nic + RDT);
  if (base == 0 || head >= ringCount || tail >= ringCount) {
    if (base != 0) dmaRefused(nic, ERR_REG_VALUE, RDH);
    flushStats(nic);
    return false;
  }
  const free = tail >= head ? tail - head : tail + ringCount - head;
  const after = place(nic, frame, wireLen, flags, rctl, <u32>screened, base, ringCount, head, free, dmaBase(nic), dmaLimit(nic));
  if (after != head) countReceived(nic, wireLen, 1);
  flushStats(nic);
  if (after == head) return false;
  atomic.store<u32>(nic + RDH, after);
  const left = tail >= after ? tail - after : tail + ringCount - after;
  raise(nic, rxCauses(rctl, ringCount, left));
  return true;
}

/** Screens a frame for the generator's burst path; exported for it. */
export function screenFrame(nic: u32, frame: u32, wireLen: u32, flags: u32, rctl: u32): i32 {
  return screen(nic, frame, wireLen, flags, rctl);
}
