// The built-in miniport: NDIS's view of one virtual e1000 adapter. It drives the NIC through its
// registers and rings (core/nic) and runs the miniport adapter state machine:
// - send: each NET_BUFFER becomes one TX descriptor pointing at its data in the NBL pool (no
//   copy); when the device writes DD back for the last one, the NBL is complete;
// - receive: every RX descriptor's buffer is the buffer of an NBL from the pool, so a received
//   frame is indicated as that NBL (no copy) and its descriptor is reposted when it comes back;
//   when few descriptors are left for the device, indications carry NDIS_RECEIVE_FLAGS_RESOURCES
//   and the NBLs come back when the handler returns;
// - OIDs that reach the device: the packet filter (RCTL), the multicast list (MTA), the
//   addresses, the link state and the statistics.
// It runs in the runtime's scheduler: the device steps and the DPC are tasks on the adapter's
// channel, so their timing against PnP events and driver work is the seed's choice. With
// interrupt moderation (RuntimeOptions.interruptModerationNs) the DPC runs at most once per
// interval: what the device finished in between is completed and indicated in one batch.

import { StateMachine } from './state-machine.ts';
import { MINIPORT_ADAPTER, type MiniportState, type MiniportEvent } from './states.ts';
import { bringUp } from '../nic/bringup.ts';
import {
  STATUS_LU, DESC_SIZE, RXD_STATUS, RXD_STAT_DD, RXD_STAT_EOP, RXD_LENGTH, RXD_ERRORS, TXD_CMD_EOP, TXD_CMD_IFCS, TXD_CMD_RS,
  TXD_STATUS, RCTL_EN, RCTL_UPE, RCTL_MPE, RCTL_BAM,
} from '../../wasm/e1000/registers.ts';
import { writeTxDescriptor } from '../nic/descriptors.ts';
import { bufferOf } from '../memory/protect.ts';
import { parseMac, formatMac, macKey } from '../nic/mac.ts';
import { multicastTableBit } from '../nic/ethernet.ts';
import {
  MediaConnectStateConnected, MediaConnectStateDisconnected, MediaConnectStateUnknown, NdisDeviceStateD0, MediaDuplexStateFull, MediaDuplexStateUnknown, NDIS_PACKET_TYPE_ALL_MULTICAST,
  NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST, OID_802_3_MAXIMUM_LIST_SIZE,
  OID_802_3_PERMANENT_ADDRESS, OID_802_3_CURRENT_ADDRESS, OID_GEN_LINK_STATE, OID_GEN_STATISTICS, OID_PNP_SET_POWER, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_PROMISCUOUS, NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_OBJECT_TYPE_DEFAULT,
} from './constants.ts';
import { ChainError, NB_BUFFER, NB_DATA_LENGTH, NB_DATA_OFFSET, NB_NEXT, NBL_FIRST_NB, NBL_NEXT, NBL_SOURCE, NBL_STATUS, MDL_ADDRESS, MDL_BYTE_COUNT, NB_MDL_CHAIN, NB_BUFFER_LENGTH } from '../memory/nbl-pool.ts';
import {
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PAUSED, NDIS_STATUS_LOW_POWER_STATE, NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_MULTICAST_FULL,
  NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_LINK_STATE, NDIS_STATUS_ADAPTER_REMOVED, NDIS_STATUS_INVALID_PACKET,
} from './status.ts';
import type { Nic } from '../nic/nic.ts';
import type { NdisEngine } from './engine.ts';
import { MINIPORT_OWNER_BASE, type StatusIndication } from './driver-record.ts';
import { statusIndication, type AdapterFacts } from './structures.ts';

export { MINIPORT_OWNER_BASE };
/** Multicast addresses the adapter takes (OID_802_3_MAXIMUM_LIST_SIZE). */
const MULTICAST_LIST_MAX = 32;
/** OID_GEN_MAXIMUM_FRAME_SIZE (bytes of payload, without the 14-byte Ethernet header). */
const MTU_SIZE = 1500;
/** The e1000's link speed when the link is up (bits per second; OID_GEN_LINK_STATE, NDIS_BIND_PARAMETERS). */
const LINK_SPEED_BPS = 1_000_000_000n;

/**
 * What sits above a miniport (the adapter's filter stack, then the protocols): where its completed
 * sends, receives and status indications go. From -1, the miniport's own position under the stack.
 */
