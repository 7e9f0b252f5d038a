// Where an NBL chain from another thread is checked before anything follows it. Everything in a
// ring entry and in the chain's records was written by another thread's driver, so it is
// untrusted: the index must be in the pool, the chain must walk cleanly (no loop, NET_BUFFERs
// inside the pool's data: NblPool.checkChain) -> SharedMemoryCorrupted; and every NBL in it must
// be held by the neighbour that handed it over, in the role the ring allows (a send that neighbour
// allocated or was handed, a receive it was indicated...) -> NblNotOwned. Then the NBLs become the
// taker's. A finding stops the machine: it is recorded in the control block and LiveStopped
// unwinds the thread's pump.

import { ChainError, NBL_NEXT, type NblPool } from '../memory/nbl-pool.ts';
import { ENTRY_INDEX, SECOND_KIND } from './plan.ts';
import { ROLE_OWN, ROLE_RECEIVE, ROLE_SEND, holderWord, type LiveControl, type LiveFinding } from './control.ts';

/** Unwinds a live thread's pump after a finding (or when the run stops). */
export class LiveStopped extends Error {
  constructor(readonly finding?: LiveFinding) {
    super(finding ? `${finding.rule}: ${finding.message}` : 'the live run stopped');
    this.name = 'LiveStopped';
  }
}

/** What may arrive on a ring, by direction and entry kind. */
export const Arrival = {
  Send: 0, // down, from above
  Return: 1, // down, from above
  Indicate: 2, // up, from below
  Complete: 3, // up, from below
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

const WHAT: Record<Arrival, string> = {
  [Arrival.Send]: 'sent down',
  [Arrival.Return]: 'returned',
  [Arrival.Indicate]: 'indicated up',
  [Arrival.Complete]: 'completed up',
};

/** Which roles the handing neighbour may hold an NBL in, per arrival (bit per role). */
const ALLOWED: Record<Arrival, number> = {
  [Arrival.Send]: (1 << ROLE_OWN) | (1 << ROLE_SEND),
  [Arrival.Return]: 1 << ROLE_RECEIVE,
  [Arrival.Indicate]: (1 << ROLE_OWN) | (1 << ROLE_RECEIVE),
  [Arrival.Complete]: 1 << ROLE_SEND,
};

/** The role the taker holds it in (unless it allocated the NBL: then it is its own again). */
const TAKEN_AS: Record<Arrival, number> = {
  [Arrival.Send]: ROLE_SEND,
  [Arrival.Return]: ROLE_RECEIVE,
  [Arrival.Indicate]: ROLE_RECEIVE,
  [Arrival.Complete]: ROLE_SEND,
};

export function arrivalOf(entry: number, down: boolean): Arrival {
  const second = (entry & SECOND_KIND) !== 0;
  return down ? (second ? Arrival.Return : Arrival.Send) : (second ? Arrival.Complete : Arrival.Indicate);
}

export class ChainAcceptor {
  constructor(private readonly pool: NblPool, private readonly control: LiveControl, private readonly taker: number) {}

  /**
   * Checks the chain in `entry`, handed over by `from` (holder id, named `fromName`) as `arrival`,
   * and makes it the taker's. Returns the number of NBLs; throws LiveStopped after a finding.
   */
  accept(entry: number, arrival: Arrival, from: number, fromName: string, where: string): number {
    const pool = this.pool;
    const head = entry & ENTRY_INDEX;
    if (!pool.isIndex(head)) {
      this.stop('SharedMemoryCorrupted', fromName, `${where}: ring entry 0x${(entry >>> 0).toString(16)} is not an NBL (indices 0..${pool.layout.nblCount - 1})`);
    }
    let count: number;
    try {
      count = pool.checkChain(head).nbls;
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      this.stop('SharedMemoryCorrupted', fromName, `${where}: the chain ${WHAT[arrival]} from NBL ${head}: ${error.message}`);
    }
    const holders = this.control.holders;
    const origins = this.control.origins;
    const allowed = ALLOWED[arrival];
    const role = TAKEN_AS[arrival];
    const taker = this.taker;
    // The walk is safe now (checkChain found no loop), unless the other thread rewrites the chain
    // meanwhile: the count bounds it either way.
    let nbl = head;
    for (let i = 0; i < count; i++) {
      const word = holders[nbl]!;
      if (word >>> 2 !== from || (allowed & (1 << (word & 3))) === 0) {
        this.stop('NblNotOwned', fromName, `${where}: NBL ${nbl} ${WHAT[arrival]} by ${fromName}, which ${describeHolder(word, from)}`);
      }
      holders[nbl] = holderWord(taker, origins[nbl] === taker ? ROLE_OWN : role);
      const next = pool.nblField(nbl, NBL_NEXT);
      if (next === 0) break;
      nbl = next - 1;
    }
    return count;
  }

  /** Records the finding (the first of the run wins) and unwinds. */
  stop(rule: string, driver: string, message: string): never {
    const finding = { rule, driver, message };
    this.control.fail(finding);
    throw new LiveStopped(finding);
  }
}

function describeHolder(word: number, from: number): string {
  if (word === 0) return 'is free (never allocated, or already freed)';
  const role = word & 3;
  if (word >>> 2 !== from) return `it does not hold (holder ${word >>> 2} does)`;
  return role === ROLE_OWN ? 'it allocated and may not pass this way' : role === ROLE_SEND ? 'it holds as a send, not a receive' : 'it holds as a receive, not a send';
}
