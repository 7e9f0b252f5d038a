// The transmit path: the driver moves TDT (the doorbell); the device walks descriptors from TDH,
// gathers each frame (directly from the driver's buffer when one descriptor holds it, through
// the transmit FIFO when it spans several), appends the FCS on IFCS, pads on TCTL.PSP, hands the
// frame to the wire, writes DD back on RS and advances TDH.

import {
  TCTL, TCTL_EN, TCTL_PSP, TDBAL, TDBAH, TDLEN, TDH, TDT, RCTL, RCTL_LBM_MASK, RCTL_LBM_MAC,
  DESC_SIZE, TXD_LENGTH, TXD_CMD, TXD_STATUS, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS, TXD_CMD_DEXT,
  TXD_STAT_DD, ICR_TXDW, ICR_TXQE, GPTC, GOTCL, TPT, TOTL, BPTC, MPTC, PTC64, ETH_FCS_LEN, ETH_MIN_PADDED,
} from "../e1000/registers";
import {
  E_TX_FIFO, E_TX_FIFO_BYTES, E_TX_FIFO_FILL, E_TX_FIFO_BAD, E_TX_FRAMES, E_TX_DROPPED, E_ENDPOINT,
  FRAME_FCS_LAZY, WIRE_MAX_FRAME, ERR_RING_EMPTY_LENGTH, ERR_RING_OUTSIDE_DMA, ERR_BUFFER_OUTSIDE_DMA,
  ERR_DESC_UNSUPPORTED, ERR_FRAME_TOO_LONG, ERR_REG_VALUE,
} from "../e1000/machine";
import { fence } from "./interrupts";
import { dmaAllowed, dmaRefused } from "./dma";
import { raise } from "./interrupts";
import { count, flushStats, sizeBucket } from "./stats";
import { machineOf, inMemory } from "./machine";
import { receive } from "./rx";
import { wireSend } from "./wire/link";

/** Appends a fragment to the transmit FIFO; false if it does not fit. */
function gather(nic: u32, addr: u32, len: u32): bool {
  const fifo = load<u32>(nic + E_TX_FIFO);
  const size = load<u32>(nic + E_TX_FIFO_BYTES);
  const fill = load<u32>(nic + E_TX_FIFO_FILL);
  if (fill + len > size || !inMemory(fifo, size)) return false;
  memory.copy(fifo + fill, addr, len);
  store<u32>(nic + E_TX_FIFO_FILL, fill + len);
  return true;
}

/** Sends one whole frame of `len` bytes at `frame` (the FCS not yet added when `cmd` has IFCS). */
function sendFrame(nic: u32, frame: u32, len: u32, cmd: u32, inFifo: bool): void {
  let addr = frame;
  let n = len;
  if (n < ETH_MIN_PADDED && (atomic.load<u32>(nic + TCTL) & TCTL_PSP) != 0) {
    // Pad in the FIFO: the driver's buffer is not the device's to write.
    if (!inFifo) {
      store<u32>(nic + E_TX_FIFO_FILL, 0);
      gather(nic, frame, n);
    }
    addr = load<u32>(nic + E_TX_FIFO);
    memory.fill(addr + n, 0, ETH_MIN_PADDED - n);
    n = ETH_MIN_PADDED;
  }
  const flags: u32 = cmd & TXD_CMD_IFCS ? FRAME_FCS_LAZY : 0;
  const wireLen = flags ? n + ETH_FCS_LEN : n;
  if (wireLen > WIRE_MAX_FRAME || wireLen < ETH_FCS_LEN) {
    dmaRefused(nic, ERR_FRAME_TOO_LONG, wireLen);
    store<u32>(nic + E_TX_DROPPED, load<u32>(nic + E_TX_DROPPED) + 1);
    return;
  }
  count(nic, GPTC, 1);
  count(nic, TPT, 1);
  count(nic, GOTCL, wireLen);
  count(nic, TOTL, wireLen);
  count(nic, sizeBucket(PTC64, wireLen), 1);
  if (load<u8>(addr) & 1) {
    count(nic, load<u32>(addr) == 0xffffffff && load<u16>(addr, 4) == 0xffff ? BPTC : MPTC, 1);
  }
  store<u32>(nic + E_TX_FRAMES, load<u32>(nic + E_TX_FRAMES) + 1);
  if ((atomic.load<u32>(nic + RCTL) & RCTL_LBM_MASK) == RCTL_LBM_MAC) {
    receive(nic, addr, wireLen, flags); // MAC loopback: the frame never reaches the wire
  } else {
    wireSend(machineOf(nic), load<u32>(nic + E_ENDPOINT), addr, wireLen, flags, 0);
  }
}

