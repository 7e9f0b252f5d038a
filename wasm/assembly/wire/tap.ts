// A capture tap at a NIC's port, like a mirror port on the cable right at the NIC: it records
// every frame the NIC sends onto the wire (before the link's faults) and every frame the wire
// delivers to it (after them, so a damaged, delayed or reordered frame is recorded as it arrived,
// with its FRAME_* flags). It lives in the wire, not in the NIC: a debugging aid wraps the device
// instead of being a mode inside it. The records go to a ring in shared memory that the core
// reads (core/trace/capture.ts); the layout is in wasm/e1000/machine.ts.

import {
  EP_CAPTURE, M_CAPTURE_SEQ, CAP_CAPACITY, CAP_WRITE, CAP_READ, CAP_RECORDS, CAP_DROPPED,
  CAPTURE_HEADER_BYTES, CR_SIZE, CR_KIND, CR_TIME_NS, CR_FLAGS, CR_WIRE_LEN, CR_CAPTURED, CR_SEQ, CR_DATA,
  CAPTURE_WRAP, CAPTURE_ALIGN, WIRE_MAX_FRAME, FRAME_FCS_LAZY,
} from "../../e1000/machine";
import { ETH_FCS_LEN } from "../../e1000/registers";
import { now, crcTable, inMemory } from "../machine";
import { crc32 } from "../crc32";

/**
 * Where a record of `size` bytes goes in a ring with `capacity` bytes of record area, written
 * at `w` and read at `r`, or `capacity` if it does not fit. One alignment unit always stays
 * free, so a full ring never has w == r.
 */
function placeRecord(capacity: u32, w: u32, r: u32, size: u32): u32 {
  if (w >= r) {
    // Free space is [w, capacity) and then [0, r).
    if (size + (r == 0 ? CAPTURE_ALIGN : 0) <= capacity - w) return w;
    if (size + CAPTURE_ALIGN <= r) return 0; // wrap (a marker at w says so)
    return capacity;
  }
  return size + CAPTURE_ALIGN <= r - w ? w : capacity;
}

/** Appends a record of a frame seen at the port of the endpoint record `ep`, if it has a ring. */
export function tap(m: u32, ep: u32, kind: u32, frame: u32, wireLen: u32, flags: u32): void {
  const ring = load<u32>(ep + EP_CAPTURE);
  if (ring == 0 || !inMemory(ring, CAPTURE_HEADER_BYTES)) return;
  const capacity = load<u32>(ring + CAP_CAPACITY);
  const w = load<u32>(ring + CAP_WRITE);
  const r = atomic.load<u32>(ring + CAP_READ);
  const size = (CR_DATA + wireLen + CAPTURE_ALIGN - 1) & ~(CAPTURE_ALIGN - 1);
  let at = capacity;
  // A scribbled header must not make the tap write outside the ring: check it all first.
  if (
    wireLen >= ETH_FCS_LEN && wireLen <= WIRE_MAX_FRAME && w < capacity && r < capacity &&
    ((capacity | w | r) & (CAPTURE_ALIGN - 1)) == 0 && inMemory(ring, <u64>CAPTURE_HEADER_BYTES + capacity)
  ) at = placeRecord(capacity, w, r, size);
  if (at == capacity) {
    store<u32>(ring + CAP_DROPPED, load<u32>(ring + CAP_DROPPED) + 1);
    return;
  }
  const area = ring + CAPTURE_HEADER_BYTES;
  if (at != w) store<u32>(area + w + CR_SIZE, CAPTURE_WRAP);
  const rec = area + at;
  const payloadLen = wireLen - ETH_FCS_LEN;
  if (flags & FRAME_FCS_LAZY) {
    // The FCS was never written out; record the bytes that were on the wire.
    memory.copy(rec + CR_DATA, frame, payloadLen);
    store<u32>(rec + CR_DATA + payloadLen, crc32(crcTable(m), frame, payloadLen));
  } else {
    memory.copy(rec + CR_DATA, frame, wireLen);
  }
  memory.fill(rec + CR_DATA + wireLen, 0, size - CR_DATA - wireLen);
  const seq = load<u32>(m + M_CAPTURE_SEQ);
  store<u32>(m + M_CAPTURE_SEQ, seq + 1);
  store<u32>(rec + CR_SIZE, size);
  store<u32>(rec + CR_KIND, kind);
  store<u64>(rec + CR_TIME_NS, now(m));
  store<u32>(rec + CR_FLAGS, flags);
  store<u32>(rec + CR_WIRE_LEN, wireLen);
  store<u32>(rec + CR_CAPTURED, wireLen);
  store<u32>(rec + CR_SEQ, seq);
  store<u32>(ring + CAP_RECORDS, load<u32>(ring + CAP_RECORDS) + 1);
  const next = at + size;
  // Publish last: a reader that sees the new write offset sees the whole record.
  atomic.store<u32>(ring + CAP_WRITE, next == capacity ? 0 : next);
}
