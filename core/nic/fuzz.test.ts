// A hostile driver: a million random register and descriptor writes, random frames, device steps
// in between. The device must never trap and must never write outside its DMA window or its own
// state (its register block, the machine header's doorbell and clock, the link it is plugged into).

import { describe, it, expect } from 'vitest';
import { hashOutside } from '../testing/memory-hash.ts';
import { Prng } from '../sched/prng.ts';
import * as m from '../../wasm/e1000/machine.ts';
import { REGISTERS } from './registers.ts';
import { Machine } from './machine.ts';
import { RawDriver } from './raw-driver.ts';
import { bringUp } from './bringup.ts';

describe('fuzz: random register and descriptor writes', () => {
  it('1,000,000 hostile writes never trap the device or touch memory outside its window', async () => {
    const machine = await Machine.create({ nics: 2, txRingEntries: 16, rxRingEntries: 16, seed: 5 });
    const nic = machine.nic(0);
    new RawDriver(machine, nic, { promiscuous: true });
    new RawDriver(machine, machine.nic(1));
    const link = machine.wire.loopback(nic.endpoint);

    // NIC 0 may DMA only into its own rings and buffers: everything NIC 1 owns is outside.
    const { txRing, txBuffers } = nic.regions;
    const windowBase = txRing.base;
    const windowLimit = txBuffers.base + txBuffers.bytes;
    machine.view.setUint32(nic.base + m.E_DMA_BASE, windowBase, true);
    machine.view.setUint32(nic.base + m.E_DMA_LIMIT, windowLimit, true);

    // Regions the device may legitimately change: its window, its registers, the doorbell and
    // clock words of the header, the record and slots of its own link.
    const linkRecord = machine.layout.linkTable.base + link * m.LINK_BYTES;
    const slotsBase = machine.view.getUint32(linkRecord + m.L_QUEUE, true);
    const slotsBytes = machine.layout.config.linkQueueSlots * m.QUEUE_SLOT_BYTES;
    const mutable: [number, number][] = [
      [windowBase, windowLimit],
      [nic.base, nic.base + m.NIC_BLOCK_BYTES],
      [machine.layout.header, machine.layout.header + m.MACHINE_HEADER_BYTES],
      [linkRecord, linkRecord + m.LINK_BYTES],
      [slotsBase, slotsBase + slotsBytes],
      [nic.regions.txFifo.base, nic.regions.txFifo.base + nic.regions.txFifo.bytes],
    ];
    const hashOutsideMutable = () => hashOutside(machine.bytes, mutable);
    const before = hashOutsideMutable();

    const prng = new Prng(0xc0ffee);
    const random = () => prng.next();
    const offsets = Object.values(REGISTERS);
    const interesting = [0, 1, 15, 16, 128, 256, windowBase, windowLimit - 64, windowLimit, windowLimit - 1, nic.base, machine.layout.bytes - 16, 0xffffffff, 0x7fffffff];
    const value = () => {
      const pick = random() % 4;
      if (pick === 0) return random();
      if (pick === 1) return interesting[random() % interesting.length]!;
      if (pick === 2) return random() & 0xffff;
      return windowBase + (random() % (windowLimit - windowBase));
    };
    const ringBytes = txRing.bytes + nic.regions.rxRing.bytes;
    const frameArea = txBuffers.base;
    const doorbells = [REGISTERS.TDT, REGISTERS.RDT, REGISTERS.TDH, REGISTERS.RDH];
    let ops = 0;
    let steps = 0;
    for (; ops < 1_000_000; ops++) {
      // Now and then the driver starts over, so that the hostile writes hit a working device too.
      if (ops % 2000 === 0) bringUp(machine, nic, { promiscuous: true, rctl: random() % 4 === 0 ? 1 << 6 : 0 });
      const op = random() % 100;
      if (op < 12) {
        const offset = random() % 8 === 0 ? random() % 0x9000 : offsets[random() % offsets.length]!;
        if (offset === REGISTERS.CTRL && random() % 16 !== 0) continue; // resets are allowed, but rarely
        nic.writeOffset(offset, value());
      } else if (op < 30) {
        // Doorbells, mostly in range: the device runs whatever the descriptors say.
        nic.writeOffset(doorbells[random() % doorbells.length]!, random() % 8 === 0 ? value() : random() % 20);
      } else if (op < 36) {
        nic.readOffset(random() % 8 === 0 ? random() : offsets[random() % offsets.length]!);
      } else if (op < 80) {
        // Scribble on a descriptor: address (usually inside the window), length, command, status.
        const d = txRing.base + ((random() % (ringBytes / 16)) * 16);
        const inside = windowBase + (random() % (windowLimit - windowBase));
        machine.view.setUint32(d, random() % 4 === 0 ? value() : inside, true);
        machine.view.setUint32(d + 4, random() % 64 === 0 ? random() : 0, true);
        machine.view.setUint16(d + 8, random() % 4 === 0 ? random() & 0xffff : random() % 1600, true);
        machine.view.setUint8(d + 11, random() % 2 === 0 ? 0x0b : random() & 0xff); // usually EOP|IFCS|RS
        machine.view.setUint8(d + 12, random() & 0xff);
      } else if (op < 97) {
        machine.step(1 + (random() % 32));
        steps++;
      } else {
        // A frame from the wire: random bytes, random length, sometimes a lazy (trusted) FCS.
        const length = 1 + (random() % 2100);
        for (let i = 0; i < Math.min(length, 64); i += 4) machine.view.setUint32(frameArea + i, random(), true);
        machine.device.nic_receive(nic.base, frameArea, length, random() & 1);
      }
    }
    machine.runUntilIdle(10_000);
    expect(ops).toBe(1_000_000);
    expect(steps).toBeGreaterThan(100_000);
    expect(hashOutsideMutable()).toBe(before);
    // The device did refuse things, and said so.
    expect(nic.registerErrors).toBeGreaterThan(1000);
    expect(nic.dmaErrors).toBeGreaterThan(1000);
    // ...and it also worked: frames went out through the wire and came back in.
    expect(nic.emulator(m.E_TX_FRAMES)).toBeGreaterThan(10_000);
    expect(nic.emulator(m.E_RX_FRAMES)).toBeGreaterThan(10_000);
  });
});
