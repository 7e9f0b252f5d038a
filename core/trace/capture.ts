// Packet capture at the NICs' ports: attaching a capture ring to a NIC's wire endpoint turns on
// the tap in the wire (wasm/assembly/wire/tap.ts), which records every frame the NIC sends onto
// the wire, before the cable's faults, and every frame the wire delivers to it, after them. This
// module starts and stops the taps, reads the records out of shared memory as objects, and
// writes them as pcapng for Wireshark (pcapng.ts).
//
// What is not on the wire is not captured: RCTL.LBM MAC loopback stays inside the NIC, and
// frames handed straight to a NIC's receive path (Nic.receive, the traffic generator) never
// cross a cable. Frames sent by Wire.send from a NIC's endpoint are captured as that NIC's.
//
// Reading drains: read() consumes the records it returns (the ring's read offset moves past
// them and their space is reused), unless { drain: false } is given. Each ring is a
// single-producer single-consumer queue, so one thread may read while the device runs live on
// another; only one reader at a time, though.

import * as m from '../../wasm/e1000/machine.ts';
import { ETH_FCS_LEN } from '../../wasm/e1000/registers.ts';
import type { Region } from '../memory/map.ts';
import type { MachineLayout } from '../memory/map.ts';
import type { Nic } from '../nic/nic.ts';
import { toPcapng, type PcapngFrame, type PcapngOptions } from './pcapng.ts';

/** What the capture uses of the machine it taps (core/nic/machine.ts's Machine). */
export interface CapturedMachine {
  readonly layout: MachineLayout;
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly nics: readonly Nic[];
  nic(index: number): Nic;
}

/** One frame as a tap saw it. */
export interface CaptureRecord extends PcapngFrame {
  nic: number;
  /** Virtual time (machine clock, ns) when the tap saw the frame. */
  timestampNs: bigint;
  /** 'tx': the NIC sent it onto the wire; 'rx': the wire delivered it to the NIC. */
  direction: 'tx' | 'rx';
  /** FRAME_* flags (wasm/e1000/machine.ts) the frame carried at the tap. */
  flags: number;
  /** The frame as it was on the wire, FCS included. */
  bytes: Uint8Array;
  /** The fault injector flipped a bit (the FCS no longer matches). */
  corrupted: boolean;
  /** The link held it back for its delay. */
  delayed: boolean;
  /** The link held it back so that later frames overtook it. */
  reordered: boolean;
  /** Order in which the taps of the whole machine saw frames (wraps at 2^32). */
  sequence: number;
}

export interface CaptureStats {
  /** The tap is attached. */
  capturing: boolean;
  /** Records written since start() (wraps at 2^32). */
  records: number;
  /** Records lost because the ring was full since start(). */
  dropped: number;
  /** Bytes of records not yet read. */
  pendingBytes: number;
  /** Bytes the ring has for records. */
  capacityBytes: number;
}

export interface ReadOptions {
  /** Which NICs (default: all). */
  nics?: number | number[];
  /** Consume what is read (default true). */
  drain?: boolean;
}

const KNOWN_FLAGS = m.FRAME_FCS_LAZY | m.FRAME_CORRUPTED | m.FRAME_DELAYED | m.FRAME_REORDERED;

/** Signed distance between two u32 sequence numbers, so that order survives their wrap. */
function sequenceOrder(a: number, b: number): number {
  return (a - b) | 0;
}

export class Capture {
  constructor(private readonly machine: CapturedMachine) {}

  private u32(address: number): number {
    return Atomics.load(this.machine.words, address >> 2) >>> 0;
  }

  private setU32(address: number, value: number): void {
    Atomics.store(this.machine.words, address >> 2, value | 0);
  }

  private nicList(nics: number | number[] | undefined): number[] {
    const list = nics === undefined ? this.machine.nics.map((_, i) => i) : Array.isArray(nics) ? nics : [nics];
    for (const nic of list) this.machine.nic(nic); // throws naming the NICs there are
    return list;
  }

