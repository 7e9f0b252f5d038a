// The Intel 82540EM (e1000) register set and descriptor formats, as the device implements them.
//
// One source for both sides of the bus: the AssemblyScript device (wasm/assembly) and the
// TypeScript driver side (core/nic) import these same constants, so a register offset or a
// bit can never disagree between the hardware and the code that drives it. Offsets are byte
// offsets into the NIC's register block (BAR0 on real hardware); names and values follow the
// PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's Manual (8254x).
// Only plain integer constants live here so that the file is valid AssemblyScript and TypeScript.

// ---- General registers -------------------------------------------------------------------
export const CTRL: u32 = 0x0000; // Device Control
export const STATUS: u32 = 0x0008; // Device Status (read only)
export const EECD: u32 = 0x0010; // EEPROM/Flash Control
export const EERD: u32 = 0x0014; // EEPROM Read
export const CTRL_EXT: u32 = 0x0018; // Extended Device Control
export const MDIC: u32 = 0x0020; // MDI Control
export const FCAL: u32 = 0x0028; // Flow Control Address Low
export const FCAH: u32 = 0x002c; // Flow Control Address High
export const FCT: u32 = 0x0030; // Flow Control Type
export const VET: u32 = 0x0038; // VLAN Ether Type
export const ICR: u32 = 0x00c0; // Interrupt Cause Read (read to clear, write 1 to clear)
export const ITR: u32 = 0x00c4; // Interrupt Throttling
export const ICS: u32 = 0x00c8; // Interrupt Cause Set (write only)
export const IMS: u32 = 0x00d0; // Interrupt Mask Set/Read
export const IMC: u32 = 0x00d8; // Interrupt Mask Clear (write only)
export const RCTL: u32 = 0x0100; // Receive Control
export const FCTTV: u32 = 0x0170; // Flow Control Transmit Timer Value
export const TXCW: u32 = 0x0178; // Transmit Configuration Word
export const RXCW: u32 = 0x0180; // Receive Configuration Word
export const TCTL: u32 = 0x0400; // Transmit Control
export const TIPG: u32 = 0x0410; // Transmit Inter Packet Gap
export const LEDCTL: u32 = 0x0e00; // LED Control
export const PBA: u32 = 0x1000; // Packet Buffer Allocation
export const FCRTL: u32 = 0x2160; // Flow Control Receive Threshold Low
export const FCRTH: u32 = 0x2168; // Flow Control Receive Threshold High

// ---- Receive descriptor ring ---------------------------------------------------------------
export const RDBAL: u32 = 0x2800; // Receive Descriptor Base Address Low (16-byte aligned)
export const RDBAH: u32 = 0x2804; // Receive Descriptor Base Address High (0 here: memory is 32-bit)
export const RDLEN: u32 = 0x2808; // Receive Descriptor Length in bytes (multiple of 128)
export const RDH: u32 = 0x2810; // Receive Descriptor Head (written by the device)
export const RDT: u32 = 0x2818; // Receive Descriptor Tail (written by the driver)
export const RDTR: u32 = 0x2820; // Receive Delay Timer
export const RADV: u32 = 0x282c; // Receive Interrupt Absolute Delay Timer
export const RSRPD: u32 = 0x2c00; // Receive Small Packet Detect

// ---- Transmit descriptor ring --------------------------------------------------------------
export const TDBAL: u32 = 0x3800; // Transmit Descriptor Base Address Low (16-byte aligned)
export const TDBAH: u32 = 0x3804; // Transmit Descriptor Base Address High (0 here)
export const TDLEN: u32 = 0x3808; // Transmit Descriptor Length in bytes (multiple of 128)
export const TDH: u32 = 0x3810; // Transmit Descriptor Head (written by the device)
export const TDT: u32 = 0x3818; // Transmit Descriptor Tail (the doorbell, written by the driver)
export const TIDV: u32 = 0x3820; // Transmit Interrupt Delay Value
export const TXDCTL: u32 = 0x3828; // Transmit Descriptor Control
export const TADV: u32 = 0x382c; // Transmit Absolute Interrupt Delay Value
export const RXCSUM: u32 = 0x5000; // Receive Checksum Control

