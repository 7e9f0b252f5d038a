// The capture taps at the NICs' ports: what they record, when, with which fault flags, how a full
// ring drops, and how reading refuses a scribbled ring.

import { describe, it, expect } from 'vitest';
import * as m from '../../wasm/e1000/machine.ts';
import { Machine } from '../nic/machine.ts';
import { RawDriver } from '../nic/raw-driver.ts';
import { defaultMac, numberedFrame, sequenceOf } from '../nic/ethernet.ts';
import type { CaptureRecord } from './capture.ts';

/** A frame from NIC `from` to NIC `to`, `size` bytes, its payload starting with `seq`. */
const numbered = (from: number, to: number, seq: number, size = 60) => numberedFrame(defaultMac(to), defaultMac(from), seq, size);
const seqOf = sequenceOf;

async function pair(options: { seed?: number; captureBytes?: number } = {}) {
  const machine = await Machine.create({ nics: 2, txRingEntries: 64, rxRingEntries: 128, seed: options.seed ?? 1, captureBytes: options.captureBytes });
  const a = new RawDriver(machine, machine.nic(0));
  const b = new RawDriver(machine, machine.nic(1));
  const link = machine.wire.connect(machine.nic(0).endpoint, machine.nic(1).endpoint);
  return { machine, a, b, link };
}

/** The frame with the FCS the device computes (machine.crc32) appended, as it is on the wire. */
function withFcs(machine: Machine, frame: Uint8Array): Uint8Array {
  const at = machine.layout.scratch.base;
  machine.bytes.set(frame, at);
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  new DataView(out.buffer).setUint32(frame.length, machine.crc32(at, frame.length), true);
  return out;
}

/** Whether a captured frame's last four bytes are the CRC-32 of the rest. */
function fcsGood(machine: Machine, bytes: Uint8Array): boolean {
  const at = machine.layout.scratch.base;
  machine.bytes.set(bytes, at);
  return machine.crc32(at, bytes.length - 4) === new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 4, true);
}

const summary = (r: CaptureRecord) => [r.nic, r.direction, r.timestampNs, seqOf(r.bytes)] as const;

