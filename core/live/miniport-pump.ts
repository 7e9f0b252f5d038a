// The live miniport: every adapter's miniport on one thread, which also runs the virtual NIC (its
// wasm instance steps the devices and the wire between them here, so no other thread has to be
// woken for a frame to move). Per pass it takes sends and returns from the ring of the layer
// above each adapter, turns each NET_BUFFER into a TX descriptor that points at its data in the
// pool (zero-copy), steps the device, completes the NBLs whose descriptors came back with DD, and
// indicates received frames up as the NBLs whose buffers the RX descriptors held (zero-copy),
// reposting each descriptor when its NBL comes back. No indication carries
// NDIS_RECEIVE_FLAGS_RESOURCES: that flag lends NBLs for the length of a call, which a ring cannot.

import { NblPool, NBL_NEXT, NBL_FIRST_NB, NBL_STATUS, NB_NEXT, NB_DATA_OFFSET, NB_DATA_LENGTH, NB_BUFFER } from '../memory/nbl-pool.ts';
import { SpscRing } from '../memory/spsc-ring.ts';
import {
  DESC_SIZE, RDH, RDT, TDH, TDT, RXD_STATUS, RXD_ERRORS, RXD_LENGTH, RXD_STAT_DD, RXD_STAT_EOP, TXD_STATUS, TXD_STAT_DD,
  TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS,
} from '../../wasm/e1000/registers.ts';
import type { NicExports } from '../nic/module.ts';
import { ROLE_OWN, holderWord, type LiveControl } from './control.ts';
import { ChainAcceptor, Arrival, arrivalOf } from './acceptor.ts';
import { RingIn, RingOut, PortIn, PortOut, flushAll, type LinkIn, type LinkOut } from './links.ts';
import type { LivePorts, PumpStats } from './driver-pump.ts';
import { runPumpLoop } from './pump-loop.ts';
import { SECOND_KIND, ENTRY_INDEX, type AdapterPlan, type MiniportLivePlan } from './plan.ts';
import { NDIS_STATUS_SUCCESS } from '../ndis/status.ts';

/** Chains taken from above per adapter per pass. */
const BATCH = 16;
/** Most frames indicated up in one chain: small enough that the layers above work while more arrive. */
const INDICATE_MAX = 64;
const TX_CMD = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;

export interface MiniportStats extends PumpStats {
  /** Frames each adapter sent and indicated while live. */
  sent: number[];
  indicated: number[];
}

class LiveAdapter {
  readonly rxNbl: Int32Array;
  readonly descOfNbl: Int32Array;
  readonly rxReturned: Uint8Array;
  rxNext: number;
  rdt: number;
  txTail: number;
  txClean: number;
  readonly txNblDone: Int32Array;
  /** Sends taken from above and not yet in the TX ring (NBL indices, FIFO). */
  readonly txQueue: Int32Array;
  queueHead = 0;
  queueTail = 0;
  txDirty = false;
  rdtDirty = false;
  sent = 0;
  indicated = 0;
  readonly own: number;
  readonly down: LinkIn;
  readonly up: LinkOut;
  readonly visitDown: (entry: number) => void;

  constructor(readonly plan: AdapterPlan, private readonly pump: MiniportPump, private readonly acceptor: ChainAcceptor, down: LinkIn, up: LinkOut) {
    const device = pump.device;
    const nblCount = pump.pool.layout.nblCount;
    this.down = down;
    this.up = up;
    this.own = holderWord(plan.holder, ROLE_OWN);
    this.rxNbl = Int32Array.from(plan.rxNbl);
    this.descOfNbl = new Int32Array(nblCount).fill(-1);
    this.rxNbl.forEach((nbl, desc) => (this.descOfNbl[nbl] = desc));
    this.rxReturned = new Uint8Array(plan.rxCount);
    this.txNblDone = new Int32Array(plan.txCount).fill(-1);
    this.txQueue = new Int32Array(nblCount + 1);
    // Taken over from the deterministic miniport with nothing in flight: the device owns [RDH, RDT);
    // the descriptors from RDT up to RDH are the driver's, all back and waiting to be reposted.
    this.rxNext = device.mmio_read(plan.registers, RDH) >>> 0;
    this.rdt = device.mmio_read(plan.registers, RDT) >>> 0;
    for (let i = this.rdt; i !== this.rxNext; i = (i + 1) % plan.rxCount) this.rxReturned[i] = 1;
    this.txTail = device.mmio_read(plan.registers, TDT) >>> 0;
    this.txClean = device.mmio_read(plan.registers, TDH) >>> 0;
    const where = `miniport ${plan.name}, from ${plan.above.name}`;
    this.visitDown = (entry: number) => {
      const arrival = arrivalOf(entry, true);
      const count = acceptor.accept(entry, arrival, plan.above.holder, plan.above.name, where);
      pump.stats.chains++;
      if (arrival === Arrival.Send) this.queueSends(entry & ENTRY_INDEX, count);
      else this.takeReturns(entry & ENTRY_INDEX, count);
    };
  }

