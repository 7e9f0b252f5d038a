// Statistics registers, counted cheaply: per frame the device adds to a private copy
// (E_STATS_PENDING, with a bit per word in E_STATS_DIRTY), and once per batch folds it into the
// read-to-clear registers with one atomic add per counter that changed, so a packet costs no
// atomic operations and a driver reading (and clearing) a counter never loses an increment.

import { STATS_FIRST, STATS_END, GORCL, GOTCL, TORL, TOTL } from "../e1000/registers";
import { E_STATS_PENDING, E_STATS_DIRTY } from "../e1000/machine";

@inline export function count(nic: u32, reg: u32, n: u32): void {
  const word = (reg - STATS_FIRST) >>> 2;
  const p = nic + E_STATS_PENDING + (word << 2);
  store<u32>(p, load<u32>(p) + n);
  store<u64>(nic + E_STATS_DIRTY, load<u64>(nic + E_STATS_DIRTY) | (<u64>1 << word));
}

/** Adds the pending counts into the statistics registers and clears them. */
export function flushStats(nic: u32): void {
  let dirty = load<u64>(nic + E_STATS_DIRTY);
  if (dirty == 0) return;
  store<u64>(nic + E_STATS_DIRTY, 0);
  while (dirty != 0) {
    const word = <u32>ctz(dirty);
    dirty &= dirty - 1;
    const p = nic + E_STATS_PENDING + (word << 2);
    const n = load<u32>(p);
    store<u32>(p, 0);
    const reg = STATS_FIRST + (word << 2);
    const before = atomic.add<u32>(nic + reg, n);
    // 64-bit octet counters: carry into the high half.
    if ((reg == GORCL || reg == GOTCL || reg == TORL || reg == TOTL) && before + n < before) {
      atomic.add<u32>(nic + reg + 4, 1);
    }
  }
}

/** The size bucket register (PRC64.. or PTC64..) for a frame of `len` bytes, FCS included. */
@inline export function sizeBucket(first64: u32, len: u32): u32 {
  if (len <= 64) return first64;
  if (len <= 127) return first64 + 4;
  if (len <= 255) return first64 + 8;
  if (len <= 511) return first64 + 12;
  if (len <= 1023) return first64 + 16;
  return first64 + 20;
}
