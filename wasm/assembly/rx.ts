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
  E_RX_FRAMES, E_RX_FILTERED, E_RX_OVERRUNS, FRAME_FCS_LAZY, E_RX_PENDING, E_RX_PENDING_FROM, E_RX_PENDING_HEAD,
  E_RX_PENDING_CAUSES, E_RX_PENDING_BASE, E_RX_PENDING_RING, E_RX_SHADOW, RX_SHADOW_BYTES, ERR_RX_BUFFER_TOO_SMALL,
  E_RX_CTX_VALID, E_RX_CTX_RCTL, E_RX_CTX_BUFFER, E_RX_CTX_WIN_BASE, E_RX_CTX_WIN_LIMIT,
  ERR_RING_EMPTY_LENGTH, ERR_RING_OUTSIDE_DMA, ERR_BUFFER_OUTSIDE_DMA, ERR_REG_VALUE,
} from "../e1000/machine";
import { crc32 } from "./crc32";
import { crcTable, machineOf } from "./machine";
import { fence } from "./interrupts";
import { dmaAllowed, dmaRefused, dmaBase, dmaLimit, inWindow } from "./dma";
import { raise } from "./interrupts";
import { count, flushStats, sizeBucket } from "./stats";

/** Result of a frame that is dropped rather than placed. */
const RX_DROP: i32 = -1;

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
 * Copies one screened frame into the buffers of the descriptors from `head` and writes their
 * length and errors; their status bytes go to `shadow` (one per descriptor), to be written back
 * by rxWriteBack. Returns the new head.
 */
function place(
  nic: u32, frame: u32, wireLen: u32, flags: u32, rctl: u32, screened: u32,
  base: u32, ringCount: u32, head: u32, shadow: u32, winBase: u64, winLimit: u64,
): u32 {
  const payloadLen = wireLen - ETH_FCS_LEN;
  const deliverLen = rctl & RCTL_SECRC ? payloadLen : wireLen;
  const size = bufferSize(rctl);
  let fcs: u32 = 0;
  if ((flags & FRAME_FCS_LAZY) != 0 && (rctl & RCTL_SECRC) == 0) {
    fcs = crc32(crcTable(machineOf(nic)), frame, payloadLen);
  }
  let offset: u32 = 0;
  let h = head;
  let s = shadow;
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
      store<u8>(s, <u8>(RXD_STAT_DD | RXD_STAT_EOP));
      return h;
    }
    copyOut(bufLo, frame, payloadLen, flags, fcs, offset, chunk);
    store<u16>(d, <u16>chunk, RXD_LENGTH);
    store<u16>(d, 0, RXD_CSUM);
    store<u8>(d, <u8>(screened >>> 8), RXD_ERRORS);
    store<u8>(s, <u8>(RXD_STAT_DD | (last ? RXD_STAT_EOP | (screened & 0xff) : 0)));
    s++;
    offset += chunk;
  }
  return h;
}

/** Counts `frames` good frames of `wireLen` bytes written into the ring. */
function countReceived(nic: u32, wireLen: u32, frames: u32): void {
  count(nic, GPRC, frames);
  count(nic, GORCL, wireLen * frames);
  count(nic, sizeBucket(PRC64, wireLen), frames);
  store<u32>(nic + E_RX_FRAMES, load<u32>(nic + E_RX_FRAMES) + frames);
}

