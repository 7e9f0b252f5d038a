// The e1000's register semantics, its rings and the FCS, on a single NIC stepped on the test's
// thread (deterministic mode).

import { describe, it, expect, beforeEach } from 'vitest';
import * as r from '../../wasm/e1000/registers.ts';
import * as m from '../../wasm/e1000/machine.ts';
import { Machine } from './machine.ts';
import { RawDriver, DEFAULT_TX_CMD } from './raw-driver.ts';
import { buildFrame, BROADCAST, ETHERTYPE_EXPERIMENTAL } from './ethernet.ts';

const MAC0 = '02:4e:49:43:00:01';
const PEER = '02:00:00:00:00:99';
const te = new TextEncoder();

async function oneNic(config: Partial<Parameters<typeof Machine.create>[0]> = {}) {
  const machine = await Machine.create({ nics: 1, txRingEntries: 16, rxRingEntries: 16, ...config });
  return { machine, nic: machine.nic(0) };
}

describe('registers', () => {
  let machine: Machine;
  let nic: Machine['nics'][number];
  beforeEach(async () => ({ machine, nic } = await oneNic()));

  it('comes out of reset with the EEPROM address in RAL0/RAH0 and AV set', () => {
    expect(nic.permanentAddress).toBe(MAC0);
    expect(nic.read('RAL', 0)).toBe(0x43494e02);
    expect(nic.read('RAH', 0)).toBe((0x0100 | r.RAH_AV) >>> 0);
  });

  it('reads the MAC address from the EEPROM through EERD', () => {
    const words = [0, 1, 2].map((word) => {
      nic.write('EERD', (word << 8) | 1);
      const v = nic.read('EERD');
      expect(v & (1 << 4)).not.toBe(0); // DONE
      return v >>> 16;
    });
    expect(words).toEqual([0x4e02, 0x4349, 0x0100]);
  });

  it('ICR clears on read; ICS sets causes; writing ICR clears the bits written', () => {
    nic.write('ICS', r.ICR_RXT0 | r.ICR_TXDW);
    expect(nic.peek('ICR')).toBe(r.ICR_RXT0 | r.ICR_TXDW);
    nic.write('ICR', r.ICR_TXDW);
    expect(nic.peek('ICR')).toBe(r.ICR_RXT0);
    expect(nic.read('ICR')).toBe(r.ICR_RXT0);
    expect(nic.read('ICR')).toBe(0);
  });

  it('IMS sets and IMC clears mask bits; the line asserts only for unmasked causes', () => {
    nic.write('IMS', r.ICR_RXT0 | r.ICR_LSC);
    nic.write('IMC', r.ICR_LSC);
    expect(nic.read('IMS')).toBe(r.ICR_RXT0);
    const before = nic.interruptCount;
    nic.write('ICS', r.ICR_TXDW); // masked
    expect(nic.interruptCount).toBe(before);
    nic.write('ICS', r.ICR_RXT0);
    expect(nic.interruptCount).toBe(before + 1);
    nic.write('ICS', r.ICR_RXT0); // still pending: no new edge until the driver reads ICR
    expect(nic.interruptCount).toBe(before + 1);
    nic.read('ICR');
    nic.write('ICS', r.ICR_RXT0);
    expect(nic.interruptCount).toBe(before + 2);
  });

  it('unmasking an already pending cause asserts the line', () => {
    nic.write('ICS', r.ICR_TXQE);
    const before = nic.interruptCount;
    nic.write('IMS', r.ICR_TXQE);
    expect(nic.interruptCount).toBe(before + 1);
  });

  it('refuses and counts writes a register cannot hold, and keeps the old value', () => {
    nic.write('TDLEN', 16 * 16);
    const cases: [Parameters<typeof nic.write>[0], number][] = [
      ['STATUS', 0], // read only
      ['GPRC', 5], // statistics are read only
      ['TDLEN', 100], // not a multiple of 128
      ['TDT', 16], // beyond the 16-descriptor ring
      ['TDBAL', 0x1001], // not 16-byte aligned
      ['TDBAH', 1], // above 4 GiB
    ];
    for (const [name, value] of cases) {
      const errors = nic.registerErrors;
      const old = nic.peek(name);
      nic.write(name, value);
      expect(nic.registerErrors, name).toBe(errors + 1);
      expect(nic.peek(name), name).toBe(old);
    }
    expect(nic.lastError.name).toContain('TDBAH');
    nic.writeOffset(0x7000, 1); // the emulator page is not a register
    nic.writeOffset(0x0102, 1); // unaligned
    expect(nic.registerErrors).toBe(cases.length + 2);
  });

  it('CTRL.RST puts every register back to its power-on value', () => {
    nic.write('RCTL', r.RCTL_EN | r.RCTL_UPE);
    nic.write('IMS', 0xff);
    nic.write('RAL', 0x12345678, 3);
    nic.write('CTRL', r.CTRL_RST);
    expect(nic.peek('RCTL')).toBe(0);
    expect(nic.peek('IMS')).toBe(0);
    expect(nic.peek('RAL', 3)).toBe(0);
    expect(nic.peek('CTRL') & r.CTRL_RST).toBe(0);
    expect(nic.read('RAL', 0)).toBe(0x43494e02);
  });

  it('statistics clear on read; a 64-bit counter clears when its high half is read', () => {
    const driver = new RawDriver(machine, nic, { promiscuous: true });
    machine.wire.loopback(nic.endpoint);
    driver.send([buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 100)]);
    machine.runUntilIdle();
    expect(nic.read('GPTC')).toBe(1);
    expect(nic.read('GPTC')).toBe(0);
    expect(nic.read('GOTCL')).toBe(118); // 14 + 100 + FCS
    expect(nic.read('GOTCL')).toBe(118); // the low half does not clear
    expect(nic.read('GOTCH')).toBe(0);
    expect(nic.read('GOTCL')).toBe(0);
    expect(nic.read('GPRC')).toBe(1);
    expect(nic.read('TPR')).toBe(1);
  });

  it('STATUS reports the link up at 1000 Mb/s full duplex only with CTRL.SLU and carrier', () => {
    expect(nic.peek('STATUS') & r.STATUS_LU).toBe(0);
    machine.wire.loopback(nic.endpoint);
    expect(nic.peek('STATUS') & r.STATUS_LU).toBe(0); // carrier, but SLU not set
    nic.write('IMS', r.ICR_LSC);
    const before = nic.interruptCount;
    nic.write('CTRL', r.CTRL_SLU);
    const status = nic.peek('STATUS');
    expect(status & r.STATUS_LU).toBe(r.STATUS_LU);
    expect(status & r.STATUS_SPEED_MASK).toBe(r.STATUS_SPEED_1000);
    expect(status & r.STATUS_FD).toBe(r.STATUS_FD);
    expect(nic.read('ICR') & r.ICR_LSC).toBe(r.ICR_LSC);
    expect(nic.interruptCount).toBe(before + 1);
  });
});

