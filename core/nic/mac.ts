// MAC addresses as text: what scenarios, options and findings write ("02:4e:49:43:00:01").

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
