// The coverage map of the seeds (issue 19 item 1): each statement of the five seeds, quoted, with
// a stable id and, where a driver can obey or break it, the lab scenario that grades it, the rule
// that catches its violation, and a one-mistake variant of that lab's solution that
// labs/coverage.test.ts runs to prove it.
// TypeScript rather than JSON so each entry's shape is checked by `npm run typecheck` and the
// mutations' search strings can carry comments saying why they are realistic mistakes.
// The quotations are checked against the seeds' copies in labs/seeds/. A gap's reason says which
// mutation was tried and what the visible scenarios did with it, so the next scenario to write is
// the one that closes it.

export type Status = 'graded' | 'gap' | 'not-modelled' | 'descriptive';

export interface Mutation {
  /** Text of labs/<lab>/solution.ts that occurs exactly once. */
  search: string;
  replacement: string;
  /** Why this is one realistic mistake. */
  mistake: string;
}

export interface Statement {
  /** `<seed>.<n>`, never renumbered. */
  id: string;
  seed: '000' | '001' | '002' | '003' | '004';
  /** Short verbatim quotation of the seed document (labs/seeds/), its Markdown emphasis included; only whitespace may differ. */
  quote: string;
  status: Status;
  /** Why it is not graded (gap, not-modelled, descriptive). */
  reason?: string;
  lab?: string;
  scenarios?: string[];
  /** The verifier rule (core/verifier/rules.ts) whose finding the mutation must produce. */
  rule?: string;
  mutation?: Mutation;
}

/** Each seed's text: the copy in labs/seeds/, which is what the project and its tests read. */
export const SEED_FILES = {
  '000': 'binding-states-of-a-protocol-driver.md',
  '001': 'unbinding-from-an-adapter.md',
  '002': 'protocol-net-pnp-event.txt',
  '003': 'ndis-close-adapter-ex.md',
  '004': 'pausing-a-filter-module.md',
} as const;

export const SEEDS_NOT_YET_MAPPED: readonly string[] = [];

/** filter-pause's receive handler takes only Paused for not Running: while Pausing it goes on answering and passing up (004.4, 004.9). */
const FILTERS_WHILE_PAUSING: Mutation = { search: '      if (m.state !== \'Running\') {\n        // Pausing or Paused', replacement: '      if (m.state === \'Paused\') {\n        // Pausing or Paused', mistake: 'The receive handler stops filtering only once the module is Paused, so while it is Pausing it answers probes and passes data frames up as when Running.' };

/** One mistake breaks both halves of seed 000's send rule (000.8 and 000.15): sending whatever the state. */
const SENDS_WHATEVER_THE_STATE: Mutation = { search: 'if (!b || !b.running || !b.handle) return 0;', replacement: 'if (!b || !b.handle) return 0;', mistake: 'SendFrames forgets to check that the binding is Running, so it sends while Paused.' };

/** Closing the adapter directly where NdisUnbindAdapter is due breaks 001.3, 001.4 and 003.6 at once. */
const CLOSES_INSTEAD_OF_UNBINDING: Mutation = { search: '  NdisUnbindAdapter(b.handle);', replacement: '  close(b);', mistake: 'ReleaseAdapter closes the adapter itself, outside the bind and unbind handlers, instead of asking NDIS with NdisUnbindAdapter.' };

/** The handle of the wrong object passed to NdisCloseAdapterEx (001.12, 003.2). */
const CLOSES_THE_WRONG_HANDLE: Mutation = { search: '  return NdisCloseAdapterEx(handle);', replacement: '  return NdisCloseAdapterEx(b.pool);', mistake: 'NdisCloseAdapterEx is passed the binding\'s NBL pool handle instead of the NdisBindingHandle from NdisOpenAdapterEx.' };

/** Completing the unbind while NdisCloseAdapterEx pends (001.9, 003.3). */
const UNBINDS_BEFORE_THE_CLOSE_COMPLETES: Mutation = { search: '      if (close(b) === NDIS_STATUS_PENDING) return NDIS_STATUS_PENDING; // CloseAdapterCompleteHandlerEx completes it', replacement: '      close(b);', mistake: 'The unbind handler returns NDIS_STATUS_SUCCESS even when NdisCloseAdapterEx returned NDIS_STATUS_PENDING, without waiting for ProtocolCloseAdapterCompleteEx.' };

/** A `default:` that fails the events the driver does nothing for (002.11, 002.16, 002.18, 002.22). */
const FAILS_EVENTS_IT_DOES_NOT_HANDLE: Mutation = { search: '          // do here, and all of them succeed.\n          return NDIS_STATUS_SUCCESS;', replacement: '          // do here, and all of them succeed.\n          return NDIS_STATUS_FAILURE;', mistake: 'ProtocolNetPnPEvent fails every event it has nothing to do for (QueryPower, Reconfigure, PnPCapabilities, CancelRemoveDevice...).' };

/** A pause pended for the sends in flight and never completed (002.6, 002.15). */
const NEVER_COMPLETES_THE_PENDED_PAUSE: Mutation = { search: '        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));', replacement: '', mistake: 'The pause handler pends while sends are out, but the last send completion never calls NdisCompleteNetPnPEvent.' };

