// The pcapng writer: its blocks byte by byte, and a capture of real traffic as Wireshark's engine
// (tshark) reads it: interfaces, addresses, lengths, virtual timestamps, FCS checks and the
// fault comments.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPcapng, type PcapngFrame } from './pcapng.ts';
import { Machine } from '../nic/machine.ts';
import { RawDriver } from '../nic/raw-driver.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from '../nic/ethernet.ts';
import { skipWithout, needing, missing, TSHARK } from '../testing/tools.ts';


interface Block {
  type: number;
  length: number;
  body: DataView;
}

/** Splits a little-endian pcapng file into blocks, checking the framing every block shares. */
function blocks(file: Uint8Array): Block[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  for (let at = 0; at < file.length; ) {
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    expect(length % 4, `block at ${at}: length ${length} is not a multiple of 4`).toBe(0);
    expect(length).toBeGreaterThanOrEqual(12);
    expect(at + length).toBeLessThanOrEqual(file.length);
    expect(view.getUint32(at + length - 4, true), `block at ${at}: trailing length`).toBe(length);
    out.push({ type, length, body: new DataView(file.buffer, file.byteOffset + at + 8, length - 12) });
    at += length;
  }
  return out;
}

/** The options from `from` in a block body: code and value, ending at opt_endofopt. */
function options(body: DataView, from: number): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let at = from;
  for (;;) {
    const code = body.getUint16(at, true);
    const length = body.getUint16(at + 2, true);
    if (code === 0) {
      expect(length).toBe(0);
      expect(at + 4, 'opt_endofopt ends the block').toBe(body.byteLength);
      return out;
    }
    const value = new Uint8Array(body.buffer, body.byteOffset + at + 4, length);
    const padded = (length + 3) & ~3;
    expect([...new Uint8Array(body.buffer, body.byteOffset + at + 4 + length, padded - length)]).toEqual(new Array(padded - length).fill(0));
    out.push([code, value]);
    at += 4 + padded;
  }
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const optionMap = (list: [number, Uint8Array][]) => new Map(list);