  private queueSends(head: number, count: number): void {
    const pool = this.pump.pool;
    const size = this.txQueue.length;
    let nbl = head;
    for (let i = 0; i < count; i++) {
      this.txQueue[this.queueTail] = nbl;
      this.queueTail = this.queueTail + 1 === size ? 0 : this.queueTail + 1;
      nbl = pool.nblField(nbl, NBL_NEXT) - 1;
    }
    this.fillTx();
  }

  /** Moves queued sends into free TX descriptors, one per NET_BUFFER, pointing at its data. */
  fillTx(): void {
    const { pool, u32, dataBase, dataEnd } = this.pump;
    const { txRing, txCount } = this.plan;
    const size = this.txQueue.length;
    while (this.queueHead !== this.queueTail) {
      const nbl = this.txQueue[this.queueHead]!;
      let buffers = 0;
      for (let link = pool.nblField(nbl, NBL_FIRST_NB); link !== 0 && buffers <= txCount; link = pool.nbField(link - 1, NB_NEXT)) buffers++;
      const free = (this.txClean - this.txTail - 1 + txCount) % txCount;
      if (buffers > free) break;
      this.queueHead = this.queueHead + 1 === size ? 0 : this.queueHead + 1;
      let link = pool.nblField(nbl, NBL_FIRST_NB);
      while (link !== 0) {
        const nb = link - 1;
        // Read once and checked here, where the device is told: the chain was checked when it
        // arrived, but the thread above could have rewritten it since.
        const buffer = pool.nbField(nb, NB_BUFFER);
        const offset = pool.nbField(nb, NB_DATA_OFFSET);
        const length = pool.nbField(nb, NB_DATA_LENGTH);
        if (buffer < dataBase || buffer + offset + length > dataEnd || offset + length > pool.layout.bufferBytes || length === 0) {
          this.acceptor.stop('SharedMemoryCorrupted', this.plan.above.name, `miniport ${this.plan.name}: NET_BUFFER ${nb} of NBL ${nbl} changed after it was sent: its data (0x${buffer.toString(16)} + ${offset}, ${length} bytes) is not inside the pool's data`);
        }
        const d = txRing + this.txTail * DESC_SIZE;
        u32[d >> 2] = buffer + offset;
        u32[(d + 4) >> 2] = 0;
        u32[(d + 8) >> 2] = length | (TX_CMD << 24);
        u32[(d + 12) >> 2] = 0;
        link = pool.nbField(nb, NB_NEXT);
        this.txNblDone[this.txTail] = link === 0 ? nbl : -1;
        this.txTail = this.txTail + 1 === txCount ? 0 : this.txTail + 1;
      }
      this.txDirty = true;
    }
  }

  /** Send completions: NBLs whose last descriptor the device wrote back with DD, up as one chain. */
  completeTx(): number {
    const { pool, bytes } = this.pump;
    const { txRing, txCount } = this.plan;
    let head = -1;
    let last = -1;
    let n = 0;
    while (this.txClean !== this.txTail) {
      const d = txRing + this.txClean * DESC_SIZE;
      if ((Atomics.load(bytes, d + TXD_STATUS) & TXD_STAT_DD) === 0) break;
      const nbl = this.txNblDone[this.txClean]!;
      this.txNblDone[this.txClean] = -1;
      this.txClean = this.txClean + 1 === txCount ? 0 : this.txClean + 1;
      if (nbl < 0) continue;
      pool.setNblField(nbl, NBL_STATUS, NDIS_STATUS_SUCCESS);
      if (last >= 0) pool.setNblField(last, NBL_NEXT, nbl + 1);
      else head = nbl;
      last = nbl;
      n++;
    }
    if (n === 0) return 0;
    pool.setNblField(last, NBL_NEXT, 0);
    this.sent += n;
    this.pump.push(this.up, head, SECOND_KIND, this.plan.above.name);
    if (this.queueHead !== this.queueTail) this.fillTx();
    return n;
  }

