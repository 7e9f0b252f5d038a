// Register reads and writes with the side effects the 82540EM gives them: ICR clears on read,
// ICS/IMS/IMC act on the cause and mask registers, statistics clear on read, CTRL.RST resets,
// EERD reads the EEPROM, a tail write is a doorbell. Values a register cannot hold are refused
// and counted (E_REG_ERRORS) instead of being stored.

import {
  CTRL, CTRL_RST, CTRL_PHY_RST, CTRL_LRST, STATUS, EERD, ICR, ICS, IMS, IMC, ICR_VALID_MASK,
  RDBAL, RDBAH, RDLEN, RDH, RDT, TDBAL, TDBAH, TDLEN, TDH, TDT, RAL, RAH, RAH_AV,
  STATS_FIRST, STATS_END, GORCH, GOTCH, TORH, TOTH, DESC_SIZE,
} from "../e1000/registers";
import {
  EMU, E_EEPROM_MAC_LO, E_EEPROM_MAC_HI, E_TX_FIFO_FILL, E_TX_FIFO_BAD, E_STATS_PENDING, E_STATS_DIRTY,
  ERR_REG_OFFSET, ERR_REG_READ_ONLY, ERR_REG_VALUE,
} from "../e1000/machine";
import { registerRefused } from "./dma";
import { assertLine } from "./interrupts";
import { updateLinkStatus } from "./phy";
import { machineOf, ringDoorbell } from "./machine";

const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 4;
/** Largest descriptor ring, in bytes (RDLEN/TDLEN hold 20 bits). */
const MAX_RING_BYTES: u32 = 1 << 20;

/** Puts the NIC in its power-on state: registers cleared, receive address 0 loaded from EEPROM. */
export function resetNic(nic: u32): void {
  memory.fill(nic, 0, EMU);
  memory.fill(nic + E_STATS_PENDING, 0, STATS_END - STATS_FIRST);
  store<u64>(nic + E_STATS_DIRTY, 0);
  store<u32>(nic + E_TX_FIFO_FILL, 0);
  store<u32>(nic + E_TX_FIFO_BAD, 0);
  atomic.store<u32>(nic + RAL, load<u32>(nic + E_EEPROM_MAC_LO));
  atomic.store<u32>(nic + RAH, (load<u32>(nic + E_EEPROM_MAC_HI) & 0xffff) | RAH_AV);
  updateLinkStatus(nic);
  atomic.store<u32>(nic + ICR, 0); // a reset is not a link change the driver must hear about
}

@inline function isHighHalfOf64(off: u32): bool {
  return off == GORCH || off == GOTCH || off == TORH || off == TOTH;
}

export function mmioRead(nic: u32, off: u32): u32 {
  if ((off & 3) != 0 || off >= EMU) {
    registerRefused(nic, ERR_REG_OFFSET, off);
    return 0;
  }
  if (off == ICR) return atomic.xchg<u32>(nic + ICR, 0);
  if (off == ICS || off == IMC) return 0; // write-only
  if (off >= STATS_FIRST && off < STATS_END) {
    if (isHighHalfOf64(off)) {
      atomic.store<u32>(nic + off - 4, 0);
      return atomic.xchg<u32>(nic + off, 0);
    }
    if (isHighHalfOf64(off + 4)) return atomic.load<u32>(nic + off); // low half: cleared with the high
    return atomic.xchg<u32>(nic + off, 0);
  }
  return atomic.load<u32>(nic + off);
}

/** Number of descriptors a ring of `lengthBytes` holds. */
@inline function ringCount(lengthBytes: u32): u32 {
  return lengthBytes / DESC_SIZE;
}

function eepromWord(nic: u32, word: u32): u32 {
  if (word == 0) return load<u32>(nic + E_EEPROM_MAC_LO) & 0xffff;
  if (word == 1) return load<u32>(nic + E_EEPROM_MAC_LO) >>> 16;
  if (word == 2) return load<u32>(nic + E_EEPROM_MAC_HI) & 0xffff;
  return 0xffff; // an erased word
}

export function mmioWrite(nic: u32, off: u32, value: u32): void {
  if ((off & 3) != 0 || off >= EMU) {
    registerRefused(nic, ERR_REG_OFFSET, off);
    return;
  }
  if (off == CTRL) {
    if (value & CTRL_RST) {
      resetNic(nic);
      return;
    }
    atomic.store<u32>(nic + CTRL, value & ~(CTRL_PHY_RST | CTRL_LRST));
    updateLinkStatus(nic);
    return;
  }
  if (off == STATUS || (off >= STATS_FIRST && off < STATS_END)) {
    registerRefused(nic, ERR_REG_READ_ONLY, off);
    return;
  }
  if (off == ICR) {
    atomic.and<u32>(nic + ICR, ~value); // write 1 to clear
    return;
  }
  if (off == ICS) {
    const causes = value & ICR_VALID_MASK;
    const before = atomic.or<u32>(nic + ICR, causes);
    const mask = atomic.load<u32>(nic + IMS);
    if ((before & mask) == 0 && (causes & mask) != 0) assertLine(nic);
    return;
  }
  if (off == IMS) {
    const before = atomic.or<u32>(nic + IMS, value & ICR_VALID_MASK);
    const pending = atomic.load<u32>(nic + ICR);
    // Unmasking a cause that is already pending asserts the line, as on the real part.
    if ((pending & before) == 0 && (pending & value) != 0) assertLine(nic);
    return;
  }
  if (off == IMC) {
    atomic.and<u32>(nic + IMS, ~value);
    return;
  }
  if (off == EERD) {
    if (value & EERD_START) {
      const word = (value >>> 8) & 0xff;
      atomic.store<u32>(nic + EERD, (eepromWord(nic, word) << 16) | (word << 8) | EERD_DONE);
    }
    return;
  }
  if (off == RDLEN || off == TDLEN) {
    if ((value & 127) != 0 || value > MAX_RING_BYTES) {
      registerRefused(nic, ERR_REG_VALUE, off);
      return;
    }
    atomic.store<u32>(nic + off, value);
    return;
  }
  if (off == RDBAL || off == TDBAL) {
    if ((value & 15) != 0) {
      registerRefused(nic, ERR_REG_VALUE, off);
      return;
    }
    atomic.store<u32>(nic + off, value);
    return;
  }
  if (off == RDBAH || off == TDBAH) {
    if (value != 0) {
      // The machine's physical memory is below 4 GiB: a high address can only be a mistake.
      registerRefused(nic, ERR_REG_VALUE, off);
      return;
    }
    atomic.store<u32>(nic + off, 0);
    return;
  }
  if (off == RDH || off == RDT || off == TDH || off == TDT) {
    const count = ringCount(atomic.load<u32>(nic + (off == RDH || off == RDT ? RDLEN : TDLEN)));
    if (count == 0 ? value != 0 : value >= count) {
      registerRefused(nic, ERR_REG_VALUE, off);
      return;
    }
    atomic.store<u32>(nic + off, value);
    if (off == RDT || off == TDT) ringDoorbell(machineOf(nic));
    return;
  }
  atomic.store<u32>(nic + off, value);
}