/** Processes up to `budget` transmit descriptors. Returns how many were processed. */
export function transmit(nic: u32, budget: u32): u32 {
  if ((atomic.load<u32>(nic + TCTL) & TCTL_EN) == 0) return 0;
  let head = atomic.load<u32>(nic + TDH);
  const tail = atomic.load<u32>(nic + TDT);
  if (head == tail) return 0;
  const tdlen = atomic.load<u32>(nic + TDLEN);
  const ringCount = tdlen / DESC_SIZE;
  if (ringCount == 0) {
    dmaRefused(nic, ERR_RING_EMPTY_LENGTH, TDLEN);
    return 0;
  }
  const base = atomic.load<u32>(nic + TDBAL);
  if (atomic.load<u32>(nic + TDBAH) != 0 || !dmaAllowed(nic, base, tdlen)) {
    dmaRefused(nic, ERR_RING_OUTSIDE_DMA, base);
    return 0;
  }
  if (head >= ringCount || tail >= ringCount) {
    dmaRefused(nic, ERR_REG_VALUE, head >= ringCount ? TDH : TDT);
    return 0;
  }
  let done: u32 = 0;
  let causes: u32 = 0;
  while (head != tail && done < budget) {
    const d = base + head * DESC_SIZE;
    const addr = load<u32>(d);
    const addrHi = load<u32>(d, 4);
    const len = <u32>load<u16>(d, TXD_LENGTH);
    const cmd = <u32>load<u8>(d, TXD_CMD);
    let bad = load<u32>(nic + E_TX_FIFO_BAD) != 0;
    if (cmd & TXD_CMD_DEXT) {
      dmaRefused(nic, ERR_DESC_UNSUPPORTED, head);
      bad = true;
    } else if (addrHi != 0 || !dmaAllowed(nic, addr, len)) {
      dmaRefused(nic, ERR_BUFFER_OUTSIDE_DMA, addr);
      bad = true;
    }
    const fill = load<u32>(nic + E_TX_FIFO_FILL);
    if (cmd & TXD_CMD_EOP) {
      if (!bad) {
        if (fill == 0) sendFrame(nic, addr, len, cmd, false);
        else if (gather(nic, addr, len)) sendFrame(nic, load<u32>(nic + E_TX_FIFO), fill + len, cmd, true);
        else {
          dmaRefused(nic, ERR_FRAME_TOO_LONG, fill + len);
          bad = true;
        }
      }
      if (bad) store<u32>(nic + E_TX_DROPPED, load<u32>(nic + E_TX_DROPPED) + 1);
      store<u32>(nic + E_TX_FIFO_FILL, 0);
      store<u32>(nic + E_TX_FIFO_BAD, 0);
    } else if (bad || !gather(nic, addr, len)) {
      store<u32>(nic + E_TX_FIFO_BAD, 1);
    }
    head = head + 1 == ringCount ? 0 : head + 1;
    done++;
  }
  // Write-back in one burst, after a fence: a driver that sees DD may reuse the buffer, so every
  // read of it must be done first.
  fence(nic);
  let index = atomic.load<u32>(nic + TDH);
  while (index != head) {
    const d = base + index * DESC_SIZE;
    if (load<u8>(d, TXD_CMD) & TXD_CMD_RS) {
      store<u8>(d, <u8>TXD_STAT_DD, TXD_STATUS);
      causes |= ICR_TXDW;
    }
    index = index + 1 == ringCount ? 0 : index + 1;
  }
  atomic.store<u32>(nic + TDH, head);
  if (head == tail) causes |= ICR_TXQE;
  flushStats(nic);
  raise(nic, causes);
  return done;
}