  /** Received frames, indicated up as one chain of the NBLs whose buffers they are in. */
  indicateRx(): number {
    const { pool, bytes, u16 } = this.pump;
    const { rxRing, rxCount } = this.plan;
    let head = -1;
    let last = -1;
    let n = 0;
    for (;;) {
      const d = rxRing + this.rxNext * DESC_SIZE;
      const status = Atomics.load(bytes, d + RXD_STATUS);
      if ((status & RXD_STAT_DD) === 0) break;
      const nbl = this.rxNbl[this.rxNext]!;
      const good = (status & RXD_STAT_EOP) !== 0 && bytes[d + RXD_ERRORS] === 0;
      bytes[d + RXD_STATUS] = 0;
      this.rxNext = this.rxNext + 1 === rxCount ? 0 : this.rxNext + 1;
      if (!good) {
        this.repost(nbl);
        continue;
      }
      pool.setNbField(nbl, NB_DATA_LENGTH, u16[(d + RXD_LENGTH) >> 1]!);
      if (last >= 0) pool.setNblField(last, NBL_NEXT, nbl + 1);
      else head = nbl;
      last = nbl;
      n++;
      if (n === INDICATE_MAX) break;
    }
    if (n === 0) return 0;
    pool.setNblField(last, NBL_NEXT, 0);
    this.indicated += n;
    this.pump.push(this.up, head, 0, this.plan.above.name);
    return n;
  }

  /** Returns from above: each must be one of this adapter's receive buffers; it is reposted. */
  private takeReturns(head: number, count: number): void {
    const { pool } = this.pump;
    const holders = this.pump.control.holders;
    let nbl = head;
    for (let i = 0; i < count; i++) {
      const next = pool.nblField(nbl, NBL_NEXT) - 1;
      if (holders[nbl] !== this.own || this.descOfNbl[nbl]! < 0) {
        this.acceptor.stop('NblNotOwned', this.plan.above.name, `miniport ${this.plan.name}: NBL ${nbl} was returned to it, but it is not one of ${this.plan.name}'s receive buffers`);
      }
      this.repost(nbl);
      nbl = next;
    }
  }

  /** Resets the NBL to its receive buffer (whatever the layers above wrote) and gives its descriptor back when ring order allows. */
  private repost(nbl: number): void {
    const pool = this.pump.pool;
    pool.resetRecords(nbl, 0, 0);
    this.rxReturned[this.descOfNbl[nbl]!] = 1;
    this.rdtDirty = true;
  }

  /** Moves RDT over the descriptors that are back, in ring order, never onto RDH. */
  flushRdt(): void {
    if (!this.rdtDirty) return;
    this.rdtDirty = false;
    const { device } = this.pump;
    const { registers, rxCount } = this.plan;
    const head = device.mmio_read(registers, RDH) >>> 0;
    let tail = this.rdt;
    while (this.rxReturned[tail] === 1 && (tail + 1) % rxCount !== head) {
      this.rxReturned[tail] = 0;
      tail = tail + 1 === rxCount ? 0 : tail + 1;
    }
    if (tail !== this.rdt) {
      this.rdt = tail;
      device.mmio_write(registers, RDT, tail);
    }
  }

  flushTdt(): void {
    if (!this.txDirty) return;
    this.txDirty = false;
    this.pump.device.mmio_write(this.plan.registers, TDT, this.txTail);
  }

  /** Whether the device has transmit work or a frame is waiting to be indicated. */
  busy(): boolean {
    const bytes = this.pump.bytes;
    if (this.txClean !== this.txTail || this.queueHead !== this.queueTail) return true;
    return (Atomics.load(bytes, this.plan.rxRing + this.rxNext * DESC_SIZE + RXD_STATUS) & RXD_STAT_DD) !== 0;
  }
}

