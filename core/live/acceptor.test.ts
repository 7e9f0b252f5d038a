// ChainAcceptor: what a live thread does with a chain another thread handed it. Each case builds
// the chain a neighbour could write and checks the exact finding (or the count and the new holder).

import { describe, it, expect } from 'vitest';
import { NblPool, NBL_NEXT, NBL_FIRST_NB, NB_NEXT, NB_BUFFER } from '../memory/nbl-pool.ts';
import { LiveControl, ROLE_OWN, ROLE_SEND, ROLE_RECEIVE, holderWord } from './control.ts';
import { ChainAcceptor, LiveStopped, Arrival } from './acceptor.ts';
import { SECOND_KIND } from './plan.ts';

const PROTOCOL = 2;
const FILTER = 3;

function setup(length: number) {
  const pool = new NblPool(new SharedArrayBuffer(1 << 20), { base: 4096, bytes: 256 * 1024 });
  const control = LiveControl.create(pool.layout.nblCount);
  const nbls = Array.from({ length }, () => pool.allocate(PROTOCOL, 60));
  nbls.forEach((nbl, i) => {
    pool.setNblField(nbl, NBL_NEXT, i + 1 < length ? nbls[i + 1]! + 1 : 0);
    control.holders[nbl] = holderWord(PROTOCOL, ROLE_OWN);
    control.origins[nbl] = PROTOCOL;
  });
  const filter = new ChainAcceptor(pool, control, FILTER);
  const take = (entry = nbls[0]!, arrival: Arrival = Arrival.Send) => filter.accept(entry, arrival, PROTOCOL, 'protocol', 'module f/nic0, from protocol');
  const findingOf = (entry = nbls[0]!, arrival: Arrival = Arrival.Send) => {
    try {
      take(entry, arrival);
    } catch (error) {
      if (error instanceof LiveStopped) return control.finding();
      throw error;
    }
    return undefined;
  };
  return { pool, control, nbls, take, findingOf };
}

describe('ChainAcceptor', () => {
  it('takes a chain the neighbour may hand over: counts it and makes every NBL the taker\'s', () => {
    const { control, nbls, take } = setup(5);
    expect(take()).toBe(5);
    for (const nbl of nbls) expect(control.holders[nbl]).toBe(holderWord(FILTER, ROLE_SEND));
    expect(control.finding()).toBeUndefined();
  });

  it('gives an NBL the taker allocated back to it as its own', () => {
    const { control, nbls, take } = setup(2);
    control.origins[nbls[1]!] = FILTER;
    take();
    expect(control.holders[nbls[1]!]).toBe(holderWord(FILTER, ROLE_OWN));
  });

  it('an entry that is not an NBL index: SharedMemoryCorrupted', () => {
    const { pool, findingOf } = setup(1);
    expect(findingOf(0x7ffffff0)).toEqual({
      rule: 'SharedMemoryCorrupted', driver: 'protocol',
      message: `module f/nic0, from protocol: ring entry 0x7ffffff0 is not an NBL (indices 0..${pool.layout.nblCount - 1})`,
    });
  });

  it('a chain whose Next makes a loop: SharedMemoryCorrupted naming the NBL met twice', () => {
    const { pool, nbls, findingOf } = setup(3);
    pool.setNblField(nbls[2]!, NBL_NEXT, nbls[1]! + 1);
    expect(findingOf()).toEqual({
      rule: 'SharedMemoryCorrupted', driver: 'protocol',
      message: `module f/nic0, from protocol: the chain sent down from NBL ${nbls[0]}: NBL ${nbls[1]} appears twice in one chain (Next makes a loop)`,
    });
  });

  it('a Next past the pool: SharedMemoryCorrupted', () => {
    const { pool, nbls, findingOf } = setup(2);
    pool.setNblField(nbls[1]!, NBL_NEXT, 0x00ffffff);
    expect(findingOf()?.message).toMatch(/NBL index 16777214 is outside the pool/);
  });

  it('a NET_BUFFER outside the pool\'s data, or shared by two NBLs: SharedMemoryCorrupted', () => {
    const a = setup(2);
    a.pool.setNbField(a.nbls[1]!, NB_BUFFER, 16);
    expect(a.findingOf()?.message).toMatch(new RegExp(`NET_BUFFER ${a.nbls[1]}: its buffer 0x10 .* is not inside the pool's data`));
    const b = setup(2);
    b.pool.setNblField(b.nbls[1]!, NBL_FIRST_NB, b.nbls[0]! + 1);
    expect(b.findingOf()?.message).toMatch(new RegExp(`NET_BUFFER ${b.nbls[0]} appears twice`));
    const c = setup(1);
    c.pool.setNbField(c.nbls[0]!, NB_NEXT, c.nbls[0]! + 1);
    expect(c.findingOf()?.rule).toBe('SharedMemoryCorrupted');
  });

  it('an NBL the neighbour does not hold, or holds in the wrong role: NblNotOwned', () => {
    const a = setup(3);
    a.control.holders[a.nbls[2]!] = holderWord(7, ROLE_OWN);
    expect(a.findingOf()).toEqual({
      rule: 'NblNotOwned', driver: 'protocol',
      message: `module f/nic0, from protocol: NBL ${a.nbls[2]} sent down by protocol, which it does not hold (holder 7 does)`,
    });
    const b = setup(1);
    b.control.holders[b.nbls[0]!] = 0;
    expect(b.findingOf()?.message).toMatch(/which is free \(never allocated, or already freed\)/);
    const c = setup(1);
    // A return must be a receive the neighbour was indicated, not one it allocated.
    expect(c.findingOf(c.nbls[0]! | SECOND_KIND, Arrival.Return)?.message).toMatch(/returned by protocol, which it allocated and may not pass this way/);
    const d = setup(1);
    d.control.holders[d.nbls[0]!] = holderWord(PROTOCOL, ROLE_RECEIVE);
    expect(d.findingOf()?.message).toMatch(/holds as a receive, not a send/);
  });
});
