// Records the emulated machine keeps in shared memory besides the e1000 registers: the machine
// header, each NIC's emulator page, the wire (endpoints, links, switches) and the frames a link
// holds back (delay, reorder). Like registers.ts this file is read by both the AssemblyScript
// device and the TypeScript core, so there is one definition of every field.
//
// All fields are little-endian u32 unless noted; offsets are bytes from the record's start.
// Nothing here is an e1000 register: it is the emulator's own state, placed by core/memory/map.ts.

export const MACHINE_MAGIC: u32 = 0x4c43494e; // "NICL"
export const MACHINE_VERSION: u32 = 1;

// ---- Machine header ---------------------------------------------------------------------------
export const M_MAGIC: u32 = 0;
export const M_VERSION: u32 = 4;
export const M_NIC_COUNT: u32 = 8;
export const M_LINK_COUNT: u32 = 12;
export const M_CLOCK_NS: u32 = 16; // u64: virtual time in nanoseconds; only the scheduler or the live loop moves it
export const M_SWITCH_COUNT: u32 = 24;
export const M_ENDPOINT_COUNT: u32 = 28;
export const M_CRC_TABLE: u32 = 32; // address of the CRC-32 tables (8 x 256 x u32, slicing-by-8)
export const M_NIC_TABLE: u32 = 36; // address of u32[nicCount]: each NIC's register block
export const M_LINK_TABLE: u32 = 40; // address of the link records
export const M_SWITCH_TABLE: u32 = 44; // address of the switch records
export const M_ENDPOINT_TABLE: u32 = 48; // address of the endpoint records
export const M_RUN: u32 = 52; // live loop runs while this is 1
export const M_DOORBELL: u32 = 56; // bumped by every TDT/RDT write and link change; the live device waits on it
export const M_DEVICE_PARKED: u32 = 60; // 1 while the live device sleeps on M_DOORBELL (need-wakeup)
export const M_BOOTED: u32 = 64; // 0 -> 1 once device_boot has built the tables (any instance may boot)
export const M_HOPS: u32 = 68; // reserved
export const M_LIVE_STEPS: u32 = 72; // live loop iterations that found work (diagnostic)
export const M_LIVE_PARKS: u32 = 76; // times the live device went to sleep (diagnostic)
export const M_CAPTURE_SEQ: u32 = 80; // frames recorded by any capture tap so far: orders records across NICs
export const MACHINE_HEADER_BYTES: u32 = 128;