// ---- Receive address filtering -------------------------------------------------------------
export const MTA: u32 = 0x5200; // Multicast Table Array: 128 x 32-bit words, 0x5200..0x53FC
export const MTA_WORDS: u32 = 128;
export const RAL: u32 = 0x5400; // Receive Address Low, entry n at RAL + 8n (16 entries)
export const RAH: u32 = 0x5404; // Receive Address High, entry n at RAH + 8n
export const RA_ENTRIES: u32 = 16;
export const VFTA: u32 = 0x5600; // VLAN Filter Table Array: 128 words

// ---- Statistics (read to clear; 64-bit counters clear when their high half is read) --------
export const CRCERRS: u32 = 0x4000; // CRC Error Count
export const ALGNERRC: u32 = 0x4004; // Alignment Error Count
export const SYMERRS: u32 = 0x4008; // Symbol Error Count
export const RXERRC: u32 = 0x400c; // RX Error Count
export const MPC: u32 = 0x4010; // Missed Packets Count (no receive descriptor available)
export const SCC: u32 = 0x4014; // Single Collision Count
export const ECOL: u32 = 0x4018; // Excessive Collisions Count
export const MCC: u32 = 0x401c; // Multiple Collision Count
export const LATECOL: u32 = 0x4020; // Late Collisions Count
export const COLC: u32 = 0x4028; // Collision Count
export const DC: u32 = 0x4030; // Defer Count
export const TNCRS: u32 = 0x4034; // Transmit with No CRS
export const SEC: u32 = 0x4038; // Sequence Error Count
export const CEXTERR: u32 = 0x403c; // Carrier Extension Error Count
export const RLEC: u32 = 0x4040; // Receive Length Error Count
export const XONRXC: u32 = 0x4048; // XON Received Count
export const XONTXC: u32 = 0x404c; // XON Transmitted Count
export const XOFFRXC: u32 = 0x4050; // XOFF Received Count
export const XOFFTXC: u32 = 0x4054; // XOFF Transmitted Count
export const FCRUC: u32 = 0x4058; // FC Received Unsupported Count
export const PRC64: u32 = 0x405c; // Packets Received (64 bytes) Count
export const PRC127: u32 = 0x4060; // Packets Received (65-127 bytes)
export const PRC255: u32 = 0x4064; // Packets Received (128-255 bytes)
export const PRC511: u32 = 0x4068; // Packets Received (256-511 bytes)
export const PRC1023: u32 = 0x406c; // Packets Received (512-1023 bytes)
export const PRC1522: u32 = 0x4070; // Packets Received (1024-Max bytes)
export const GPRC: u32 = 0x4074; // Good Packets Received Count
export const BPRC: u32 = 0x4078; // Broadcast Packets Received Count
export const MPRC: u32 = 0x407c; // Multicast Packets Received Count
export const GPTC: u32 = 0x4080; // Good Packets Transmitted Count
export const GORCL: u32 = 0x4088; // Good Octets Received Count (low)
export const GORCH: u32 = 0x408c; // Good Octets Received Count (high)
export const GOTCL: u32 = 0x4090; // Good Octets Transmitted Count (low)
export const GOTCH: u32 = 0x4094; // Good Octets Transmitted Count (high)
export const RNBC: u32 = 0x40a0; // Receive No Buffers Count
export const RUC: u32 = 0x40a4; // Receive Undersize Count
export const RFC: u32 = 0x40a8; // Receive Fragment Count
export const ROC: u32 = 0x40ac; // Receive Oversize Count
export const RJC: u32 = 0x40b0; // Receive Jabber Count
export const TORL: u32 = 0x40c0; // Total Octets Received (low)
export const TORH: u32 = 0x40c4; // Total Octets Received (high)
export const TOTL: u32 = 0x40c8; // Total Octets Transmitted (low)
export const TOTH: u32 = 0x40cc; // Total Octets Transmitted (high)
export const TPR: u32 = 0x40d0; // Total Packets Received
export const TPT: u32 = 0x40d4; // Total Packets Transmitted
export const PTC64: u32 = 0x40d8; // Packets Transmitted (64 bytes) Count
export const PTC127: u32 = 0x40dc;
export const PTC255: u32 = 0x40e0;
export const PTC511: u32 = 0x40e4;
export const PTC1023: u32 = 0x40e8;
export const PTC1522: u32 = 0x40ec;
export const MPTC: u32 = 0x40f0; // Multicast Packets Transmitted Count
export const BPTC: u32 = 0x40f4; // Broadcast Packets Transmitted Count
export const STATS_FIRST: u32 = 0x4000;
export const STATS_END: u32 = 0x4100; // exclusive

