// Records the emulated machine keeps in shared memory besides the e1000 registers: the machine
// header, each NIC's emulator page, the wire (endpoints, links, switches) and the frames a link
// holds back (delay, reorder). Like registers.ts this file is read by both the AssemblyScript
// device and the TypeScript core, so there is one definition of every field.
//
// All fields are little-endian u32 unless noted; offsets are bytes from the record's start.
// Nothing here is an e1000 register: it is the emulator's own state, placed by core/memory/map.ts.

export const MACHINE_MAGIC = 0x4c43494e; // "NICL"
export const MACHINE_VERSION = 1;

// ---- Machine header ---------------------------------------------------------------------------
export const M_MAGIC = 0;
export const M_VERSION = 4;
export const M_NIC_COUNT = 8;
export const M_LINK_COUNT = 12;
export const M_CLOCK_NS = 16; // u64: virtual time in nanoseconds; only the scheduler or the live loop moves it
export const M_SWITCH_COUNT = 24;
export const M_ENDPOINT_COUNT = 28;
export const M_CRC_TABLE = 32; // address of the CRC-32 tables (8 x 256 x u32, slicing-by-8)
export const M_NIC_TABLE = 36; // address of u32[nicCount]: each NIC's register block
export const M_LINK_TABLE = 40; // address of the link records
export const M_SWITCH_TABLE = 44; // address of the switch records
export const M_ENDPOINT_TABLE = 48; // address of the endpoint records
export const M_RUN = 52; // live loop runs while this is 1
export const M_DOORBELL = 56; // bumped by every TDT/RDT write and link change; the live device waits on it
export const M_DEVICE_PARKED = 60; // 1 while the live device sleeps on M_DOORBELL (need-wakeup)
export const M_BOOTED = 64; // 0 -> 1 once device_boot has built the tables (any instance may boot)
export const M_QUEUE_SLOT_BYTES = 68; // size of one held-frame slot (header + data)
export const M_LIVE_STEPS = 72; // live loop iterations that found work (diagnostic)
export const M_LIVE_PARKS = 76; // times the live device went to sleep (diagnostic)
export const MACHINE_HEADER_BYTES = 128;

// ---- NIC register block -----------------------------------------------------------------------
// Each NIC has a 32 KiB block: the e1000 registers at their datasheet offsets (0x0000-0x5FFF),
// then the emulator page at EMU (not visible to a real driver; the core and tests use it).
export const NIC_BLOCK_BYTES = 0x8000;
export const EMU = 0x7000;
export const E_INTR_SEQ = EMU + 0x00; // +1 each time the interrupt line asserts; drivers Atomics.wait here
export const E_MACHINE = EMU + 0x04; // address of the machine header
export const E_ENDPOINT = EMU + 0x08; // this NIC's wire endpoint index
export const E_DMA_BASE = EMU + 0x0c; // DMA window [base, limit): the only memory the device reads or writes
export const E_DMA_LIMIT = EMU + 0x10;
export const E_DMA_ERRORS = EMU + 0x14; // descriptors or buffers refused because they left the window
export const E_LAST_ERROR = EMU + 0x18; // last refusal: one of the ERR_* codes below
export const E_LAST_ERROR_ARG = EMU + 0x1c; // its address, offset or value
export const E_REG_ERRORS = EMU + 0x20; // register writes refused (nonsense values, read-only registers)
export const E_TX_FIFO = EMU + 0x24; // address of the device's transmit FIFO (gathers multi-descriptor frames)
export const E_TX_FIFO_BYTES = EMU + 0x28;
export const E_TX_FIFO_FILL = EMU + 0x2c; // bytes of the frame being gathered
export const E_TX_FIFO_BAD = EMU + 0x30; // 1 if a fragment of the frame being gathered was refused
export const E_INDEX = EMU + 0x34; // this NIC's number in the machine
export const E_EEPROM_MAC_LO = EMU + 0x38; // permanent address bytes 0-3 (loaded into RAL0 at reset)
export const E_EEPROM_MAC_HI = EMU + 0x3c; // permanent address bytes 4-5
export const E_TX_FRAMES = EMU + 0x40; // frames handed to the wire (never cleared, unlike GPTC)
export const E_RX_FRAMES = EMU + 0x44; // frames written into the RX ring (never cleared, unlike GPRC)
export const E_TX_DROPPED = EMU + 0x48; // frames the device would not send (too long, refused DMA)
export const E_RX_FILTERED = EMU + 0x4c; // frames discarded by the address filter
export const E_STAT64_LATCH = EMU + 0x50; // reserved
export const E_RX_DESC_BUDGET = EMU + 0x54; // reserved

