// Where the device finds things: the machine header, NIC blocks, the wire tables. Every index
// read from shared memory is checked before it is used, so a scribbled table makes the device
// refuse work instead of trapping or touching memory it should not.

import {
  M_NIC_TABLE, M_NIC_COUNT, M_ENDPOINT_TABLE, M_ENDPOINT_COUNT, M_LINK_TABLE, M_LINK_COUNT,
  M_SWITCH_TABLE, M_SWITCH_COUNT, M_CLOCK_NS, M_CRC_TABLE, M_DOORBELL, M_DEVICE_PARKED,
  ENDPOINT_BYTES, LINK_BYTES, SWITCH_BYTES, E_MACHINE,
} from "../e1000/machine";

/** Bytes of memory currently addressable; nothing at or above it may be touched. */
@inline export function memoryBytes(): u64 {
  return (<u64>memory.size()) << 16;
}

/** True if [addr, addr + len) lies inside the module's memory. */
@inline export function inMemory(addr: u64, len: u64): bool {
  return addr + len <= memoryBytes() && addr + len >= addr;
}

@inline export function machineOf(nic: u32): u32 {
  return load<u32>(nic + E_MACHINE);
}

@inline export function now(m: u32): u64 {
  return atomic.load<u64>(m + M_CLOCK_NS);
}

@inline export function crcTable(m: u32): u32 {
  return load<u32>(m + M_CRC_TABLE);
}

/** The register block of NIC `index`, or 0 if there is no such NIC. */
export function nicAt(m: u32, index: u32): u32 {
  if (index >= load<u32>(m + M_NIC_COUNT)) return 0;
  const nic = load<u32>(load<u32>(m + M_NIC_TABLE) + index * 4);
  return inMemory(nic, 0x8000) ? nic : 0;
}

/** The record of endpoint `index`, or 0. */
export function endpointAt(m: u32, index: u32): u32 {
  if (index >= load<u32>(m + M_ENDPOINT_COUNT)) return 0;
  const ep = load<u32>(m + M_ENDPOINT_TABLE) + index * ENDPOINT_BYTES;
  return inMemory(ep, ENDPOINT_BYTES) ? ep : 0;
}

/** The record of link `index`, or 0. */
export function linkAt(m: u32, index: u32): u32 {
  if (index >= load<u32>(m + M_LINK_COUNT)) return 0;
  const link = load<u32>(m + M_LINK_TABLE) + index * LINK_BYTES;
  return inMemory(link, LINK_BYTES) ? link : 0;
}

/** The record of switch `index`, or 0. */
export function switchAt(m: u32, index: u32): u32 {
  if (index >= load<u32>(m + M_SWITCH_COUNT)) return 0;
  const sw = load<u32>(m + M_SWITCH_TABLE) + index * SWITCH_BYTES;
  return inMemory(sw, SWITCH_BYTES) ? sw : 0;
}

/** Tells a sleeping live device that there is new work (a doorbell write, a link change). */
export function ringDoorbell(m: u32): void {
  atomic.add<u32>(m + M_DOORBELL, 1);
  if (atomic.load<u32>(m + M_DEVICE_PARKED) != 0) atomic.notify(m + M_DOORBELL, 1);
}