export class MiniportPump {
  readonly stats: MiniportStats = { busyMs: 0, liveMs: 0, parks: 0, chains: 0, sent: [], indicated: [] };
  readonly acceptor: ChainAcceptor;
  readonly bytes: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly dataBase: number;
  readonly dataEnd: number;
  private readonly adapters: LiveAdapter[];
  /** Each adapter's link up, flushed together at the end of a pass. */
  private readonly ups: LinkOut[];

  constructor(private readonly plan: MiniportLivePlan, readonly control: LiveControl, memory: SharedArrayBuffer, readonly pool: NblPool, readonly device: NicExports, ports?: LivePorts) {
    this.bytes = new Uint8Array(memory);
    this.u16 = new Uint16Array(memory);
    this.u32 = new Uint32Array(memory);
    this.dataBase = pool.layout.dataBase;
    this.dataEnd = pool.layout.dataBase + pool.layout.nbCount * pool.layout.bufferBytes;
    // For findings that are not about a chain taken (a ring up found full).
    this.acceptor = new ChainAcceptor(pool, control, -1);
    this.adapters = plan.adapters.map((a) => {
      const acceptor = new ChainAcceptor(pool, control, a.holder);
      let down: LinkIn;
      let up: LinkOut;
      if (plan.transport === 'postmessage') {
        const inPort = ports?.in.get(a.above.down);
        const outPort = ports?.out.get(a.above.up);
        if (!ports || !inPort || !outPort) throw new Error(`no ports for ${a.name}'s links`);
        down = new PortIn(inPort, memory, a.above.down, ports.receive);
        up = new PortOut(outPort, memory, a.above.up, pool, a.above.thread);
      } else {
        down = new RingIn(new SpscRing(memory, a.above.down), (message) => acceptor.stop('SharedMemoryCorrupted', a.above.name, `the ring from ${a.above.name} to miniport ${a.name}: ${message}`));
        up = new RingOut(new SpscRing(memory, a.above.up), a.above.thread);
      }
      return new LiveAdapter(a, this, acceptor, down, up);
    });
    this.ups = this.adapters.map((a) => a.up);
  }

  /** Hands a chain up; a full ring means the layer above corrupted its tail. */
  push(link: LinkOut, head: number, bits: number, above: string): void {
    if (!link.push(head, bits)) this.acceptor.stop('SharedMemoryCorrupted', above, `the ring up to ${above} is full, which no correct consumer leaves it (its tail index is stuck or was overwritten)`);
  }

  /**
   * One pass: sends and returns from above, a device step, completions and indications. Returns
   * the work done (chains taken, frames moved); throws LiveStopped after a finding.
   */
  pass(): number {
    const { plan, adapters, device } = this;
    let work = 0;
    for (let i = 0; i < adapters.length; i++) {
      const a = adapters[i]!;
      work += a.down.take(BATCH, a.visitDown);
      a.flushTdt();
      a.flushRdt();
    }
    work += device.machine_step(plan.header, plan.budget);
    for (let i = 0; i < adapters.length; i++) {
      const a = adapters[i]!;
      work += a.completeTx() + a.indicateRx();
      a.flushTdt();
      a.flushRdt();
    }
    flushAll(this.ups, this.control);
    return work;
  }

  run(): void {
    try {
      runPumpLoop({ live: () => this.control.live, pass: () => this.pass(), park: () => this.park(), spins: this.plan.spins, stats: this.stats });
    } finally {
      this.collect();
    }
  }

  /** Brings the per-adapter frame counts into `stats`. */
  collect(): MiniportStats {
    this.stats.sent = this.adapters.map((a) => a.sent);
    this.stats.indicated = this.adapters.map((a) => a.indicated);
    return this.stats;
  }

  private park(): void {
    const { control, plan, adapters } = this;
    const snapshot = control.bellSnapshot(plan.thread);
    control.raise(plan.thread);
    let waiting = !control.live;
    for (let i = 0; !waiting && i < adapters.length; i++) waiting = adapters[i]!.down.waiting() > 0 || adapters[i]!.busy();
    if (waiting) {
      control.lower(plan.thread);
      return;
    }
    this.stats.parks++;
    control.park(plan.thread, snapshot, plan.parkMs);
  }
}
