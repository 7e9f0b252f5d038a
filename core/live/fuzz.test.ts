// A hostile driver above the live miniport: over a million random writes into the rings it owns
// and the NBL records it holds (garbage entries, indices it does not own, double sends, returns of
// what it never got, corrupted chains and NET_BUFFERs, a scribbled head index), with the miniport
// pump and the NIC running between them. Every bad write must stop the machine with
// SharedMemoryCorrupted or NblNotOwned against the hostile driver, good writes must go through,
// and nothing outside what the hostile driver may write and what the miniport and its NIC own may
// change. The machine is set up again after each stop, so the writes keep coming.

import { describe, it, expect } from 'vitest';
import { hashOutside } from '../testing/memory-hash.ts';
import { Prng } from '../sched/prng.ts';
import * as m from '../../wasm/e1000/machine.ts';
import { Machine } from '../nic/machine.ts';
import { bringUp } from '../nic/bringup.ts';
import { NblPool, NBL_NEXT, NBL_FIRST_NB, NB_NEXT, NB_BUFFER, NB_DATA_OFFSET, NB_DATA_LENGTH, NB_BUFFER_LENGTH, NBL_RECORD_BYTES, NB_RECORD_BYTES } from '../memory/nbl-pool.ts';
import { SpscRing, SPSC_RING_LAYOUT } from '../memory/spsc-ring.ts';
import { LiveControl, ROLE_OWN, ROLE_RECEIVE, holderWord } from './control.ts';
import { MiniportPump } from './miniport-pump.ts';
import { ChainAcceptor, LiveStopped, arrivalOf, Arrival } from './acceptor.ts';
import { RingIn } from './links.ts';
import { SECOND_KIND, type MiniportLivePlan } from './plan.ts';

const HOSTILE = 1;
const MINIPORT = 1000;
const RX = 32;
const OWN_NBLS = 48;

