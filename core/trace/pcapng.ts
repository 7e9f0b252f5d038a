// A pcapng writer (the capture file format of Wireshark and tshark, IETF draft-ietf-opsawg-pcapng)
// for what the capture taps recorded: one Section Header Block, one Interface Description Block
// per NIC, one Enhanced Packet Block per frame. Frames keep their FCS, timestamps are the
// machine's virtual nanoseconds, and frames the fault injector touched carry a comment saying
// how, so a capture of a lab run opens in Wireshark with the faults visible.
//
// Pure and deterministic: the same frames and options give the same bytes (no wall clock, no host
// names). Everything is little-endian, as the byte-order magic says.

/** What the writer needs of a frame; core/trace/capture.ts records are such frames. */
export interface PcapngFrame {
  /** The NIC it was seen at: the Interface ID of its block. */
  nic: number;
  /** Virtual time, ns (written as nanoseconds since the epoch: time 0 is 1970-01-01 00:00:00 UTC). */
  timestampNs: bigint;
  /** 'tx': the NIC sent it (outbound); 'rx': the wire delivered it to the NIC (inbound). */
  direction?: 'tx' | 'rx';
  /** The frame as on the wire, FCS included. */
  bytes: Uint8Array;
  /** Its length on the wire when `bytes` holds only part of it, bytes (default bytes.length). */
  originalLength?: number;
  corrupted?: boolean;
  delayed?: boolean;
  reordered?: boolean;
  /** Another line for the frame's comment. */
  comment?: string;
}

export interface PcapngInterface {
  /** if_name; default "nic<N>". */
  name?: string;
  /** if_description; default says which virtual NIC it is. */
  description?: string;
  /** if_MACaddr: "02:4e:49:43:00:01" or 6 bytes. */
  mac?: string | Uint8Array;
}

export interface PcapngOptions {
  /** shb_userappl; default "NIC Lab". */
  application?: string;
  /** A comment on the whole section (a seed, a scenario name...). */
  comment?: string;
  /** Per NIC, by index; missing entries get the defaults. */
  interfaces?: PcapngInterface[];
  /** Bytes of FCS at the end of every frame (0 or 4; default 4: the taps record the FCS). */
  fcsBytes?: number;
}

// Block types, option codes and values (draft-ietf-opsawg-pcapng, sections 3-4).
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_MACADDR = 6;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const EPB_FLAGS = 2;
const LINKTYPE_ETHERNET = 1;
/** if_tsresol 9: timestamps count units of 10^-9 s. */
const TSRESOL_NANOSECONDS = 9;
const EPB_FLAG_INBOUND = 0b01;
const EPB_FLAG_OUTBOUND = 0b10;
const EPB_FLAG_FCS_SHIFT = 5; // bits 5-8: FCS length in octets
const EPB_FLAG_CRC_ERROR = 1 << 24;

const utf8 = new TextEncoder();

interface Option {
  code: number;
  value: Uint8Array;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function textOption(code: number, text: string, what: string): Option {
  const value = utf8.encode(text);
  if (value.length > 0xffff) throw new RangeError(`pcapng: ${what} is ${value.length} bytes of UTF-8; an option holds at most 65535`);
  return { code, value };
}

function u8Option(code: number, v: number): Option {
  return { code, value: Uint8Array.of(v) };
}

function u32Option(code: number, v: number): Option {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, v >>> 0, true);
  return { code, value };
}

