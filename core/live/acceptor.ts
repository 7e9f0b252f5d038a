// Where an NBL chain from another thread is checked before anything follows it. Everything in a
// ring entry and in the chain's records was written by another thread's driver, so it is
// untrusted: the index must be in the pool, the chain must walk cleanly (no loop, NET_BUFFERs
// inside the pool's data: NblPool.checkChain) -> SharedMemoryCorrupted; and every NBL in it must
// be held by the neighbour that handed it over, in the role the ring allows (a send that neighbour
// allocated or was handed, a receive it was indicated...) -> NblNotOwned. Then the NBLs become the
// taker's. A finding stops the machine: it is recorded in the control block and LiveStopped
// unwinds the thread's pump. The usual chain is checked in one walk that reads each record once
// (this runs for every chain at every hop, 8 times per frame going round the bench's stack).

import { ChainError, NBL_WORD, NB_WORD, type NblPool } from '../memory/nbl-pool.ts';
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
  private readonly words: Uint32Array;
  private readonly holders: Int32Array;
  private readonly origins: Int32Array;
  private readonly nblCount: number;
  private readonly dataBase: number;
  private readonly dataEnd: number;

  constructor(private readonly pool: NblPool, private readonly control: LiveControl, private readonly taker: number) {
    this.words = pool.words;
    this.holders = control.holders;
    this.origins = control.origins;
    this.nblCount = pool.layout.nblCount;
    this.dataBase = pool.layout.dataBase;
    this.dataEnd = pool.dataEnd;
  }

  /**
   * Checks the chain in `entry`, handed over by `from` (holder id, named `fromName`) as `arrival`,
   * and makes it the taker's. Returns the number of NBLs; throws LiveStopped after a finding.
   *
   * One walk does it all for the usual chain, whose every NBL has its own NET_BUFFER (NBL i with
   * NET_BUFFER i, no second one): each NBL must be held by `from` in an allowed role, and becomes
   * the taker's as the walk passes. That also ends a looping chain: the first NBL met again is
   * the taker's by then, not `from`'s. Anything unusual (a rechained NET_BUFFER, a loop, a
   * holder that is not `from`) is looked at again by NblPool.checkChain, which names what is
   * wrong, before an NBL is blamed on ownership.
   */
  accept(entry: number, arrival: Arrival, from: number, fromName: string, where: string): number {
    const head = entry & ENTRY_INDEX;
    const { words, holders, origins } = this;
    const nblCount = this.nblCount;
    if (head >= nblCount) {
      this.stop('SharedMemoryCorrupted', fromName, `${where}: ring entry 0x${(entry >>> 0).toString(16)} is not an NBL (indices 0..${nblCount - 1})`);
    }
    const allowed = ALLOWED[arrival];
    const taker = this.taker;
    const takerOwn = holderWord(taker, ROLE_OWN);
    const takerRole = holderWord(taker, TAKEN_AS[arrival]);
    const { pool, dataBase, dataEnd } = this;
    let unusual = false;
    let count = 0;
    let nbl = head;
    for (;;) {
      const word = holders[nbl]!;
      if (word >>> 2 !== from || (allowed & (1 << (word & 3))) === 0) return this.refuse(head, nbl, word, arrival, from, fromName, where);
      holders[nbl] = origins[nbl] === taker ? takerOwn : takerRole;
      count++;
      const at = pool.nblWord(nbl);
      const nb = pool.nbWord(nbl);
      if (words[at + NBL_WORD.firstNb] !== nbl + 1 || words[nb + NB_WORD.next] !== 0) {
        unusual = true;
      } else {
        const buffer = words[nb + NB_WORD.buffer]!;
        const bufferLength = words[nb + NB_WORD.bufferLength]!;
        const end = words[nb + NB_WORD.offset]! + words[nb + NB_WORD.length]!;
        if (buffer < dataBase || buffer + bufferLength > dataEnd || end > bufferLength) unusual = true;
      }
      const next = words[at + NBL_WORD.next]!;
      if (next === 0) break;
      if (next > nblCount) {
        unusual = true;
        break;
      }
      nbl = next - 1;
    }
    if (unusual) this.structure(head, arrival, fromName, where);
    return count;
  }

  /** The slow look at an unusual chain: SharedMemoryCorrupted if it does not walk cleanly. */
  private structure(head: number, arrival: Arrival, fromName: string, where: string): void {
    try {
      this.pool.checkChain(head);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      this.stop('SharedMemoryCorrupted', fromName, `${where}: the chain ${WHAT[arrival]} from NBL ${head}: ${error.message}`);
    }
  }

  /** An NBL `from` does not hold as it should: a broken chain first, else NblNotOwned. */
  private refuse(head: number, nbl: number, word: number, arrival: Arrival, from: number, fromName: string, where: string): never {
    this.structure(head, arrival, fromName, where);
    return this.stop('NblNotOwned', fromName, `${where}: NBL ${nbl} ${WHAT[arrival]} by ${fromName}, which ${describeHolder(word, from)}`);
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