describe('FCS (CRC-32)', () => {
  it('matches the published CRC-32 check values', async () => {
    const { machine } = await oneNic();
    const at = machine.layout.scratch.base;
    const crcOf = (bytes: Uint8Array) => {
      machine.bytes.set(bytes, at);
      return machine.crc32(at, bytes.length);
    };
    expect(crcOf(te.encode('123456789'))).toBe(0xcbf43926);
    expect(crcOf(new Uint8Array(0))).toBe(0);
    expect(crcOf(te.encode('a'))).toBe(0xe8b7be43);
    expect(crcOf(te.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crcOf(new Uint8Array(32))).toBe(0x190a55ad); // 32 zero bytes
    expect(crcOf(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('IFCS appends a real FCS: the receiver keeps it when SECRC is clear, and it checks', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic, { stripCrc: false });
    machine.wire.loopback(nic.endpoint);
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 46);
    driver.send([frame]);
    machine.runUntilIdle();
    const [got] = driver.receive();
    expect(got!.bytes.length).toBe(64);
    expect(got!.bytes.subarray(0, 60)).toEqual(frame);
    machine.bytes.set(frame, machine.layout.scratch.base);
    const fcs = new DataView(got!.bytes.buffer).getUint32(60, true);
    expect(fcs).toBe(machine.crc32(machine.layout.scratch.base, 60));
    // CRC over frame + FCS leaves the CRC-32 residue.
    machine.bytes.set(got!.bytes, machine.layout.scratch.base);
    expect(machine.crc32(machine.layout.scratch.base, 64)).toBe(0x2144df1c);
  });
});

describe('transmit ring', () => {
  it('sends on a TDT doorbell, writes DD back only with RS, raises TXDW and TXQE, wraps', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    nic.write('IMS', r.ICR_TXDW | r.ICR_TXQE);
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      const frames = Array.from({ length: 7 }, (_, i) => buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50 + sent + i));
      const cmdFor = (i: number) => (i % 2 === 0 ? DEFAULT_TX_CMD : DEFAULT_TX_CMD & ~r.TXD_CMD_RS);
      const used = frames.map((f, i) => driver.send([f], cmdFor(i))[0]!);
      expect(nic.peek('TDH')).not.toBe(nic.peek('TDT')); // nothing happens until the device runs
      machine.runUntilIdle();
      expect(nic.peek('TDH')).toBe(nic.peek('TDT'));
      used.forEach((index, i) => expect(driver.txDone(index), `descriptor ${index}`).toBe(i % 2 === 0));
      expect(nic.read('ICR') & (r.ICR_TXDW | r.ICR_TXQE | r.ICR_RXT0)).toBe(r.ICR_TXDW | r.ICR_TXQE | r.ICR_RXT0);
      const got = driver.receive();
      expect(got.map((g) => g.bytes.length)).toEqual(frames.map((f) => f.length));
      got.forEach((g, i) => expect(g.bytes).toEqual(frames[i]));
      sent += 7;
    }
    expect(nic.read('GPTC')).toBe(35); // 35 frames through a 16-descriptor ring: it wrapped twice
  });

  it('gathers a frame from several descriptors (EOP on the last)', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 300);
    driver.send([[frame.subarray(0, 14), frame.subarray(14, 100), frame.subarray(100)]]);
    machine.runUntilIdle();
    const got = driver.receive();
    expect(got).toHaveLength(1);
    expect(got[0]!.bytes).toEqual(frame);
    expect(nic.read('GPTC')).toBe(1);
  });

  it('pads a short frame to 60 bytes with TCTL.PSP', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 10);
    driver.send([frame]);
    machine.runUntilIdle();
    const [got] = driver.receive();
    expect(got!.bytes.length).toBe(60);
    expect(got!.bytes.subarray(0, frame.length)).toEqual(frame);
    expect(got!.bytes.subarray(frame.length).every((b) => b === 0)).toBe(true);
  });

  it('does nothing while TCTL.EN is clear', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    nic.write('TCTL', 0);
    driver.send([buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50)]);
    expect(machine.runUntilIdle()).toBe(0);
    expect(nic.peek('TDH')).toBe(0);
  });
});

