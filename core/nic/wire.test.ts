// The wire: cables, a loopback plug, the learning switch, carrier changes and seeded faults.

import { describe, it, expect } from 'vitest';
import * as r from '../../wasm/e1000/registers.ts';
import { Machine } from './machine.ts';
import { RawDriver } from './raw-driver.ts';
import { defaultMac, numberedFrame, sequenceOf, buildFrame, BROADCAST, ETHERTYPE_EXPERIMENTAL } from './ethernet.ts';

const mac = (n: number) => defaultMac(n - 1);
/** A frame from NIC `from` to NIC `to`, `size` bytes, its payload starting with `seq`. */
const numbered = (from: number, to: number, seq: number, size = 60) => numberedFrame(defaultMac(to), defaultMac(from), seq, size);
const seqOf = sequenceOf;

async function pair(seed = 1, options: { rxRingEntries?: number; linkQueueSlots?: number } = {}) {
  const machine = await Machine.create({ nics: 2, txRingEntries: 64, rxRingEntries: options.rxRingEntries ?? 256, seed, linkQueueSlots: options.linkQueueSlots ?? 64 });
  const a = new RawDriver(machine, machine.nic(0));
  const b = new RawDriver(machine, machine.nic(1));
  const link = machine.wire.connect(machine.nic(0).endpoint, machine.nic(1).endpoint);
  return { machine, a, b, link };
}

/** Sends `count` numbered frames from a to b in batches, draining the wire; returns what b got. */
function transfer(machine: Machine, a: RawDriver, b: RawDriver, count: number, stepNs = 1000): number[] {
  const got: number[] = [];
  for (let sent = 0; sent < count; ) {
    const batch = Math.min(16, count - sent);
    a.send(Array.from({ length: batch }, (_, i) => numbered(0, 1, sent + i)));
    sent += batch;
    machine.runUntilIdle();
    machine.advanceClock(stepNs);
    machine.runUntilIdle();
    for (const f of b.receive()) got.push(seqOf(f.bytes));
  }
  machine.drainWire();
  for (const f of b.receive()) got.push(seqOf(f.bytes));
  return got;
}

