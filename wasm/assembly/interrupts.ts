// Interrupt causes and the interrupt line. A cause bit is set in ICR; the line asserts when a
// cause is set that IMS does not mask and none was pending before (an edge, as the driver sees
// it after reading ICR to acknowledge). Asserting bumps the NIC's E_INTR_SEQ word and wakes any
// thread waiting on it with Atomics.wait: that word is the NIC's interrupt line.

import { ICR, IMS } from "../e1000/registers";
import { E_INTR_SEQ, E_FENCE } from "../e1000/machine";

export function assertLine(nic: u32): void {
  atomic.add<u32>(nic + E_INTR_SEQ, 1);
  atomic.notify(nic + E_INTR_SEQ, -1);
}

/** Sets cause bits in ICR and asserts the line if one of them is newly unmasked-pending. */
export function raise(nic: u32, causes: u32): void {
  if (causes == 0) return;
  const before = atomic.or<u32>(nic + ICR, causes);
  const mask = atomic.load<u32>(nic + IMS);
  if ((before & mask) == 0 && (causes & mask) != 0) assertLine(nic);
}

/**
 * A full memory barrier: every store before it is visible before any store after it. (A
 * sequentially consistent read-modify-write is one on every target; binaryen rejects the
 * atomic.fence instruction as AssemblyScript 0.28 emits it.)
 */
@inline export function fence(nic: u32): void {
  atomic.add<u32>(nic + E_FENCE, 0);
}