export interface AdapterUpperEdge {
  completeAbove(adapter: MiniportAdapter, from: number, nbls: number[], flags?: number): void;
  indicateAbove(adapter: MiniportAdapter, from: number, nbls: number[], flags: number, port?: number): void;
  statusAbove(adapter: MiniportAdapter, from: number, indication: StatusIndication): void;
}

export class MiniportAdapter {
  readonly sm: StateMachine<MiniportState, MiniportEvent>;
  readonly owner: number;
  /** The packet filter the miniport carries out (RCTL): the OR of its bindings' filters, which NDIS gives it. */
  packetFilter = 0;
  multicastList: string[] = [];
  /** multicastList as address keys (packet-filter.ts macKey), for matching frames without allocating. */
  multicastKeys: number[] = [];
  /** The adapter's own address as a key: what NDIS_PACKET_TYPE_DIRECTED frames are sent to. */
  readonly addressKey: number;
  private readonly rxCount: number;
  private readonly txCount: number;
  /** RX descriptor index -> the NBL whose buffer it holds. */
  private readonly rxNbl: Int32Array;
  /** NBL index -> RX descriptor index (for NBLs the miniport owns), or -1. */
  private readonly descOfNbl: Int32Array;
  /** RX descriptors whose NBL has come back and may be reposted. */
  private readonly rxReturned: Uint8Array;
  private rxNext = 0;
  /** Receive NBLs indicated and not yet returned. */
  rxOutstanding = 0;
  /** TX descriptor index -> NBL index whose last NET_BUFFER it carries, or -1. */
  private readonly txNblDone: Int32Array;
  private txTail = 0;
  private txClean = 0;
  private readonly txQueue: number[] = [];
  /** Sends accepted and not yet completed. */
  sendsOutstanding = 0;
  private stepPosted = false;
  /** Interrupt moderation: when the last DPC ran (virtual ns), and whether the next one is posted. */
  private lastDpcNs: bigint | undefined;
  private dpcPosted = false;
  /** The link state last indicated up (MediaConnectState*), or -1 before the first. */
  private indicatedLink = -1;
  /** NDIS_DEVICE_POWER_STATE: D0 (1) working, D3 (4) off. */
  powerState = NdisDeviceStateD0;
  /** Set by surprise removal: the hardware is gone. */
  removed = false;

  constructor(private readonly runtime: NdisEngine, readonly nic: Nic, readonly name: string, readonly index: number, private readonly above: AdapterUpperEdge, private readonly peers: readonly MiniportAdapter[]) {
    this.owner = MINIPORT_OWNER_BASE + index;
    this.sm = new StateMachine(MINIPORT_ADAPTER, `adapter ${name}`, (t) => runtime.trace.record('state', { object: t.object, from: t.from, to: t.to, on: t.on }));
    this.rxCount = nic.regions.rxRing.bytes / DESC_SIZE;
    this.txCount = nic.regions.txRing.bytes / DESC_SIZE;
    this.rxNbl = new Int32Array(this.rxCount).fill(-1);
    this.descOfNbl = new Int32Array(runtime.pool.layout.nblCount).fill(-1);
    this.rxReturned = new Uint8Array(this.rxCount);
    this.txNblDone = new Int32Array(this.txCount).fill(-1);
    this.addressKey = macKey(parseMac(nic.permanentAddress));
  }

  get state(): MiniportState {
    return this.sm.state;
  }

  /** MiniportInitializeEx: give every RX descriptor an NBL's buffer, reset and set up the NIC, Paused. */
  initialize(): void {
    this.sm.fire('Initialize');
    const pool = this.runtime.pool;
    for (let i = 0; i < this.rxCount; i++) {
      const nbl = pool.allocate(this.owner, 0);
      if (nbl < 0) throw new Error(`the NBL pool is too small for ${this.name}'s ${this.rxCount} receive descriptors`);
      this.rxNbl[i] = nbl;
      this.descOfNbl[nbl] = i;
    }
    bringUp(this.runtime.machine, this.nic, { stripCrc: true, rxBuffer: (i) => pool.nbField(this.rxNbl[i]!, NB_BUFFER) });
    // The last descriptor is ready but held back (RDH = RDT means empty): it goes to the device
    // with the first one that comes back.
    this.rxReturned[this.rxCount - 1] = 1;
    this.applyPacketFilter();
    this.sm.fire('InitializeComplete');
  }

  restart(): void {
    if (this.sm.is('Running')) return;
    this.sm.fire('Restart');
    this.sm.fire('RestartComplete');
  }