/** The receive ring as the device sees it; 0 base means the ring cannot be used. */
function ringBase(nic: u32, ringCount: u32): u32 {
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
@inline function rxCauses(rctl: u32, ringCount: u32, free: u32): u32 {
  const shift = min<u32>(((rctl >>> RCTL_RDMTS_SHIFT) & 3) + 1, 3);
  return free <= ringCount >>> shift ? ICR_RXT0 | ICR_RXDMT0 : ICR_RXT0;
}

/**
 * Writes back every descriptor filled since the last write-back, the way the 82540EM bursts
 * descriptor write-backs: a memory fence (the frames' bytes are visible before any DD), the
 * status bytes, RDH, then the interrupt causes and the statistics. The device calls it at the
 * end of each round of work; a driver sees whole frames or nothing.
 */
export function rxWriteBack(nic: u32): void {
  store<u32>(nic + E_RX_CTX_VALID, 0);
  const pending = load<u32>(nic + E_RX_PENDING);
  if (pending != 0) {
    store<u32>(nic + E_RX_PENDING, 0);
    const base = load<u32>(nic + E_RX_PENDING_BASE);
    const rdlen = load<u32>(nic + E_RX_PENDING_RING);
    // A driver that reprogrammed the ring meanwhile gets no write-back into its new one.
    if (atomic.load<u32>(nic + RDBAL) == base && atomic.load<u32>(nic + RDLEN) == rdlen) {
      const ringCount = rdlen / DESC_SIZE;
      const from = load<u32>(nic + E_RX_PENDING_FROM);
      fence(nic);
      // Last descriptor first: the first one of a frame becomes visible last.
      for (let i = pending; i-- > 0; ) {
        let index = from + i;
        if (index >= ringCount) index -= ringCount;
        store<u8>(base + index * DESC_SIZE + RXD_STATUS, load<u8>(nic + E_RX_SHADOW + i));
      }
      atomic.store<u32>(nic + RDH, load<u32>(nic + E_RX_PENDING_HEAD));
    }
  }
  flushStats(nic);
  const causes = load<u32>(nic + E_RX_PENDING_CAUSES);
  if (causes != 0) {
    store<u32>(nic + E_RX_PENDING_CAUSES, 0);
    raise(nic, causes);
  }
}

/**
 * Latches the receive configuration for a burst: RCTL, the buffer size, the ring and the DMA
 * window, and where the device's head is. False if the receiver is off or the ring unusable.
 */
function beginBurst(nic: u32): bool {
  const rctl = atomic.load<u32>(nic + RCTL);
  if ((rctl & RCTL_EN) == 0) return false;
  const rdlen = atomic.load<u32>(nic + RDLEN);
  const ringCount = rdlen / DESC_SIZE;
  const base = ringBase(nic, ringCount);
  if (base == 0) return false;
  const head = atomic.load<u32>(nic + RDH);
  if (head >= ringCount) {
    dmaRefused(nic, ERR_REG_VALUE, RDH);
    return false;
  }
  store<u32>(nic + E_RX_CTX_RCTL, rctl);
  store<u32>(nic + E_RX_CTX_BUFFER, bufferSize(rctl));
  store<u32>(nic + E_RX_CTX_WIN_BASE, <u32>dmaBase(nic));
  store<u32>(nic + E_RX_CTX_WIN_LIMIT, <u32>dmaLimit(nic));
  store<u32>(nic + E_RX_PENDING_BASE, base);
  store<u32>(nic + E_RX_PENDING_RING, rdlen);
  store<u32>(nic + E_RX_PENDING_FROM, head);
  store<u32>(nic + E_RX_PENDING_HEAD, head);
  store<u32>(nic + E_RX_CTX_VALID, 1);
  return true;
}

/** Descriptors the device may still fill ([head, RDT)), or 0 if the ring is unusable. */
export function rxFree(nic: u32): u32 {
  const ringCount = atomic.load<u32>(nic + RDLEN) / DESC_SIZE;
  const head = load<u32>(nic + E_RX_PENDING) != 0 ? load<u32>(nic + E_RX_PENDING_HEAD) : atomic.load<u32>(nic + RDH);
  const tail = atomic.load<u32>(nic + RDT);
  if (head >= ringCount || tail >= ringCount) return 0;
  return tail >= head ? tail - head : tail + ringCount - head;
}

/**
 * A frame arrives from the wire. Returns true if it was placed in the receive ring (the driver
 * sees it after the next rxWriteBack).
 */
export function receive(nic: u32, frame: u32, wireLen: u32, flags: u32): bool {
  count(nic, TPR, 1);
  count(nic, TORL, wireLen);
  if (wireLen < ETH_FCS_LEN) return false;
  if (load<u32>(nic + E_RX_CTX_VALID) == 0 && !beginBurst(nic)) return false;
  const rctl = load<u32>(nic + E_RX_CTX_RCTL);
  const screened = screen(nic, frame, wireLen, flags, rctl);
  if (screened == RX_DROP) {
    store<u32>(nic + E_RX_FILTERED, load<u32>(nic + E_RX_FILTERED) + 1);
    return false;
  }
  const size = load<u32>(nic + E_RX_CTX_BUFFER);
  const deliverLen = rctl & RCTL_SECRC ? wireLen - ETH_FCS_LEN : wireLen;
  const needed: u32 = deliverLen <= size ? 1 : (deliverLen + size - 1) / size;
  if (needed > RX_SHADOW_BYTES) {
    dmaRefused(nic, ERR_RX_BUFFER_TOO_SMALL, needed);
    return false;
  }
  let pending = load<u32>(nic + E_RX_PENDING);
  if (pending + needed > RX_SHADOW_BYTES) {
    rxWriteBack(nic);
    if (!beginBurst(nic)) return false;
    pending = 0;
  }
  const ringCount = load<u32>(nic + E_RX_PENDING_RING) / DESC_SIZE;
  const head = load<u32>(nic + E_RX_PENDING_HEAD);
  const tail = atomic.load<u32>(nic + RDT);
  if (tail >= ringCount) {
    dmaRefused(nic, ERR_REG_VALUE, RDT);
    return false;
  }
  const free = tail >= head ? tail - head : tail + ringCount - head;
  if (needed > free) {
    atomic.add<u32>(nic + MPC, 1);
    atomic.add<u32>(nic + RNBC, 1);
    atomic.add<u32>(nic + E_RX_OVERRUNS, 1);
    store<u32>(nic + E_RX_PENDING_CAUSES, load<u32>(nic + E_RX_PENDING_CAUSES) | ICR_RXO);
    return false;
  }
  const after = place(
    nic, frame, wireLen, flags, rctl, <u32>screened, load<u32>(nic + E_RX_PENDING_BASE), ringCount, head,
    nic + E_RX_SHADOW + pending, <u64>load<u32>(nic + E_RX_CTX_WIN_BASE), <u64>load<u32>(nic + E_RX_CTX_WIN_LIMIT),
  );
  const used = after >= head ? after - head : after + ringCount - head;
  store<u32>(nic + E_RX_PENDING, pending + used);
  store<u32>(nic + E_RX_PENDING_HEAD, after);
  store<u32>(nic + E_RX_PENDING_CAUSES, load<u32>(nic + E_RX_PENDING_CAUSES) | rxCauses(rctl, ringCount, free - used));
  countReceived(nic, wireLen, 1);
  return true;
}