describe('capture taps at the NICs\' ports', () => {
  it('records what NIC 0 sends and NIC 1 receives: the wire bytes with their FCS, at virtual time', async () => {
    const { machine, a, b } = await pair();
    machine.capture.start();
    const sent = [numbered(0, 1, 0), numbered(0, 1, 1, 100), numbered(0, 1, 2, 1514)];
    for (const frame of sent) {
      a.send([frame]);
      machine.runUntilIdle();
      machine.advanceClock(1000);
    }
    b.send([numbered(1, 0, 3, 64)]);
    machine.runUntilIdle();
    const received = b.receive();
    expect(received.map((f) => seqOf(f.bytes))).toEqual([0, 1, 2]);
    expect(a.receive().map((f) => seqOf(f.bytes))).toEqual([3]);

    const records = machine.capture.read();
    expect(records.map(summary)).toEqual([
      [0, 'tx', 0n, 0], [1, 'rx', 0n, 0],
      [0, 'tx', 1000n, 1], [1, 'rx', 1000n, 1],
      [0, 'tx', 2000n, 2], [1, 'rx', 2000n, 2],
      [1, 'tx', 3000n, 3], [0, 'rx', 3000n, 3],
    ]);
    for (const [i, frame] of sent.entries()) {
      const expected = withFcs(machine, frame);
      expect(records[2 * i]!.bytes).toEqual(expected);
      expect(records[2 * i + 1]!.bytes).toEqual(expected);
      expect(received[i]!.bytes).toEqual(expected.subarray(0, frame.length)); // RCTL.SECRC strips it
    }
    for (const r of records) {
      expect(fcsGood(machine, r.bytes)).toBe(true);
      expect(r.flags).toBe(m.FRAME_FCS_LAZY); // the transmitter's IFCS, untouched on the way
      expect([r.corrupted, r.delayed, r.reordered]).toEqual([false, false, false]);
    }
    expect(records.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(machine.capture.stats(0)).toMatchObject({ capturing: true, records: 4, dropped: 0, pendingBytes: 0 });
  });

  it('drains what it reads unless asked not to; stop() stops recording, start() begins afresh', async () => {
    const { machine, a } = await pair();
    a.send([numbered(0, 1, 0)]);
    machine.runUntilIdle();
    expect(machine.capture.read()).toEqual([]); // nothing attached yet
    machine.capture.start(0);
    expect(machine.capture.isCapturing(0)).toBe(true);
    expect(machine.capture.isCapturing(1)).toBe(false);
    a.send([numbered(0, 1, 1)]);
    machine.runUntilIdle();
    expect(machine.capture.stats(0).pendingBytes).toBe(m.CR_DATA + 64);
    const peeked = machine.capture.read({ drain: false });
    expect(peeked.map(summary)).toEqual([[0, 'tx', 0n, 1]]);
    expect(machine.capture.read()).toEqual(peeked);
    expect(machine.capture.read()).toEqual([]);
    a.send([numbered(0, 1, 2)]);
    machine.runUntilIdle();
    machine.capture.stop();
    a.send([numbered(0, 1, 3)]);
    machine.runUntilIdle();
    expect(machine.capture.read().map((r) => seqOf(r.bytes))).toEqual([2]); // kept after stop
    a.send([numbered(0, 1, 4)]);
    machine.runUntilIdle();
    machine.capture.start(0);
    machine.capture.start(0); // already capturing: unchanged
    a.send([numbered(0, 1, 5)]);
    machine.runUntilIdle();
    expect(machine.capture.read().map((r) => seqOf(r.bytes))).toEqual([5]);
    expect(() => machine.capture.start(2)).toThrow(/there is no NIC 2/);
  });

  it('records sends on an unplugged port (tx only) and frames on a loopback plug both ways', async () => {
    const machine = await Machine.create({ nics: 1, txRingEntries: 16, rxRingEntries: 16 });
    const d = new RawDriver(machine, machine.nic(0));
    machine.capture.start();
    d.send([numbered(0, 0, 1)]);
    machine.runUntilIdle();
    machine.wire.loopback(machine.nic(0).endpoint);
    d.send([numbered(0, 0, 2)]);
    machine.runUntilIdle();
    expect(d.receive().map((f) => seqOf(f.bytes))).toEqual([2]);
    expect(machine.capture.read().map((r) => [r.direction, seqOf(r.bytes)])).toEqual([['tx', 1], ['tx', 2], ['rx', 2]]);
  });

  it('corrupt: the received record has one bit flipped and a bad FCS; the sent one is intact', async () => {
    const { machine, a, b, link } = await pair();
    machine.wire.setFaults(link, { corrupt: 1 });
    machine.capture.start();
    const frame = numbered(0, 1, 7, 80);
    a.send([frame]);
    machine.runUntilIdle();
    expect(b.receive()).toEqual([]);
    expect(machine.nic(1).read('CRCERRS')).toBe(1);
    const [tx, rx] = machine.capture.read();
    expect(tx).toMatchObject({ nic: 0, direction: 'tx', corrupted: false, flags: m.FRAME_FCS_LAZY });
    expect(rx).toMatchObject({ nic: 1, direction: 'rx', corrupted: true, delayed: false, reordered: false });
    expect(rx!.flags & m.FRAME_FCS_LAZY).toBe(0); // the bits are no longer what the sender's FCS covers
    expect(tx!.bytes).toEqual(withFcs(machine, frame));
    const flipped = tx!.bytes.reduce((bits, byte, i) => bits + popcount(byte ^ rx!.bytes[i]!), 0);
    expect(flipped).toBe(1);
    expect(fcsGood(machine, rx!.bytes)).toBe(false);
  });

  it('delay: the received record is stamped when the frame arrives, and flagged', async () => {
    const { machine, a, b, link } = await pair();
    machine.wire.setFaults(link, { delayNs: 5000 });
    machine.capture.start();
    machine.advanceClock(100);
    a.send([numbered(0, 1, 1)]);
    machine.runUntilIdle();
    expect(machine.capture.read({ drain: false }).map(summary)).toEqual([[0, 'tx', 100n, 1]]);
    machine.advanceClock(5000);
    machine.runUntilIdle();
    expect(b.receive()).toHaveLength(1);
    const records = machine.capture.read();
    expect(records.map(summary)).toEqual([[0, 'tx', 100n, 1], [1, 'rx', 5100n, 1]]);
    expect(records[0]!.delayed).toBe(false); // the tap is before the cable
    expect(records[1]).toMatchObject({ delayed: true, corrupted: false, reordered: false });
    expect(records[1]!.bytes).toEqual(records[0]!.bytes);
  });

  it('reorder: overtaken frames are recorded as they arrive, flagged, and the seed fixes it all', async () => {
    const run = async () => {
      const { machine, a, link } = await pair({ seed: 11 });
      machine.wire.setFaults(link, { reorder: 0.3, reorderNs: 3000 });
      machine.capture.start();
      for (let i = 0; i < 20; i++) {
        a.send([numbered(0, 1, i)]);
        machine.runUntilIdle();
        machine.advanceClock(1000);
      }
      machine.drainWire();
      return machine.capture.read();
    };
    const records = await run();
    const tx = records.filter((r) => r.direction === 'tx');
    const rx = records.filter((r) => r.direction === 'rx');
    expect(tx.map((r) => seqOf(r.bytes))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rx.map((r) => seqOf(r.bytes)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rx.map((r) => seqOf(r.bytes))).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    const reordered = rx.filter((r) => r.reordered);
    expect(reordered.length).toBeGreaterThan(2);
    for (const r of rx) {
      const sentAt = tx.find((t) => seqOf(t.bytes) === seqOf(r.bytes))!.timestampNs;
      expect(r.timestampNs - sentAt >= (r.reordered ? 3000n : 0n)).toBe(true);
    }
    // Records come out in the order the taps saw them: time never goes back.
    for (let i = 1; i < records.length; i++) expect(records[i]!.timestampNs >= records[i - 1]!.timestampNs).toBe(true);
    expect(await run()).toEqual(records);
  });
});

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x !== 0; x &= x - 1) n++;
  return n;
}

