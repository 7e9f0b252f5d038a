// Register names as a driver writes them: `nic.read('ICR')`, `nic.write('TDT', 5)`. The offsets
// come from wasm/e1000/registers.ts, the device's own definitions.

import * as e1000 from '../../wasm/e1000/registers.ts';

export const REGISTERS = {
  CTRL: e1000.CTRL, STATUS: e1000.STATUS, EECD: e1000.EECD, EERD: e1000.EERD, CTRL_EXT: e1000.CTRL_EXT,
  MDIC: e1000.MDIC, FCAL: e1000.FCAL, FCAH: e1000.FCAH, FCT: e1000.FCT, VET: e1000.VET,
  ICR: e1000.ICR, ITR: e1000.ITR, ICS: e1000.ICS, IMS: e1000.IMS, IMC: e1000.IMC,
  RCTL: e1000.RCTL, FCTTV: e1000.FCTTV, TXCW: e1000.TXCW, RXCW: e1000.RXCW, TCTL: e1000.TCTL,
  TIPG: e1000.TIPG, LEDCTL: e1000.LEDCTL, PBA: e1000.PBA, FCRTL: e1000.FCRTL, FCRTH: e1000.FCRTH,
  RDBAL: e1000.RDBAL, RDBAH: e1000.RDBAH, RDLEN: e1000.RDLEN, RDH: e1000.RDH, RDT: e1000.RDT,
  RDTR: e1000.RDTR, RADV: e1000.RADV, RSRPD: e1000.RSRPD,
  TDBAL: e1000.TDBAL, TDBAH: e1000.TDBAH, TDLEN: e1000.TDLEN, TDH: e1000.TDH, TDT: e1000.TDT,
  TIDV: e1000.TIDV, TXDCTL: e1000.TXDCTL, TADV: e1000.TADV, RXCSUM: e1000.RXCSUM,
  CRCERRS: e1000.CRCERRS, ALGNERRC: e1000.ALGNERRC, SYMERRS: e1000.SYMERRS, RXERRC: e1000.RXERRC,
  MPC: e1000.MPC, SCC: e1000.SCC, ECOL: e1000.ECOL, MCC: e1000.MCC, LATECOL: e1000.LATECOL,
  COLC: e1000.COLC, DC: e1000.DC, TNCRS: e1000.TNCRS, SEC: e1000.SEC, CEXTERR: e1000.CEXTERR,
  RLEC: e1000.RLEC, XONRXC: e1000.XONRXC, XONTXC: e1000.XONTXC, XOFFRXC: e1000.XOFFRXC,
  XOFFTXC: e1000.XOFFTXC, FCRUC: e1000.FCRUC, PRC64: e1000.PRC64, PRC127: e1000.PRC127,
  PRC255: e1000.PRC255, PRC511: e1000.PRC511, PRC1023: e1000.PRC1023, PRC1522: e1000.PRC1522,
  GPRC: e1000.GPRC, BPRC: e1000.BPRC, MPRC: e1000.MPRC, GPTC: e1000.GPTC,
  GORCL: e1000.GORCL, GORCH: e1000.GORCH, GOTCL: e1000.GOTCL, GOTCH: e1000.GOTCH,
  RNBC: e1000.RNBC, RUC: e1000.RUC, RFC: e1000.RFC, ROC: e1000.ROC, RJC: e1000.RJC,
  TORL: e1000.TORL, TORH: e1000.TORH, TOTL: e1000.TOTL, TOTH: e1000.TOTH, TPR: e1000.TPR, TPT: e1000.TPT,
  PTC64: e1000.PTC64, PTC127: e1000.PTC127, PTC255: e1000.PTC255, PTC511: e1000.PTC511,
  PTC1023: e1000.PTC1023, PTC1522: e1000.PTC1522, MPTC: e1000.MPTC, BPTC: e1000.BPTC,
  // Arrays: pass the entry number as the index argument.
  MTA: e1000.MTA, RAL: e1000.RAL, RAH: e1000.RAH, VFTA: e1000.VFTA,
} as const;

export type RegisterName = keyof typeof REGISTERS;

/** Byte stride between entries of the register arrays. */
const ARRAY_STRIDE: Partial<Record<RegisterName, { stride: number; entries: number }>> = {
  MTA: { stride: 4, entries: e1000.MTA_WORDS },
  VFTA: { stride: 4, entries: 128 },
  RAL: { stride: 8, entries: e1000.RA_ENTRIES },
  RAH: { stride: 8, entries: e1000.RA_ENTRIES },
};

/** Byte offset of register `name` (entry `index` for MTA, VFTA, RAL, RAH). */
export function registerOffset(name: RegisterName, index = 0): number {
  const offset = REGISTERS[name];
  if (offset === undefined) throw new RangeError(`unknown e1000 register ${String(name)}`);
  const array = ARRAY_STRIDE[name];
  if (!array) {
    if (index !== 0) throw new RangeError(`${name} is not a register array; index must be 0, got ${index}`);
    return offset;
  }
  if (!Number.isInteger(index) || index < 0 || index >= array.entries) {
    throw new RangeError(`${name} has entries 0..${array.entries - 1}; got ${index}`);
  }
  return offset + index * array.stride;
}

const NAMES_BY_OFFSET = new Map<number, RegisterName>(
  (Object.entries(REGISTERS) as [RegisterName, number][]).map(([name, offset]) => [offset, name]),
);

/** The name of the register at `offset`, for traces and the page's register view. */
export function registerName(offset: number): string {
  const exact = NAMES_BY_OFFSET.get(offset);
  if (exact) return exact;
  for (const [name, array] of Object.entries(ARRAY_STRIDE) as [RegisterName, { stride: number; entries: number }][]) {
    const first = REGISTERS[name];
    const entry = (offset - first) / array.stride;
    if (Number.isInteger(entry) && entry >= 0 && entry < array.entries) return `${name}[${entry}]`;
  }
  return `0x${offset.toString(16).padStart(4, '0')}`;
}
