// The wire from the core's side: plugging cables between endpoints (NIC ports and switch ports),
// a loopback plug, carrier up/down, per-link fault settings and counters, and putting a frame on
// the wire from outside. The device (wasm/assembly/wire) moves the frames.
//
// Change the topology (connect, unplug) only while the device is not running live; carrier and
// fault settings may change at any time.

import * as m from '../../wasm/e1000/machine.ts';
import { ETH_FCS_LEN } from '../../wasm/e1000/registers.ts';
import type { MachineLayout } from '../memory/map.ts';
import type { NicExports } from './module.ts';
import type { FcsMode } from './nic.ts';

/** What the wire uses of the machine it is in (machine.ts's Machine). */
export interface WireMachine {
  readonly layout: MachineLayout;
  readonly device: NicExports;
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  crc32(address: number, length: number): number;
  nic(index: number): { readonly endpoint: number };
}

export interface LinkFaults {
  /** Probability (0..1) that a frame is lost. */
  drop?: number;
  /** Probability (0..1) that one bit of a frame is flipped (the receiver's FCS check drops it). */
  corrupt?: number;
  /** Probability (0..1) that a frame is held back by `reorderNs` so later frames overtake it. */
  reorder?: number;
  /** Every frame arrives this many nanoseconds of virtual time after it was sent. */
  delayNs?: number;
  /** Extra hold for a reordered frame, ns (default 10 000). */
  reorderNs?: number;
}

export interface LinkStats {
  up: boolean;
  frames: number;
  dropped: number;
  corrupted: number;
  delayed: number;
  reordered: number;
  downDrops: number;
  overflows: number;
  touched: number;
  held: number;
}

const LINK_COUNTERS: [keyof LinkStats, number][] = [
  ['frames', m.L_FRAMES], ['dropped', m.L_DROPPED], ['corrupted', m.L_CORRUPTED],
  ['delayed', m.L_DELAYED], ['reordered', m.L_REORDERED], ['downDrops', m.L_DOWN_DROPS],
  ['overflows', m.L_OVERFLOWS], ['touched', m.L_TOUCHED], ['held', m.L_QUEUE_USED],
];

function probability(name: string, p: number | undefined): number {
  if (p === undefined) return 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`link fault ${name} must be a probability from 0 to 1; got ${p}`);
  return Math.min(0xffffffff, Math.round(p * 2 ** 32));
}

export class Wire {
  constructor(private readonly machine: WireMachine) {}

  private get layout() {
    return this.machine.layout;
  }

  private u32(address: number): number {
    return Atomics.load(this.machine.words, address >> 2) >>> 0;
  }

  private setU32(address: number, value: number): void {
    Atomics.store(this.machine.words, address >> 2, value | 0);
  }

  private endpointRecord(endpoint: number): number {
    if (!Number.isInteger(endpoint) || endpoint < 0 || endpoint >= this.layout.endpointCount) {
      throw new RangeError(`no wire endpoint ${endpoint}; this machine has endpoints 0..${this.layout.endpointCount - 1}`);
    }
    return this.layout.endpointTable.base + endpoint * m.ENDPOINT_BYTES;
  }

  private linkRecord(link: number): number {
    if (!Number.isInteger(link) || link < 0 || link >= this.layout.linkCount) {
      throw new RangeError(`no link ${link}; this machine has links 0..${this.layout.linkCount - 1}`);
    }
    return this.layout.linkTable.base + link * m.LINK_BYTES;
  }

  /** The endpoint of NIC `nic`'s port. */
  nicEndpoint(nic: number): number {
    return this.machine.nic(nic).endpoint;
  }

  /** The endpoint of port `port` of switch `index`. */
  switchPort(index: number, port: number): number {
    const s = this.layout.switches[index];
    if (!s) throw new RangeError(`no switch ${index}; this machine has ${this.layout.switches.length}`);
    if (!Number.isInteger(port) || port < 0 || port >= s.ports) throw new RangeError(`switch ${index} has ports 0..${s.ports - 1}; got ${port}`);
    return s.firstEndpoint + port;
  }

  /** The link plugged into `endpoint`, or undefined. */
  linkAt(endpoint: number): number | undefined {
    const linkNo = this.u32(this.endpointRecord(endpoint) + m.EP_LINK);
    return linkNo === 0 ? undefined : linkNo - 1;
  }

