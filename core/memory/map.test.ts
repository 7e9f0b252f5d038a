import { describe, it, expect } from 'vitest';
import { layoutMachine, describeLayout, PAGE_BYTES, type Region } from './map.ts';
import { NIC_BLOCK_BYTES } from '../../wasm/e1000/machine.ts';

describe('memory map', () => {
  const layout = layoutMachine({ nics: 3, switches: [{ ports: 4 }], txRingEntries: 64, rxRingEntries: 128 });

  const regions = (): [string, Region][] => [
    ['header', { base: layout.header, bytes: 128 }],
    ['crc', layout.crcTables],
    ['nicTable', layout.nicTable],
    ['endpoints', layout.endpointTable],
    ['links', layout.linkTable],
    ['switches', layout.switchTable],
    ['queues', layout.linkQueues],
    ['spsc', layout.spsc],
    ['scratch', layout.scratch],
    ['pool', layout.pool],
    ...layout.switches.map((s, i): [string, Region] => [`mac${i}`, s.table]),
    ...layout.nics.flatMap((n, i): [string, Region][] => [
      [`regs${i}`, { base: n.registers, bytes: NIC_BLOCK_BYTES }],
      [`fifo${i}`, n.txFifo],
      [`txRing${i}`, n.txRing],
      [`rxRing${i}`, n.rxRing],
      [`rxBuf${i}`, n.rxBuffers],
      [`txBuf${i}`, n.txBuffers],
      [`capture${i}`, n.capture],
    ]),
  ];

  it('places every region once, without overlap, above the guard page and inside memory', () => {
    const sorted = regions().sort((a, b) => a[1].base - b[1].base);
    expect(sorted[0]![1].base).toBeGreaterThanOrEqual(PAGE_BYTES);
    for (let i = 1; i < sorted.length; i++) {
      const [prevName, prev] = sorted[i - 1]!;
      const [name, cur] = sorted[i]!;
      expect(cur.base, `${name} overlaps ${prevName}`).toBeGreaterThanOrEqual(prev.base + prev.bytes);
    }
    const [, last] = sorted[sorted.length - 1]!;
    expect(last.base + last.bytes).toBeLessThanOrEqual(layout.bytes);
    expect(layout.bytes).toBe(layout.pages * PAGE_BYTES);
  });

  it('puts rings, buffers and the NBL pool inside the DMA window, and device state outside it', () => {
    const inside = (r: Region) => r.base >= layout.dma.base && r.base + r.bytes <= layout.dma.base + layout.dma.bytes;
    for (const n of layout.nics) {
      for (const r of [n.txRing, n.rxRing, n.rxBuffers, n.txBuffers]) expect(inside(r)).toBe(true);
      expect(inside({ base: n.registers, bytes: NIC_BLOCK_BYTES })).toBe(false);
      expect(inside(n.txFifo)).toBe(false);
      expect(inside(n.capture)).toBe(false);
      expect(n.capture.bytes).toBe(1024 * 1024);
      expect(n.txRing.base % 128).toBe(0); // TDBAL/RDBAL: 16-byte aligned, rings a multiple of 128 bytes
      expect(n.rxRing.base % 128).toBe(0);
      expect(n.registers % 4096).toBe(0);
    }
    expect(inside(layout.pool)).toBe(true);
    for (const r of [layout.spsc, layout.scratch, layout.linkQueues, layout.crcTables]) expect(inside(r)).toBe(false);
  });

  it('counts an endpoint per NIC and per switch port, and enough links for any topology', () => {
    expect(layout.endpointCount).toBe(3 + 4);
    expect(layout.linkCount).toBe(7);
    expect(layout.switches[0]!.firstEndpoint).toBe(3);
  });

  it('rejects unusable configs naming the field', () => {
    expect(() => layoutMachine({ nics: 0 })).toThrow(/nics must be an integer from 1 to 16; got 0/);
    expect(() => layoutMachine({ nics: 1, txRingEntries: 12 })).toThrow(/txRingEntries .* a multiple of 8; got 12/);
    expect(() => layoutMachine({ nics: 1, switches: [{ ports: 1 }] })).toThrow(/switches\[0\]\.ports/);
    expect(() => layoutMachine({ nics: 1, poolBytes: 1 << 30 })).toThrow(/poolBytes/);
    expect(() => layoutMachine({ nics: 1, captureBytes: 100 })).toThrow(/captureBytes .* a multiple of 64; got 100/);
  });

  it('describes itself as a table', () => {
    const text = describeLayout(layout);
    expect(text).toContain('NIC 2 RX descriptor ring (DMA)');
    expect(text).toContain('DMA window');
  });
});