// ---- CTRL bits ------------------------------------------------------------------------------
export const CTRL_FD: u32 = 1 << 0; // Full duplex
export const CTRL_LRST: u32 = 1 << 3; // Link reset
export const CTRL_ASDE: u32 = 1 << 5; // Auto-speed detection enable
export const CTRL_SLU: u32 = 1 << 6; // Set link up: the link comes up only when this is set
export const CTRL_ILOS: u32 = 1 << 7; // Invert loss-of-signal
export const CTRL_SPEED_MASK: u32 = 3 << 8;
export const CTRL_FRCSPD: u32 = 1 << 11;
export const CTRL_FRCDPLX: u32 = 1 << 12;
export const CTRL_RST: u32 = 1 << 26; // Device reset (self-clearing)
export const CTRL_VME: u32 = 1 << 30; // VLAN mode enable
export const CTRL_PHY_RST: u32 = 0x80000000;

// ---- STATUS bits ----------------------------------------------------------------------------
export const STATUS_FD: u32 = 1 << 0; // Full duplex
export const STATUS_LU: u32 = 1 << 1; // Link up
export const STATUS_TXOFF: u32 = 1 << 4;
export const STATUS_SPEED_SHIFT: u32 = 6; // 00 = 10 Mb/s, 01 = 100 Mb/s, 10/11 = 1000 Mb/s
export const STATUS_SPEED_MASK: u32 = 3 << 6;
export const STATUS_SPEED_1000: u32 = 2 << 6;

// ---- Interrupt cause bits (ICR, ICS, IMS, IMC) ----------------------------------------------
export const ICR_TXDW: u32 = 1 << 0; // Transmit descriptor written back
export const ICR_TXQE: u32 = 1 << 1; // Transmit queue empty
export const ICR_LSC: u32 = 1 << 2; // Link status change
export const ICR_RXSEQ: u32 = 1 << 3; // Receive sequence error
export const ICR_RXDMT0: u32 = 1 << 4; // Receive descriptor minimum threshold reached
export const ICR_RXO: u32 = 1 << 6; // Receiver overrun
export const ICR_RXT0: u32 = 1 << 7; // Receiver timer interrupt (a frame was received)
export const ICR_MDAC: u32 = 1 << 9;
export const ICR_TXD_LOW: u32 = 1 << 15;
export const ICR_SRPD: u32 = 1 << 16;
export const ICR_VALID_MASK: u32 = 0x1f6df; // causes the 82540EM defines (others are reserved)

// ---- RCTL bits ------------------------------------------------------------------------------
export const RCTL_EN: u32 = 1 << 1; // Receiver enable
export const RCTL_SBP: u32 = 1 << 2; // Store bad packets
export const RCTL_UPE: u32 = 1 << 3; // Unicast promiscuous
export const RCTL_MPE: u32 = 1 << 4; // Multicast promiscuous
export const RCTL_LPE: u32 = 1 << 5; // Long packet enable
export const RCTL_LBM_SHIFT: u32 = 6; // Loopback mode: 00 none, 01 MAC loopback
export const RCTL_LBM_MASK: u32 = 3 << 6;
export const RCTL_LBM_MAC: u32 = 1 << 6;
export const RCTL_RDMTS_SHIFT: u32 = 8; // Free-descriptor threshold: 00 1/2, 01 1/4, 10 1/8 of the ring
export const RCTL_RDMTS_MASK: u32 = 3 << 8;
export const RCTL_MO_SHIFT: u32 = 12; // Multicast offset: which 12 address bits index the MTA
export const RCTL_MO_MASK: u32 = 3 << 12;
export const RCTL_BAM: u32 = 1 << 15; // Broadcast accept mode
export const RCTL_BSIZE_SHIFT: u32 = 16; // 00 2048, 01 1024, 10 512, 11 256 bytes (x16 with BSEX)
export const RCTL_BSIZE_MASK: u32 = 3 << 16;
export const RCTL_VFE: u32 = 1 << 18;
export const RCTL_BSEX: u32 = 1 << 25; // Buffer size extension
export const RCTL_SECRC: u32 = 1 << 26; // Strip Ethernet CRC from the received frame

