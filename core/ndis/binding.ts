// A protocol's binding to one adapter, as seed 000 (Binding States of a Protocol Driver) gives it:
// its state machine, the handles NDIS gave out for it, and what the verifier counts on it (sends,
// OID requests and receives outstanding, a PnP event pending). The operations on bindings are in
// protocol-binding.ts (bind, open, close, unbind) and pnp-delivery.ts (PnP events).

import type { Trace } from '../trace/trace.ts';
import { StateMachine } from './state-machine.ts';
import { PROTOCOL_BINDING, type BindingState, type BindingEvent } from './states.ts';
import type { NdisHandle } from './handle.ts';
import type { MiniportAdapter } from './miniport.ts';
import type { DriverRecord, NetPnPEventNotification } from './driver-record.ts';

export interface PendingPnp {
  notification: NetPnPEventNotification;
  done: (status: number) => void;
  watchdog: number;
}

/** A protocol's binding to one adapter: the seven states of seed 000 and what the verifier tracks. */
export class Binding {
  readonly sm: StateMachine<BindingState, BindingEvent>;
  context: unknown = undefined;
  /** The NdisBindingHandle NdisOpenAdapterEx gave out, while it is valid. */
  handle: NdisHandle | undefined;
  bindContext: NdisHandle | undefined;
  bindDone: ((status: number) => void) | undefined;
  bindWatchdog = 0;
  unbindContext: NdisHandle | undefined;
  unbindDone: (() => void) | undefined;
  /** The driver called NdisCompleteBindAdapterEx / NdisCompleteUnbindAdapterEx for the bind or unbind under way. */
  bindCompleteCalled = false;
  unbindCompleteCalled = false;
  unbindWatchdog = 0;
  opened = false;
  closed = false;
  /** NdisOpenAdapterEx returned PENDING and ProtocolOpenAdapterCompleteEx has not come yet. */
  openPending = false;
  /** NdisCloseAdapterEx returned PENDING and ProtocolCloseAdapterCompleteEx has not come yet. */
  closePending = false;
  /** The id of its binding handle, the SourceHandle its sends carry (the protocol sets it; NDIS checks and returns completions by it). Kept after the close, for completions still on their way. */
  sourceId = 0;
  /** Set once NdisUnbindAdapter returned: from then on the handle may only be closed. */
  unbindRequested = false;
  pendingPnp: PendingPnp | undefined;
  sendsOutstanding = 0;
  oidsOutstanding = 0;
  /**
   * This binding's own packet filter (NDIS_PACKET_TYPE_*): NDIS keeps one per binding, 0 from the
   * open ("During a call to NdisOpenAdapter, NDIS disables packet reception"), and indicates a
   * frame to the binding only if this accepts it. The miniport gets the OR of all of them.
   */
  packetFilter = 0;
  /** A filter set on its way down (the value it will become if the miniport succeeds it), or -1. */
  pendingPacketFilter = -1;
  /**
   * This binding's own multicast list (OID_802_3_MULTICAST_LIST; macKey each, no duplicates):
   * empty from the open (NDIS disables "multicast and functional addresses during a call to the
   * NdisOpenAdapterEx function", OID_GEN_CURRENT_PACKET_FILTER). A frame to a group is indicated
   * to the binding under NDIS_PACKET_TYPE_MULTICAST only if the group is in this list; the
   * miniport gets the union of all of them.
   */
  multicastKeys: readonly number[] = [];
  /** A multicast list set on its way down (what multicastKeys becomes if the miniport succeeds it). */
  pendingMulticastKeys: readonly number[] | undefined;
  /** It succeeded the last NetEventQueryRemoveDevice (so a NetEventCancelRemoveDevice is for it). */
  agreedToRemove = false;
  /** Receive NBLs indicated to this binding without RESOURCES and not yet returned. */
  readonly held = new Set<number>();
  /** NBLs last indicated to this binding with NDIS_RECEIVE_FLAGS_RESOURCES (not the protocol's to return). */
  readonly lentWithResources = new Set<number>();

  get receivesHeld(): number {
    return this.held.size;
  }

  constructor(readonly name: string, readonly protocol: DriverRecord, readonly adapter: MiniportAdapter, trace: Trace) {
    this.sm = new StateMachine(PROTOCOL_BINDING, `binding ${name}`, (t) => trace.record('state', { object: t.object, from: t.from, to: t.to, on: t.on }));
  }

  get state(): BindingState {
    return this.sm.state;
  }
}
