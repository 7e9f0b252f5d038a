// A learning switch: it remembers which port each source address was seen on, forwards a
// unicast frame out of the port its destination was learned on, and floods group and unknown
// destinations out of every other port. Store and forward with no delay of its own; the cables
// to its ports carry their own faults.

import {
  S_PORT_COUNT, S_FIRST_ENDPOINT, S_TABLE, S_TABLE_ENTRIES, S_NEXT_VICTIM, S_FLOODED, S_FORWARDED,
  S_FILTERED, MAC_ENTRY_BYTES,
} from "../../e1000/machine";
import { switchAt, inMemory } from "../machine";
import { wireSend } from "./link";

@inline function bump(p: u32): void {
  store<u32>(p, load<u32>(p) + 1);
}

/** The table entry for the address at `mac`, or 0. */
function lookup(table: u32, entries: u32, mac: u32): u32 {
  const lo = load<u32>(mac);
  const hi = load<u16>(mac, 4);
  for (let i: u32 = 0; i < entries; i++) {
    const e = table + i * MAC_ENTRY_BYTES;
    if (load<u16>(e, 6) != 0 && load<u32>(e) == lo && load<u16>(e, 4) == hi) return e;
  }
  return 0;
}

function learn(sw: u32, table: u32, entries: u32, mac: u32, port: u32): void {
  if (load<u8>(mac) & 1) return; // a group address is never a source
  let e = lookup(table, entries, mac);
  if (e == 0) {
    for (let i: u32 = 0; i < entries && e == 0; i++) {
      if (load<u16>(table + i * MAC_ENTRY_BYTES, 6) == 0) e = table + i * MAC_ENTRY_BYTES;
    }
    if (e == 0) {
      const victim = load<u32>(sw + S_NEXT_VICTIM) % entries;
      store<u32>(sw + S_NEXT_VICTIM, victim + 1);
      e = table + victim * MAC_ENTRY_BYTES;
    }
    store<u32>(e, load<u32>(mac));
    store<u16>(e, load<u16>(mac, 4), 4);
  }
  store<u16>(e, <u16>(port + 1), 6);
}

export function switchForward(m: u32, index: u32, inPort: u32, frame: u32, wireLen: u32, flags: u32, hops: u32): void {
  const sw = switchAt(m, index);
  if (sw == 0 || wireLen < 14) return;
  const ports = load<u32>(sw + S_PORT_COUNT);
  const first = load<u32>(sw + S_FIRST_ENDPOINT);
  const table = load<u32>(sw + S_TABLE);
  const entries = load<u32>(sw + S_TABLE_ENTRIES);
  if (entries == 0 || !inMemory(table, <u64>entries * MAC_ENTRY_BYTES) || inPort >= ports) return;
  learn(sw, table, entries, frame + 6, inPort);
  if ((load<u8>(frame) & 1) == 0) {
    const e = lookup(table, entries, frame);
    if (e != 0) {
      const out = <u32>load<u16>(e, 6) - 1;
      if (out == inPort) {
        bump(sw + S_FILTERED);
      } else if (out < ports) {
        bump(sw + S_FORWARDED);
        wireSend(m, first + out, frame, wireLen, flags, hops);
      }
      return;
    }
  }
  bump(sw + S_FLOODED);
  for (let p: u32 = 0; p < ports; p++) {
    if (p != inPort) wireSend(m, first + p, frame, wireLen, flags, hops);
  }
}