  private endpointRecord(nic: number): number {
    return this.machine.layout.endpointTable.base + this.machine.nic(nic).endpoint * m.ENDPOINT_BYTES;
  }

  /** The NIC's ring region and the record capacity it gives. */
  private ring(nic: number): Region & { capacity: number } {
    const region = this.machine.nic(nic).regions.capture;
    if (region.bytes < m.CAPTURE_HEADER_BYTES + m.CR_DATA + m.WIRE_MAX_FRAME) {
      throw new Error(`NIC ${nic} has no capture memory (this machine was made with captureBytes: ${this.machine.layout.config.captureBytes})`);
    }
    return { ...region, capacity: region.bytes - m.CAPTURE_HEADER_BYTES };
  }

  /**
   * Attaches a tap to each NIC given (default: all). A new capture: records not read from an
   * earlier one are discarded and the counters restart. A NIC already capturing is left as is.
   */
  start(nics?: number | number[]): void {
    for (const nic of this.nicList(nics)) {
      const { base, capacity } = this.ring(nic);
      const ep = this.endpointRecord(nic);
      if (this.u32(ep + m.EP_CAPTURE) === base) continue;
      if (this.u32(base + m.CAP_CAPACITY) !== capacity) {
        // Never used (or scribbled on): format it. No tap points at it, so nothing writes it now.
        this.setU32(base + m.CAP_CAPACITY, capacity);
        this.setU32(base + m.CAP_WRITE, 0);
        this.setU32(base + m.CAP_READ, 0);
      } else {
        // Discard by reading past everything: the reader's own move, safe even if a device that
        // saw the ring attached a moment ago is still appending.
        this.setU32(base + m.CAP_READ, this.u32(base + m.CAP_WRITE));
      }
      this.setU32(base + m.CAP_RECORDS, 0);
      this.setU32(base + m.CAP_DROPPED, 0);
      this.setU32(ep + m.EP_CAPTURE, base);
    }
  }

  /** Detaches the taps (default: all). What they recorded stays readable until the next start(). */
  stop(nics?: number | number[]): void {
    for (const nic of this.nicList(nics)) this.setU32(this.endpointRecord(nic) + m.EP_CAPTURE, 0);
  }

  isCapturing(nic: number): boolean {
    return this.u32(this.endpointRecord(nic) + m.EP_CAPTURE) !== 0;
  }

  stats(nic: number): CaptureStats {
    const { base, capacity } = this.ring(nic);
    const w = this.u32(base + m.CAP_WRITE);
    const r = this.u32(base + m.CAP_READ);
    return {
      capturing: this.isCapturing(nic),
      records: this.u32(base + m.CAP_RECORDS),
      dropped: this.u32(base + m.CAP_DROPPED),
      pendingBytes: w >= r ? w - r : capacity - r + w,
      capacityBytes: capacity,
    };
  }

