// MAC addresses as text: what scenarios, options and findings write ("02:4e:49:43:00:01"), and as
// one number (a key), for comparing frames' addresses without allocating.

/** Parses "aa:bb:cc:dd:ee:ff" (or with dashes) into 6 bytes; throws naming the bad text. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`not a MAC address: "${text}" (expected six hex pairs like 02:4e:49:43:00:01)`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(bytes: ArrayLike<number>): string {
  return Array.from({ length: 6 }, (_, i) => (bytes[i] ?? 0).toString(16).padStart(2, '0')).join(':');
}

/** A 48-bit MAC address at `bytes[at]` as one number (exact in a double): the first byte is the most significant. */
export function macKey(bytes: ArrayLike<number>, at = 0): number {
  return (bytes[at]! * 256 + bytes[at + 1]!) * 0x1_0000_0000 + (((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0);
}
