// A machine: one shared memory laid out by core/memory/map.ts, holding NICs, the wire between
// them, and (later) drivers' memory. It can be stepped from the caller's thread (deterministic:
// tests, grading, replay) or run live with the device on its own worker thread.

import * as m from '../../wasm/e1000/machine.ts';
import { protectBuffer } from '../memory/protect.ts';
import { layoutMachine, createMachineMemory, type MachineConfig, type MachineLayout } from '../memory/map.ts';
import { deriveState } from '../sched/prng.ts';
import { spawnThread, type Thread } from '../host/thread.ts';
import { instantiateNic, nicModule, type NicExports } from './module.ts';
import { parseMac, formatMac } from './mac.ts';
import { Nic } from './nic.ts';
import { Wire } from './wire.ts';
import { Capture } from '../trace/capture.ts';

export interface MachineOptions extends MachineConfig {
  /** Seed for the wire's fault injection (same seed, same faults). */
  seed?: bigint | number;
  /** MAC address per NIC ("02:4e:49:43:00:01"); default 02:4e:49:43:00:<n+1>. */
  macs?: string[];
}

export { parseMac, formatMac };

/** Writes the machine header, wire tables and each NIC's emulator page into fresh memory. */
export function formatMachine(memory: WebAssembly.Memory, layout: MachineLayout, options: MachineOptions): void {
  const view = new DataView(memory.buffer);
  const set = (address: number, value: number) => view.setUint32(address, value >>> 0, true);
  const h = layout.header;
  set(h + m.M_MAGIC, m.MACHINE_MAGIC);
  set(h + m.M_VERSION, m.MACHINE_VERSION);
  set(h + m.M_NIC_COUNT, layout.nics.length);
  set(h + m.M_LINK_COUNT, layout.linkCount);
  set(h + m.M_SWITCH_COUNT, layout.switches.length);
  set(h + m.M_ENDPOINT_COUNT, layout.endpointCount);
  set(h + m.M_CRC_TABLE, layout.crcTables.base);
  set(h + m.M_NIC_TABLE, layout.nicTable.base);
  set(h + m.M_LINK_TABLE, layout.linkTable.base);
  set(h + m.M_SWITCH_TABLE, layout.switchTable.base);
  set(h + m.M_ENDPOINT_TABLE, layout.endpointTable.base);

  layout.nics.forEach((nic, i) => {
    set(layout.nicTable.base + i * 4, nic.registers);
    const ep = layout.endpointTable.base + nic.endpoint * m.ENDPOINT_BYTES;
    set(ep + m.EP_KIND, m.ENDPOINT_NIC);
    set(ep + m.EP_OWNER, i);
    const mac = parseMac(options.macs?.[i] ?? `02:4e:49:43:00:${(i + 1).toString(16).padStart(2, '0')}`);
    const r = nic.registers;
    set(r + m.E_MACHINE, h);
    set(r + m.E_ENDPOINT, nic.endpoint);
    set(r + m.E_INDEX, i);
    set(r + m.E_DMA_BASE, layout.dma.base);
    set(r + m.E_DMA_LIMIT, layout.dma.base + layout.dma.bytes);
    set(r + m.E_TX_FIFO, nic.txFifo.base);
    set(r + m.E_TX_FIFO_BYTES, nic.txFifo.bytes);
    set(r + m.E_EEPROM_MAC_LO, mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24));
    set(r + m.E_EEPROM_MAC_HI, mac[4]! | (mac[5]! << 8));
  });
  layout.switches.forEach((s, i) => {
    set(s.record + m.S_PORT_COUNT, s.ports);
    set(s.record + m.S_FIRST_ENDPOINT, s.firstEndpoint);
    set(s.record + m.S_TABLE, s.table.base);
    set(s.record + m.S_TABLE_ENTRIES, s.table.bytes / m.MAC_ENTRY_BYTES);
    for (let p = 0; p < s.ports; p++) {
      const ep = layout.endpointTable.base + (s.firstEndpoint + p) * m.ENDPOINT_BYTES;
      set(ep + m.EP_KIND, m.ENDPOINT_SWITCH_PORT);
      set(ep + m.EP_OWNER, i);
      set(ep + m.EP_PORT, p);
    }
  });
  const slots = layout.config.linkQueueSlots;
  for (let i = 0; i < layout.linkCount; i++) {
    const link = layout.linkTable.base + i * m.LINK_BYTES;
    set(link + m.L_QUEUE, layout.linkQueues.base + i * slots * m.QUEUE_SLOT_BYTES);
    set(link + m.L_QUEUE_SLOTS, slots);
    view.setBigUint64(link + m.L_PRNG, deriveState(options.seed ?? 0, i), true);
  }
}