function macBytes(mac: string | Uint8Array, nic: number): Uint8Array {
  if (typeof mac !== 'string') {
    if (mac.length !== 6) throw new RangeError(`pcapng: interface ${nic}'s MAC address has ${mac.length} bytes, not 6`);
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`pcapng: interface ${nic}'s MAC address "${mac}" is not six hex pairs`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Appends blocks to one growing buffer. */
class BlockWriter {
  private buffer = new Uint8Array(4096);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /**
   * One block: type, total length, the fixed body, options (closed by opt_endofopt when there are
   * any), total length again. `body` is a multiple of 4 bytes.
   */
  block(type: number, body: Uint8Array, options: Option[]): void {
    const optionBytes = options.length === 0 ? 0 : options.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4;
    const total = 8 + body.length + optionBytes + 4;
    this.reserve(total);
    const start = this.length;
    const v = this.view;
    v.setUint32(start, type, true);
    v.setUint32(start + 4, total, true);
    this.buffer.set(body, start + 8);
    let at = start + 8 + body.length;
    for (const o of options) {
      v.setUint16(at, o.code, true);
      v.setUint16(at + 2, o.value.length, true);
      this.buffer.set(o.value, at + 4);
      this.buffer.fill(0, at + 4 + o.value.length, at + 4 + pad4(o.value.length));
      at += 4 + pad4(o.value.length);
    }
    if (options.length !== 0) {
      v.setUint32(at, OPT_ENDOFOPT, true); // code 0, length 0
      at += 4;
    }
    v.setUint32(at, total, true);
    this.length = at + 4;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** The comment on a frame: which faults touched it, then its own comment. */
export function faultComment(frame: Pick<PcapngFrame, 'corrupted' | 'delayed' | 'reordered'>): string | undefined {
  const faults = [frame.corrupted && 'corrupted', frame.delayed && 'delayed', frame.reordered && 'reordered'].filter(Boolean);
  return faults.length === 0 ? undefined : `fault: ${faults.join(', ')}`;
}

/**
 * A pcapng file of `frames` captured at NICs 0..nicCount-1, in the order given (capture.ts reads
 * them in the order the taps saw them). Throws a RangeError naming the frame or option that
 * cannot be written.
 */
export function toPcapng(frames: readonly PcapngFrame[], nicCount: number, options: PcapngOptions = {}): Uint8Array {
  if (!Number.isInteger(nicCount) || nicCount < 0 || nicCount > 0xffff) throw new RangeError(`pcapng: nicCount must be an integer from 0 to 65535; got ${nicCount}`);
  const fcsBytes = options.fcsBytes ?? 4;
  if (fcsBytes !== 0 && fcsBytes !== 4) throw new RangeError(`pcapng: fcsBytes must be 0 or 4 (Ethernet); got ${fcsBytes}`);
  const out = new BlockWriter();

  // Section Header Block: byte-order magic, version 1.0, section length -1 (not computed).
  const shb = new Uint8Array(16);
  const shbView = new DataView(shb.buffer);
  shbView.setUint32(0, BYTE_ORDER_MAGIC, true);
  shbView.setUint16(4, 1, true);
  shbView.setUint16(6, 0, true);
  shbView.setBigInt64(8, -1n, true);
  const shbOptions = [textOption(SHB_USERAPPL, options.application ?? 'NIC Lab', 'shb_userappl')];
  if (options.comment !== undefined) shbOptions.unshift(textOption(OPT_COMMENT, options.comment, 'the section comment'));
  out.block(BT_SHB, shb, shbOptions);

  // One Interface Description Block per NIC: its position is its Interface ID.
  for (let nic = 0; nic < nicCount; nic++) {
    const given = options.interfaces?.[nic] ?? {};
    const idb = new Uint8Array(8);
    const idbView = new DataView(idb.buffer);
    idbView.setUint16(0, LINKTYPE_ETHERNET, true);
    idbView.setUint32(4, 0, true); // SnapLen 0: no limit (the taps record whole frames)
    const idbOptions = [
      textOption(IF_NAME, given.name ?? `nic${nic}`, `interface ${nic}'s name`),
      textOption(IF_DESCRIPTION, given.description ?? `NIC Lab virtual Intel 82540EM (e1000), NIC ${nic}`, `interface ${nic}'s description`),
    ];
    if (given.mac !== undefined) idbOptions.push({ code: IF_MACADDR, value: macBytes(given.mac, nic) });
    idbOptions.push(u8Option(IF_TSRESOL, TSRESOL_NANOSECONDS));
    // if_fcslen counts bits (the draft says so; tshark 4.0 reads 32 as a 4-byte FCS). Each EPB's
    // flags also give the FCS length, in octets, which overrides this for readers that differ.
    idbOptions.push(u8Option(IF_FCSLEN, fcsBytes * 8));
    out.block(BT_IDB, idb, idbOptions);
  }

  frames.forEach((frame, i) => {
    if (!Number.isInteger(frame.nic) || frame.nic < 0 || frame.nic >= nicCount) {
      throw new RangeError(`pcapng: frame ${i} was seen at NIC ${frame.nic}, but the file describes NICs 0..${nicCount - 1}`);
    }
    if (typeof frame.timestampNs !== 'bigint' || frame.timestampNs < 0n || frame.timestampNs >= 1n << 64n) {
      throw new RangeError(`pcapng: frame ${i}'s timestamp ${String(frame.timestampNs)} is not a u64 count of nanoseconds`);
    }
    const captured = frame.bytes.length;
    const original = frame.originalLength ?? captured;
    if (!Number.isInteger(original) || original < captured || original > 0xffffffff) {
      throw new RangeError(`pcapng: frame ${i}'s original length ${original} is less than the ${captured} bytes captured or not a u32`);
    }
    const body = new Uint8Array(20 + pad4(captured));
    const v = new DataView(body.buffer);
    v.setUint32(0, frame.nic, true);
    v.setUint32(4, Number(frame.timestampNs >> 32n), true);
    v.setUint32(8, Number(frame.timestampNs & 0xffffffffn), true);
    v.setUint32(12, captured, true);
    v.setUint32(16, original, true);
    body.set(frame.bytes, 20); // the padding stays zero
    const epbOptions: Option[] = [];
    const comment = [faultComment(frame), frame.comment].filter((c): c is string => c !== undefined).join('\n');
    if (comment !== '') epbOptions.push(textOption(OPT_COMMENT, comment, `frame ${i}'s comment`));
    let flags = fcsBytes << EPB_FLAG_FCS_SHIFT;
    if (frame.direction === 'rx') flags |= EPB_FLAG_INBOUND;
    else if (frame.direction === 'tx') flags |= EPB_FLAG_OUTBOUND;
    if (frame.corrupted) flags |= EPB_FLAG_CRC_ERROR;
    epbOptions.push(u32Option(EPB_FLAGS, flags));
    out.block(BT_EPB, body, epbOptions);
  });
  return out.bytes();
}