  /**
   * MiniportPause: the adapter is Pausing until every receive it indicated has come back and every
   * send it accepted has completed; then Paused and `done`. Sends that arrive meanwhile complete
   * at once with NDIS_STATUS_PAUSED (see send).
   */
  pause(done: () => void = () => {}): void {
    if (!this.sm.is('Running')) return done();
    this.sm.fire('Pause');
    this.pauseDone = done;
    this.finishPauseIfIdle();
  }

  private pauseDone: (() => void) | undefined;

  private finishPauseIfIdle(): void {
    if (!this.pauseDone || this.rxOutstanding > 0 || this.sendsOutstanding > 0) {
      if (this.pauseDone && this.sendsOutstanding > 0) this.scheduleDevice();
      return;
    }
    const done = this.pauseDone;
    this.pauseDone = undefined;
    this.sm.fire('PauseComplete');
    done();
  }

  mediaConnectState(): number {
    return this.nic.peek('STATUS') & STATUS_LU ? MediaConnectStateConnected : MediaConnectStateDisconnected;
  }

  /** What NDIS tells the drivers above about this adapter (NDIS_BIND_PARAMETERS, NDIS_FILTER_ATTACH_PARAMETERS), read now. */
  facts(): AdapterFacts {
    const up = this.mediaConnectState() === MediaConnectStateConnected;
    return {
      name: this.name, index: this.index, macAddress: Uint8Array.from(parseMac(this.nic.permanentAddress)),
      mtuSize: MTU_SIZE, maxLinkSpeed: LINK_SPEED_BPS, linkSpeed: up ? LINK_SPEED_BPS : 0n,
      mediaConnectState: this.mediaConnectState(), mediaDuplexState: up ? MediaDuplexStateFull : MediaDuplexStateUnknown,
      maxMulticastListSize: MULTICAST_LIST_MAX,
    };
  }

  // ---- send -------------------------------------------------------------------------------------

  /** MiniportSendNetBufferLists: queues the NBLs (indices, already validated) for the TX ring. */
  send(nbls: number[]): void {
    if (!this.sm.is('Running') || this.removed || this.powerState !== NdisDeviceStateD0) {
      // A miniport that cannot transmit completes sends at once: with its hardware gone,
      // NDIS_STATUS_ADAPTER_REMOVED; in a low-power state, NDIS_STATUS_LOW_POWER_STATE (OID_PNP_SET_POWER:
      // new sends are rejected with it, whatever the adapter state); otherwise, not Running,
      // NDIS_STATUS_PAUSED.
      const status = this.removed ? NDIS_STATUS_ADAPTER_REMOVED : this.powerState !== NdisDeviceStateD0 ? NDIS_STATUS_LOW_POWER_STATE : NDIS_STATUS_PAUSED;
      for (const nbl of nbls) this.runtime.pool.setNblField(nbl, NBL_STATUS, status);
      this.runtime.post(`complete sends paused ${this.name}`, () => this.above.completeAbove(this, -1, nbls), { channel: `adapter ${this.name}` });
      return;
    }
    this.sendsOutstanding += nbls.length;
    this.txQueue.push(...nbls);
    this.fillTxRing();
  }