export class Machine {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly words: Int32Array;
  readonly nics: Nic[];
  readonly wire: Wire;
  /** Packet capture at the NICs' ports (start/stop taps, read records, write pcapng). */
  readonly capture: Capture;
  private readonly clock: BigInt64Array;
  private live: Thread | undefined;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly layout: MachineLayout,
    readonly device: NicExports,
    readonly module: WebAssembly.Module,
    readonly seed: bigint | number,
  ) {
    protectBuffer(memory.buffer);
    this.bytes = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
    this.words = new Int32Array(memory.buffer);
    this.clock = new BigInt64Array(memory.buffer, layout.header + m.M_CLOCK_NS, 1);
    this.nics = layout.nics.map((_, i) => new Nic(this, i));
    this.wire = new Wire(this);
    this.capture = new Capture(this);
  }

  /** A new machine with fresh memory, booted, NICs reset, nothing plugged in. */
  static async create(options: MachineOptions): Promise<Machine> {
    const layout = layoutMachine(options);
    const memory = createMachineMemory(layout);
    formatMachine(memory, layout, options);
    const module = await nicModule();
    const device = await instantiateNic(memory, module);
    device.device_boot(layout.header);
    return new Machine(memory, layout, device, module, options.seed ?? 0);
  }

  /** Attaches to a machine another thread created (a second instance on the same memory). */
  static async attach(memory: WebAssembly.Memory, layout: MachineLayout, module?: WebAssembly.Module): Promise<Machine> {
    const magic = new DataView(memory.buffer).getUint32(layout.header + m.M_MAGIC, true);
    if (magic !== m.MACHINE_MAGIC) throw new Error(`no machine at 0x${layout.header.toString(16)}: the header's magic is 0x${magic.toString(16)}`);
    const mod = module ?? (await nicModule());
    const device = await instantiateNic(memory, mod);
    device.device_boot(layout.header); // a no-op once booted: a second instance must not reset the NICs
    return new Machine(memory, layout, device, mod, 0);
  }

  nic(index: number): Nic {
    const nic = this.nics[index];
    if (!nic) throw new RangeError(`this machine has NICs 0..${this.nics.length - 1}; there is no NIC ${index}`);
    return nic;
  }

  /** Virtual time in nanoseconds. */
  get clockNs(): bigint {
    return Atomics.load(this.clock, 0);
  }

  /** Moves virtual time forward (never back): held frames that fall due arrive on the next step. */
  advanceClock(ns: bigint | number): void {
    const by = BigInt(ns);
    if (by < 0n) throw new RangeError(`virtual time only moves forward; got ${by} ns`);
    Atomics.add(this.clock, 0, by);
  }

  /** Sets virtual time to an absolute value (not earlier than now). */
  setClock(ns: bigint): void {
    if (ns < this.clockNs) throw new RangeError(`virtual time only moves forward: ${ns} < ${this.clockNs}`);
    Atomics.store(this.clock, 0, ns);
  }

  /** One round of device work on this thread: transmit rings, then due frames. Returns work done. */
  step(budget = 64): number {
    this.requireStepped('step');
    return this.device.machine_step(this.layout.header, budget) >>> 0;
  }

  /** Steps until no NIC has transmit work and no held frame is due. Returns the total work. */
  runUntilIdle(maxRounds = 1_000_000): number {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const work = this.step();
      if (work === 0) return total;
      total += work;
    }
    throw new Error(`the machine was still busy after ${maxRounds} rounds (a transmit loop?)`);
  }

  /** Earliest virtual time (ns) at which a held frame arrives, or undefined if the wire is empty. */
  nextDueNs(): bigint | undefined {
    const due = this.device.wire_next_due(this.layout.header);
    return due < 0n ? undefined : due;
  }

  /** Advances virtual time to each held frame in turn until the wire is empty and nothing is due. */
  drainWire(maxFrames = 1_000_000): void {
    for (let i = 0; i < maxFrames; i++) {
      this.runUntilIdle();
      const due = this.nextDueNs();
      if (due === undefined) return;
      if (due > this.clockNs) this.setClock(due);
    }
  }

  /** CRC-32 (the Ethernet FCS) of `length` bytes at `address`, computed by the device. */
  crc32(address: number, length: number): number {
    return this.device.crc32(this.layout.header, address, length) >>> 0;
  }

  header(field: number): number {
    return Atomics.load(this.words, (this.layout.header + field) >> 2) >>> 0;
  }

  get isLive(): boolean {
    return this.live !== undefined;
  }

  /** Runs the device on its own worker thread until stopLive(). */
  async startLive(budget = 256): Promise<void> {
    if (this.live) throw new Error('the machine is already running live');
    Atomics.store(this.words, (this.layout.header + m.M_RUN) >> 2, 1);
    const thread = await spawnThread(new URL('./nic-worker.ts', import.meta.url), {
      memory: this.memory,
      header: this.layout.header,
      module: this.module,
      budget,
    });
    await new Promise<void>((resolve, reject) => {
      thread.onError(reject);
      thread.onMessage((message) => {
        if ((message as { state?: string }).state === 'running') resolve();
      });
    });
    this.live = thread;
  }

  /** Stops the live device and waits for its thread to finish the current round. */
  async stopLive(): Promise<void> {
    const thread = this.live;
    if (!thread) return;
    const stopped = new Promise<void>((resolve) =>
      thread.onMessage((message) => {
        if ((message as { state?: string }).state === 'stopped') resolve();
      }),
    );
    Atomics.store(this.words, (this.layout.header + m.M_RUN) >> 2, 0);
    this.ringDoorbell();
    await stopped;
    await thread.terminate();
    this.live = undefined;
  }

  /** Wakes the live device (as a tail write does). */
  ringDoorbell(): void {
    Atomics.add(this.words, (this.layout.header + m.M_DOORBELL) >> 2, 1);
    Atomics.notify(this.words, (this.layout.header + m.M_DOORBELL) >> 2);
  }

  private requireStepped(what: string): void {
    if (this.live) throw new Error(`${what}() steps the device on this thread, but it is running live on its worker; call stopLive() first`);
  }
}