/** filter-timer's pause forgets NdisCancelTimerObject: the tick that comes while Paused sends its announcement (004.18, 004.23). */
const FORGETS_TO_CANCEL_THE_TIMER: Mutation = { search: '      NdisCancelTimerObject(m.timer);\n', replacement: '', mistake: 'FilterPause returns the queue but forgets to cancel the timer, so the tick that was due comes while the module is Paused and sends its announcement.' };

export const COVERAGE: readonly Statement[] = [
  { id: '000.1', seed: '000', quote: 'must support the following operational states for each binding', status: 'descriptive', reason: 'The seven states are the runtime\'s state machine (core/ndis/states.ts); a driver cannot leave it.' },
  { id: '000.2', seed: '000', quote: 'The *Unbound* state is the initial state of a binding.', status: 'descriptive', reason: 'NDIS decides the initial state; nothing for the driver to obey.' },
  { id: '000.3', seed: '000', quote: 'After NDIS calls *ProtocolBindAdapterEx*, the binding enters the Opening state.', status: 'descriptive', reason: 'NDIS fires the transition before the handler runs.' },
  { id: '000.4', seed: '000', quote: 'After an unbind operation is complete, a binding returns to the Unbound state from the Closing state.', status: 'descriptive', reason: 'NDIS moves the binding when the unbind completes; the driver\'s part (close, then complete the unbind) is 000.10 and 001.8.' },
  {
    id: '000.5', seed: '000', quote: 'a protocol driver allocates resources for the binding and attempts to open the miniport adapter', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['removal-vetoed-while-open'], rule: 'OpenOutsideBind',
    mutation: { search: '  if (b) b.openCount++;', replacement: "  if (b) { b.openCount++; NdisOpenAdapterEx(protocolHandle!, b, { AdapterName: 'nic' + adapter }, null); }", mistake: 'OpenHandle opens the adapter again for the application with NdisOpenAdapterEx, outside ProtocolBindAdapterEx: the application opening the driver is taken for the driver opening the adapter.' },
  },
  {
    id: '000.6', seed: '000', quote: 'If the protocol driver fails to bind to the miniport adapter, the binding returns to the Unbound state.', status: 'graded',
    lab: 'close-adapter', scenarios: ['bind-fails-cleanly'], rule: 'FailedBindLeftAdapterOpen',
    mutation: { search: '      if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) b.failingBind = { bindContext, status };\n      else NdisCompleteBindAdapterEx(bindContext, status);', replacement: '      NdisCompleteBindAdapterEx(bindContext, status);', mistake: 'A bind whose OID set failed completes with the failure but leaves the adapter it opened open.' },
  },
  { id: '000.7', seed: '000', quote: 'If the driver successfully binds to the miniport adapter, the binding enters the Paused state.', status: 'descriptive', reason: 'NDIS moves the binding to Paused when the bind succeeds; the driver cannot send until a restart (000.15).' },
  {
    id: '000.8', seed: '000', quote: 'a protocol driver performs normal send and receive processing for a binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause-and-restart'], rule: 'ProtocolSendWhileNotRunning',
    mutation: SENDS_WHATEVER_THE_STATE,
  },
  { id: '000.9', seed: '000', quote: 'When the binding is in the Restarting state and the driver is ready to perform send and receive operations, the binding enters the Running state.', status: 'descriptive', reason: 'NDIS moves the binding to Running when the restart succeeds; failing the restart is 002.11 (graded).' },
  {
    id: '000.10', seed: '000', quote: 'the protocol driver closes the binding to the miniport adapter and then releases the resources for the binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['unbind'], rule: 'UnbindCompletedWithoutClose',
    mutation: { search: 'const closed = NdisCloseAdapterEx(b.handle!);', replacement: 'const closed = NDIS_STATUS_SUCCESS;', mistake: 'The unbind handler returns without closing the adapter.' },
  },
  { id: '000.11', seed: '000', quote: 'When a binding is in the Running state and NDIS sends the protocol driver a PnP pause notification, the binding enters the Pausing state.', status: 'descriptive', reason: 'NDIS\'s transition, fired before the pause handler runs.' },
  {
    // The pause comes from a sleep: QueryPower and SetPower come first, so the application's sends
    // are out before it under most seeds (a bare pause step races them and usually wins), and 200
    // full-size frames keep the wire busy past it.
    id: '000.12', seed: '000', quote: 'The protocol driver must wait for all its outstanding send request to complete.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['sends-in-flight-at-a-pause'], rule: 'PauseCompletedWithSendsOutstanding',
    mutation: { search: 'if (b.sendsOutstanding > 0) {', replacement: 'if (false) {', mistake: 'The pause handler succeeds at once, with sends still outstanding.' },
  },
  {
    id: '000.13', seed: '000', quote: 'A protocol driver cannot fail a pause operation.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause'], rule: 'PnPEventMustSucceed',
    mutation: { search: 'b.running = false;', replacement: 'b.running = false; return 0xc0000001 as NDIS_STATUS;', mistake: 'The pause handler refuses the pause with NDIS_STATUS_FAILURE.' },
  },
  { id: '000.14', seed: '000', quote: 'After the pause operation is complete, the binding enters the Paused state.', status: 'descriptive', reason: 'NDIS\'s transition once the pause handler returns (or NdisCompleteNetPnPEvent completes it); the driver\'s part is 000.12 and 000.13.' },
  {
    id: '000.15', seed: '000', quote: 'the protocol driver does not perform send or receive operations for a binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause-and-restart'], rule: 'ProtocolSendWhileNotRunning',
    mutation: SENDS_WHATEVER_THE_STATE,
  },
  { id: '000.16', seed: '000', quote: 'If NDIS sends the protocol driver a PnP restart notification for the binding, the binding enters the Restarting state.', status: 'descriptive', reason: 'NDIS\'s transition, fired before the restart handler runs.' },
  { id: '000.17', seed: '000', quote: 'If NDIS calls the driver\'s [*ProtocolUnbindAdapterEx*](https://msdn.microsoft.com/library/windows/hardware/ff570278) function, the binding enters the Closing state.', status: 'descriptive', reason: 'NDIS\'s transition (a Running binding is paused first); the driver\'s part in Closing is 000.10.' },
  { id: '000.18', seed: '000', quote: 'If the restart fails, the binding returns to the Paused state.', status: 'descriptive', reason: 'NDIS\'s transition (core/ndis/states.test.ts: RestartFailed leads to Paused). The driver\'s part is not to fail the restart, which seed 002 forbids: 002.11, graded (PnPEventMustSucceed, which stops the run at the failure as Driver Verifier would).' },

  // Seed 001, Unbinding from an Adapter (labs/protocol-unbind).
  { id: '001.1', seed: '001', quote: 'NDIS calls *ProtocolUnbindAdapterEx* to close the binding to the adapter and to release the resources that the driver allocated for the binding.', status: 'descriptive', reason: 'Why NDIS calls the unbind handler; what the handler must do is 001.2 and 001.12.' },
  {
    id: '001.2', seed: '001', quote: 'In *ProtocolUnbindAdapterEx*, a protocol driver calls', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'UnbindCompletedWithoutClose',
    mutation: { search: '      if (close(b) === NDIS_STATUS_PENDING) return NDIS_STATUS_PENDING; // CloseAdapterCompleteHandlerEx completes it\n', replacement: '', mistake: 'The unbind handler of an idle binding returns NDIS_STATUS_SUCCESS without calling NdisCloseAdapterEx.' },
  },
  {
    id: '001.3', seed: '001', quote: 'Protocol drivers must close an adapter from the *ProtocolBindAdapterEx* function or *ProtocolUnbindAdapterEx* function.', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['release-adapter'], rule: 'CloseOutsideBindOrUnbind', mutation: CLOSES_INSTEAD_OF_UNBINDING,
  },
  {
    id: '001.4', seed: '001', quote: 'If a protocol driver must initiate an operation to close a binding, the driver can call', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['release-adapter'], rule: 'CloseOutsideBindOrUnbind', mutation: CLOSES_INSTEAD_OF_UNBINDING,
  },
  { id: '001.5', seed: '001', quote: '**NdisUnbindAdapter** schedules a work item that results in an NDIS call to *ProtocolUnbindAdapterEx*.', status: 'descriptive', reason: 'What NDIS does with the request.' },
  { id: '001.6', seed: '001', quote: 'This work item can run before the call to **NdisUnbindAdapter** returns.', status: 'descriptive', reason: 'NDIS\'s timing (a seeded choice of the runtime); the driver\'s part is 001.7.' },
  {
    id: '001.7', seed: '001', quote: 'driver writers must assume that the binding handle is invalid after **NdisUnbindAdapter** returns.', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['release-adapter'], rule: 'HandleUsedAfterUnbindAdapter',
    mutation: { search: '  b.released = true;\n', replacement: '', mistake: 'ReleaseAdapter calls NdisUnbindAdapter but does not mark the binding released, so the application\'s next OID request goes out on the handle (the unbind has not run yet under most seeds).' },
  },
  {
    id: '001.8', seed: '001', quote: 'If a protocol driver returns NDIS\\_STATUS\\_PENDING from *ProtocolUnbindAdapterEx*, it must call', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-waits-for-oids'], rule: 'UnbindPendingNeverCompleted',
    mutation: { search: '  NdisCompleteUnbindAdapterEx(context);', replacement: '', mistake: 'An unbind that pended for the OID requests in flight closes the adapter but never calls NdisCompleteUnbindAdapterEx.' },
  },
  {
    id: '001.9', seed: '001', quote: 'If NDIS returns NDIS\\_STATUS\\_PENDING from **NdisCloseAdapterEx**, NDIS later calls the protocol driver\'s', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'UnbindCompletedWithoutClose', mutation: UNBINDS_BEFORE_THE_CLOSE_COMPLETES,
  },
  { id: '001.10', seed: '001', quote: 'NDIS can call *ProtocolUnbindAdapterEx* if the binding is in the Paused state.', status: 'descriptive', reason: 'When NDIS may unbind; the runtime pauses a Running binding first.' },
  { id: '001.11', seed: '001', quote: 'After all the unbind operations are complete, the binding is in the Unbound state.', status: 'descriptive', reason: 'NDIS\'s transition once the unbind completes.' },
  {
    id: '001.12', seed: '001', quote: 'The protocol driver passes **NdisCloseAdapterEx** the handle that', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'InvalidHandle', mutation: CLOSES_THE_WRONG_HANDLE,
  },

  // Seed 002, ProtocolNetPnPEvent (labs/protocol-pnp).
  {
    id: '002.1', seed: '002', quote: 'A NetEventXxx event that is indicated with a NULLProtocolBindingContext applies to all bindings.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['null-context-events'], rule: 'PnPEventMustSucceed',
    mutation: { search: '      if (!b) return NDIS_STATUS_SUCCESS;', replacement: '      if (!b) return NDIS_STATUS_FAILURE;', mistake: 'ProtocolNetPnPEvent treats an event with no binding context as an error and fails it.' },
  },
  { id: '002.2', seed: '002', quote: 'NetEventBindList and NetEventBindsComplete are always indicated with a NULLProtocolBindingContext.', status: 'descriptive', reason: 'How NDIS indicates the two events; the driver\'s part (accept a NULL context) is 002.1.' },
  { id: '002.3', seed: '002', quote: 'NetEventReconfigure can be indicated with a specified ProtocolBindingContext or with a NULLProtocolBindingContext.', status: 'descriptive', reason: 'How NDIS may indicate it (a `pnp` step without `adapter` sends it with a NULL context); the driver\'s part is 002.1 and 002.22.' },
  { id: '002.4', seed: '002', quote: 'The binding will enter the Paused state after NDIS has completed all of the outstanding send requests for the binding.', status: 'descriptive', reason: 'What a successful pause means; the driver\'s part (wait for its sends) is 000.12.' },
  { id: '002.5', seed: '002', quote: 'After the protocol driver is ready to resume send and receive operations for the binding, the binding enters the Running state.', status: 'descriptive', reason: 'What a successful restart means (as 000.9).' },
  {
    id: '002.6', seed: '002', quote: 'The protocol driver will return its response to the indicated event asynchronously with a call to the NdisCompleteNetPnPEvent function.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['sends-in-flight-at-a-pause'], rule: 'PnPPendingNeverCompleted', mutation: NEVER_COMPLETES_THE_PENDED_PAUSE,
  },
  {
    id: '002.7', seed: '002', quote: 'NDIS 6.0 and later protocol drivers must not return this status.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['events-that-must-succeed'], rule: 'PnPNotSupportedReturned',
    mutation: { search: '          // do here, and all of them succeed.\n          return NDIS_STATUS_SUCCESS;', replacement: '          // do here, and all of them succeed.\n          return 0xc00000bb as NDIS_STATUS;', mistake: 'ProtocolNetPnPEvent answers the events it does not handle with NDIS_STATUS_NOT_SUPPORTED, as an NDIS 5 protocol would.' },
  },
  { id: '002.8', seed: '002', quote: 'An NDIS 5.x protocol driver that does not support Plug and Play can return this status', status: 'not-modelled', reason: 'Every driver here is an NDIS 6 driver; NDIS 5 protocols are not modelled.' },
  { id: '002.9', seed: '002', quote: 'A protocol driver can fail the NetEventQueryRemoveDevice and NetEventPortActivation events.', status: 'descriptive', reason: 'A permission, nothing to break; how to fail QueryRemoveDevice is 002.21.' },
  { id: '002.10', seed: '002', quote: 'If a protocol driver fails the NetEventPortActivation event, it should not use any associated ports in subsequent operations.', status: 'not-modelled', reason: 'NDIS ports are not modelled: the port number of a send is not checked against activated ports.' },
  {
    id: '002.11', seed: '002', quote: 'A protocol driver should always succeed the NetEventRestart, NetEventIMReEnableDevice, NetEventCancelRemoveDevice, NetEventReconfigure, NetEventBindList, NetEventBindsComplete, NetEventPause, NetEventPortDeactivation, and NetEventPnPCapabilities events', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['events-that-must-succeed'], rule: 'PnPEventMustSucceed', mutation: FAILS_EVENTS_IT_DOES_NOT_HANDLE,
  },
  {
    id: '002.12', seed: '002', quote: 'The ProtocolNetPnPEvent function is required in protocol drivers', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['null-context-events'], rule: 'RequiredHandlerMissing',
    mutation: { search: '    NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {', replacement: '    NetPnpEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {', mistake: 'The characteristics name the PnP handler NetPnpEventHandler (one letter off), so NDIS_PROTOCOL_DRIVER_CHARACTERISTICS has no NetPnPEventHandler and NdisRegisterProtocolDriver refuses them.' },
  },
  { id: '002.13', seed: '002', quote: 'For example, with a NetEventSetPower event the Buffer member contains the device power state to which the device is transitioning.', status: 'descriptive', reason: 'What the notification carries.' },
  {
    id: '002.14', seed: '002', quote: 'The protocol driver should save the NetPnPEvent pointer.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['sends-in-flight-at-a-pause'], rule: 'PnPCompleteWithoutPending',
    mutation: { search: '        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));', replacement: '        atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, { ...event }, NDIS_STATUS_SUCCESS));', mistake: 'The pended pause is completed with a copy of the notification instead of the NetPnPEvent pointer NDIS passed.' },
  },
  {
    id: '002.15', seed: '002', quote: 'which the protocol driver must subsequently call if ProtocolNetPnPEvent returns NDIS_STATUS_PENDING.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['sends-in-flight-at-a-pause'], rule: 'PnPPendingNeverCompleted', mutation: NEVER_COMPLETES_THE_PENDED_PAUSE,
  },
  {
    id: '002.16', seed: '002', quote: 'A protocol driver should always succeed a NetEventQueryPower event.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['power-cycle-with-traffic'], rule: 'PnPEventMustSucceed', mutation: FAILS_EVENTS_IT_DOES_NOT_HANDLE,
  },
  { id: '002.17', seed: '002', quote: 'After establishing an active connection, a protocol driver can call the PoRegisterSystemState function', status: 'not-modelled', reason: 'The power manager and PoRegisterSystemState are not modelled.' },
  {
    id: '002.18', seed: '002', quote: 'A protocol driver should never try to prevent the system from transitioning to the sleeping state by failing a NetEventQueryPower event.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['power-cycle-with-traffic'], rule: 'PnPEventMustSucceed', mutation: FAILS_EVENTS_IT_DOES_NOT_HANDLE,
  },
  { id: '002.19', seed: '002', quote: 'Note that a NetEventQueryPower event is always followed by a NetEventSetPower event.', status: 'descriptive', reason: 'The order NDIS sends the power events in.' },
  { id: '002.20', seed: '002', quote: 'A NetEventSetPower event that specifies the underlying device\'s current power state in effect cancels the NetEventQueryPower event.', status: 'not-modelled', reason: 'The `power` step always goes to D3 and back, and a bare `pnp` SetPower step carries no power state: a SetPower that cancels a QueryPower is never sent.' },
  {
    id: '002.21', seed: '002', quote: 'it must fail a NetEventQueryRemoveDevice event by returning NDIS_STATUS_FAILURE.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['removal-vetoed-while-open'], rule: 'QueryRemoveVetoNotFailure',
    mutation: { search: 'return b.openCount > 0 ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;', replacement: 'return b.openCount > 0 ? 0xc000009a as NDIS_STATUS : NDIS_STATUS_SUCCESS;', mistake: 'The driver vetoes the removal of an adapter in use with NDIS_STATUS_RESOURCES instead of NDIS_STATUS_FAILURE.' },
  },
  {
    id: '002.22', seed: '002', quote: 'A protocol driver should always succeed a NetEventCancelRemoveDevice, a NetEventReconfigure, NetEventBindList, NetEventBindsComplete, NetEventPnPCapabilities, NetEventPause, or NetEventPortDeactivation by returning NDIS_STATUS_SUCCESS.', status: 'graded',
    lab: 'protocol-pnp', scenarios: ['events-that-must-succeed'], rule: 'PnPEventMustSucceed', mutation: FAILS_EVENTS_IT_DOES_NOT_HANDLE,
  },
  { id: '002.23', seed: '002', quote: 'a protocol driver should validate the data associated with the event', status: 'not-modelled', reason: 'Reconfigure and BindList carry no data here (Buffer is null), so there is nothing to validate.' },
  { id: '002.24', seed: '002', quote: 'NDIS calls ProtocolNetPnPEvent at IRQL = PASSIVE_LEVEL.', status: 'descriptive', reason: 'The IRQL NDIS calls at (the runtime does so).' },
  { id: '002.25', seed: '002', quote: 'You must declare the function by using the PROTOCOL_NET_PNP_EVENT type.', status: 'not-modelled', reason: 'A C declaration rule for the code analysis tools; here the handler\'s type comes from ndis.d.ts and the compiler checks it.' },
  { id: '002.26', seed: '002', quote: 'The protocol driver could not obtain the necessary system resources to satisfy the indicated Plug and Play or Power Management event.', status: 'descriptive', reason: 'What NDIS_STATUS_RESOURCES means; using it to veto a removal is 002.21.' },

  // Seed 003, NdisCloseAdapterEx (labs/protocol-unbind, close-adapter).
  { id: '003.1', seed: '003', quote: 'function to release the binding and the resources that were allocated when the driver called the', status: 'descriptive', reason: 'What the function does.' },
  {
    id: '003.2', seed: '003', quote: 'The handle that NDIS provided at the *NdisBindingHandle* parameter of **NdisOpenAdapterEx**.', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'InvalidHandle', mutation: CLOSES_THE_WRONG_HANDLE,
  },
  {
    id: '003.3', seed: '003', quote: '**NdisCloseAdapterEx** did not complete the close operation and the operation will be completed asynchronously.', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'UnbindCompletedWithoutClose', mutation: UNBINDS_BEFORE_THE_CLOSE_COMPLETES,
  },
  { id: '003.4', seed: '003', quote: 'A protocol driver typically calls **NdisCloseAdapterEx** from its', status: 'descriptive', reason: 'Where the call usually is; where it must be is 003.6 (and 001.3).' },
  { id: '003.5', seed: '003', quote: 'For example, if the driver failed to set an OID value after it called **NdisOpenAdapterEx**, it can call **NdisCloseAdapterEx** from its *ProtocolBindAdapterEx* function.', status: 'descriptive', reason: 'A permission; close-adapter/bind-fails-cleanly uses it, and leaving the adapter open there is 000.6 (graded).' },
  {
    id: '003.6', seed: '003', quote: 'it must call the [NdisUnbindAdapter](https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisunbindadapter) function.', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['release-adapter'], rule: 'CloseOutsideBindOrUnbind', mutation: CLOSES_INSTEAD_OF_UNBINDING,
  },
  { id: '003.7', seed: '003', quote: 'Protocol drivers should wait for all send requests', status: 'gap', reason: 'Dropping the send count from protocol-unbind\'s unbind (`if (b.oidsOutstanding > 0 || b.sendsOutstanding > 0)` -> `if (b.oidsOutstanding > 0)`) passes unbind-after-traffic under all 8 seeds: NDIS pauses the binding before unbinding it, and the pause already waits for the sends, so CloseWithSendsOutstanding is not reached. The same holds in waiting-correctly, whose unbind waits on one count of sends and requests: its sends are back at the pause.' },
  {
    id: '003.8', seed: '003', quote: 'and OID requests that they originated to complete', status: 'graded',
    lab: 'waiting-correctly', scenarios: ['unbind-waits-for-requests'], rule: 'CloseWithOidsOutstanding',
    // The application's queries and its ReleaseAdapter run in order on its channel and the unbind runs inside NdisUnbindAdapter: the requests are still out when it comes (7 of 8 seeds).
    mutation: { search: 'completes before the close).\n      NdisWaitEvent(b.idle, 0);', replacement: 'completes before the close).', mistake: 'The unbind marks the binding closing and closes at once, without waiting on its idle event for the OID requests still in flight.' },
  },
  {
    id: '003.9', seed: '003', quote: 'As soon as the driver calls **NdisCloseAdapterEx**, the handle obtained from the', status: 'graded',
    lab: 'protocol-unbind', scenarios: ['unbind-closes'], rule: 'HandleUsedAfterClose',
    mutation: { search: '  const handle = b.handle!;\n  b.handle = null;\n  return NdisCloseAdapterEx(handle);', replacement: '  return NdisCloseAdapterEx(b.handle!);', mistake: 'The unbind closes the adapter but keeps the binding handle, so the application\'s next OID request goes out on the closed handle.' },
  },

  // Seed 004, Pausing a Filter Module (labs/filter-pause, filter-firewall, filter-oid, filter-timer).
  { id: '004.1', seed: '004', quote: 'To pause a running filter module, NDIS calls the filter driver\'s', status: 'descriptive', reason: 'What NDIS does.' },
  { id: '004.2', seed: '004', quote: 'The filter module enters the *Pausing* state at the start of execution in the *FilterPause* function.', status: 'descriptive', reason: 'NDIS\'s transition, fired before FilterPause runs.' },
  { id: '004.3', seed: '004', quote: 'NDIS pauses a filter module as part of a Plug and Play operation to pause a driver stack.', status: 'descriptive', reason: 'When NDIS pauses.' },
  {
    id: '004.4', seed: '004', quote: 'Should not originate any new receive indications.', status: 'graded',
    lab: 'filter-pause', scenarios: ['probes-during-pause'], rule: 'FilterIndicateWhilePaused',
    mutation: FILTERS_WHILE_PAUSING,
  },
  { id: '004.5', seed: '004', quote: 'If there are receive operations that the filter driver originated and that NDIS has not completed', status: 'gap', reason: 'FilterPauseCompletedWithReceivesOutstanding checks it (the module\'s own indications not yet returned when its pause completes), but no lab filter indicates NBLs of its own (filter-timer indicates the ones it queued from below), and with a correct stack above none could be out: NDIS pauses the layers above a module before the module, and each of them returns the receives it was given before its own pause completes, so a filter\'s own indications are all back before its FilterPause runs and a pause that forgot to wait for them meets none.' },
  {
    // The pause comes halfway between two ticks of a steady stream, so ten frames are queued under every seed.
    id: '004.6', seed: '004', quote: 'Should return any outstanding receive indications that underlying drivers originated to NDIS immediately.', status: 'graded',
    lab: 'filter-timer', scenarios: ['pause-between-ticks'], rule: 'FilterPauseCompletedWithReceivesOutstanding',
    mutation: { search: '      const queued = chain(m.queue.splice(0));\n      if (queued) NdisFReturnNetBufferLists(m.handle, queued, 0);\n', replacement: '', mistake: 'FilterPause cancels the timer but keeps the frames queued, so that the first tick after the restart indicates them, instead of returning them at once.' },
  },
  {
    id: '004.7', seed: '004', quote: 'Should return new receive indications that underlying drivers originate to NDIS immediately by calling the', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'FilterPausedReceiveNotReturned',
    mutation: { search: '        if (!resources) NdisFReturnNetBufferLists(m.handle, nbls, 0);\n        return;', replacement: '        return;', mistake: 'The receive handler, not Running, neither answers nor passes up what it is given, but never gives it back either.' },
  },
  {
    id: '004.8', seed: '004', quote: 'should not be called for NBLs indicated with NDIS\\_RECEIVE\\_FLAGS\\_RESOURCES flag set', status: 'graded',
    lab: 'filter-pause', scenarios: ['resources-probe-burst'], rule: 'ReturnedResourcesNbl',
    mutation: { search: 'if (probeChain && !resources)', replacement: 'if (probeChain)', mistake: 'The answered probes are returned with NdisFReturnNetBufferLists whatever the ReceiveFlags, NDIS_RECEIVE_FLAGS_RESOURCES too.' },
  },
  {
    id: '004.9', seed: '004', quote: 'Should not originate any new send requests.', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'FilterSendWhilePaused',
    mutation: FILTERS_WHILE_PAUSING,
  },
  {
    id: '004.10', seed: '004', quote: 'If there are send operations that the filter driver originated and that NDIS has not completed', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'FilterPauseCompletedWithSendsOutstanding',
    mutation: { search: 'if (m.ownSends === 0) {', replacement: 'if (true) {', mistake: 'FilterPause returns NDIS_STATUS_SUCCESS at once, without looking at the replies still out.' },
  },
  {
    id: '004.11', seed: '004', quote: 'Should return all new send requests made to its', status: 'graded',
    lab: 'filter-pause', scenarios: ['harness-sends-while-paused'], rule: 'FilterPausedSendNotCompleted',
    mutation: { search: '      if (m.state !== \'Running\') {\n        for (const nbl of listOf(nbls)) nbl.Status', replacement: '      if (false) {\n        for (const nbl of listOf(nbls)) nbl.Status', mistake: 'The send handler passes every send down whatever the state, trusting that NDIS pauses the protocols first (the test harness sends all the same, while Pausing and once Paused).' },
  },
  {
    id: '004.12', seed: '004', quote: 'The filter driver should set the **Status** member in each NET\\_BUFFER\\_LIST structure to NDIS\\_STATUS\\_PAUSED.', status: 'graded',
    lab: 'filter-firewall', scenarios: ['one-module-per-adapter'], rule: 'FilterPausedSendWrongStatus',
    mutation: { search: 'if (!m.running) return completeUp(m, all, NDIS_STATUS_PAUSED);', replacement: 'if (!m.running) return completeUp(m, all, NDIS_STATUS_FAILURE);', mistake: 'The paused module completes the sends that reach it as it completes the ones it drops, with NDIS_STATUS_FAILURE instead of NDIS_STATUS_PAUSED.' },
  },
  { id: '004.13', seed: '004', quote: 'Can provide status indications with the', status: 'descriptive', reason: 'A permission (the Pausing list).' },
  {
    // The Pausing list; the Paused list says it again (004.29). filter-oid's pause completes within
    // FilterPause, so a status indication reaches its module Paused, never Pausing; the mistake
    // (the send path's `if (!m.running)`) is the same in both states, as is the rule's check.
    id: '004.14', seed: '004', quote: 'Should handle status indications in its', status: 'graded',
    lab: 'filter-oid', scenarios: ['requests-and-status-while-paused'], rule: 'FilterStatusDroppedWhilePaused',
    mutation: { search: '    StatusHandler(m: Module, indication: NDIS_STATUS_INDICATION): void {\n', replacement: '    StatusHandler(m: Module, indication: NDIS_STATUS_INDICATION): void {\n      if (!m.running) return; // nothing goes up while the module is not Running\n', mistake: 'FilterStatus copies the send path\'s state check and swallows status indications while the module is not Running, so the protocol never learns that the cable came back.' },
  },
  {
    // As 004.14: reached Paused (the Pausing twin's mistake and check are the same).
    id: '004.15', seed: '004', quote: 'Should handle OID requests in the', status: 'graded',
    lab: 'filter-oid', scenarios: ['requests-and-status-while-paused'], rule: 'FilterOidRefusedWhilePaused',
    mutation: { search: '    OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {\n', replacement: '    OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {\n      if (!m.running) return NDIS_STATUS_PAUSED; // as its sends are\n', mistake: 'FilterOidRequest copies the send path\'s state check and fails requests with NDIS_STATUS_PAUSED while the module is not Running.' },
  },
  { id: '004.16', seed: '004', quote: 'Can initiate OID requests.', status: 'descriptive', reason: 'A permission (the Pausing list).' },
  {
    id: '004.17', seed: '004', quote: 'Should not free the resources the driver allocated during the attach operation.', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'InvalidHandle',
    mutation: { search: '      m.state = \'Pausing\';\n      if (m.ownSends === 0) {', replacement: '      m.state = \'Pausing\'; m.pool = null as unknown as NDIS_HANDLE;\n      if (m.ownSends === 0) {', mistake: 'FilterPause lets go of the NBL pool allocated at attach (its handle cleared, as a free leaves it), so the replies after the restart have no pool.' },
  },
  {
    // filter-timer's tick is what sends and indicates, and the cancel is the solution's only guard against a tick while Paused.
    id: '004.18', seed: '004', quote: 'Should cancel timers, if required to stop send and receive operations.', status: 'graded',
    lab: 'filter-timer', scenarios: ['pause-between-ticks'], rule: 'FilterSendWhilePaused', mutation: FORGETS_TO_CANCEL_THE_TIMER,
  },
  {
    id: '004.19', seed: '004', quote: 'After the filter driver successfully pauses the send and receive operations, it must complete the pause operation.', status: 'graded',
    lab: 'filter-pause', scenarios: ['probes-during-pause'], rule: 'FilterPauseNeverCompleted',
    mutation: { search: '      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);\n      finishPauseIfIdle(m);', replacement: '      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);', mistake: 'The send-complete handler counts the replies back but never looks at the pended pause, so the pause is never completed once they are all back.' },
  },
  {
    id: '004.20', seed: '004', quote: 'The filter driver can complete the pause operation synchronously or asynchronously by returning NDIS\\_STATUS\\_SUCCESS or NDIS\\_STATUS\\_PENDING respectively', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'FilterPauseCompleteWithoutPending',
    mutation: { search: '        m.state = \'Paused\';\n        return NDIS_STATUS_SUCCESS;', replacement: '        m.state = \'Paused\';\n        NdisFPauseComplete(m.handle);\n        return NDIS_STATUS_SUCCESS;', mistake: 'A pause with nothing to wait for calls NdisFPauseComplete as well as returning NDIS_STATUS_SUCCESS.' },
  },
  {
    id: '004.21', seed: '004', quote: 'If the driver returns NDIS\\_STATUS\\_PENDING, it must call the', status: 'graded',
    lab: 'filter-pause', scenarios: ['pause-with-replies-in-flight'], rule: 'FilterPauseNeverCompleted',
    mutation: { search: '    m.state = \'Paused\';\n    NdisFPauseComplete(m.handle);', replacement: '    m.state = \'Paused\';', mistake: 'The pended pause is marked done in the module\'s own state when the last reply is back, but NdisFPauseComplete is never called.' },
  },
  { id: '004.22', seed: '004', quote: 'Should not originate new receive indications.', status: 'gap', reason: 'The Paused list. A Paused module gets receives only in the scheduler step between its own pause and the miniport\'s (NDIS pauses top-down, and a Pausing miniport indicates nothing); under interrupt moderation no DPC falls there, and without it the seed decides. Passing up what comes while Paused (`if (m.state !== \'Running\') {` -> `if (m.state === \'Pausing\') {` in filter-pause\'s receive handler) is FilterIndicateWhilePaused under 14 to 16 of seeds 1-40 of 32 data chains before a pause or a power cycle, and a filter-firewall pause handler that forgets `m.running = false;` the same: no visible scenario claims that. No lab filter originates an indication of its own (004.5), and filter-timer\'s tick indicates only what it queued from below: a tick that comes while Paused because the pause forgot to cancel the timer (004.18) finds the queue empty, since the pause returned it, and sends (004.23) but indicates nothing.' },
  {
    // The Paused list. The module's own send here comes from its timer, not in answer to a receive:
    // the tick due after the pause comes while the module is Paused, whatever the seed.
    id: '004.23', seed: '004', quote: 'Should not originate new send requests.', status: 'graded',
    lab: 'filter-timer', scenarios: ['pause-between-ticks'], rule: 'FilterSendWhilePaused', mutation: FORGETS_TO_CANCEL_THE_TIMER,
  },
  { id: '004.24', seed: '004', quote: 'Can initiate OID requests.', status: 'descriptive', reason: 'A permission (the Paused list; the same words as 004.16).' },
  { id: '004.25', seed: '004', quote: 'NDIS does not initiate other Plug and Play operations, such as, attach, detach, or a restart requests, while the filter driver is in the *Pausing* state.', status: 'descriptive', reason: 'What NDIS does not do (the runtime runs one stack operation at a time).' },
  { id: '004.26', seed: '004', quote: 'NDIS can initiate detach or restart requests after a filter driver is in the *Paused* state.', status: 'descriptive', reason: 'What NDIS may do.' },
  { id: '004.27', seed: '004', quote: 'Such NBLs are returned to NDIS synchronously by returning from the *FilterReceiveNetBufferLists* routine.', status: 'descriptive', reason: 'How RESOURCES NBLs go back; the driver\'s part is 004.8.' },
  { id: '004.28', seed: '004', quote: 'If necessary, the driver can copy receive indications and queue them before it returns them.', status: 'descriptive', reason: 'A permission (both lists); filter-pause copies each probe before returning it.' },
  { id: '004.29', seed: '004', quote: 'On behalf of a filter module that is in the *Paused* state, the filter driver:', status: 'descriptive', reason: 'Heads the Paused list. Its items that repeat the Pausing list\'s words are graded or not as their Pausing twins: new receives returned at once (004.7, graded while Pausing), new sends completed at once (004.11, graded: the harness sends while Pausing and again once Paused), NDIS_STATUS_PAUSED (004.12, graded once Paused), status indications (004.13, descriptive), FilterStatus (004.14, graded Paused), FilterOidRequest (004.15, graded Paused).' },
];