describe('receive ring', () => {
  it('needs RDH != RDT; a frame with no descriptor is missed (MPC, RNBC, RXO)', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic, { rxPosted: 2 });
    nic.write('IMS', r.ICR_RXO | r.ICR_RXT0);
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50);
    expect(nic.receive(frame)).toBe(true);
    expect(nic.receive(frame)).toBe(true);
    expect(nic.peek('RDH')).toBe(2);
    expect(nic.receive(frame)).toBe(false);
    expect(nic.read('ICR') & (r.ICR_RXO | r.ICR_RXT0)).toBe(r.ICR_RXO | r.ICR_RXT0);
    expect(nic.read('MPC')).toBe(1);
    expect(nic.read('RNBC')).toBe(1);
    expect(driver.receive()).toHaveLength(2);
  });

  it('writes length and DD|EOP, advances RDH, and wraps around the ring', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    for (let i = 0; i < 50; i++) {
      const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 46 + i);
      expect(nic.receive(frame), `frame ${i}`).toBe(true);
      const [got] = driver.receive();
      expect(got!.bytes).toEqual(frame);
      expect(got!.status & (r.RXD_STAT_DD | r.RXD_STAT_EOP)).toBe(r.RXD_STAT_DD | r.RXD_STAT_EOP);
      expect(nic.peek('RDH')).toBe((i + 1) % 16);
    }
  });

  it('raises RXDMT0 when free descriptors fall to the RCTL.RDMTS threshold', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic, { rxPosted: 15 }); // RDMTS = 00: half of 16
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50);
    for (let i = 0; i < 6; i++) nic.receive(frame);
    expect(nic.read('ICR') & r.ICR_RXDMT0).toBe(0); // 9 free
    nic.receive(frame);
    expect(nic.read('ICR') & r.ICR_RXDMT0).toBe(r.ICR_RXDMT0); // 8 free
  });

  it('spreads a frame larger than one buffer over several descriptors, EOP on the last', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic, { rctl: 3 << r.RCTL_BSIZE_SHIFT }); // 256-byte buffers
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 1000);
    expect(nic.receive(frame)).toBe(true);
    const got = driver.receive();
    expect(got).toHaveLength(1);
    expect(got[0]!.descriptors).toBe(4);
    expect(got[0]!.bytes).toEqual(frame);
  });

  it('drops a frame with a bad FCS and counts CRCERRS; SBP stores it with CE set', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50);
    const bad = new Uint8Array(frame.length + 4);
    bad.set(frame);
    bad.set([1, 2, 3, 4], frame.length);
    expect(nic.receive(bad, 'included')).toBe(false);
    expect(nic.read('CRCERRS')).toBe(1);
    expect(driver.receive()).toHaveLength(0);
    nic.write('RCTL', nic.peek('RCTL') | r.RCTL_SBP);
    expect(nic.receive(bad, 'included')).toBe(true);
    const [got] = driver.receive();
    expect(got!.errors & r.RXD_ERR_CE).toBe(r.RXD_ERR_CE);
  });

  it('drops runts and (without LPE) oversize frames', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 10))).toBe(false);
    expect(nic.read('RUC')).toBe(1);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 1600))).toBe(false);
    expect(nic.read('ROC')).toBe(1);
    nic.write('RCTL', nic.peek('RCTL') | r.RCTL_LPE);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 1600))).toBe(true);
  });
});