// ---- NIC register block -----------------------------------------------------------------------
// Each NIC has a 32 KiB block: the e1000 registers at their datasheet offsets (0x0000-0x5FFF),
// then the emulator page at EMU (not visible to a real driver; the core and tests use it).
export const NIC_BLOCK_BYTES: u32 = 0x8000;
export const EMU: u32 = 0x7000;
export const E_INTR_SEQ: u32 = EMU + 0x00; // +1 each time the interrupt line asserts; drivers Atomics.wait here
export const E_MACHINE: u32 = EMU + 0x04; // address of the machine header
export const E_ENDPOINT: u32 = EMU + 0x08; // this NIC's wire endpoint index
export const E_DMA_BASE: u32 = EMU + 0x0c; // DMA window [base, limit): the only memory the device reads or writes
export const E_DMA_LIMIT: u32 = EMU + 0x10;
export const E_DMA_ERRORS: u32 = EMU + 0x14; // descriptors or buffers refused because they left the window
export const E_LAST_ERROR: u32 = EMU + 0x18; // last refusal: one of the ERR_* codes below
export const E_LAST_ERROR_ARG: u32 = EMU + 0x1c; // its address, offset or value
export const E_REG_ERRORS: u32 = EMU + 0x20; // register writes refused (nonsense values, read-only registers)
export const E_TX_FIFO: u32 = EMU + 0x24; // address of the device's transmit FIFO (gathers multi-descriptor frames)
export const E_TX_FIFO_BYTES: u32 = EMU + 0x28;
export const E_TX_FIFO_FILL: u32 = EMU + 0x2c; // bytes of the frame being gathered
export const E_TX_FIFO_BAD: u32 = EMU + 0x30; // 1 if a fragment of the frame being gathered was refused
export const E_INDEX: u32 = EMU + 0x34; // this NIC's number in the machine
export const E_EEPROM_MAC_LO: u32 = EMU + 0x38; // permanent address bytes 0-3 (loaded into RAL0 at reset)
export const E_EEPROM_MAC_HI: u32 = EMU + 0x3c; // permanent address bytes 4-5
export const E_TX_FRAMES: u32 = EMU + 0x40; // frames handed to the wire (never cleared, unlike GPTC)
export const E_RX_FRAMES: u32 = EMU + 0x44; // frames written into the RX ring (never cleared, unlike GPRC)
export const E_TX_DROPPED: u32 = EMU + 0x48; // frames the device would not send (too long, refused DMA)
export const E_RX_FILTERED: u32 = EMU + 0x4c; // frames discarded by the address filter
export const E_RX_OVERRUNS: u32 = EMU + 0x50; // frames lost for want of a receive descriptor (never cleared)
// Statistics the device has counted but not yet added to the read-to-clear registers: the same
// layout as 0x4000-0x40FF. Only the thread running the device writes here; it folds them into
// the registers once per batch so that a packet costs no atomic operations.
export const E_STATS_PENDING: u32 = EMU + 0x100;
export const E_STATS_DIRTY: u32 = EMU + 0x58; // u64: bit n set when pending word n is nonzero
// Receive write-back, batched: frames are copied into buffers as they arrive, but their
// descriptors' status bytes (DD...) and RDH are written in one burst per batch, after a memory
// fence, so that a driver that sees DD also sees the data (see wasm/assembly/rx.ts).
export const E_RX_PENDING: u32 = EMU + 0x60; // descriptors filled but not yet written back
export const E_RX_PENDING_FROM: u32 = EMU + 0x64; // first of them (ring index)
export const E_RX_PENDING_HEAD: u32 = EMU + 0x68; // the device's head after them
export const E_RX_PENDING_CAUSES: u32 = EMU + 0x6c; // interrupt causes to raise at write-back
export const E_RX_PENDING_BASE: u32 = EMU + 0x70; // ring base they were filled under (RDBAL)
export const E_RX_PENDING_RING: u32 = EMU + 0x74; // ring length they were filled under (RDLEN)
// The receive configuration the device latched for the current burst (RCTL, buffer size, DMA
// window): registers are sampled once per burst, as the hardware samples them, not per frame.
export const E_RX_CTX_VALID: u32 = EMU + 0x7c;
export const E_RX_CTX_RCTL: u32 = EMU + 0x80;
export const E_RX_CTX_BUFFER: u32 = EMU + 0x84;
export const E_RX_CTX_WIN_BASE: u32 = EMU + 0x88;
export const E_RX_CTX_WIN_LIMIT: u32 = EMU + 0x8c;
export const E_FENCE: u32 = EMU + 0x78; // a word the device RMWs as a full memory barrier
export const E_RX_SHADOW: u32 = EMU + 0x200; // their status bytes, in ring order
export const RX_SHADOW_BYTES: u32 = 64; // descriptors per write-back burst at most

// Refusal codes in E_LAST_ERROR.
export const ERR_NONE: u32 = 0;
export const ERR_REG_OFFSET: u32 = 1; // register offset outside the block or not 4-byte aligned
export const ERR_REG_READ_ONLY: u32 = 2; // write to a read-only register
export const ERR_REG_VALUE: u32 = 3; // value the register cannot hold (ring length, head/tail, alignment)
export const ERR_RING_EMPTY_LENGTH: u32 = 4; // ring enabled with RDLEN/TDLEN = 0
export const ERR_RING_OUTSIDE_DMA: u32 = 5; // descriptor ring not inside the DMA window
export const ERR_BUFFER_OUTSIDE_DMA: u32 = 6; // descriptor's buffer not inside the DMA window
export const ERR_DESC_UNSUPPORTED: u32 = 7; // an extended (DEXT) descriptor in a legacy ring
export const ERR_FRAME_TOO_LONG: u32 = 8; // transmit frame longer than the wire carries
export const ERR_RX_BUFFER_TOO_SMALL: u32 = 9; // frame needs more receive descriptors than are free

