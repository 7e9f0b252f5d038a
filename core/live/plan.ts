// What the core tells each live thread when the stack goes live: which rings it produces into and
// consumes from, for which layer, and whose NBLs those are. Plain data (it crosses the call channel
// as JSON); ring positions are byte offsets into the machine's memory (its SPSC region).
//
// Between two neighbouring layers of one adapter's stack (the miniport at the bottom, the filter
// modules, the protocol binding on top) there are two rings: "down" (the upper layer produces
// sends and returns) and "up" (the lower layer produces indications and send completions). An
// entry is the index of the head of an NBL chain, with SECOND_KIND set for a return (down) or a
// completion (up).

/** Entry bit: a return on a down ring, a send completion on an up ring. */
export const SECOND_KIND = 0x80000000;
/** The NBL index in an entry. */
export const ENTRY_INDEX = 0x7fffffff;

export type LiveTransport = 'rings' | 'postmessage';

/** The two rings to one neighbouring layer, and who that layer is. */
export interface NeighbourPlan {
  /** Byte offset of the down ring (sends, returns). */
  down: number;
  /** Byte offset of the up ring (indications, completions). */
  up: number;
  /** Holder id of the neighbour (its NBLs carry it in the control block). */
  holder: number;
  /** Bell (thread) index of the neighbour, to wake it. */
  thread: number;
  /** Who the neighbour is, for findings: a driver's name or "miniport nic0". */
  name: string;
}

/** A protocol binding in a driver's worker. */
export interface BindingPlan {
  /** Id of the NdisBindingHandle NdisOpenAdapterEx returned. */
  handle: number;
  adapter: number;
  /** What it calls NDIS's layer below it: "binding proto/nic0". */
  object: string;
  below: NeighbourPlan;
}

/** A filter module in a driver's worker. */
export interface ModulePlan {
  /** Id of the module's NdisFilterHandle. */
  handle: number;
  adapter: number;
  object: string;
  below: NeighbourPlan;
  above: NeighbourPlan;
}

export interface PumpTuning {
  /** Empty passes over the rings before parking. */
  spins: number;
  /** Longest park (ms) before looking again (control requests wake a parked thread this late). */
  parkMs: number;
  transport: LiveTransport;
}

export interface DriverLivePlan extends PumpTuning {
  driver: string;
  /** This driver's holder id (its owner id in the NBL pool). */
  holder: number;
  /** Its bell index. */
  thread: number;
  /** NBLs it may allocate while live (NdisAllocateNetBufferAndNetBufferList takes from these). */
  reserve: number[];
  bindings: BindingPlan[];
  modules: ModulePlan[];
}

/** One adapter as the live miniport thread runs it. */
export interface AdapterPlan {
  index: number;
  name: string;
  holder: number;
  /** Byte address of the NIC's register block. */
  registers: number;
  txRing: number;
  txCount: number;
  rxRing: number;
  rxCount: number;
  /** RX descriptor index -> the NBL whose buffer it holds. */
  rxNbl: number[];
  above: NeighbourPlan;
}

export interface MiniportLivePlan extends PumpTuning {
  thread: number;
  header: number;
  /** Frames per NIC per device step. */
  budget: number;
  adapters: AdapterPlan[];
}