// ---- TCTL bits ------------------------------------------------------------------------------
export const TCTL_EN: u32 = 1 << 1; // Transmit enable
export const TCTL_PSP: u32 = 1 << 3; // Pad short packets to 64 bytes
export const TCTL_CT_SHIFT: u32 = 4;
export const TCTL_COLD_SHIFT: u32 = 12;

// ---- RAH bits -------------------------------------------------------------------------------
export const RAH_AV: u32 = 0x80000000; // Address valid

// ---- Legacy transmit descriptor (16 bytes) --------------------------------------------------
export const DESC_SIZE: u32 = 16;
export const TXD_ADDR: u32 = 0; // u64 buffer address
export const TXD_LENGTH: u32 = 8; // u16 bytes in this buffer
export const TXD_CSO: u32 = 10; // u8 checksum offset
export const TXD_CMD: u32 = 11; // u8 command
export const TXD_STATUS: u32 = 12; // u8 status (low nibble) + reserved
export const TXD_CSS: u32 = 13; // u8 checksum start
export const TXD_SPECIAL: u32 = 14; // u16
export const TXD_CMD_EOP: u32 = 1 << 0; // End of packet
export const TXD_CMD_IFCS: u32 = 1 << 1; // Insert FCS
export const TXD_CMD_IC: u32 = 1 << 2; // Insert checksum
export const TXD_CMD_RS: u32 = 1 << 3; // Report status: write DD back
export const TXD_CMD_RPS: u32 = 1 << 4; // Report packet sent
export const TXD_CMD_DEXT: u32 = 1 << 5; // Descriptor extension (not the legacy format: refused)
export const TXD_CMD_VLE: u32 = 1 << 6; // VLAN packet enable
export const TXD_CMD_IDE: u32 = 1 << 7; // Interrupt delay enable
export const TXD_STAT_DD: u32 = 1 << 0; // Descriptor done
export const TXD_STAT_EC: u32 = 1 << 1; // Excess collisions
export const TXD_STAT_LC: u32 = 1 << 2; // Late collision
export const TXD_STAT_TU: u32 = 1 << 3; // Transmit underrun

// ---- Legacy receive descriptor (16 bytes) ---------------------------------------------------
export const RXD_ADDR: u32 = 0; // u64 buffer address
export const RXD_LENGTH: u32 = 8; // u16 bytes written into the buffer
export const RXD_CSUM: u32 = 10; // u16 packet checksum
export const RXD_STATUS: u32 = 12; // u8 status
export const RXD_ERRORS: u32 = 13; // u8 errors
export const RXD_SPECIAL: u32 = 14; // u16
export const RXD_STAT_DD: u32 = 1 << 0; // Descriptor done
export const RXD_STAT_EOP: u32 = 1 << 1; // End of packet
export const RXD_STAT_IXSM: u32 = 1 << 2; // Ignore checksum indication
export const RXD_STAT_VP: u32 = 1 << 3; // 802.1Q packet
export const RXD_STAT_TCPCS: u32 = 1 << 5;
export const RXD_STAT_IPCS: u32 = 1 << 6;
export const RXD_STAT_PIF: u32 = 1 << 7; // Passed in-exact filter
export const RXD_ERR_CE: u32 = 1 << 0; // CRC or alignment error
export const RXD_ERR_SE: u32 = 1 << 1; // Symbol error
export const RXD_ERR_SEQ: u32 = 1 << 2; // Sequence error
export const RXD_ERR_CXE: u32 = 1 << 4; // Carrier extension error
export const RXD_ERR_TCPE: u32 = 1 << 5;
export const RXD_ERR_IPE: u32 = 1 << 6;
export const RXD_ERR_RXE: u32 = 1 << 7; // RX data error (here: also a refused DMA)

// ---- Ethernet sizes (bytes) -----------------------------------------------------------------
export const ETH_FCS_LEN: u32 = 4;
export const ETH_MIN_FRAME: u32 = 64; // including FCS
export const ETH_MAX_FRAME: u32 = 1522; // including FCS and one 802.1Q tag
export const ETH_MIN_PADDED: u32 = 60; // what PSP pads a short frame to, before the FCS