describe('the capture ring', () => {
  it('when full drops new records and counts them, writing nothing outside the ring', async () => {
    const { machine, a } = await pair({ captureBytes: 4096 });
    const ring = machine.nic(0).regions.capture;
    const capacity = ring.bytes - m.CAPTURE_HEADER_BYTES;
    machine.capture.start(0);
    const before = machine.bytes.slice(ring.base - 4096, ring.base);
    const after = machine.bytes.slice(ring.base + ring.bytes, ring.base + ring.bytes + 4096);
    const recordBytes = m.CR_DATA + 64; // a 60-byte frame and its FCS
    const fits = Math.floor((capacity - m.CAPTURE_ALIGN) / recordBytes); // one 8-byte gap stays free
    a.send(Array.from({ length: fits + 9 }, (_, i) => numbered(0, 1, i)));
    machine.runUntilIdle();
    expect(machine.capture.stats(0)).toMatchObject({ records: fits, dropped: 9, pendingBytes: fits * recordBytes, capacityBytes: capacity });
    expect(machine.bytes.slice(ring.base - 4096, ring.base)).toEqual(before);
    expect(machine.bytes.slice(ring.base + ring.bytes, ring.base + ring.bytes + 4096)).toEqual(after);
    const records = machine.capture.read();
    expect(records.map((r) => seqOf(r.bytes))).toEqual(Array.from({ length: fits }, (_, i) => i));
    for (const r of records) expect(fcsGood(machine, r.bytes)).toBe(true);
  });

  it('wraps around: records that cross the end come out whole and in order', async () => {
    const { machine, a, b } = await pair({ captureBytes: 4096 });
    const ring = machine.nic(0).regions.capture;
    const area = ring.base + m.CAPTURE_HEADER_BYTES;
    const writeOffset = () => machine.view.getUint32(ring.base + m.CAP_WRITE, true);
    machine.capture.start(0);
    let next = 0;
    let wraps = 0;
    for (let round = 0; round < 6; round++) {
      const from = writeOffset();
      const batch = Array.from({ length: 7 }, () => numbered(0, 1, next++, 200 + round * 16));
      a.send(batch);
      machine.runUntilIdle();
      b.receive();
      if (writeOffset() < from) {
        wraps++;
        // Where the record that did not fit at the end would have gone, a wrap marker says "go to 0".
        let at = from;
        const capacity = ring.bytes - m.CAPTURE_HEADER_BYTES;
        while (at < capacity && machine.view.getUint32(area + at + m.CR_SIZE, true) !== m.CAPTURE_WRAP) at += machine.view.getUint32(area + at + m.CR_SIZE, true);
        expect(at).toBeLessThan(capacity);
      }
      const records = machine.capture.read();
      expect(records.map((r) => seqOf(r.bytes))).toEqual(batch.map(seqOf));
      records.forEach((r, i) => expect(r.bytes).toEqual(withFcs(machine, batch[i]!)));
    }
    expect(wraps).toBeGreaterThanOrEqual(2);
    expect(machine.capture.stats(0).dropped).toBe(0);
  });

  it('refuses a scribbled ring: the reader names what is wrong, the device drops instead of writing out of bounds', async () => {
    const { machine, a } = await pair({ captureBytes: 4096 });
    const ring = machine.nic(0).regions.capture;
    const capacity = ring.bytes - m.CAPTURE_HEADER_BYTES;
    const set = (address: number, value: number) => machine.view.setUint32(address, value, true);
    machine.capture.start(0);
    a.send([numbered(0, 1, 0), numbered(0, 1, 1)]);
    machine.runUntilIdle();
    const area = ring.base + m.CAPTURE_HEADER_BYTES;

    set(area + m.CR_SIZE, 12);
    expect(() => machine.capture.read()).toThrow(/capture ring of NIC 0 .*record at offset 0 says it takes 12 bytes/);
    set(area + m.CR_SIZE, m.CR_DATA + 64);
    set(area + m.CR_WIRE_LEN, 9000);
    expect(() => machine.capture.read()).toThrow(/record at offset 0 .*9000-byte frame/);
    set(area + m.CR_WIRE_LEN, 64);
    set(area + m.CR_CAPTURED, 100_000);
    expect(() => machine.capture.read()).toThrow(/record at offset 0 says it takes 96 bytes, but 100000 bytes of frame take/);
    set(area + m.CR_CAPTURED, 64);
    set(area + m.CR_KIND, 7);
    expect(() => machine.capture.read()).toThrow(/direction 7/);
    set(area + m.CR_KIND, m.CAPTURE_TX);
    set(area + m.CR_SIZE, m.CAPTURE_WRAP);
    expect(() => machine.capture.read()).toThrow(/wrap marker at offset 0, before the write offset 192/);
    set(area + m.CR_SIZE, m.CR_DATA + 64);
    set(ring.base + m.CAP_READ, 12);
    expect(() => machine.capture.read()).toThrow(/read offset 12 is not a multiple of 8/);
    set(ring.base + m.CAP_READ, 0);
    expect(machine.capture.read({ drain: false })).toHaveLength(2); // all repaired: nothing was consumed

    // The device checks the header before writing: a write offset past the end means "drop".
    const outside = machine.bytes.slice(ring.base + ring.bytes, ring.base + ring.bytes + 4096);
    set(ring.base + m.CAP_WRITE, capacity + 64);
    a.send([numbered(0, 1, 2)]);
    machine.runUntilIdle();
    expect(machine.capture.stats(0).dropped).toBe(1);
    expect(machine.bytes.slice(ring.base + ring.bytes, ring.base + ring.bytes + 4096)).toEqual(outside);
    expect(() => machine.capture.read()).toThrow(/write offset 4096 is not a multiple of 8 below 4032/);
    set(ring.base + m.CAP_CAPACITY, 1 << 30);
    expect(() => machine.capture.read()).toThrow(/the header says 1073741824 bytes of records, but the memory map gave it 4032/);
    a.send([numbered(0, 1, 3)]);
    machine.runUntilIdle();
    expect(machine.capture.stats(0).dropped).toBe(2);
    // start() on a NIC already capturing leaves it; after stop() it formats the ring again.
    machine.capture.stop(0);
    machine.capture.start(0);
    a.send([numbered(0, 1, 4)]);
    machine.runUntilIdle();
    expect(machine.capture.read().map((r) => seqOf(r.bytes))).toEqual([4]);
  });

  it('a machine made without capture memory says so', async () => {
    const machine = await Machine.create({ nics: 1, captureBytes: 0 });
    expect(() => machine.capture.start()).toThrow(/NIC 0 has no capture memory \(this machine was made with captureBytes: 0\)/);
  });
});