describe('receive address filtering', () => {
  const OTHER = '02:00:00:00:00:42';
  const GROUP = '01:00:5e:00:00:fb';
  const frameTo = (dst: string) => buildFrame(dst, PEER, ETHERTYPE_EXPERIMENTAL, 50);

  it('accepts unicast to RAL/RAH entries with AV only', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    expect(nic.receive(frameTo(MAC0))).toBe(true);
    expect(nic.receive(frameTo(OTHER))).toBe(false);
    nic.write('RAL', 0x00000002, 5); // 02:00:00:00:00:42 in entry 5, not yet valid
    nic.write('RAH', 0x4200, 5);
    expect(nic.receive(frameTo(OTHER))).toBe(false);
    nic.write('RAH', (0x4200 | r.RAH_AV) >>> 0, 5);
    expect(nic.receive(frameTo(OTHER))).toBe(true);
  });

  it('accepts broadcast only with BAM (or MPE)', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    expect(nic.receive(frameTo(BROADCAST))).toBe(true);
    nic.write('RCTL', nic.peek('RCTL') & ~r.RCTL_BAM);
    expect(nic.receive(frameTo(BROADCAST))).toBe(false);
    nic.write('RCTL', nic.peek('RCTL') | r.RCTL_MPE);
    expect(nic.receive(frameTo(BROADCAST))).toBe(true);
    expect(nic.read('BPRC')).toBe(2);
  });

  it('accepts multicast by the MTA hash under each RCTL.MO offset, and marks PIF', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    const { multicastTableBit } = await import('./ethernet.ts');
    for (let mo = 0; mo < 4; mo++) {
      nic.write('RCTL', (nic.peek('RCTL') & ~r.RCTL_MO_MASK) | (mo << r.RCTL_MO_SHIFT));
      for (let i = 0; i < 128; i++) nic.write('MTA', 0, i);
      expect(nic.receive(frameTo(GROUP)), `MO=${mo} before`).toBe(false);
      const { word, bit } = multicastTableBit(GROUP, mo);
      nic.write('MTA', 1 << bit, word);
      expect(nic.receive(frameTo(GROUP)), `MO=${mo} after`).toBe(true);
      const [got] = driver.receive();
      expect(got!.status & r.RXD_STAT_PIF).toBe(r.RXD_STAT_PIF);
    }
  });

  it('promiscuous modes: UPE takes any unicast, MPE any multicast', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    expect(nic.receive(frameTo(OTHER))).toBe(false);
    expect(nic.receive(frameTo(GROUP))).toBe(false);
    nic.write('RCTL', nic.peek('RCTL') | r.RCTL_UPE);
    expect(nic.receive(frameTo(OTHER))).toBe(true);
    expect(nic.receive(frameTo(GROUP))).toBe(false);
    nic.write('RCTL', nic.peek('RCTL') | r.RCTL_MPE);
    expect(nic.receive(frameTo(GROUP))).toBe(true);
  });

  it('ignores everything while RCTL.EN is clear', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    nic.write('RCTL', nic.peek('RCTL') & ~r.RCTL_EN);
    expect(nic.receive(frameTo(MAC0))).toBe(false);
    expect(nic.peek('RDH')).toBe(0);
  });
});