describe('live rings under a hostile driver', () => {
  it('1,000,000 hostile ring writes: only SharedMemoryCorrupted and NblNotOwned, and nothing else touched', async () => {
    const machine = await Machine.create({ nics: 1, txRingEntries: 64, rxRingEntries: RX, poolBytes: 256 * 1024, spscBytes: 64 * 1024, captureBytes: 0, seed: 3 });
    const nic = machine.nic(0);
    const memory = machine.memory.buffer as unknown as SharedArrayBuffer;
    const pool = new NblPool(memory, machine.layout.pool);
    const nblCount = pool.layout.nblCount;
    const rxNbl = Array.from({ length: RX }, () => pool.allocate(MINIPORT, 0));
    const own = Array.from({ length: OWN_NBLS }, () => pool.allocate(HOSTILE, 60));
    const link = machine.wire.loopback(nic.endpoint);
    const capacity = 2 ** Math.ceil(Math.log2(nblCount));
    const down = machine.layout.spsc.base;
    const up = down + Math.ceil(SpscRing.bytesFor(capacity) / 64) * 64;
    const ringsEnd = up + SpscRing.bytesFor(capacity);
    const control = LiveControl.create(nblCount);
    const plan: MiniportLivePlan = {
      thread: 0, header: machine.layout.header, budget: 64, spins: 0, parkMs: 0, transport: 'rings',
      adapters: [{
        index: 0, name: 'nic0', holder: MINIPORT, registers: nic.base, txRing: nic.regions.txRing.base, txCount: 64,
        rxRing: nic.regions.rxRing.base, rxCount: RX, rxNbl, above: { down, up, holder: HOSTILE, thread: 1, name: 'hostile' },
      }],
    };

    // A fresh start: the NIC brought up, every NBL home, the rings empty, a new pump.
    const resetRecord = (nbl: number, length: number) => {
      pool.setNblField(nbl, NBL_NEXT, 0);
      pool.setNblField(nbl, NBL_FIRST_NB, nbl + 1);
      pool.setNbField(nbl, NB_NEXT, 0);
      pool.setNbField(nbl, NB_DATA_OFFSET, 0);
      pool.setNbField(nbl, NB_DATA_LENGTH, length);
      pool.setNbField(nbl, NB_BUFFER, pool.bufferAddress(nbl));
      pool.setNbField(nbl, NB_BUFFER_LENGTH, pool.layout.bufferBytes);
    };
    let pump!: MiniportPump;
    let downRing!: SpscRing;
    let upIn!: RingIn;
    const taker = new ChainAcceptor(pool, control, HOSTILE);
    const reset = () => {
      bringUp(machine, nic, { promiscuous: true, rxBuffer: (i) => pool.bufferAddress(rxNbl[i]!) });
      new Int32Array(control.buffer).fill(0);
      for (const nbl of rxNbl) {
        resetRecord(nbl, 0);
        control.holders[nbl] = holderWord(MINIPORT, ROLE_OWN);
        control.origins[nbl] = MINIPORT;
      }
      for (const nbl of own) {
        resetRecord(nbl, 60);
        control.holders[nbl] = holderWord(HOSTILE, ROLE_OWN);
        control.origins[nbl] = HOSTILE;
      }
      control.setLive(true);
      downRing = SpscRing.format(memory, down, capacity);
      SpscRing.format(memory, up, capacity);
      upIn = new RingIn(new SpscRing(memory, up), (message) => taker.stop('SharedMemoryCorrupted', 'miniport nic0', message));
      pump = new MiniportPump(plan, control, memory, pool, machine.device);
    };
    reset();

    // What may change: the miniport's NIC (registers, rings, FIFO, the header's doorbell and clock,
    // its loopback link), the hostile driver's rings, and the records and buffers of the NBLs the
    // two of them hold. Everything else, other NBLs' records and buffers included, must not.
    const linkRecord = machine.layout.linkTable.base + link * m.LINK_BYTES;
    const slotsBase = machine.view.getUint32(linkRecord + m.L_QUEUE, true);
    const mutable: [number, number][] = [
      [machine.layout.header, machine.layout.header + m.MACHINE_HEADER_BYTES],
      [nic.base, nic.base + m.NIC_BLOCK_BYTES],
      [nic.regions.txFifo.base, nic.regions.txFifo.base + nic.regions.txFifo.bytes],
      [nic.regions.txRing.base, nic.regions.txRing.base + nic.regions.txRing.bytes],
      [nic.regions.rxRing.base, nic.regions.rxRing.base + nic.regions.rxRing.bytes],
      [linkRecord, linkRecord + m.LINK_BYTES],
      [slotsBase, slotsBase + machine.layout.config.linkQueueSlots * m.QUEUE_SLOT_BYTES],
      [down, ringsEnd],
    ];
    for (const nbl of [...rxNbl, ...own]) {
      mutable.push([pool.nblAddress(nbl), pool.nblAddress(nbl) + NBL_RECORD_BYTES], [pool.nbAddress(nbl), pool.nbAddress(nbl) + NB_RECORD_BYTES]);
      mutable.push([pool.bufferAddress(nbl), pool.bufferAddress(nbl) + pool.layout.bufferBytes]);
    }
    const hashOutsideMutable = () => hashOutside(machine.bytes, mutable);
    const before = hashOutsideMutable();

    const prng = new Prng(0x11fe);
    const random = () => prng.next();
    const pick = <T,>(list: readonly T[]): T => list[random() % list.length]!;
    const heldReceives: number[] = [];
    const push = (entry: number) => {
      if (downRing.reserve(1) === 1) {
        downRing.set(0, entry >>> 0);
        downRing.publish(1);
      }
    };
    /** Chains up to `n` of the hostile driver's NBLs that are its own now; returns the head or -1. */
    const ownChain = (n: number) => {
      const free = own.filter((nbl) => control.holders[nbl] === holderWord(HOSTILE, ROLE_OWN));
      const chain = free.slice(0, n);
      chain.forEach((nbl, i) => {
        resetRecord(nbl, 60);
        pool.setNblField(nbl, NBL_NEXT, i + 1 < chain.length ? chain[i + 1]! + 1 : 0);
      });
      return chain.length > 0 ? chain[0]! : -1;
    };

    const findings = new Map<string, number>();
    let writes = 0;
    let stops = 0;
    let sentOk = 0;
    let returnedOk = 0;
    while (writes < 1_000_000) {
      const burst = 1 + (random() % 8);
      for (let i = 0; i < burst; i++, writes++) {
        const op = random() % 100;
        if (op < 40) {
          // A good send: a chain of its own NBLs.
          const head = ownChain(1 + (random() % 4));
          if (head >= 0) push(head);
        } else if (op < 55 && heldReceives.length > 0) {
          // A good return of receives it was indicated.
          const chain = heldReceives.splice(0, 1 + (random() % heldReceives.length));
          chain.forEach((nbl, k) => pool.setNblField(nbl, NBL_NEXT, k + 1 < chain.length ? chain[k + 1]! + 1 : 0));
          push(chain[0]! | SECOND_KIND);
        } else if (op < 62) {
          push(random()); // garbage
        } else if (op < 72) {
          // An index it does not hold: a receive buffer still with the miniport, a free NBL, one in flight.
          push(pick([random() % nblCount, pick(rxNbl), pick(own)]) | (random() % 2 ? SECOND_KIND : 0));
        } else if (op < 90) {
          // A chain it corrupts before sending: a loop, a NET_BUFFER elsewhere, data past its buffer.
          const head = ownChain(1 + (random() % 3));
          if (head < 0) continue;
          const field = random() % 5;
          if (field === 0) pool.setNblField(head, NBL_NEXT, head + 1);
          else if (field === 1) pool.setNblField(head, NBL_FIRST_NB, random() % 4 === 0 ? 0 : random());
          else if (field === 2) pool.setNbField(head, NB_BUFFER, random() % 2 ? random() : pool.bufferAddress(head) + pool.layout.bufferBytes);
          else if (field === 3) pool.setNbField(head, NB_DATA_LENGTH, random() % 2 ? random() : pool.layout.bufferBytes + 1);
          else pool.setNbField(head, NB_NEXT, head + 1);
          push(head);
        } else if (op < 93) {
          // The head index itself.
          Atomics.store(new Int32Array(memory, down + SPSC_RING_LAYOUT.head, 1), 0, random());
        } else {
          // Entries past the published head (never read).
          new Uint32Array(memory, down + SPSC_RING_LAYOUT.entries, capacity)[random() % capacity] = random();
        }
      }
      try {
        pump.pass();
        // The hostile driver takes what comes up: completions of its sends, receives of its frames.
        upIn.take(64, (entry) => {
          const arrival = arrivalOf(entry, false);
          const count = taker.accept(entry, arrival, MINIPORT, 'miniport nic0', 'hostile');
          if (arrival === Arrival.Complete) sentOk += count;
          else {
            for (let nbl = entry & 0x7fffffff, k = 0; k < count; k++, nbl = pool.nblField(nbl, NBL_NEXT) - 1) {
              expect(control.holders[nbl]).toBe(holderWord(HOSTILE, ROLE_RECEIVE));
              heldReceives.push(nbl);
              returnedOk++;
            }
          }
        });
      } catch (error) {
        if (!(error instanceof LiveStopped)) throw error;
        const finding = control.finding()!;
        expect(finding.driver).toBe('hostile');
        findings.set(finding.rule, (findings.get(finding.rule) ?? 0) + 1);
        stops++;
        heldReceives.length = 0;
        reset();
      }
    }
    if (process.env.FUZZ_DEBUG) console.log({ writes, stops, sentOk, returnedOk, findings });
    expect(writes).toBeGreaterThanOrEqual(1_000_000);
    expect([...findings.keys()].sort()).toEqual(['NblNotOwned', 'SharedMemoryCorrupted']);
    expect(stops).toBeGreaterThan(10_000);
    expect(sentOk).toBeGreaterThan(1_000);
    expect(returnedOk).toBeGreaterThan(1_000);
    expect(hashOutsideMutable()).toBe(before);
  }, 120_000);
});