// Refusal codes in E_LAST_ERROR.
export const ERR_NONE = 0;
export const ERR_REG_OFFSET = 1; // register offset outside the block or not 4-byte aligned
export const ERR_REG_READ_ONLY = 2; // write to a read-only register
export const ERR_REG_VALUE = 3; // value the register cannot hold (ring length, head/tail, alignment)
export const ERR_RING_EMPTY_LENGTH = 4; // ring enabled with RDLEN/TDLEN = 0
export const ERR_RING_OUTSIDE_DMA = 5; // descriptor ring not inside the DMA window
export const ERR_BUFFER_OUTSIDE_DMA = 6; // descriptor's buffer not inside the DMA window
export const ERR_DESC_UNSUPPORTED = 7; // an extended (DEXT) descriptor in a legacy ring
export const ERR_FRAME_TOO_LONG = 8; // transmit frame longer than the wire carries
export const ERR_RX_BUFFER_TOO_SMALL = 9; // frame needs more receive descriptors than are free

// ---- Wire endpoints ---------------------------------------------------------------------------
// An endpoint is a place a cable plugs in: a NIC's port or one port of a switch.
export const ENDPOINT_BYTES = 16;
export const EP_KIND = 0; // ENDPOINT_NONE / ENDPOINT_NIC / ENDPOINT_SWITCH_PORT
export const EP_OWNER = 4; // NIC number or switch number
export const EP_PORT = 8; // the switch's port number (switch ports only)
export const EP_LINK = 12; // link number + 1, or 0 when nothing is plugged in
export const ENDPOINT_NONE = 0;
export const ENDPOINT_NIC = 1;
export const ENDPOINT_SWITCH_PORT = 2;

// ---- Links (a cable, or a loopback plug when both ends are the same endpoint) -----------------
export const LINK_BYTES = 128;
export const L_END_A = 0;
export const L_END_B = 4;
export const L_UP = 8; // 1 carrier present, 0 unplugged/down
export const L_PRNG = 16; // u64 fault PRNG state (xorshift64*), seeded by the core
export const L_DROP_P = 24; // probability of dropping a frame, as p * 2^32 (0 = never)
export const L_CORRUPT_P = 28; // probability of flipping one bit of a frame, p * 2^32
export const L_REORDER_P = 32; // probability of holding a frame back by L_REORDER_NS, p * 2^32
export const L_DELAY_NS = 36; // every frame arrives this many ns (virtual) after it was sent
export const L_REORDER_NS = 40; // extra hold for a reordered frame, ns
export const L_QUEUE = 44; // address of the held-frame slots
export const L_QUEUE_SLOTS = 48; // number of slots
export const L_QUEUE_USED = 52; // slots in use
export const L_SEQ = 56; // frames accepted onto the link so far (orders held frames)
export const L_FRAMES = 60; // frames carried
export const L_DROPPED = 64; // dropped by the fault injector
export const L_CORRUPTED = 68; // corrupted by the fault injector
export const L_DELAYED = 72; // held back because of a delay
export const L_REORDERED = 76; // held back to be overtaken
export const L_DOWN_DROPS = 80; // lost because the link was down
export const L_OVERFLOWS = 84; // lost because every slot was holding a frame
export const L_TOUCHED = 88; // frames the fault injector changed in any way (for capture comments)

// ---- Held-frame slot (one frame a link holds back) ----------------------------------------------
export const Q_DUE_NS = 0; // u64 virtual time at which the frame arrives
export const Q_SEQ = 8; // link sequence number, breaks ties in arrival order
export const Q_TO = 12; // destination endpoint
export const Q_LEN = 16; // wire length in bytes, FCS included
export const Q_FLAGS = 20; // FRAME_* flags
export const Q_HEADER_BYTES = 32;
export const Q_DATA = 32; // the frame bytes

// Frame flags carried with a frame along the wire.
// FRAME_FCS_LAZY: the FCS is the CRC-32 of the frame's bytes and was not written out: the
// transmitter set IFCS and nothing touched the bits since. A receiver that must show the FCS
// (RCTL.SECRC = 0) computes it then. Hardware checks CRCs in silicon for free; the emulator only
// spends cycles on a CRC whose bytes someone can see, or on a frame whose bits it did not make.
export const FRAME_FCS_LAZY = 1;
export const FRAME_CORRUPTED = 2; // the fault injector flipped a bit
export const FRAME_DELAYED = 4; // the fault injector held it back
export const FRAME_REORDERED = 8; // the fault injector let later frames overtake it

// ---- Switch (learning, store and forward, no delay of its own) ----------------------------------
export const SWITCH_BYTES = 32;
export const S_PORT_COUNT = 0;
export const S_FIRST_ENDPOINT = 4; // endpoint of port 0; port p is endpoint S_FIRST_ENDPOINT + p
export const S_TABLE = 8; // address of the MAC table
export const S_TABLE_ENTRIES = 12;
export const S_NEXT_VICTIM = 16; // round-robin replacement when the table is full
export const S_FLOODED = 20; // frames sent out of every other port
export const S_FORWARDED = 24; // frames sent out of one learned port
export const S_FILTERED = 28; // frames whose destination is on the port they came from
export const MAC_ENTRY_BYTES = 8; // u32 address bytes 0-3, u16 bytes 4-5, u16 port + 1 (0 = free)
