// The virtual NIC's exports: an Intel 82540EM (e1000) per NIC plus the wire that joins them, all
// state in the shared memory that core/memory/map.ts lays out (never in wasm globals, so any
// number of instances on any thread see one machine). core/nic is the only caller.
//
// Threading rule: the device logic of one machine (transmit, the wire, receive) runs on one
// thread at a time: the live NIC worker, or whoever steps the machine. Register access (mmio_*)
// may come from any thread; it only touches registers, with atomics.

import { M_NIC_COUNT, M_CRC_TABLE, M_BOOTED, M_RUN, M_DOORBELL, M_DEVICE_PARKED, M_CLOCK_NS, M_LIVE_STEPS, M_LIVE_PARKS, E_EEPROM_MAC_LO } from "../e1000/machine";
import { TDH, TDT, TCTL, TCTL_EN } from "../e1000/registers";
import { buildCrcTables, crc32 as crc } from "./crc32";
import { nicAt, crcTable, machineOf } from "./machine";
import { mmioRead, mmioWrite, resetNic } from "./mmio";
import { transmit } from "./tx";
import { receive, rxWriteBack } from "./rx";
import { wireSend, wirePoll, wireNextDue, linkSetUp } from "./wire/link";
import { generate } from "./wire/generator";

/** Builds the shared tables and resets every NIC, once per machine whichever instance gets here first. */
export function device_boot(m: u32): void {
  const state = atomic.cmpxchg<u32>(m + M_BOOTED, 0, 2);
  if (state == 1) return;
  if (state == 2) {
    while (atomic.load<u32>(m + M_BOOTED) != 1) atomic.wait<i32>(m + M_BOOTED, 2, 1_000_000);
    return;
  }
  buildCrcTables(load<u32>(m + M_CRC_TABLE));
  const nics = load<u32>(m + M_NIC_COUNT);
  for (let i: u32 = 0; i < nics; i++) {
    const nic = nicAt(m, i);
    if (nic != 0) resetNic(nic);
  }
  atomic.store<u32>(m + M_BOOTED, 1);
  atomic.notify(m + M_BOOTED, -1);
}

export function mmio_read(nic: u32, offset: u32): u32 {
  return mmioRead(nic, offset);
}

export function mmio_write(nic: u32, offset: u32, value: u32): void {
  mmioWrite(nic, offset, value);
}

/** Writes back what every NIC received in this round (see rx.ts rxWriteBack). */
function writeBackAll(m: u32): void {
  const nics = load<u32>(m + M_NIC_COUNT);
  for (let i: u32 = 0; i < nics; i++) {
    const nic = nicAt(m, i);
    if (nic != 0) rxWriteBack(nic);
  }
}

/** Processes up to `budget` transmit descriptors of one NIC. */
export function nic_transmit(nic: u32, budget: u32): u32 {
  const done = transmit(nic, budget);
  writeBackAll(machineOf(nic));
  return done;
}

/** A frame arrives at the NIC's port from outside (tests, generators). 1 if it reached the ring. */
export function nic_receive(nic: u32, frame: u32, wireLen: u32, flags: u32): u32 {
  const placed = receive(nic, frame, wireLen, flags);
  rxWriteBack(nic);
  return placed ? 1 : 0;
}

/** Sends a frame out of a wire endpoint as if a device there had transmitted it. */
export function wire_send(m: u32, endpoint: u32, frame: u32, wireLen: u32, flags: u32): void {
  wireSend(m, endpoint, frame, wireLen, flags, 0);
  writeBackAll(m);
}

export function wire_poll(m: u32): u32 {
  const delivered = wirePoll(m);
  writeBackAll(m);
  return delivered;
}

/** Earliest virtual time (ns) at which a held frame is due, or -1 when none is held. */
export function wire_next_due(m: u32): i64 {
  const next = wireNextDue(m);
  return next == u64.MAX_VALUE ? -1 : <i64>next;
}

export function link_set_up(m: u32, link: u32, up: u32): void {
  linkSetUp(m, link, up != 0);
}

/** One round of device work: each NIC's transmit ring (up to `budget` each), then due frames. */
export function machine_step(m: u32, budget: u32): u32 {
  let work: u32 = 0;
  const nics = load<u32>(m + M_NIC_COUNT);
  for (let i: u32 = 0; i < nics; i++) {
    const nic = nicAt(m, i);
    if (nic != 0) work += transmit(nic, budget);
  }
  work += wirePoll(m);
  writeBackAll(m);
  return work;
}

function transmitPending(m: u32): bool {
  const nics = load<u32>(m + M_NIC_COUNT);
  for (let i: u32 = 0; i < nics; i++) {
    const nic = nicAt(m, i);
    if (nic != 0 && (atomic.load<u32>(nic + TCTL) & TCTL_EN) != 0 && atomic.load<u32>(nic + TDH) != atomic.load<u32>(nic + TDT)) return true;
  }
  return false;
}

const IDLE_SPINS: u32 = 4000;

/**
 * The live device loop (a worker thread only: it blocks). Runs while M_RUN is 1. When idle it
 * moves virtual time to the next held frame, or spins briefly and then sleeps on M_DOORBELL.
 */
export function machine_run(m: u32, budget: u32): void {
  while (atomic.load<u32>(m + M_RUN) != 0) {
    if (machine_step(m, budget) != 0) {
      store<u32>(m + M_LIVE_STEPS, load<u32>(m + M_LIVE_STEPS) + 1);
      continue;
    }
    const next = wireNextDue(m);
    if (next != u64.MAX_VALUE) {
      atomic.store<u64>(m + M_CLOCK_NS, next);
      continue;
    }
    const snapshot = atomic.load<i32>(m + M_DOORBELL);
    let spins: u32 = 0;
    while (spins < IDLE_SPINS && atomic.load<i32>(m + M_DOORBELL) == snapshot) spins++;
    if (atomic.load<i32>(m + M_DOORBELL) != snapshot) continue;
    atomic.store<u32>(m + M_DEVICE_PARKED, 1);
    if (!transmitPending(m) && atomic.load<u32>(m + M_RUN) != 0) {
      store<u32>(m + M_LIVE_PARKS, load<u32>(m + M_LIVE_PARKS) + 1);
      atomic.wait<i32>(m + M_DOORBELL, snapshot, -1);
    }
    atomic.store<u32>(m + M_DEVICE_PARKED, 0);
  }
}

/** Flow-controlled generator into NIC `nic`'s receive path (see wire/generator.ts). */
export function rx_generate(nic: u32, frame: u32, wireLen: u32, flags: u32, frames: u32, stampOffset: u32): u32 {
  return generate(nic, frame, wireLen, flags, frames, stampOffset);
}

/** CRC-32 (the Ethernet FCS) of `len` bytes at `addr`, with the machine's tables. */
export function crc32(m: u32, addr: u32, len: u32): u32 {
  return crc(crcTable(m), addr, len);
}