// ---- Wire endpoints ---------------------------------------------------------------------------
// An endpoint is a place a cable plugs in: a NIC's port or one port of a switch.
export const ENDPOINT_BYTES: u32 = 32;
export const EP_KIND: u32 = 0; // ENDPOINT_NONE / ENDPOINT_NIC / ENDPOINT_SWITCH_PORT
export const EP_OWNER: u32 = 4; // NIC number or switch number
export const EP_PORT: u32 = 8; // the switch's port number (switch ports only)
export const EP_LINK: u32 = 12; // link number + 1, or 0 when nothing is plugged in
export const EP_CAPTURE: u32 = 16; // address of a capture ring (below) tapping this NIC's port, or 0
// 20..31 reserved
export const ENDPOINT_NONE: u32 = 0;
export const ENDPOINT_NIC: u32 = 1;
export const ENDPOINT_SWITCH_PORT: u32 = 2;

// ---- Links (a cable, or a loopback plug when both ends are the same endpoint) -----------------
export const LINK_BYTES: u32 = 128;
export const L_END_A: u32 = 0;
export const L_END_B: u32 = 4;
export const L_UP: u32 = 8; // 1 carrier present, 0 unplugged/down
export const L_PRNG: u32 = 16; // u64 fault PRNG state (xorshift64*), seeded by the core
export const L_DROP_P: u32 = 24; // probability of dropping a frame, as p * 2^32 (0 = never)
export const L_CORRUPT_P: u32 = 28; // probability of flipping one bit of a frame, p * 2^32
export const L_REORDER_P: u32 = 32; // probability of holding a frame back by L_REORDER_NS, p * 2^32
export const L_DELAY_NS: u32 = 36; // every frame arrives this many ns (virtual) after it was sent
export const L_REORDER_NS: u32 = 40; // extra hold for a reordered frame, ns
export const L_QUEUE: u32 = 44; // address of the held-frame slots
export const L_QUEUE_SLOTS: u32 = 48; // number of slots
export const L_QUEUE_USED: u32 = 52; // slots in use
export const L_SEQ: u32 = 56; // frames accepted onto the link so far (orders held frames)
export const L_FRAMES: u32 = 60; // frames carried
export const L_DROPPED: u32 = 64; // dropped by the fault injector
export const L_CORRUPTED: u32 = 68; // corrupted by the fault injector
export const L_DELAYED: u32 = 72; // held back because of a delay
export const L_REORDERED: u32 = 76; // held back to be overtaken
export const L_DOWN_DROPS: u32 = 80; // lost because the link was down
export const L_OVERFLOWS: u32 = 84; // lost because every slot was holding a frame
export const L_TOUCHED: u32 = 88; // frames the fault injector changed in any way (for capture comments)

// ---- Held-frame slot (one frame a link holds back) ----------------------------------------------
export const Q_DUE_NS: u32 = 0; // u64 virtual time at which the frame arrives
export const Q_SEQ: u32 = 8; // link sequence number, breaks ties in arrival order
export const Q_TO: u32 = 12; // destination endpoint
export const Q_LEN: u32 = 16; // wire length in bytes, FCS included
export const Q_FLAGS: u32 = 20; // FRAME_* flags
export const Q_HEADER_BYTES: u32 = 32;
export const Q_DATA: u32 = 32; // the frame bytes
/** Longest frame the wire carries, FCS included (no jumbo frames), bytes. */
export const WIRE_MAX_FRAME: u32 = 2048;
export const QUEUE_SLOT_BYTES: u32 = Q_HEADER_BYTES + WIRE_MAX_FRAME;
/** Switch forwarding may chain through at most this many switches (stops loops recursing). */
export const WIRE_MAX_HOPS: u32 = 8;

