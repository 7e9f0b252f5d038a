// The built-in miniport: NDIS's view of one virtual e1000 adapter. It drives the NIC through its
// registers and rings (core/nic) and runs the miniport adapter state machine. This first part
// brings the adapter up, restarts and pauses it; the datapath (NBLs to TX descriptors, receive
// indications from the RX ring) builds on it.

import { StateMachine } from './state-machine.ts';
import { MINIPORT_ADAPTER, type MiniportState, type MiniportEvent } from './states.ts';
import { bringUp } from '../nic/bringup.ts';
import { STATUS_LU } from '../../wasm/e1000/registers.ts';
import { MediaConnectStateConnected, MediaConnectStateDisconnected } from './constants.ts';
import type { Nic } from '../nic/nic.ts';
import type { NdisRuntime } from './runtime.ts';

export class MiniportAdapter {
  readonly sm: StateMachine<MiniportState, MiniportEvent>;

  constructor(private readonly runtime: NdisRuntime, readonly nic: Nic, readonly name: string) {
    this.sm = new StateMachine(MINIPORT_ADAPTER, `adapter ${name}`, (t) => runtime.trace.record('state', { object: t.object, from: t.from, to: t.to, on: t.on }));
  }

  get state(): MiniportState {
    return this.sm.state;
  }

  /** MiniportInitializeEx: reset the NIC, set up its rings, leave the adapter Paused. */
  initialize(): void {
    this.sm.fire('Initialize');
    bringUp(this.runtime.machine, this.nic, { stripCrc: true });
    this.sm.fire('InitializeComplete');
  }

  /** MiniportRestart. */
  restart(): void {
    if (this.sm.is('Running')) return;
    this.sm.fire('Restart');
    this.sm.fire('RestartComplete');
  }

  /** MiniportPause. */
  pause(): void {
    if (!this.sm.is('Running')) return;
    this.sm.fire('Pause');
    this.sm.fire('PauseComplete');
  }

  /** MediaConnectStateConnected when STATUS.LU is set. */
  mediaConnectState(): number {
    return this.nic.peek('STATUS') & STATUS_LU ? MediaConnectStateConnected : MediaConnectStateDisconnected;
  }
}