  private fillTxRing(): void {
    const pool = this.runtime.pool;
    const { view } = this.runtime.machine;
    const ring = this.nic.regions.txRing.base;
    let queued = false;
    while (this.txQueue.length > 0) {
      const nbl = this.txQueue[0]!;
      // Checked again here, not only when the driver sent it: a driver can rewrite the records of
      // an NBL NDIS holds (a loop in Next, DataLength past the buffer) before it reaches the ring.
      let count: number;
      try {
        count = pool.checkNetBuffers(nbl);
      } catch (error) {
        if (!(error instanceof ChainError)) throw error;
        this.txQueue.shift();
        this.rejectCorruptedSend(nbl, error.message);
        continue;
      }
      // A NET_BUFFER whose data spans MDLs takes a descriptor per MDL (the device gathers them, as a
      // NIC's scatter-gather DMA does): walkedMdls, from the check, bounds how many.
      const descriptors = Math.max(count, pool.walkedMdls);
      const free = (this.txClean - this.txTail - 1 + this.txCount) % this.txCount;
      if (descriptors > free) break;
      this.txQueue.shift();
      let nb = pool.nblField(nbl, NBL_FIRST_NB) - 1;
      while (nb >= 0) {
        const next = pool.nbField(nb, NB_NEXT) - 1;
        const buffer = pool.nbField(nb, NB_BUFFER);
        if (buffer !== 0) {
          writeTxDescriptor(view, ring, this.txTail, buffer + pool.nbField(nb, NB_DATA_OFFSET), pool.nbField(nb, NB_DATA_LENGTH), TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
          this.txNblDone[this.txTail] = next < 0 ? nbl : -1;
          this.txTail = (this.txTail + 1) % this.txCount;
        } else {
          this.queueSegments(nb, next < 0 ? nbl : -1);
        }
        nb = next;
      }
      queued = true;
    }
    if (queued) {
      this.nic.write('TDT', this.txTail);
      this.scheduleDevice();
    }
  }

  /**
   * One descriptor per MDL segment of NET_BUFFER `nb`'s data, EOP on the last, RS on each (the
   * ring is cleaned descriptor by descriptor, by the DD the device writes back); `done` is
   * the NBL the last one completes (-1 if more NET_BUFFERs follow). The chain was just checked.
   */
  private queueSegments(nb: number, done: number): void {
    const pool = this.runtime.pool;
    const { view } = this.runtime.machine;
    const ring = this.nic.regions.txRing.base;
    const offset = pool.nbField(nb, NB_DATA_OFFSET);
    const length = pool.nbField(nb, NB_DATA_LENGTH);
    if (length === 0) {
      // Nothing to gather, but the NBL still completes through its descriptor.
      writeTxDescriptor(view, ring, this.txTail, pool.mdlField(pool.nbField(nb, NB_MDL_CHAIN) - 1, MDL_ADDRESS), 0, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS);
      this.txNblDone[this.txTail] = done;
      this.txTail = (this.txTail + 1) % this.txCount;
      return;
    }
    let sent = 0;
    while (sent < length) {
      const m = pool.locate(nb, offset + sent, true);
      const n = Math.min(length - sent, pool.mdlField(m, MDL_BYTE_COUNT) - pool.located);
      const last = sent + n === length;
      writeTxDescriptor(view, ring, this.txTail, pool.mdlField(m, MDL_ADDRESS) + pool.located, n, last ? TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS : TXD_CMD_IFCS | TXD_CMD_RS);
      this.txNblDone[this.txTail] = last ? done : -1;
      this.txTail = (this.txTail + 1) % this.txCount;
      sent += n;
    }
  }

  /**
   * An NBL whose records changed while NDIS held it: SharedMemoryCorrupted, and the send is failed
   * with NDIS_STATUS_INVALID_PACKET without the device touching its data.
   */
  private rejectCorruptedSend(nbl: number, problem: string): void {
    const source = this.runtime.pool.nblField(nbl, NBL_SOURCE);
    this.runtime.report('SharedMemoryCorrupted', { driver: this.runtime.sourceDriverName(source), object: `adapter ${this.name}`, message: `an NBL sent down changed while NDIS held it (the miniport found it so before transmitting): ${problem}` });
    this.runtime.pool.setNblField(nbl, NBL_STATUS, NDIS_STATUS_INVALID_PACKET);
    this.sendsOutstanding--;
    this.runtime.post(`complete rejected send ${this.name}`, () => this.above.completeAbove(this, -1, [nbl]), { channel: `adapter ${this.name}` });
  }

  /** The due time (virtual ns) of the held frame a device step is posted for, if one is. */
  private heldFrameStepAt: bigint | undefined;

  /** The device runs (transmit ring, wire, receive) and then the DPC, as one task of this adapter. */
  scheduleDevice(): void {
    if (this.stepPosted) return;
    this.stepPosted = true;
    this.runtime.post(`device ${this.name}`, () => {
      this.stepPosted = false;
      this.runtime.machine.runUntilIdle();
      this.runtime.collectFrames();
      for (const adapter of this.peers) adapter.interrupt(); // the wire joins them: one device step serves all
      this.stepWhenHeldFrameFallsDue();
    }, { channel: `adapter ${this.name}` });
  }

  /**
   * A frame the wire holds (a link fault's delay or reorder) arrives only at a device step at or
   * after its due time, and nothing else may come to step the device then (the last frame of a
   * burst): post that step. One per due time; a later step that finds nothing due does nothing.
   */
  private stepWhenHeldFrameFallsDue(): void {
    const machine = this.runtime.machine;
    const due = machine.nextDueNs();
    const now = machine.clockNs;
    if (due === undefined || due <= now || this.heldFrameStepAt === due) return;
    this.heldFrameStepAt = due;
    this.runtime.post(`held frame due on the wire at ${due} ns`, () => {
      if (this.heldFrameStepAt === due) this.heldFrameStepAt = undefined;
      this.scheduleDevice();
    }, { channel: `adapter ${this.name}`, delayNs: due - now });
  }

  /**
   * The device interrupts: the DPC runs now, or, under interrupt moderation, no sooner than the
   * interval after the last one (OID_GEN_INTERRUPT_MODERATION): the device goes on sending and
   * receiving meanwhile, and the drivers hear of it at the next DPC.
   */
  private interrupt(): void {
    const interval = this.runtime.interruptModerationNs;
    if (interval === 0n) return this.dpc();
    if (this.dpcPosted) return;
    const now = this.runtime.machine.clockNs;
    const due = this.lastDpcNs === undefined ? now : this.lastDpcNs + interval;
    if (due <= now) {
      this.lastDpcNs = now;
      return this.dpc();
    }
    this.dpcPosted = true;
    this.runtime.post(`DPC ${this.name}`, () => {
      this.dpcPosted = false;
      this.lastDpcNs = this.runtime.machine.clockNs;
      this.dpc();
    }, { channel: `adapter ${this.name}`, delayNs: due - now });
  }

  /** The DPC: completed sends, received frames, then a link change if there was one. */
  dpc(): void {
    if (this.sm.is('Halted', 'Initializing')) return;
    this.completeTransmits();
    this.indicateReceives();
    this.checkLink();
  }

  /** NDIS_STATUS_LINK_STATE up the stack when STATUS.LU differs from what was last indicated. */
  private checkLink(): void {
    const state = this.powerState === NdisDeviceStateD0 && !this.removed ? this.mediaConnectState() : MediaConnectStateUnknown;
    if (state !== this.indicatedLink) this.indicateLinkState(state);
  }

  /** Indicates an NDIS_LINK_STATE (40 bytes, as OID_GEN_LINK_STATE returns it). */
  indicateLinkState(state: number): void {
    this.indicatedLink = state;
    const buffer = new Uint8Array(40);
    const view = new DataView(buffer.buffer);
    const up = state === MediaConnectStateConnected;
    writeLinkStateHeader(view);
    view.setUint32(4, state, true);
    view.setUint32(8, up ? MediaDuplexStateFull : MediaDuplexStateUnknown, true);
    view.setBigUint64(16, up ? LINK_SPEED_BPS : 0n, true);
    view.setBigUint64(24, up ? LINK_SPEED_BPS : 0n, true);
    this.above.statusAbove(this, -1, statusIndication(null, NDIS_STATUS_LINK_STATE, buffer));
  }

  /** MiniportHaltEx: the NIC is reset and the receive NBLs go back to the pool. */
  halt(): void {
    this.sm.fire('Halt');
    this.nic.write('CTRL', 1 << 26);
    for (let i = 0; i < this.rxCount; i++) {
      const nbl = this.rxNbl[i]!;
      if (nbl >= 0) this.runtime.pool.release(nbl, this.owner);
      this.rxNbl[i] = -1;
    }
  }

  /**
   * OID_PNP_SET_POWER: to D3 the NIC is reset (no link, no DMA); back to D0 it is brought up again
   * with its receive ring, and the link state is indicated Unknown until the link comes back.
   */
  setPower(state: number): void {
    this.powerState = state;
    if (state !== NdisDeviceStateD0) {
      this.nic.write('CTRL', 1 << 26);
      // The reset drops what the ring held: OID_PNP_SET_POWER has the miniport complete every
      // pending send with NDIS_STATUS_LOW_POWER_STATE (NDIS pauses the stack first, so normally
      // there is none; a send that raced the pause must still come back to its sender).
      this.failOutstandingSends(NDIS_STATUS_LOW_POWER_STATE);
      this.indicateLinkState(MediaConnectStateUnknown);
      return;
    }
    const pool = this.runtime.pool;
    bringUp(this.runtime.machine, this.nic, { stripCrc: true, rxBuffer: (i) => pool.nbField(this.rxNbl[i]!, NB_BUFFER) });
    this.rxNext = 0;
    this.rxReturned.fill(0);
    this.rxReturned[this.rxCount - 1] = 1;
    this.txTail = 0;
    this.txClean = 0;
    this.applyPacketFilter();
    this.setMulticastList(this.multicastList);
    this.indicateLinkState(MediaConnectStateUnknown);
    this.scheduleDevice();
  }

  /**
   * Surprise removal: the hardware is gone. Sends it still held (in the TX ring or queued) can
   * never finish, so they complete now with NDIS_STATUS_ADAPTER_REMOVED; then the link is Unknown.
   */
  surpriseRemove(): void {
    this.removed = true;
    this.nic.write('CTRL', 1 << 26);
    this.failOutstandingSends(NDIS_STATUS_ADAPTER_REMOVED);
    this.indicateLinkState(MediaConnectStateUnknown);
  }

  /**
   * The device was reset under sends it held (in the TX ring or queued for it): they can never
   * finish, so each completes now with `status`, and a pause waiting for them may finish.
   */
  private failOutstandingSends(status: number): void {
    const failed: number[] = [];
    for (let i = this.txClean; i !== this.txTail; i = (i + 1) % this.txCount) {
      const nbl = this.txNblDone[i]!;
      this.txNblDone[i] = -1;
      if (nbl >= 0) failed.push(nbl);
    }
    this.txClean = this.txTail;
    failed.push(...this.txQueue.splice(0));
    for (const nbl of failed) this.runtime.pool.setNblField(nbl, NBL_STATUS, status);
    if (failed.length > 0) {
      this.sendsOutstanding -= failed.length;
      this.above.completeAbove(this, -1, failed);
      this.finishPauseIfIdle();
    }
  }

  private completeTransmits(): void {
    const ring = this.nic.regions.txRing.base;
    const bytes = this.runtime.machine.bytes;
    const done: number[] = [];
    while (this.txClean !== this.txTail && (Atomics.load(bytes, ring + this.txClean * DESC_SIZE + TXD_STATUS) & 1) !== 0) {
      const nbl = this.txNblDone[this.txClean]!;
      this.txNblDone[this.txClean] = -1;
      if (nbl >= 0) {
        this.runtime.pool.setNblField(nbl, NBL_STATUS, NDIS_STATUS_SUCCESS);
        done.push(nbl);
      }
      this.txClean = (this.txClean + 1) % this.txCount;
    }
    if (done.length > 0) {
      this.sendsOutstanding -= done.length;
      this.above.completeAbove(this, -1, done);
      this.finishPauseIfIdle();
    }
    if (this.txQueue.length > 0) this.fillTxRing();
  }

  // ---- receive --------------------------------------------------------------------------------

  /** Descriptors the device can still fill. */
  private rxPosted(): number {
    const head = this.nic.peek('RDH');
    const tail = this.nic.peek('RDT');
    return (tail - head + this.rxCount) % this.rxCount;
  }

  private indicateReceives(): void {
    const pool = this.runtime.pool;
    const { bytes, view } = this.runtime.machine;
    const ring = this.nic.regions.rxRing.base;
    const frames: number[] = [];
    for (;;) {
      const d = ring + this.rxNext * DESC_SIZE;
      const status = Atomics.load(bytes, d + RXD_STATUS);
      if ((status & RXD_STAT_DD) === 0) break;
      const nbl = this.rxNbl[this.rxNext]!;
      // The miniport's own NET_BUFFER, whatever a driver above left in FirstNetBuffer and Next: the
      // device wrote the frame into this NBL's buffer.
      const nb = nbl;
      pool.setNblField(nbl, NBL_FIRST_NB, nb + 1);
      pool.setNbField(nb, NB_NEXT, 0);
      const good = (status & RXD_STAT_EOP) !== 0 && view.getUint8(d + RXD_ERRORS) === 0;
      bytes[d + RXD_STATUS] = 0;
      // The frame is in the NET_BUFFER's own buffer, described by its own MDL again: a driver
      // above may have retreated the data start into an MDL of its own and returned it so.
      pool.setNbField(nb, NB_BUFFER, pool.bufferAddress(nb));
      pool.setNbField(nb, NB_BUFFER_LENGTH, pool.layout.bufferBytes);
      pool.setNbField(nb, NB_MDL_CHAIN, nb + 1);
      pool.setNbField(nb, NB_DATA_OFFSET, 0);
      pool.setNbField(nb, NB_DATA_LENGTH, view.getUint16(d + RXD_LENGTH, true));
      pool.setNblField(nbl, NBL_NEXT, 0);
      this.rxNext = (this.rxNext + 1) % this.rxCount;
      // A miniport that is not Running indicates nothing: the frame is dropped, its buffer reused.
      if (good && this.sm.is('Running')) frames.push(nbl);
      else this.recycle(nbl);
    }
    if (frames.length === 0) return;
    // Chain them, as a miniport indicates a batch.
    for (let i = 0; i + 1 < frames.length; i++) pool.setNblField(frames[i]!, NBL_NEXT, frames[i + 1]! + 1);
    this.rxOutstanding += frames.length;
    // Seed 004's RESOURCES flag: the miniport is short of receive buffers and needs these back now.
    const flags = this.rxPosted() < this.rxCount / 4 ? NDIS_RECEIVE_FLAGS_RESOURCES : 0;
    this.above.indicateAbove(this, -1, frames, flags);
    // Indicated with RESOURCES: they are the miniport's again now that the indication returned.
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) for (const nbl of frames) this.returned(nbl);
  }

