import { describe, it, expect } from 'vitest';
import { NblPool } from '../memory/nbl-pool.ts';
import { NetBufferViews, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_DATA_LENGTH, NdisGetDataBuffer } from './net-buffer-list.ts';

function views() {
  const pool = new NblPool(new SharedArrayBuffer(1 << 20), { base: 4096, bytes: 128 * 1024 });
  return { pool, views: new NetBufferViews(pool) };
}

describe('NET_BUFFER_LIST and NET_BUFFER objects', () => {
  it('read and write the records in shared memory with NDIS field names', () => {
    const { pool, views: v } = views();
    const a = v.nbl(pool.allocate(1, 60));
    const b = v.nbl(pool.allocate(1, 100));
    expect(a.Next).toBeNull();
    a.Next = b;
    expect(NET_BUFFER_LIST_NEXT_NBL(a)).toBe(b); // the same object: identity holds
    a.Status = 0xc023002a;
    expect(a.Status).toBe(0xc023002a);
    const nb = a.FirstNetBuffer!;
    expect(NET_BUFFER_DATA_LENGTH(nb)).toBe(60);
    expect(pool.checkChain(a.index)).toEqual({ nbls: 2, netBuffers: 2, bytes: 160 });
  });

  it('gives a zero-copy view of the data', () => {
    const { pool, views: v } = views();
    const nbl = v.nbl(pool.allocate(1, 8));
    const nb = nbl.FirstNetBuffer!;
    nb.Data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(pool.bytes.subarray(pool.bufferAddress(nb.index), pool.bufferAddress(nb.index) + 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    nb.DataOffset = 2;
    nb.DataLength = 4;
    expect(Array.from(NdisGetDataBuffer(nb, 3)!)).toEqual([3, 4, 5]);
    expect(NdisGetDataBuffer(nb, 5)).toBeNull();
    nb.DataOffset = 5000;
    expect(() => nb.Data).toThrow(/DataOffset 5000 \+ DataLength 4 is past its 2048-byte buffer/);
  });

  it('keeps the Data view while the record is unchanged, and makes a new one when it changes', () => {
    const { pool, views: v } = views();
    const nb = v.nbl(pool.allocate(1, 60)).FirstNetBuffer!;
    const first = nb.Data;
    expect(nb.Data).toBe(first); // reading a frame allocates nothing
    nb.DataLength = 64;
    const longer = nb.Data;
    expect(longer).not.toBe(first);
    expect(longer.length).toBe(64);
    expect(longer.byteOffset).toBe(first.byteOffset);
    // A buffer address a driver scribbled outside the pool's data is refused, not clamped.
    pool.setNbField(nb.index, 12 /* NB_BUFFER */, 16);
    expect(() => nb.Data).toThrow(/its buffer 0x10 \(\+64\) is not inside the pool's data/);
  });
});

