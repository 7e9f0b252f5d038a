// An NDISTest-style test harness above an adapter's filter stack: it sends frames into the top
// filter module whatever the state of the stack, the way Microsoft's NDIS tests drive a filter
// to check what seed 004 asks of a Pausing or Paused module ("Should return all new send
// requests made to its FilterSendNetBufferLists function immediately by calling the
// NdisFSendNetBufferListsComplete function ... NDIS_STATUS_PAUSED"). A well-behaved protocol
// never does this: NDIS pauses the protocols above first. The harness's NBLs are NDIS's own; it
// frees each one when it comes back up out of the stack, and the trace records its Status.

import type { NdisEngine } from './engine.ts';
import type { FilterStacks } from './filter.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { NdisHandle } from './handle.ts';
import { NDIS_OWNER } from './driver-record.ts';
import { NBL_NEXT, NBL_SOURCE, NBL_STATUS } from '../memory/nbl-pool.ts';
import { numberedFrame } from '../nic/ethernet.ts';
import { statusName } from './status.ts';

export class TestHarness {
  /** The SourceHandle of its NBLs; made at the first send, so a run without the harness issues no handle for it. */
  private handle: NdisHandle | undefined;
  /** Per NBL: 1 while the harness has it in a stack. */
  private readonly outstanding: Uint8Array;
  /** How many of its NBLs are in a stack now. */
  private inFlight = 0;

  constructor(private readonly rt: NdisEngine, private readonly filters: FilterStacks) {
    this.outstanding = new Uint8Array(rt.pool.layout.nblCount);
  }

  /**
   * Sends `count` numbered frames of `size` bytes from `adapter`'s address to `destination` into
   * the top of its filter stack (sequence numbers from `first`), one NBL each, in one chain.
   * Returns how many it sent (fewer if the pool ran out).
   */
  send(adapter: MiniportAdapter, destination: string, count: number, size: number, first: number): number {
    const rt = this.rt;
    const pool = rt.pool;
    this.handle ??= rt.newHandle('testHarness', 'the test harness', this);
    const nbls: number[] = [];
    for (let i = 0; i < count; i++) {
      const nbl = pool.allocate(NDIS_OWNER, size);
      if (nbl < 0) {
        rt.trace.record('note', { object: 'the test harness', text: 'the NBL pool is exhausted: the harness sent fewer frames' });
        break;
      }
      rt.machine.bytes.set(numberedFrame(destination, adapter.nic.permanentAddress, first + i, size), pool.bufferAddress(nbl));
      pool.setNblField(nbl, NBL_SOURCE, this.handle.id);
      this.filters.originated(nbl, this.handle.id);
      this.outstanding[nbl] = 1;
      nbls.push(nbl);
    }
    if (nbls.length === 0) return 0;
    for (let i = 0; i < nbls.length; i++) pool.setNblField(nbls[i]!, NBL_NEXT, i + 1 < nbls.length ? nbls[i + 1]! + 1 : 0);
    this.inFlight += nbls.length;
    rt.trace.record('harness-send', { adapter: adapter.name, nbls: nbls.length, states: this.filters.modules(adapter).map((m) => m.state) });
    this.filters.sendBelow(adapter, this.filters.modules(adapter).length, nbls);
    return nbls.length;
  }

  /**
   * Completions that came up out of a stack: the harness's own NBLs are taken (their statuses
   * traced, the NBLs freed) and the rest returned for the protocols. Without a harness send in
   * the run, `nbls` itself.
   */
  claim(nbls: number[]): number[] {
    if (this.inFlight === 0) return nbls;
    const mine = nbls.filter((nbl) => this.outstanding[nbl] === 1);
    if (mine.length === 0) return nbls;
    const rest = nbls.filter((nbl) => this.outstanding[nbl] !== 1);
    const pool = this.rt.pool;
    this.rt.trace.record('harness-complete', { nbls: mine.length, status: mine.map((nbl) => statusName(pool.nblField(nbl, NBL_STATUS))) });
    for (const nbl of mine) {
      this.outstanding[nbl] = 0;
      pool.release(nbl, NDIS_OWNER);
    }
    this.inFlight -= mine.length;
    return rest;
  }
}