describe('DMA window', () => {
  it('refuses a transmit buffer outside the window: nothing is sent, DD still comes back', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    const outside = machine.layout.nics[0]!.registers; // the register block is not RAM
    const index = driver.sendDescriptor(outside, 64, DEFAULT_TX_CMD);
    machine.runUntilIdle();
    expect(driver.txDone(index)).toBe(true);
    expect(nic.dmaErrors).toBe(1);
    expect(nic.lastError.code).toBe(m.ERR_BUFFER_OUTSIDE_DMA);
    expect(nic.lastError.arg).toBe(outside);
    expect(nic.read('GPTC')).toBe(0);
    expect(driver.receive()).toHaveLength(0);
    // A buffer that starts inside but runs past the end of the window.
    const end = machine.layout.dma.base + machine.layout.dma.bytes;
    driver.sendDescriptor(end - 32, 64, DEFAULT_TX_CMD);
    machine.runUntilIdle();
    expect(nic.dmaErrors).toBe(2);
  });

  it('refuses a receive buffer outside the window and returns the descriptor with RXE', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.view.setUint32(nic.regions.rxRing.base, 0x100, true); // descriptor 0 points into the guard page
    const before = machine.bytes.slice(0, 0x1000);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50))).toBe(true);
    expect(machine.bytes.slice(0, 0x1000)).toEqual(before);
    expect(nic.dmaErrors).toBe(1);
    const [got] = driver.receive();
    expect(got!.errors & r.RXD_ERR_RXE).toBe(r.RXD_ERR_RXE);
    expect(got!.bytes.length).toBe(0);
  });

  it('refuses a ring outside the window and a ring of zero length', async () => {
    const { machine, nic } = await oneNic();
    new RawDriver(machine, nic);
    nic.write('RDBAL', machine.layout.scratch.base);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50))).toBe(false);
    expect(nic.lastError.code).toBe(m.ERR_RING_OUTSIDE_DMA);
    nic.write('RDBAL', nic.regions.rxRing.base);
    nic.write('RDT', 0);
    nic.write('RDLEN', 0);
    expect(nic.receive(buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 50))).toBe(false);
    expect(nic.lastError.code).toBe(m.ERR_RING_EMPTY_LENGTH);
  });

  it('refuses an extended (DEXT) descriptor in the legacy ring', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    driver.sendDescriptor(nic.regions.txBuffers.base, 64, DEFAULT_TX_CMD | r.TXD_CMD_DEXT);
    machine.runUntilIdle();
    expect(nic.lastError.code).toBe(m.ERR_DESC_UNSUPPORTED);
    expect(nic.read('GPTC')).toBe(0);
  });
});

describe('a second instance on the same memory', () => {
  it('sees the same device and does not reset it when it boots', async () => {
    const { machine, nic } = await oneNic();
    const driver = new RawDriver(machine, nic);
    machine.wire.loopback(nic.endpoint);
    const second = await Machine.attach(machine.memory, machine.layout);
    expect(second.nic(0).peek('RCTL')).toBe(nic.peek('RCTL'));
    const frame = buildFrame(MAC0, PEER, ETHERTYPE_EXPERIMENTAL, 77);
    driver.send([frame]);
    second.runUntilIdle(); // the second instance runs the device
    expect(driver.receive().map((f) => f.bytes)).toEqual([frame]);
    expect(second.nic(0).read('GPTC')).toBe(1);
    expect(nic.read('GPTC')).toBe(0);
  });
});