// Frame flags carried with a frame along the wire.
// FRAME_FCS_LAZY: the FCS is the CRC-32 of the frame's bytes and was not written out: the
// transmitter set IFCS and nothing touched the bits since. A receiver that must show the FCS
// (RCTL.SECRC = 0) computes it then. Hardware checks CRCs in silicon for free; the emulator only
// spends cycles on a CRC whose bytes someone can see, or on a frame whose bits it did not make.
export const FRAME_FCS_LAZY: u32 = 1;
export const FRAME_CORRUPTED: u32 = 2; // the fault injector flipped a bit
export const FRAME_DELAYED: u32 = 4; // the fault injector held it back
export const FRAME_REORDERED: u32 = 8; // the fault injector let later frames overtake it

// ---- Capture ring (a tap at a NIC's port; see wasm/assembly/wire/tap.ts) ----------------------
// A single-producer single-consumer byte ring: the thread running the device appends a record
// for every frame the NIC puts on the wire and every frame the wire delivers to it; the core
// (core/trace/capture.ts) reads them out. The ring never overwrites: a record that does not fit
// is dropped and counted. Offsets are bytes from the start of the record area, which follows the
// header; they are multiples of 8 and below CAP_CAPACITY. CAP_WRITE == CAP_READ means empty, and
// the device always leaves at least 8 bytes free, so a full ring never looks empty.
export const CAP_CAPACITY: u32 = 0; // bytes of record area after the header (a multiple of 8); set by the core
export const CAP_WRITE: u32 = 4; // where the next record goes; only the device writes it (atomically, after the record)
export const CAP_READ: u32 = 8; // where the oldest unread record is; only the reader writes it (atomically)
export const CAP_RECORDS: u32 = 12; // records written (wraps at 2^32)
export const CAP_DROPPED: u32 = 16; // records dropped because the ring was full (or its header was unusable)
export const CAPTURE_HEADER_BYTES: u32 = 64; // the record area starts one cache line in
// A record: this header, then the frame's bytes as they were on the wire (FCS included, computed
// for FRAME_FCS_LAZY frames), padded with zeros to a multiple of 8 bytes.
export const CR_SIZE: u32 = 0; // bytes the record takes: CR_DATA + CR_CAPTURED rounded up to 8, or CAPTURE_WRAP
export const CR_KIND: u32 = 4; // CAPTURE_TX or CAPTURE_RX
export const CR_TIME_NS: u32 = 8; // u64: virtual time (machine clock, ns) when the tap saw the frame
export const CR_FLAGS: u32 = 16; // the FRAME_* flags the frame carried at the tap
export const CR_WIRE_LEN: u32 = 20; // the frame's length on the wire, FCS included, bytes
export const CR_CAPTURED: u32 = 24; // bytes of the frame stored after the header (the whole frame today)
export const CR_SEQ: u32 = 28; // M_CAPTURE_SEQ when recorded: one order across every NIC's ring
export const CR_DATA: u32 = 32; // the frame bytes
// CR_SIZE of a wrap marker: the rest of the area is unused and the next record is at offset 0.
// A marker is only its first word, and the space left at the end is always at least 8 bytes.
export const CAPTURE_WRAP: u32 = 0;
export const CAPTURE_TX: u32 = 1; // the NIC sent the frame onto the wire (recorded before faults)
export const CAPTURE_RX: u32 = 2; // the wire delivered the frame to the NIC (recorded after faults)
export const CAPTURE_ALIGN: u32 = 8; // records start on 8-byte boundaries

// ---- Switch (learning, store and forward, no delay of its own) ----------------------------------
export const SWITCH_BYTES: u32 = 32;
export const S_PORT_COUNT: u32 = 0;
export const S_FIRST_ENDPOINT: u32 = 4; // endpoint of port 0; port p is endpoint S_FIRST_ENDPOINT + p
export const S_TABLE: u32 = 8; // address of the MAC table
export const S_TABLE_ENTRIES: u32 = 12;
export const S_NEXT_VICTIM: u32 = 16; // round-robin replacement when the table is full
export const S_FLOODED: u32 = 20; // frames sent out of every other port
export const S_FORWARDED: u32 = 24; // frames sent out of one learned port
export const S_FILTERED: u32 = 28; // frames whose destination is on the port they came from
export const MAC_ENTRY_BYTES: u32 = 8; // u32 address bytes 0-3, u16 bytes 4-5, u16 port + 1 (0 = free)