describe('pcapng blocks', () => {
  const frames: PcapngFrame[] = [
    { nic: 1, timestampNs: 0x1_2345_6789n, direction: 'rx', bytes: Uint8Array.from({ length: 61 }, (_, i) => i + 1), corrupted: true, delayed: true },
    { nic: 0, timestampNs: 5n, direction: 'tx', bytes: new Uint8Array(64).fill(0xab), comment: 'hello' },
  ];
  const file = toPcapng(frames, 2, { comment: 'seed 1', interfaces: [{ mac: '02:4e:49:43:00:01' }] });

  it('starts with a Section Header Block: magic, byte order, version 1.0, unknown section length', () => {
    const [shb] = blocks(file);
    expect(shb!.type).toBe(0x0a0d0d0a);
    expect([...file.subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    expect(shb!.body.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect([...file.subarray(8, 12)]).toEqual([0x4d, 0x3c, 0x2b, 0x1a]); // little-endian
    expect(shb!.body.getUint16(4, true)).toBe(1);
    expect(shb!.body.getUint16(6, true)).toBe(0);
    expect(shb!.body.getBigInt64(8, true)).toBe(-1n);
    const opts = options(shb!.body, 16);
    expect(opts.map(([code, value]) => [code, text(value)])).toEqual([[1, 'seed 1'], [4, 'NIC Lab']]);
  });

  it('describes each NIC: Ethernet, nanosecond timestamps, a 32-bit FCS, its name and MAC', () => {
    const idbs = blocks(file).filter((b) => b.type === 1);
    expect(idbs).toHaveLength(2);
    idbs.forEach((idb, i) => {
      expect(idb.body.getUint16(0, true)).toBe(1); // LINKTYPE_ETHERNET
      expect(idb.body.getUint16(2, true)).toBe(0);
      expect(idb.body.getUint32(4, true)).toBe(0); // no snap length
      const opts = optionMap(options(idb.body, 8));
      expect(text(opts.get(2))).toBe(`nic${i}`);
      expect(text(opts.get(3))).toContain(`NIC ${i}`);
      expect([...opts.get(9)!]).toEqual([9]); // if_tsresol: 10^-9 s
      expect([...opts.get(13)!]).toEqual([32]); // if_fcslen, in bits
      if (i === 0) expect([...opts.get(6)!]).toEqual([0x02, 0x4e, 0x49, 0x43, 0x00, 0x01]);
      else expect(opts.has(6)).toBe(false);
    });
  });

  it('writes each frame as an Enhanced Packet Block: interface, 64-bit ns time, lengths, padded data, comment, flags', () => {
    const epbs = blocks(file).filter((b) => b.type === 6);
    expect(epbs).toHaveLength(2);
    const [first, second] = epbs as [Block, Block];
    expect(first.body.getUint32(0, true)).toBe(1);
    expect(first.body.getUint32(4, true)).toBe(1); // timestamp high
    expect(first.body.getUint32(8, true)).toBe(0x23456789); // timestamp low
    expect(first.body.getUint32(12, true)).toBe(61);
    expect(first.body.getUint32(16, true)).toBe(61);
    expect([...new Uint8Array(first.body.buffer, first.body.byteOffset + 20, 64)]).toEqual([...frames[0]!.bytes, 0, 0, 0]);
    const opts1 = options(first.body, 20 + 64);
    expect(opts1.map(([code]) => code)).toEqual([1, 2]);
    expect(text(opts1[0]![1])).toBe('fault: corrupted, delayed');
    const flags1 = new DataView(opts1[1]![1].buffer, opts1[1]![1].byteOffset).getUint32(0, true);
    expect(flags1).toBe(0b01 | (4 << 5) | (1 << 24)); // inbound, 4-octet FCS, CRC error
    expect(second.body.getUint32(0, true)).toBe(0);
    expect(second.body.getUint32(8, true)).toBe(5);
    expect(second.body.getUint32(12, true)).toBe(64);
    const opts2 = options(second.body, 20 + 64);
    expect(text(opts2[0]![1])).toBe('hello');
    expect(new DataView(opts2[1]![1].buffer, opts2[1]![1].byteOffset).getUint32(0, true)).toBe(0b10 | (4 << 5)); // outbound
    expect(file.length).toBe(blocks(file).reduce((n, b) => n + b.length, 0));
  });

  it('is deterministic, and an empty capture is a section and its interfaces', () => {
    expect(toPcapng(frames, 2, { comment: 'seed 1', interfaces: [{ mac: '02:4e:49:43:00:01' }] })).toEqual(file);
    expect(blocks(toPcapng([], 3)).map((b) => b.type)).toEqual([0x0a0d0d0a, 1, 1, 1]);
  });

  it('refuses what it cannot write, naming it', () => {
    const bytes = new Uint8Array(64);
    expect(() => toPcapng([{ nic: 2, timestampNs: 0n, bytes }], 2)).toThrow(/frame 0 was seen at NIC 2, but the file describes NICs 0\.\.1/);
    expect(() => toPcapng([{ nic: 0, timestampNs: -1n, bytes }], 1)).toThrow(/frame 0's timestamp -1/);
    expect(() => toPcapng([{ nic: 0, timestampNs: 0n, bytes, originalLength: 10 }], 1)).toThrow(/original length 10 is less than the 64 bytes/);
    expect(() => toPcapng([], 1, { fcsBytes: 2 })).toThrow(/fcsBytes must be 0 or 4/);
    expect(() => toPcapng([], 1, { interfaces: [{ mac: 'nope' }] })).toThrow(/interface 0's MAC address "nope"/);
  });
});

describe.skipIf(skipWithout('tshark'))(needing('tshark', 'a capture of real traffic in tshark'), () => {
  const mac = (n: number) => `02:4e:49:43:00:${n.toString(16).padStart(2, '0')}`;

  /** Two NICs on a cable: clean frames both ways, then one corrupted, one delayed, one reordered. */
  async function traffic(): Promise<Machine> {
    const machine = await Machine.create({ nics: 2, txRingEntries: 16, rxRingEntries: 16, seed: 1 });
    const a = new RawDriver(machine, machine.nic(0));
    const b = new RawDriver(machine, machine.nic(1));
    const link = machine.wire.connect(machine.nic(0).endpoint, machine.nic(1).endpoint);
    machine.capture.start();
    const send = (from: RawDriver, to: number, size: number) => {
      from.send([buildFrame(mac(to + 1), mac(from.nic.index + 1), ETHERTYPE_EXPERIMENTAL, size - 14)]);
      machine.runUntilIdle();
    };
    send(a, 1, 60); // t = 0
    machine.advanceClock(1000);
    send(b, 0, 100); // t = 1 us
    machine.advanceClock(1000);
    machine.wire.setFaults(link, { corrupt: 1 });
    send(a, 1, 80); // t = 2 us, arrives damaged
    machine.advanceClock(1000);
    machine.wire.setFaults(link, { delayNs: 500 });
    send(a, 1, 60); // t = 3 us, due at 3.5 us
    machine.advanceClock(500);
    machine.runUntilIdle(); // delivered (and stamped) now, at 3.5 us
    machine.advanceClock(1500);
    machine.wire.setFaults(link, { reorder: 1, reorderNs: 2000 });
    send(a, 1, 1514); // t = 5 us, held until 7 us
    machine.drainWire();
    return machine;
  }

  it('reads every frame with its interface, addresses, length, ns timestamp, FCS status and fault comment', async () => {
    if (missing('tshark')) throw new Error(missing('tshark'));
    const machine = await traffic();
    const file = machine.capture.pcapng({ comment: 'seed 1' });
    const dir = mkdtempSync(join(tmpdir(), 'nic-lab-pcapng-'));
    try {
      const path = join(dir, 'capture.pcapng');
      writeFileSync(path, file);
      const fields = [
        'frame.number', 'frame.interface_id', 'frame.interface_name', 'frame.time_epoch', 'eth.src', 'eth.dst',
        'frame.len', 'frame.packet_flags_direction', 'eth.fcs.status', 'frame.packet_flags_crc_error', 'frame.comment',
      ];
      const result = spawnSync(TSHARK, ['-r', path, '-n', '-o', 'eth.check_fcs:TRUE', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const rows = result.stdout.trim().split('\n').map((line) => line.split('|'));
      const A = mac(1);
      const B = mac(2);
      const OUT = '0x00000002';
      const IN = '0x00000001';
      const GOOD = '1';
      const BAD = '0';
      expect(rows).toEqual([
        ['1', '0', 'nic0', '0.000000000', A, B, '64', OUT, GOOD, '0', ''],
        ['2', '1', 'nic1', '0.000000000', A, B, '64', IN, GOOD, '0', ''],
        ['3', '1', 'nic1', '0.000001000', B, A, '104', OUT, GOOD, '0', ''],
        ['4', '0', 'nic0', '0.000001000', B, A, '104', IN, GOOD, '0', ''],
        ['5', '0', 'nic0', '0.000002000', A, B, '84', OUT, GOOD, '0', ''],
        ['6', '1', 'nic1', '0.000002000', A, B, '84', IN, BAD, '1', 'fault: corrupted'],
        ['7', '0', 'nic0', '0.000003000', A, B, '64', OUT, GOOD, '0', ''],
        ['8', '1', 'nic1', '0.000003500', A, B, '64', IN, GOOD, '0', 'fault: delayed'],
        ['9', '0', 'nic0', '0.000005000', A, B, '1518', OUT, GOOD, '0', ''],
        ['10', '1', 'nic1', '0.000007000', A, B, '1518', IN, GOOD, '0', 'fault: reordered'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