describe('cable between two NICs', () => {
  it('carries frames both ways, intact and in order', async () => {
    const { machine, a, b } = await pair();
    expect(transfer(machine, a, b, 100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    b.send([numbered(1, 0, 7)]);
    machine.runUntilIdle();
    expect(a.receive().map((f) => seqOf(f.bytes))).toEqual([7]);
  });

  it('link down: both ends lose STATUS.LU and raise LSC; frames are lost; up again restores both', async () => {
    const { machine, a, b, link } = await pair();
    for (const nic of machine.nics) {
      nic.read('ICR');
      nic.write('IMS', r.ICR_LSC);
    }
    const interrupts = machine.nics.map((n) => n.interruptCount);
    machine.wire.setUp(link, false);
    for (const [i, nic] of machine.nics.entries()) {
      expect(nic.peek('STATUS') & r.STATUS_LU).toBe(0);
      expect(nic.read('ICR') & r.ICR_LSC).toBe(r.ICR_LSC);
      expect(nic.interruptCount).toBe(interrupts[i]! + 1);
    }
    a.send([numbered(0, 1, 1)]);
    machine.runUntilIdle();
    expect(b.receive()).toHaveLength(0);
    expect(machine.wire.stats(link).downDrops).toBe(1);
    machine.wire.setUp(link, true);
    for (const nic of machine.nics) {
      expect(nic.peek('STATUS') & r.STATUS_LU).toBe(r.STATUS_LU);
      expect(nic.read('ICR') & r.ICR_LSC).toBe(r.ICR_LSC);
    }
    a.send([numbered(0, 1, 2)]);
    machine.runUntilIdle();
    expect(b.receive().map((f) => seqOf(f.bytes))).toEqual([2]);
  });

  it('a loopback plug returns what a NIC sends', async () => {
    const machine = await Machine.create({ nics: 1, txRingEntries: 16, rxRingEntries: 16 });
    const d = new RawDriver(machine, machine.nic(0));
    machine.wire.loopback(machine.nic(0).endpoint);
    d.send([numbered(0, 0, 42)]);
    machine.runUntilIdle();
    expect(d.receive().map((f) => seqOf(f.bytes))).toEqual([42]);
  });

  it('RCTL.LBM (MAC loopback) turns frames around inside the NIC, not on the wire', async () => {
    const { machine, a, b, link } = await pair();
    machine.nic(0).write('RCTL', machine.nic(0).peek('RCTL') | r.RCTL_LBM_MAC);
    a.send([numbered(0, 0, 5)]);
    machine.runUntilIdle();
    expect(a.receive().map((f) => seqOf(f.bytes))).toEqual([5]);
    expect(b.receive()).toHaveLength(0);
    expect(machine.wire.stats(link).frames).toBe(0);
  });

  it('refuses to plug a second cable into a used port', async () => {
    const { machine } = await pair();
    expect(() => machine.wire.connect(machine.nic(0).endpoint, machine.nic(0).endpoint)).toThrow(/already has link 0/);
  });
});

describe('learning switch', () => {
  it('floods unknown and broadcast destinations, then forwards to the learned port only', async () => {
    const machine = await Machine.create({ nics: 3, txRingEntries: 16, rxRingEntries: 32, switches: [{ ports: 4 }] });
    const drivers = machine.nics.map((nic, i) => {
      machine.wire.connect(nic.endpoint, machine.wire.switchPort(0, i));
      return new RawDriver(machine, nic, { promiscuous: true }); // promiscuous: we see what the switch floods
    });
    const [d0, d1, d2] = drivers as [RawDriver, RawDriver, RawDriver];
    // NIC 0 -> NIC 1: the switch has not seen NIC 1 yet, so it floods (NIC 2 sees it too).
    d0.send([numbered(0, 1, 1)]);
    machine.runUntilIdle();
    expect(d1.receive().map((f) => seqOf(f.bytes))).toEqual([1]);
    expect(d2.receive().map((f) => seqOf(f.bytes))).toEqual([1]);
    // NIC 1 replies: NIC 0 was learned on port 0, so only NIC 0 gets it.
    d1.send([numbered(1, 0, 2)]);
    machine.runUntilIdle();
    expect(d0.receive().map((f) => seqOf(f.bytes))).toEqual([2]);
    expect(d2.receive()).toHaveLength(0);
    // Now NIC 1 is known too.
    d0.send([numbered(0, 1, 3)]);
    machine.runUntilIdle();
    expect(d1.receive().map((f) => seqOf(f.bytes))).toEqual([3]);
    expect(d2.receive()).toHaveLength(0);
    // Broadcast goes everywhere but back.
    d2.send([buildFrame(BROADCAST, mac(3), ETHERTYPE_EXPERIMENTAL, 46)]);
    machine.runUntilIdle();
    expect(d0.receive()).toHaveLength(1);
    expect(d1.receive()).toHaveLength(1);
    expect(d2.receive()).toHaveLength(0);
    expect(machine.wire.switchStats(0)).toEqual({ flooded: 2, forwarded: 2, filtered: 0 });
  });
});

describe('fault injection', () => {
  async function lossPattern(seed: number) {
    const { machine, a, b, link } = await pair(seed);
    machine.wire.setFaults(link, { drop: 0.3 });
    const got = transfer(machine, a, b, 400);
    return { got, stats: machine.wire.stats(link) };
  }

  it('drop: the same seed loses the same frames; another seed loses others', async () => {
    const first = await lossPattern(7);
    const again = await lossPattern(7);
    const other = await lossPattern(8);
    expect(first.got).toEqual(again.got);
    expect(first.got).not.toEqual(other.got);
    expect(first.stats.dropped).toBe(400 - first.got.length);
    expect(first.stats.dropped).toBeGreaterThan(80);
    expect(first.stats.dropped).toBeLessThan(160);
    // What arrives is still in order.
    expect([...first.got].sort((x, y) => x - y)).toEqual(first.got);
  });

  it('corrupt: every damaged frame is caught by the receiver\'s FCS check', async () => {
    const run = async () => {
      const { machine, a, b, link } = await pair(3);
      machine.wire.setFaults(link, { corrupt: 0.25 });
      const got = transfer(machine, a, b, 400);
      return { got, corrupted: machine.wire.stats(link).corrupted, crcErrors: machine.nic(1).read('CRCERRS') };
    };
    const first = await run();
    expect(first.corrupted).toBeGreaterThan(50);
    expect(first.crcErrors).toBe(first.corrupted);
    expect(first.got.length).toBe(400 - first.corrupted);
    expect(await run()).toEqual(first);
  });

  it('delay: a frame arrives only when virtual time reaches its due time', async () => {
    const { machine, a, b, link } = await pair();
    machine.wire.setFaults(link, { delayNs: 5000 });
    a.send([numbered(0, 1, 1)]);
    machine.runUntilIdle();
    expect(b.receive()).toHaveLength(0);
    expect(machine.nextDueNs()).toBe(5000n);
    machine.advanceClock(4999);
    machine.runUntilIdle();
    expect(b.receive()).toHaveLength(0);
    machine.advanceClock(1);
    machine.runUntilIdle();
    expect(b.receive().map((f) => seqOf(f.bytes))).toEqual([1]);
    expect(machine.wire.stats(link).delayed).toBe(1);
  });

  it('reorder: held frames are overtaken, nothing is lost, and the seed fixes the order', async () => {
    const run = async (seed: number) => {
      const { machine, a, b, link } = await pair(seed);
      machine.wire.setFaults(link, { reorder: 0.2, reorderNs: 3000 });
      return { got: transfer(machine, a, b, 200), reordered: machine.wire.stats(link).reordered };
    };
    const first = await run(11);
    expect(first.reordered).toBeGreaterThan(10);
    expect([...first.got].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(first.got).not.toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await run(11)).toEqual(first);
    expect((await run(12)).got).not.toEqual(first.got);
  });

  it('a link whose slots are all holding frames counts the overflow instead of growing', async () => {
    const { machine, a, b, link } = await pair(1, { linkQueueSlots: 4 });
    machine.wire.setFaults(link, { delayNs: 1000 });
    a.send(Array.from({ length: 6 }, (_, i) => numbered(0, 1, i)));
    machine.runUntilIdle();
    expect(machine.wire.stats(link).overflows).toBe(2);
    machine.drainWire();
    expect(b.receive().map((f) => seqOf(f.bytes))).toEqual([0, 1, 2, 3]);
  });
});
