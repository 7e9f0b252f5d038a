import { describe, it, expect } from 'vitest';
import { NblPool, ChainError, NBL_NEXT, NBL_FIRST_NB, NB_NEXT, NB_DATA_OFFSET, NB_DATA_LENGTH, NB_BUFFER, NB_BUFFER_LENGTH, NB_MDL_CHAIN, MDL_NEXT, SLOT_MEMORY } from './nbl-pool.ts';
import { Prng } from '../sched/prng.ts';

function pool() {
  const buffer = new SharedArrayBuffer(1 << 20);
  return new NblPool(buffer, { base: 4096, bytes: 256 * 1024 }, 2048);
}

describe('NBL pool', () => {
  it('divides its region into NBLs, NET_BUFFERs and buffers that do not overlap', () => {
    const p = pool();
    const { nblCount, nblBase, nbBase, dataBase, bufferBytes } = p.layout;
    expect(nblCount).toBeGreaterThan(100);
    expect(nbBase).toBeGreaterThanOrEqual(nblBase + nblCount * 32);
    expect(dataBase).toBeGreaterThanOrEqual(nbBase + nblCount * 32);
    expect(dataBase + nblCount * bufferBytes).toBeLessThanOrEqual(4096 + 256 * 1024);
  });

  it('allocates an NBL with its own NET_BUFFER and buffer, tracks the owner, and frees it', () => {
    const p = pool();
    const n = p.allocate(7, 60);
    expect(n).toBeGreaterThanOrEqual(0);
    expect(p.ownerOf(n)).toBe(7);
    expect(p.nblField(n, NBL_FIRST_NB)).toBe(n + 1);
    expect(p.nbField(n, NB_DATA_LENGTH)).toBe(60);
    expect(p.nbField(n, NB_BUFFER)).toBe(p.bufferAddress(n));
    expect(p.checkChain(n)).toEqual({ nbls: 1, netBuffers: 1, bytes: 60 });
    expect(p.release(n, 8)).toBe(false); // not the owner
    expect(p.release(n, 7)).toBe(true);
    expect(p.release(n, 7)).toBe(false); // twice
    expect(p.ownerOf(n)).toBe(0);
  });

  it('hands ownership over only from the owner', () => {
    const p = pool();
    const n = p.allocate(1, 10);
    expect(p.transfer(n, 2, 3)).toBe(false);
    expect(p.transfer(n, 1, 3)).toBe(true);
    expect(p.ownerOf(n)).toBe(3);
    expect(p.transfer(999_999, 3, 1)).toBe(false);
  });

  it('runs out cleanly', () => {
    const p = pool();
    const all: number[] = [];
    for (let n = p.allocate(1, 0); n >= 0; n = p.allocate(1, 0)) all.push(n);
    expect(all).toHaveLength(p.layout.nblCount);
    expect(p.available).toBe(0);
    expect(p.allocate(1, 0)).toBe(-1);
    p.release(all[3]!, 1);
    expect(p.allocate(1, 0)).toBe(all[3]);
  });

  it('walks chains of NBLs and NET_BUFFERs', () => {
    const p = pool();
    const [a, b, c] = [p.allocate(1, 100), p.allocate(1, 200), p.allocate(1, 300)];
    p.setNblField(a, NBL_NEXT, b + 1);
    p.setNblField(b, NBL_NEXT, c + 1);
    // c gets a second NET_BUFFER: the one that came with d.
    const d = p.allocate(1, 40);
    p.setNbField(c, NB_NEXT, d + 1);
    expect(p.checkChain(a)).toEqual({ nbls: 3, netBuffers: 4, bytes: 640 });
  });

  it('names what is wrong in a corrupted chain instead of following it', () => {
    const p = pool();
    const a = p.allocate(1, 100);
    const b = p.allocate(1, 100);
    p.setNblField(a, NBL_NEXT, b + 1);
    p.setNblField(b, NBL_NEXT, a + 1);
    expect(() => p.checkChain(a)).toThrow(`NBL ${a} appears twice in one chain (Next makes a loop)`);
    p.setNblField(b, NBL_NEXT, 0xffffff);
    expect(() => p.checkChain(a)).toThrow(/NBL index 16777214 is outside the pool/);
    p.setNblField(b, NBL_NEXT, 0);
    p.setNbField(b, NB_DATA_OFFSET, 2000);
    expect(() => p.checkChain(a)).toThrow(`NET_BUFFER ${b}: DataOffset 2000 + DataLength 100 runs past its 2048-byte buffer`);
    p.setNbField(b, NB_DATA_OFFSET, 0);
    p.setNbField(b, NB_BUFFER, 0x10);
    expect(() => p.checkChain(a)).toThrow(/its buffer 0x10 .* is not inside the pool's data/);
    p.setNbField(b, NB_BUFFER, p.bufferAddress(b));
    p.setNbField(b, NB_NEXT, b + 1);
    expect(() => p.checkChain(a)).toThrow(/NET_BUFFER .* appears twice/);
    p.setNbField(b, NB_NEXT, 0);
    p.setNblField(b, NBL_FIRST_NB, 0);
    expect(() => p.checkChain(a)).toThrow(/has no NET_BUFFER/);
    p.setNblField(b, NBL_FIRST_NB, b + 1);
    expect(p.checkChain(a).nbls).toBe(2);
  });

  it('describes data by MDL chains: checks each MDL, finds the one an offset lies in, and refuses loops and other NET_BUFFERs\' buffers', () => {
    const p = pool();
    const nbl = p.allocate(1, 0);
    expect(p.nbField(nbl, NB_MDL_CHAIN)).toBe(nbl + 1); // its own buffer's built-in MDL
    const memory = p.allocateSlot(1, SLOT_MEMORY);
    const at = p.bufferAddress(memory);
    expect(p.mdlGrantProblem(2, at, 10)).toMatch(/is not the driver's/);
    expect(p.mdlGrantProblem(1, at + 2040, 10)).toMatch(/run past the end of the buffer/);
    const a = p.allocateMdl(1, at, 10);
    const b = p.allocateMdl(1, at + 100, 20);
    p.setMdlField(a, MDL_NEXT, b + 1);
    p.setNbField(nbl, NB_MDL_CHAIN, a + 1);
    p.setNbField(nbl, NB_BUFFER, 0);
    p.setNbField(nbl, NB_BUFFER_LENGTH, 0);
    p.setNbField(nbl, NB_DATA_OFFSET, 12);
    p.setNbField(nbl, NB_DATA_LENGTH, 18);
    expect(p.checkChain(nbl)).toEqual({ nbls: 1, netBuffers: 1, bytes: 18 });
    expect(p.walkedMdls).toBe(2);
    expect([p.locate(nbl, 12, true), p.located]).toEqual([b, 2]);
    expect([p.locate(nbl, 30, true), p.located]).toEqual([-1, 0]);
    p.setNbField(nbl, NB_DATA_LENGTH, 19);
    expect(() => p.checkChain(nbl)).toThrow(/runs past its MDL chain's 30 bytes/);
    p.setNbField(nbl, NB_DATA_LENGTH, 18);
    p.setMdlField(b, MDL_NEXT, a + 1);
    expect(() => p.checkChain(nbl)).toThrow(/MDL chain loops/);
    p.setMdlField(b, MDL_NEXT, (nbl + 1) % p.layout.nbCount + 1); // into another NET_BUFFER's built-in MDL
    expect(() => p.checkChain(nbl)).toThrow(/another NET_BUFFER's/);
    p.setMdlField(b, MDL_NEXT, 0);
    expect(p.freeMdl(b, 1)).toBe(true);
    expect(() => p.checkChain(nbl)).toThrow(/MDL \d+ was freed/);
  });

  it('survives 100,000 random scribbles: checkChain either summarises or throws ChainError', () => {
    const p = pool();
    const words = new Uint32Array(p.bytes.buffer);
    const ids = Array.from({ length: 20 }, () => p.allocate(1, 64));
    const prng = new Prng(12345);
    const rnd = () => prng.next();
    const base = p.layout.nblBase >> 2;
    const span = (p.layout.dataBase - p.layout.nblBase) >> 2;
    let thrown = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = rnd();
      words[base + (r % span)] = r % 3 === 0 ? rnd() : rnd() % 64;
      try {
        const s = p.checkChain(ids[rnd() % ids.length]!);
        expect(s.nbls).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(ChainError);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(1000);
  });
});
