// The Ethernet FCS: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final
// XOR 0xFFFFFFFF), stored after the frame least significant byte first.
// Slicing-by-8: eight 1 KiB tables in shared memory (built once by device_boot, never as a data
// segment, so a second instance of the module cannot re-initialise live memory).

const POLY: u32 = 0xedb88320;
const TABLE_BYTES: u32 = 256 * 4;

/** Fills the eight tables at `table` (8 KiB). */
export function buildCrcTables(table: u32): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(table + i * 4, c);
  }
  for (let t: u32 = 1; t < 8; t++) {
    for (let i: u32 = 0; i < 256; i++) {
      const prev = load<u32>(table + (t - 1) * TABLE_BYTES + i * 4);
      store<u32>(table + t * TABLE_BYTES + i * 4, (prev >>> 8) ^ load<u32>(table + (prev & 0xff) * 4));
    }
  }
}

@inline function t(table: u32, slice: u32, index: u32): u32 {
  return load<u32>(table + slice * TABLE_BYTES + (index << 2));
}

/** CRC-32 of `len` bytes at `addr`. */
export function crc32(table: u32, addr: u32, len: u32): u32 {
  let crc: u32 = 0xffffffff;
  let p = addr;
  const end = addr + len;
  while (end - p >= 8) {
    const one = load<u32>(p) ^ crc;
    const two = load<u32>(p, 4);
    crc =
      t(table, 7, one & 0xff) ^ t(table, 6, (one >>> 8) & 0xff) ^ t(table, 5, (one >>> 16) & 0xff) ^
      t(table, 4, one >>> 24) ^ t(table, 3, two & 0xff) ^ t(table, 2, (two >>> 8) & 0xff) ^
      t(table, 1, (two >>> 16) & 0xff) ^ t(table, 0, two >>> 24);
    p += 8;
  }
  while (p < end) {
    crc = (crc >>> 8) ^ t(table, 0, (crc ^ load<u8>(p)) & 0xff);
    p++;
  }
  return crc ^ 0xffffffff;
}