  /**
   * The records of the NICs given (default: all), merged in the order the taps saw them, and
   * consumed unless `drain` is false. Throws an Error naming the ring and what is wrong if a
   * ring's header or records do not make sense (something scribbled on the memory); nothing is
   * consumed then.
   */
  read(options: ReadOptions = {}): CaptureRecord[] {
    const drain = options.drain ?? true;
    const perNic = this.nicList(options.nics).map((nic) => this.readRing(nic));
    if (drain) for (const { nic, readTo } of perNic) this.setU32(this.ring(nic).base + m.CAP_READ, readTo);
    const all = perNic.flatMap((p) => p.records);
    return all.sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : sequenceOrder(a.sequence, b.sequence)));
  }

  /** read() as a pcapng file, one interface per NIC of the machine (nic0, nic1...). */
  pcapng(options: ReadOptions & PcapngOptions = {}): Uint8Array {
    const records = this.read(options);
    const interfaces = this.machine.nics.map((nic, i) => ({ ...options.interfaces?.[i], mac: options.interfaces?.[i]?.mac ?? nic.permanentAddress }));
    return toPcapng(records, this.machine.nics.length, { ...options, interfaces });
  }

  /** Parses one ring from its read offset to its write offset without consuming anything. */
  private readRing(nic: number): { nic: number; records: CaptureRecord[]; readTo: number } {
    const { base, capacity } = this.ring(nic);
    const where = `capture ring of NIC ${nic} at 0x${base.toString(16)}`;
    const header = this.u32(base + m.CAP_CAPACITY);
    if (header === 0 && !this.isCapturing(nic)) return { nic, records: [], readTo: 0 }; // never started
    if (header !== capacity) throw new Error(`${where}: the header says ${header} bytes of records, but the memory map gave it ${capacity}`);
    const w = this.u32(base + m.CAP_WRITE);
    let r = this.u32(base + m.CAP_READ);
    for (const [name, v] of [['write', w], ['read', r]] as const) {
      if (v >= capacity || v % m.CAPTURE_ALIGN !== 0) throw new Error(`${where}: ${name} offset ${v} is not a multiple of ${m.CAPTURE_ALIGN} below ${capacity}`);
    }
    const area = base + m.CAPTURE_HEADER_BYTES;
    const view = this.machine.view;
    const records: CaptureRecord[] = [];
    // Every step moves r forward by at least 8 bytes or wraps once, so this bounds a corrupt loop.
    for (let steps = 0; r !== w; steps++) {
      if (steps > capacity / m.CAPTURE_ALIGN + 1) throw new Error(`${where}: the records never reach the write offset ${w}`);
      const at = area + r;
      const size = view.getUint32(at + m.CR_SIZE, true);
      if (size === m.CAPTURE_WRAP) {
        if (r < w) throw new Error(`${where}: a wrap marker at offset ${r}, before the write offset ${w}`);
        r = 0;
        continue;
      }
      const limit = r < w ? w : capacity;
      const wireLen = r + m.CR_DATA <= limit ? view.getUint32(at + m.CR_WIRE_LEN, true) : 0;
      const captured = r + m.CR_DATA <= limit ? view.getUint32(at + m.CR_CAPTURED, true) : 0;
      const expected = (m.CR_DATA + captured + m.CAPTURE_ALIGN - 1) & ~(m.CAPTURE_ALIGN - 1);
      if (size !== expected || r + size > limit) {
        throw new Error(`${where}: the record at offset ${r} says it takes ${size} bytes, but ${captured} bytes of frame take ${expected} and only ${limit - r} are left before offset ${limit}`);
      }
      if (wireLen < ETH_FCS_LEN || wireLen > m.WIRE_MAX_FRAME || captured > wireLen) {
        throw new Error(`${where}: the record at offset ${r} has a ${wireLen}-byte frame (${captured} captured); the wire carries ${ETH_FCS_LEN} to ${m.WIRE_MAX_FRAME} bytes`);
      }
      const kind = view.getUint32(at + m.CR_KIND, true);
      if (kind !== m.CAPTURE_TX && kind !== m.CAPTURE_RX) throw new Error(`${where}: the record at offset ${r} has direction ${kind}, neither tx (${m.CAPTURE_TX}) nor rx (${m.CAPTURE_RX})`);
      const flags = view.getUint32(at + m.CR_FLAGS, true);
      if ((flags & ~KNOWN_FLAGS) !== 0) throw new Error(`${where}: the record at offset ${r} has unknown frame flags 0x${flags.toString(16)}`);
      records.push({
        nic,
        timestampNs: view.getBigUint64(at + m.CR_TIME_NS, true),
        direction: kind === m.CAPTURE_TX ? 'tx' : 'rx',
        flags,
        bytes: this.machine.bytes.slice(at + m.CR_DATA, at + m.CR_DATA + captured),
        originalLength: wireLen,
        corrupted: (flags & m.FRAME_CORRUPTED) !== 0,
        delayed: (flags & m.FRAME_DELAYED) !== 0,
        reordered: (flags & m.FRAME_REORDERED) !== 0,
        sequence: view.getUint32(at + m.CR_SEQ, true),
      });
      r += size;
      if (r === capacity) r = 0;
    }
    return { nic, records, readTo: r };
  }
}
