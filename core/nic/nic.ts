// One virtual e1000 as its driver sees it: registers by name (with the device's side effects),
// the emulator's own counters, the interrupt line, and, for tests and the deterministic
// scheduler, a way to run its transmit ring or hand it a frame from the wire.

import * as m from '../../wasm/e1000/machine.ts';
import { STATS_FIRST, STATS_END, ETH_FCS_LEN } from '../../wasm/e1000/registers.ts';
import type { NicRegions } from '../memory/map.ts';
import type { MachineLayout } from '../memory/map.ts';
import type { NicExports } from './module.ts';
import { formatMac } from './mac.ts';

/** What a NIC uses of the machine it is in (machine.ts's Machine). */
export interface NicMachine {
  readonly layout: MachineLayout;
  readonly device: NicExports;
  readonly words: Int32Array;
  readonly wire: { stage(frame: Uint8Array, fcs: FcsMode): { address: number; wireLength: number; flags: number } };
}
import { registerOffset, registerName, type RegisterName } from './registers.ts';

/** How a frame handed to the wire from outside carries its FCS. */
export type FcsMode =
  /** The frame ends with its own FCS bytes, right or wrong; the receiver checks them. */
  | 'included'
  /** Compute the FCS now and append it; the receiver checks it. */
  | 'append'
  /** As a NIC's IFCS does: the FCS is implied and only computed where someone can see it. */
  | 'lazy';

export interface DeviceError {
  code: number;
  name: string;
  arg: number;
}

const ERROR_NAMES: Record<number, string> = {
  [m.ERR_NONE]: 'none',
  [m.ERR_REG_OFFSET]: 'register offset outside the block or unaligned',
  [m.ERR_REG_READ_ONLY]: 'write to a read-only register',
  [m.ERR_REG_VALUE]: 'value the register cannot hold',
  [m.ERR_RING_EMPTY_LENGTH]: 'descriptor ring of zero length',
  [m.ERR_RING_OUTSIDE_DMA]: 'descriptor ring outside the DMA window',
  [m.ERR_BUFFER_OUTSIDE_DMA]: 'buffer outside the DMA window',
  [m.ERR_DESC_UNSUPPORTED]: 'extended (DEXT) descriptor in a legacy ring',
  [m.ERR_FRAME_TOO_LONG]: 'frame longer than the wire carries',
  [m.ERR_RX_BUFFER_TOO_SMALL]: 'frame needs more receive descriptors than are free',
};

export class Nic {
  /** Address of the register block. */
  readonly base: number;
  readonly regions: NicRegions;
  /** This NIC's wire endpoint (what a cable plugs into). */
  readonly endpoint: number;

  constructor(private readonly machine: NicMachine, readonly index: number) {
    const regions = machine.layout.nics[index];
    if (!regions) throw new RangeError(`no NIC ${index}`);
    this.regions = regions;
    this.base = regions.registers;
    this.endpoint = regions.endpoint;
  }

  /** Reads a register as the driver would, side effects included (ICR and statistics clear). */
  read(name: RegisterName, index = 0): number {
    return this.machine.device.mmio_read(this.base, registerOffset(name, index)) >>> 0;
  }

  /** Writes a register as the driver would (ICS sets causes, a tail write rings the doorbell...). */
  write(name: RegisterName, value: number, index = 0): void {
    this.machine.device.mmio_write(this.base, registerOffset(name, index), value >>> 0);
  }

  /** Register access by raw offset: what a driver with a bad offset would do. */
  readOffset(offset: number): number {
    return this.machine.device.mmio_read(this.base, offset >>> 0) >>> 0;
  }

  writeOffset(offset: number, value: number): void {
    this.machine.device.mmio_write(this.base, offset >>> 0, value >>> 0);
  }

  /** The register's value without its read side effect (for views, traces and tests). */
  peek(name: RegisterName, index = 0): number {
    return this.word(registerOffset(name, index));
  }

  /** A word of the emulator page (an E_* field of wasm/e1000/machine.ts). */
  emulator(field: number): number {
    return this.word(field);
  }

  private word(offset: number): number {
    return Atomics.load(this.machine.words, (this.base + offset) >> 2) >>> 0;
  }

  get dmaErrors(): number {
    return this.emulator(m.E_DMA_ERRORS);
  }

  get registerErrors(): number {
    return this.emulator(m.E_REG_ERRORS);
  }

  get lastError(): DeviceError {
    const code = this.emulator(m.E_LAST_ERROR);
    const arg = this.emulator(m.E_LAST_ERROR_ARG);
    const name = ERROR_NAMES[code] ?? `unknown error ${code}`;
    return { code, name: code === m.ERR_REG_OFFSET || code === m.ERR_REG_READ_ONLY || code === m.ERR_REG_VALUE ? `${name} (${registerName(arg)})` : name, arg };
  }

  /** How many times the interrupt line has asserted. */
  get interruptCount(): number {
    return this.emulator(m.E_INTR_SEQ);
  }

  /**
   * Sleeps (worker threads only) until the interrupt line asserts after `seen` interrupts, or
   * `timeoutMs` passes.
   */
  waitForInterrupt(seen: number, timeoutMs = Infinity): 'ok' | 'not-equal' | 'timed-out' {
    return Atomics.wait(this.machine.words, (this.base + m.E_INTR_SEQ) >> 2, seen | 0, timeoutMs);
  }

  /** The permanent address from the EEPROM (RAL0/RAH0 after reset). */
  get permanentAddress(): string {
    const lo = this.emulator(m.E_EEPROM_MAC_LO);
    const hi = this.emulator(m.E_EEPROM_MAC_HI);
    return formatMac([lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, (hi >>> 8) & 0xff]);
  }

  /** Statistics registers by name, without clearing them. */
  statistics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let offset = STATS_FIRST; offset < STATS_END; offset += 4) {
      const name = registerName(offset);
      if (!name.startsWith('0x')) out[name] = this.word(offset);
    }
    return out;
  }

  /** Runs this NIC's transmit ring on the caller's thread (deterministic mode). */
  transmit(budget = 64): number {
    return this.machine.device.nic_transmit(this.base, budget) >>> 0;
  }

  /** Delivers a frame to this NIC's port from outside the machine. True if it reached the ring. */
  receive(frame: Uint8Array, fcs: FcsMode = 'append'): boolean {
    const { address, wireLength, flags } = this.machine.wire.stage(frame, fcs);
    return this.machine.device.nic_receive(this.base, address, wireLength, flags) === 1;
  }
}

export { ETH_FCS_LEN };
