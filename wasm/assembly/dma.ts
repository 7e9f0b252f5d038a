// The device's IOMMU: every descriptor ring and buffer address is checked against the NIC's DMA
// window before it is followed. A refusal is counted and remembered; it never traps and never
// writes outside the window.

import { E_DMA_BASE, E_DMA_LIMIT, E_DMA_ERRORS, E_LAST_ERROR, E_LAST_ERROR_ARG, E_REG_ERRORS } from "../e1000/machine";
import { memoryBytes } from "./machine";

/** First byte of the NIC's DMA window. */
@inline export function dmaBase(nic: u32): u64 {
  return <u64>load<u32>(nic + E_DMA_BASE);
}

/** End of the NIC's DMA window (exclusive), never beyond memory. Read once per batch. */
export function dmaLimit(nic: u32): u64 {
  const limit = <u64>load<u32>(nic + E_DMA_LIMIT);
  const mem = memoryBytes();
  return limit < mem ? limit : mem;
}

/** True if [addr, addr + len) lies in the window [base, limit). `addr` is a 64-bit bus address. */
@inline export function inWindow(base: u64, limit: u64, addr: u64, len: u32): bool {
  return addr >= base && addr + <u64>len <= limit;
}

/** True if the device may read or write [addr, addr + len). */
export function dmaAllowed(nic: u32, addr: u64, len: u32): bool {
  return inWindow(dmaBase(nic), dmaLimit(nic), addr, len);
}

/** Records a refused descriptor or buffer. */
export function dmaRefused(nic: u32, code: u32, arg: u32): void {
  atomic.add<u32>(nic + E_DMA_ERRORS, 1);
  atomic.store<u32>(nic + E_LAST_ERROR, code);
  atomic.store<u32>(nic + E_LAST_ERROR_ARG, arg);
}

/** Records a refused register access. */
export function registerRefused(nic: u32, code: u32, arg: u32): void {
  atomic.add<u32>(nic + E_REG_ERRORS, 1);
  atomic.store<u32>(nic + E_LAST_ERROR, code);
  atomic.store<u32>(nic + E_LAST_ERROR_ARG, arg);
}