  /** MiniportReturnNetBufferLists for one NBL: its descriptor goes back to the device. */
  returned(nbl: number): void {
    this.rxOutstanding--;
    this.recycle(nbl);
    this.finishPauseIfIdle();
  }

  private recycle(nbl: number): void {
    const desc = this.descOfNbl[nbl]!;
    this.rxReturned[desc] = 1;
    // RDT moves over returned descriptors in ring order only: the device owns [RDH, RDT). It
    // never moves onto RDH: RDT = RDH means the device has none, so one descriptor always waits.
    let tail = this.nic.peek('RDT');
    const head = this.nic.peek('RDH');
    let moved = false;
    while (this.rxReturned[tail] === 1 && (tail + 1) % this.rxCount !== head) {
      this.rxReturned[tail] = 0;
      tail = (tail + 1) % this.rxCount;
      moved = true;
    }
    if (moved) {
      this.nic.write('RDT', tail);
      this.scheduleDevice();
    }
  }

  // ---- OIDs -----------------------------------------------------------------------------------

  /**
   * MiniportOidRequest: carries out one request and returns its status. `buffer` is the
   * request's InformationBuffer; the result says how many bytes were read or written, or needed.
   * In D3 it answers as in D0, from the miniport's own state (the link reads Disconnected: the NIC
   * was reset): the pages on power (OID_PNP_SET_POWER, OID_PNP_QUERY_POWER, "Handling PnP Events
   * and Power Management Events in a Protocol Driver") say what a miniport does with sends in a
   * low-power state, and nothing of other OID requests, so none is failed or held here
   * (core/ndis/stack-operations.test.ts pins it).
   */
  oidRequest(requestType: number, oid: number, buffer: Uint8Array): { status: number; bytes: number; needed: number } {
    const set = requestType === NdisRequestSetInformation;
    // bufferOf: a driver may pass a view of the machine's memory (a frame) as its InformationBuffer.
    const view = new DataView(bufferOf(buffer), buffer.byteOffset, buffer.byteLength);
    const need = (n: number) => ({ status: NDIS_STATUS_BUFFER_TOO_SHORT, bytes: 0, needed: n });
    const ok = (n: number) => ({ status: NDIS_STATUS_SUCCESS, bytes: n, needed: 0 });
    const macBytes = (text: string) => parseMac(text);
    switch (oid) {
      case OID_GEN_CURRENT_PACKET_FILTER:
        if (buffer.byteLength < 4) return need(4);
        if (set) this.setPacketFilter(view.getUint32(0, true));
        else view.setUint32(0, this.packetFilter, true);
        return ok(4);
      case OID_802_3_MULTICAST_LIST: {
        if (set) {
          if (buffer.byteLength % 6 !== 0) return { status: NDIS_STATUS_INVALID_LENGTH, bytes: 0, needed: 0 };
          if (buffer.byteLength / 6 > MULTICAST_LIST_MAX) return { status: NDIS_STATUS_MULTICAST_FULL, bytes: 0, needed: 0 };
          const list: string[] = [];
          for (let i = 0; i < buffer.byteLength; i += 6) list.push(formatMac(buffer.subarray(i, i + 6)));
          this.setMulticastList(list);
          return ok(buffer.byteLength);
        }
        if (buffer.byteLength < this.multicastList.length * 6) return need(this.multicastList.length * 6);
        this.multicastList.forEach((a, i) => buffer.set(macBytes(a), i * 6));
        return ok(this.multicastList.length * 6);
      }
      case OID_802_3_MAXIMUM_LIST_SIZE:
        if (set) return { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
        if (buffer.byteLength < 4) return need(4);
        view.setUint32(0, MULTICAST_LIST_MAX, true);
        return ok(4);
      case OID_802_3_PERMANENT_ADDRESS:
      case OID_802_3_CURRENT_ADDRESS:
        if (set) return { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
        if (buffer.byteLength < 6) return need(6);
        buffer.set(macBytes(this.nic.permanentAddress));
        return ok(6);
      case OID_GEN_LINK_STATE: {
        // NDIS_LINK_STATE: Header (4), MediaConnectState, MediaDuplexState, XmitLinkSpeed (u64), RcvLinkSpeed (u64), PauseFunctions, AutoNegotiationFlags.
        if (set) return { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
        if (buffer.byteLength < 40) return need(40);
        const up = this.mediaConnectState() === MediaConnectStateConnected;
        writeLinkStateHeader(view);
        view.setUint32(4, this.mediaConnectState(), true);
        view.setUint32(8, up ? MediaDuplexStateFull : MediaDuplexStateUnknown, true);
        view.setBigUint64(16, up ? LINK_SPEED_BPS : 0n, true);
        view.setBigUint64(24, up ? LINK_SPEED_BPS : 0n, true);
        return ok(40);
      }
      case OID_GEN_STATISTICS: {
        // A subset of NDIS_STATISTICS_INFO, in its order: ifInDiscards, ifInErrors, ifHCInOctets,
        // ifHCInUcastPkts, ..., here as u64s: received frames, received octets, sent frames, sent octets, missed.
        if (set) return { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
        if (buffer.byteLength < 40) return need(40);
        this.statistics.gprc += this.nic.read('GPRC');
        this.statistics.gorc += this.nic.read('GORCL') + this.nic.read('GORCH') * 2 ** 32;
        this.statistics.gptc += this.nic.read('GPTC');
        this.statistics.gotc += this.nic.read('GOTCL') + this.nic.read('GOTCH') * 2 ** 32;
        this.statistics.mpc += this.nic.read('MPC');
        [this.statistics.gprc, this.statistics.gorc, this.statistics.gptc, this.statistics.gotc, this.statistics.mpc]
          .forEach((v, i) => view.setBigUint64(i * 8, BigInt(v), true));
        return ok(40);
      }
      case OID_PNP_SET_POWER:
        return set ? ok(4) : { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
      default:
        return { status: NDIS_STATUS_NOT_SUPPORTED, bytes: 0, needed: 0 };
    }
  }

  /** Running totals of the read-to-clear statistics registers (the miniport reads them, so it keeps them). */
  private readonly statistics = { gprc: 0, gorc: 0, gptc: 0, gotc: 0, mpc: 0 };

  /**
   * OID_GEN_CURRENT_PACKET_FILTER -> RCTL. Filter 0 receives nothing; DIRECTED and MULTICAST
   * need no bit of their own (RAL/RAH and the MTA pass those frames once the receiver is on).
   */
  setPacketFilter(filter: number): void {
    this.packetFilter = filter >>> 0;
    this.applyPacketFilter();
  }

  /** OID_802_3_MULTICAST_LIST -> MTA (the hash under RCTL.MO = 0). */
  setMulticastList(addresses: string[]): void {
    for (const a of addresses) parseMac(a);
    this.multicastList = [...addresses];
    this.multicastKeys = addresses.map((a) => macKey(parseMac(a)));
    for (let i = 0; i < 128; i++) this.nic.write('MTA', 0, i);
    const words = new Map<number, number>();
    for (const a of addresses) {
      const { word, bit } = multicastTableBit(a, 0);
      words.set(word, (words.get(word) ?? 0) | (1 << bit));
    }
    for (const [word, bits] of words) this.nic.write('MTA', bits >>> 0, word);
  }

  private applyPacketFilter(): void {
    const f = this.packetFilter;
    let rctl = this.nic.peek('RCTL') & ~(RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM);
    if (f !== 0) rctl |= RCTL_EN;
    if (f & NDIS_PACKET_TYPE_BROADCAST) rctl |= RCTL_BAM;
    if (f & NDIS_PACKET_TYPE_ALL_MULTICAST) rctl |= RCTL_MPE;
    if (f & NDIS_PACKET_TYPE_PROMISCUOUS) rctl |= RCTL_UPE | RCTL_MPE | RCTL_BAM;
    this.nic.write('RCTL', rctl >>> 0);
  }
}

/**
 * NDIS_LINK_STATE's NDIS_OBJECT_HEADER as C lays it out: Type (UCHAR, NDIS_OBJECT_TYPE_DEFAULT),
 * Revision (UCHAR, NDIS_LINK_STATE_REVISION_1), Size (USHORT, NDIS_SIZEOF_LINK_STATE_REVISION_1:
 * 40, through AutoNegotiationFlags).
 */
function writeLinkStateHeader(view: DataView): void {
  view.setUint8(0, NDIS_OBJECT_TYPE_DEFAULT);
  view.setUint8(1, 1);
  view.setUint16(2, 40, true);
}