  /** Plugs a cable between two endpoints (the same endpoint twice is a loopback plug). Returns the link. */
  connect(a: number, b: number): number {
    for (const end of a === b ? [a] : [a, b]) {
      const used = this.linkAt(end);
      if (used !== undefined) throw new Error(`endpoint ${end} already has link ${used} plugged in; unplug it first`);
    }
    const inUse = new Set<number>();
    for (let e = 0; e < this.layout.endpointCount; e++) {
      const link = this.linkAt(e);
      if (link !== undefined) inUse.add(link);
    }
    let link = 0;
    while (inUse.has(link)) link++;
    const record = this.linkRecord(link);
    this.setU32(record + m.L_END_A, a);
    this.setU32(record + m.L_END_B, b);
    this.setU32(record + m.L_QUEUE_USED, 0);
    const queue = this.u32(record + m.L_QUEUE);
    const slots = this.u32(record + m.L_QUEUE_SLOTS);
    for (let s = 0; s < slots; s++) this.setU32(queue + s * m.QUEUE_SLOT_BYTES + m.Q_LEN, 0);
    this.setU32(this.endpointRecord(a) + m.EP_LINK, link + 1);
    this.setU32(this.endpointRecord(b) + m.EP_LINK, link + 1);
    this.setUp(link, true);
    return link;
  }

  /** A loopback plug in `endpoint`: what it sends comes back to it. */
  loopback(endpoint: number): number {
    return this.connect(endpoint, endpoint);
  }

  /** Pulls the cable: both ends lose carrier, held frames are lost. */
  unplug(link: number): void {
    const record = this.linkRecord(link);
    this.setUp(link, false);
    this.setU32(this.endpointRecord(this.u32(record + m.L_END_A)) + m.EP_LINK, 0);
    this.setU32(this.endpointRecord(this.u32(record + m.L_END_B)) + m.EP_LINK, 0);
    this.setU32(record + m.L_QUEUE_USED, 0);
  }

  /** Carrier up or down. NICs at either end update STATUS.LU and raise LSC. */
  setUp(link: number, up: boolean): void {
    this.linkRecord(link);
    this.machine.device.link_set_up(this.layout.header, link, up ? 1 : 0);
  }

  isUp(link: number): boolean {
    return this.u32(this.linkRecord(link) + m.L_UP) !== 0;
  }

  /** Sets the link's faults (all off when a field is absent). */
  setFaults(link: number, faults: LinkFaults): void {
    const record = this.linkRecord(link);
    const delay = faults.delayNs ?? 0;
    const reorderNs = faults.reorderNs ?? 10_000;
    for (const [name, ns] of [['delayNs', delay], ['reorderNs', reorderNs]] as const) {
      if (!Number.isInteger(ns) || ns < 0 || ns > 0xffffffff) throw new RangeError(`link fault ${name} must be whole nanoseconds from 0 to 4294967295; got ${ns}`);
    }
    this.setU32(record + m.L_DROP_P, probability('drop', faults.drop));
    this.setU32(record + m.L_CORRUPT_P, probability('corrupt', faults.corrupt));
    this.setU32(record + m.L_REORDER_P, probability('reorder', faults.reorder));
    this.setU32(record + m.L_DELAY_NS, delay);
    this.setU32(record + m.L_REORDER_NS, reorderNs);
  }

  stats(link: number): LinkStats {
    const record = this.linkRecord(link);
    const stats = { up: this.u32(record + m.L_UP) !== 0 } as LinkStats;
    for (const [name, field] of LINK_COUNTERS) (stats as unknown as Record<string, number>)[name] = this.u32(record + field);
    return stats;
  }

  switchStats(index: number): { flooded: number; forwarded: number; filtered: number } {
    const s = this.layout.switches[index];
    if (!s) throw new RangeError(`no switch ${index}`);
    return {
      flooded: this.u32(s.record + m.S_FLOODED),
      forwarded: this.u32(s.record + m.S_FORWARDED),
      filtered: this.u32(s.record + m.S_FILTERED),
    };
  }

  /** Copies a frame into the scratch region with its FCS as `fcs` says; returns what the device needs. */
  stage(frame: Uint8Array, fcs: FcsMode): { address: number; wireLength: number; flags: number } {
    const scratch = this.layout.scratch;
    const extra = fcs === 'included' ? 0 : ETH_FCS_LEN;
    if (frame.length + extra > m.WIRE_MAX_FRAME || frame.length + extra < ETH_FCS_LEN) {
      throw new RangeError(`a frame on the wire is ${ETH_FCS_LEN} to ${m.WIRE_MAX_FRAME} bytes with its FCS; this one would be ${frame.length + extra}`);
    }
    this.machine.bytes.set(frame, scratch.base);
    if (fcs === 'append') {
      this.machine.view.setUint32(scratch.base + frame.length, this.machine.crc32(scratch.base, frame.length), true);
    }
    return { address: scratch.base, wireLength: frame.length + extra, flags: fcs === 'lazy' ? m.FRAME_FCS_LAZY : 0 };
  }

  /** Puts a frame on the wire as if the device at `endpoint` had sent it. */
  send(endpoint: number, frame: Uint8Array, fcs: FcsMode = 'append'): void {
    this.endpointRecord(endpoint);
    const { address, wireLength, flags } = this.stage(frame, fcs);
    this.machine.device.wire_send(this.layout.header, endpoint, address, wireLength, flags);
  }
}
