// A traffic generator plugged straight into a NIC's port, with 802.3x-style flow control: it
// offers frames only while the receive ring has free descriptors and sleeps on the machine
// doorbell (woken by the driver's RDT write) when it is full, so nothing is missed. It drives
// the NIC's real receive path (rx.ts receive and write-back); the benchmark `ring-wasm-64B`
// measures it.

import { RDT } from "../../e1000/registers";
import { M_DOORBELL, M_DEVICE_PARKED, RX_SHADOW_BYTES } from "../../e1000/machine";
import { machineOf } from "../machine";
import { receive, rxFree, rxWriteBack } from "../rx";

/** Frames per write-back burst. */
const BATCH: u32 = RX_SHADOW_BYTES;
/** Re-checks of RDT before sleeping: a wake-up costs ~100 us on these VMs, so spin a while first. */
const SPINS: u32 = 200_000;

/**
 * Offers `frames` copies of the frame at `frame`, writing the running frame number (u32) at
 * `frame + stampOffset` before each so the receiver can check order. Returns frames delivered:
 * fewer only if the receive path refuses one (disabled, filtered, unusable ring). Blocks until
 * done: a worker thread only.
 */
export function generate(nic: u32, frame: u32, wireLen: u32, flags: u32, frames: u32, stampOffset: u32): u32 {
  const m = machineOf(nic);
  let sent: u32 = 0;
  while (sent < frames) {
    const free = rxFree(nic);
    // Wait for a whole batch of free descriptors (or for the last frames): refilling one at a
    // time would turn a full ring into batches of one.
    if (free < BATCH && free < frames - sent) {
      const tail = atomic.load<u32>(nic + RDT);
      let spins: u32 = 0;
      while (atomic.load<u32>(nic + RDT) == tail && spins < SPINS) spins++;
      if (atomic.load<u32>(nic + RDT) == tail) {
        const snapshot = atomic.load<i32>(m + M_DOORBELL);
        atomic.store<u32>(m + M_DEVICE_PARKED, 1);
        if (atomic.load<u32>(nic + RDT) == tail) atomic.wait<i32>(m + M_DOORBELL, snapshot, 100_000_000);
        atomic.store<u32>(m + M_DEVICE_PARKED, 0);
      }
      continue;
    }
    const batch = min(min(free, frames - sent), BATCH);
    for (let i: u32 = 0; i < batch; i++) {
      store<u32>(frame + stampOffset, sent);
      if (!receive(nic, frame, wireLen, flags)) {
        rxWriteBack(nic);
        return sent;
      }
      sent++;
    }
    rxWriteBack(nic);
  }
  return sent;
}
