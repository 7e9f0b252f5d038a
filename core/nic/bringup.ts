// The e1000 initialisation sequence a driver performs (8254x manual, "General Configuration",
// "Receive Initialization", "Transmit Initialization"), on the rings and buffers the memory map
// gives the NIC. The reference miniport and the benchmarks use it; a learner's driver never sees it.

import {
  CTRL_SLU, CTRL_ASDE, CTRL_FD, RCTL_EN, RCTL_BAM, RCTL_SECRC, RCTL_UPE, RCTL_MPE, RCTL_BSEX,
  RCTL_BSIZE_SHIFT, TCTL_EN, TCTL_PSP, TCTL_CT_SHIFT, TCTL_COLD_SHIFT, DESC_SIZE,
} from '../../wasm/e1000/registers.ts';
import { writeRxDescriptor } from './descriptors.ts';
import type { Machine } from './machine.ts';
import type { Nic } from './nic.ts';

export interface BringUpOptions {
  /** Strip the FCS from received frames (RCTL.SECRC), as an NDIS miniport does. Default true. */
  stripCrc?: boolean;
  promiscuous?: boolean;
  /** Extra RCTL bits (SBP, LPE, MO, RDMTS, LBM...). */
  rctl?: number;
  /** IMS: interrupt causes to enable. Default none. */
  interrupts?: number;
  /** Receive descriptors to hand to the device (default: the whole ring but one). */
  rxPosted?: number;
  /** The buffer for receive descriptor `index` (default: the NIC's RX buffers in the memory map). */
  rxBuffer?: (index: number) => number;
}

/** RCTL.BSIZE/BSEX bits for a receive buffer of `bytes`. */
export function bufferSizeBits(bytes: number): number {
  const plain: Record<number, number> = { 2048: 0, 1024: 1, 512: 2, 256: 3 };
  const extended: Record<number, number> = { 16384: 1, 8192: 2, 4096: 3 };
  if (bytes in plain) return plain[bytes]! << RCTL_BSIZE_SHIFT;
  if (bytes in extended) return (extended[bytes]! << RCTL_BSIZE_SHIFT) | RCTL_BSEX;
  throw new RangeError(`the e1000 receive buffer is 256, 512, 1024, 2048, 4096, 8192 or 16384 bytes; got ${bytes}`);
}

/** Resets the NIC and brings it up with both rings empty and the receive ring stocked. */
export function bringUp(machine: Machine, nic: Nic, options: BringUpOptions = {}): void {
  const { txRing, rxRing, rxBuffers } = nic.regions;
  const bufferBytes = machine.layout.config.bufferBytes;
  const rxCount = rxRing.bytes / DESC_SIZE;
  const posted = options.rxPosted ?? rxCount - 1;
  if (!Number.isInteger(posted) || posted < 0 || posted >= rxCount) throw new RangeError(`rxPosted must be 0..${rxCount - 1}; got ${posted}`);

  nic.write('CTRL', 1 << 26); // RST
  nic.write('IMC', 0xffffffff);
  nic.write('CTRL', CTRL_SLU | CTRL_ASDE | CTRL_FD);
  for (let i = 0; i < 128; i++) nic.write('MTA', 0, i);

  machine.bytes.fill(0, txRing.base, txRing.base + txRing.bytes);
  nic.write('TDBAL', txRing.base);
  nic.write('TDBAH', 0);
  nic.write('TDLEN', txRing.bytes);
  nic.write('TDH', 0);
  nic.write('TDT', 0);
  nic.write('TCTL', TCTL_EN | TCTL_PSP | (0x10 << TCTL_CT_SHIFT) | (0x40 << TCTL_COLD_SHIFT));

  const rxBuffer = options.rxBuffer ?? ((i: number) => rxBuffers.base + i * bufferBytes);
  for (let i = 0; i < rxCount; i++) writeRxDescriptor(machine.view, rxRing.base, i, rxBuffer(i));
  nic.write('RDBAL', rxRing.base);
  nic.write('RDBAH', 0);
  nic.write('RDLEN', rxRing.bytes);
  nic.write('RDH', 0);
  nic.write('RDT', posted);
  let rctl = RCTL_EN | RCTL_BAM | bufferSizeBits(bufferBytes) | (options.rctl ?? 0);
  if (options.stripCrc ?? true) rctl |= RCTL_SECRC;
  if (options.promiscuous) rctl |= RCTL_UPE | RCTL_MPE;
  nic.write('RCTL', rctl);
  nic.read('ICR');
  if (options.interrupts) nic.write('IMS', options.interrupts);
}
