// The three state machines of NDIS 6 the runtime runs, as data. Seed 000 (Binding States of a
// Protocol Driver) defines the binding; seed 004 (Pausing a Filter Module) and the filter
// driver documentation the filter module; the miniport adapter follows the NDIS 6 miniport
// adapter states (the NDIS_MINIPORT_STATE values plus Shutdown).

import type { MachineSpec } from './state-machine.ts';

export type BindingState = 'Unbound' | 'Opening' | 'Running' | 'Closing' | 'Pausing' | 'Paused' | 'Restarting';
export type BindingEvent =
  | 'BindAdapter' | 'OpenFailed' | 'OpenComplete' | 'Restart' | 'RestartComplete' | 'RestartFailed'
  | 'Pause' | 'PauseComplete' | 'UnbindAdapter' | 'UnbindComplete';

export const PROTOCOL_BINDING: MachineSpec<BindingState, BindingEvent> = {
  name: 'protocol binding',
  states: ['Unbound', 'Opening', 'Running', 'Closing', 'Pausing', 'Paused', 'Restarting'],
  initial: 'Unbound',
  transitions: [
    { from: 'Unbound', on: 'BindAdapter', to: 'Opening', source: '000 Opening: NDIS calls ProtocolBindAdapterEx' },
    { from: 'Opening', on: 'OpenFailed', to: 'Unbound', source: '000 Opening: the driver fails to bind' },
    { from: 'Opening', on: 'OpenComplete', to: 'Paused', source: '000 Paused: an open completes successfully (a new binding is Paused, not Running)' },
    { from: 'Paused', on: 'Restart', to: 'Restarting', source: '000 Restarting: a PnP restart notification while Paused' },
    { from: 'Restarting', on: 'RestartComplete', to: 'Running', source: '000 Running: the driver is ready to send and receive' },
    { from: 'Restarting', on: 'RestartFailed', to: 'Paused', source: '000 Restarting: if the restart fails, the binding returns to Paused' },
    { from: 'Running', on: 'Pause', to: 'Pausing', source: '000 Pausing: a PnP pause notification while Running' },
    { from: 'Pausing', on: 'PauseComplete', to: 'Paused', source: '000 Paused: the pause operation is complete' },
    { from: 'Paused', on: 'UnbindAdapter', to: 'Closing', source: '000 Closing / 001: NDIS calls ProtocolUnbindAdapterEx on a Paused binding' },
    { from: 'Closing', on: 'UnbindComplete', to: 'Unbound', source: '000 Unbound / 001: the unbind operations are complete' },
  ],
};

export type FilterModuleState = 'Detached' | 'Attaching' | 'Paused' | 'Restarting' | 'Running' | 'Pausing';
export type FilterModuleEvent =
  | 'Attach' | 'AttachFailed' | 'AttachComplete' | 'Restart' | 'RestartComplete' | 'RestartFailed'
  | 'Pause' | 'PauseComplete' | 'Detach';

export const FILTER_MODULE: MachineSpec<FilterModuleState, FilterModuleEvent> = {
  name: 'filter module',
  states: ['Detached', 'Attaching', 'Paused', 'Restarting', 'Running', 'Pausing'],
  initial: 'Detached',
  transitions: [
    { from: 'Detached', on: 'Attach', to: 'Attaching', source: 'Filter module states: NDIS calls FilterAttach' },
    { from: 'Attaching', on: 'AttachFailed', to: 'Detached', source: 'Filter module states: FilterAttach fails' },
    { from: 'Attaching', on: 'AttachComplete', to: 'Paused', source: 'Filter module states: FilterAttach succeeds, the module is Paused' },
    { from: 'Paused', on: 'Restart', to: 'Restarting', source: '004: NDIS may restart a Paused module (FilterRestart)' },
    { from: 'Restarting', on: 'RestartComplete', to: 'Running', source: 'Starting a filter module: the restart completes' },
    { from: 'Restarting', on: 'RestartFailed', to: 'Paused', source: 'Starting a filter module: a failed restart leaves the module Paused' },
    { from: 'Running', on: 'Pause', to: 'Pausing', source: '004: the module is Pausing from the start of FilterPause' },
    { from: 'Pausing', on: 'PauseComplete', to: 'Paused', source: '004: the pause completes (return SUCCESS, or NdisFPauseComplete)' },
    { from: 'Paused', on: 'Detach', to: 'Detached', source: '004: NDIS may detach a Paused module (FilterDetach; there is no Detaching state)' },
  ],
};

export type MiniportState = 'Halted' | 'Initializing' | 'Paused' | 'Restarting' | 'Running' | 'Pausing' | 'Shutdown';
export type MiniportEvent =
  | 'Initialize' | 'InitializeFailed' | 'InitializeComplete' | 'Restart' | 'RestartComplete' | 'RestartFailed'
  | 'Pause' | 'PauseComplete' | 'Halt' | 'Shutdown';

export const MINIPORT_ADAPTER: MachineSpec<MiniportState, MiniportEvent> = {
  name: 'miniport adapter',
  states: ['Halted', 'Initializing', 'Paused', 'Restarting', 'Running', 'Pausing', 'Shutdown'],
  initial: 'Halted',
  transitions: [
    { from: 'Halted', on: 'Initialize', to: 'Initializing', source: 'Miniport adapter states: NDIS calls MiniportInitializeEx' },
    { from: 'Initializing', on: 'InitializeFailed', to: 'Halted', source: 'Miniport adapter states: initialization fails' },
    { from: 'Initializing', on: 'InitializeComplete', to: 'Paused', source: 'Miniport adapter states: an initialized adapter is Paused' },
    { from: 'Paused', on: 'Restart', to: 'Restarting', source: 'Miniport adapter states: MiniportRestart' },
    { from: 'Restarting', on: 'RestartComplete', to: 'Running', source: 'Miniport adapter states: the restart completes' },
    { from: 'Restarting', on: 'RestartFailed', to: 'Paused', source: 'Miniport adapter states: a failed restart returns to Paused' },
    { from: 'Running', on: 'Pause', to: 'Pausing', source: 'Miniport adapter states: MiniportPause' },
    { from: 'Pausing', on: 'PauseComplete', to: 'Paused', source: 'Miniport adapter states: the pause completes' },
    { from: 'Paused', on: 'Halt', to: 'Halted', source: 'Miniport adapter states: MiniportHaltEx on a Paused adapter' },
    { from: 'Running', on: 'Shutdown', to: 'Shutdown', source: 'Miniport adapter states: MiniportShutdownEx' },
    { from: 'Paused', on: 'Shutdown', to: 'Shutdown', source: 'Miniport adapter states: MiniportShutdownEx' },
  ],
};
