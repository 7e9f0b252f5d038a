// A traffic generator plugged straight into a NIC's port, with 802.3x-style flow control: it
// offers frames only while the receive ring has free descriptors and sleeps on the machine
// doorbell (woken by the driver's RDT write) when it is full, so nothing is missed. It drives
// the NIC's real receive path in batches; the benchmark `ring-wasm-64B` measures it.

import { RCTL, RDLEN, RDH, RDT, DESC_SIZE } from "../../e1000/registers";
import { M_DOORBELL, M_DEVICE_PARKED } from "../../e1000/machine";
import { machineOf } from "../machine";
import { place, ringBase, rxCauses, screenFrame, countReceived, RX_DROP } from "../rx";
import { dmaBase, dmaLimit } from "../dma";
import { raise } from "../interrupts";
import { flushStats } from "../stats";

const BATCH: u32 = 64;
/** Re-checks of RDT before sleeping: a wake-up costs ~100 us on these VMs, so spin ~100 us first. */
const SPINS: u32 = 200_000;

/**
 * Offers `frames` copies of the frame at `frame`, writing the running frame number (u32) at
 * `frame + stampOffset` before each so the receiver can check order. Returns frames delivered
 * (fewer only if the ring is unusable). Runs until done: a worker thread only.
 */
export function generate(nic: u32, frame: u32, wireLen: u32, flags: u32, frames: u32, stampOffset: u32): u32 {
  const m = machineOf(nic);
  const rctl = atomic.load<u32>(nic + RCTL);
  const ringCount = atomic.load<u32>(nic + RDLEN) / DESC_SIZE;
  const base = ringBase(nic, ringCount);
  let head = atomic.load<u32>(nic + RDH);
  if (base == 0 || head >= ringCount) return 0;
  let sent: u32 = 0;
  while (sent < frames) {
    const tail = atomic.load<u32>(nic + RDT);
    if (tail >= ringCount) break;
    let free = tail >= head ? tail - head : tail + ringCount - head;
    // Wait for a whole batch of free descriptors (or the last frames): refilling one at a time
    // would turn a full ring into batches of one.
    if (free == 0 || (free < BATCH && free < frames - sent)) {
      // Ring full: wait for the driver to hand descriptors back (its RDT write rings the doorbell).
      let spins: u32 = 0;
      while (atomic.load<u32>(nic + RDT) == tail && spins < SPINS) spins++;
      if (atomic.load<u32>(nic + RDT) == tail && free == 0) {
        const snapshot = atomic.load<i32>(m + M_DOORBELL);
        atomic.store<u32>(m + M_DEVICE_PARKED, 1);
        if (atomic.load<u32>(nic + RDT) == tail) atomic.wait<i32>(m + M_DOORBELL, snapshot, 100_000_000);
        atomic.store<u32>(m + M_DEVICE_PARKED, 0);
      }
      continue;
    }
    const batch = min(min(free, frames - sent), BATCH);
    const winBase = dmaBase(nic);
    const winLimit = dmaLimit(nic);
    let placed: u32 = 0;
    for (let i: u32 = 0; i < batch; i++) {
      store<u32>(frame + stampOffset, sent);
      const screened = screenFrame(nic, frame, wireLen, flags, rctl);
      if (screened != RX_DROP) {
        const after = place(nic, frame, wireLen, flags, rctl, <u32>screened, base, ringCount, head, free, winBase, winLimit);
        free -= after >= head ? after - head : after + ringCount - head;
        if (after != head) placed++;
        head = after;
      }
      sent++;
    }
    countReceived(nic, wireLen, placed);
    atomic.store<u32>(nic + RDH, head);
    flushStats(nic);
    raise(nic, rxCauses(rctl, ringCount, free));
  }
  flushStats(nic);
  return sent;
}
