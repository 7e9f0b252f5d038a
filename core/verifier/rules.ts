// The verifier's rule catalog. Ids are a contract: labs, reports and course material cite them,
// so an id never changes meaning. Each rule says, in the project's own words, what a driver must
// not do, and where the NDIS documentation says so: a seed (the five documents the project was
// founded on, by number) or the NDIS topic.

export type Severity = 'fatal' | 'error';

/** Windows bug check codes the verifier stops a machine with. */
export const BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION = 0xc4;
export const BUGCHECK_DRIVER_POWER_STATE_FAILURE = 0x9f;
export const BUGCHECK_SYSTEM_THREAD_EXCEPTION_NOT_HANDLED = 0x7e;
export const BUGCHECK_DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS = 0xce;

export interface Rule {
  id: string;
  statement: string;
  /** The seed document and section, or the NDIS documentation topic. */
  seed: string;
  severity: Severity;
  /** The bug check a fatal finding stops the machine with. */
  bugCheck: number;
  /** The Driver Verifier (DDI compliance) rule that checks the same thing, where there is one. */
  driverVerifier?: string;
  /** Bug check 0xC4's Parameter 1 for that Driver Verifier rule (its page gives it), where there is one. */
  bugCheckParameter1?: number;
}

/** The five founding documents, by the number the catalog cites them with. */
export const SEEDS: Record<string, { title: string; url: string }> = {
  '000': { title: 'Binding States of a Protocol Driver', url: 'https://learn.microsoft.com/windows-hardware/drivers/network/binding-states-of-a-protocol-driver' },
  '001': { title: 'Unbinding from an Adapter', url: 'https://learn.microsoft.com/windows-hardware/drivers/network/unbinding-from-an-adapter' },
  '002': { title: 'PROTOCOL_NET_PNP_EVENT callback function', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-protocol_net_pnp_event' },
  '003': { title: 'NdisCloseAdapterEx function', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiscloseadapterex' },
  '004': { title: 'Pausing a Filter Module', url: 'https://learn.microsoft.com/windows-hardware/drivers/network/pausing-a-filter-module' },
};

const C4 = BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION;

function rule(id: string, statement: string, seed: string, severity: Severity = 'fatal', bugCheck = C4): Rule {
  return { id, statement, seed, severity, bugCheck };
}

/** A fatal rule that Driver Verifier's DDI compliance rule `driverVerifier` also checks. */
function verifierRule(id: string, statement: string, seed: string, driverVerifier: string, bugCheckParameter1?: number): Rule {
  return { ...rule(id, statement, seed), driverVerifier, ...(bugCheckParameter1 !== undefined ? { bugCheckParameter1 } : {}) };
}

export const RULES: readonly Rule[] = [
  rule('ProtocolSendWhileNotRunning', 'A protocol driver starts a send on a binding that is not in the Running state.', '000 Binding States: Running, Pausing, Paused'),
  rule('PauseCompletedWithSendsOutstanding', 'A protocol driver completes NetEventPause while sends it started on the binding are not all completed.', '000 Binding States: Pausing; 002 NetEventPause'),
  rule('ReceivesHeldAcrossPause', 'A protocol driver still holds received NBLs when its binding finishes pausing or closing.', '000 Binding States: Pausing, Paused, Closing'),
  rule('PnPEventMustSucceed', 'A protocol driver fails an event it must succeed: Pause, Restart, CancelRemoveDevice, Reconfigure, BindList, BindsComplete, PortDeactivation, PnPCapabilities, IMReEnableDevice, QueryPower or SetPower.', '002 ProtocolNetPnPEvent: Return value, Remarks; Handling PnP Events and Power Management Events in a Protocol Driver (NetEventSetPower)'),
  rule('PnPNotSupportedReturned', 'An NDIS 6 protocol driver returns NDIS_STATUS_NOT_SUPPORTED from ProtocolNetPnPEvent.', '002 ProtocolNetPnPEvent: Return value'),
  rule('PnPPendingNeverCompleted', 'ProtocolNetPnPEvent returned NDIS_STATUS_PENDING and NdisCompleteNetPnPEvent was never called.', '002 ProtocolNetPnPEvent: Remarks (NdisCompleteNetPnPEvent)', 'fatal', BUGCHECK_DRIVER_POWER_STATE_FAILURE),
  rule('QueryRemoveVetoNotFailure', 'A protocol driver vetoes NetEventQueryRemoveDevice with a status other than NDIS_STATUS_FAILURE.', '002 ProtocolNetPnPEvent: Remarks (if it cannot release the device it must fail NetEventQueryRemoveDevice by returning NDIS_STATUS_FAILURE)', 'error'),
  rule('PnPCompleteWithoutPending', 'NdisCompleteNetPnPEvent is called for an event that is not pending, or twice for one event.', '002 ProtocolNetPnPEvent: Remarks'),
  rule('OpenOutsideBind', 'NdisOpenAdapterEx is called outside ProtocolBindAdapterEx.', 'NdisOpenAdapterEx: a protocol opens an adapter from ProtocolBindAdapterEx'),
  rule('BindPendingNeverCompleted', 'ProtocolBindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteBindAdapterEx was never called.', 'ProtocolBindAdapterEx: Return value'),
  rule('CloseOutsideBindOrUnbind', 'NdisCloseAdapterEx is called outside ProtocolBindAdapterEx and ProtocolUnbindAdapterEx.', '001 Unbinding from an Adapter; 003 NdisCloseAdapterEx: Remarks'),
  rule('CloseWithSendsOutstanding', 'NdisCloseAdapterEx is called while sends the protocol started on the binding are outstanding.', '003 NdisCloseAdapterEx: Remarks'),
  rule('CloseWithOidsOutstanding', 'NdisCloseAdapterEx is called while OID requests the protocol started on the binding are outstanding.', '003 NdisCloseAdapterEx: Remarks'),
  rule('HandleUsedAfterClose', 'A binding handle is used after NdisCloseAdapterEx was called for it.', '003 NdisCloseAdapterEx: Remarks (the handle becomes invalid)'),
  rule('HandleUsedAfterUnbindAdapter', 'A binding handle is used after NdisUnbindAdapter returned.', '001 Unbinding from an Adapter (the handle is invalid after NdisUnbindAdapter returns)'),
  rule('UnbindPendingNeverCompleted', 'ProtocolUnbindAdapterEx returned NDIS_STATUS_PENDING and NdisCompleteUnbindAdapterEx was never called.', '001 Unbinding from an Adapter', 'fatal', BUGCHECK_DRIVER_POWER_STATE_FAILURE),
  rule('UnbindCompletedWithoutClose', 'An unbind completes before the adapter is closed: NdisCloseAdapterEx was never called, or it returned NDIS_STATUS_PENDING and ProtocolCloseAdapterCompleteEx has not come.', '001 Unbinding from an Adapter'),
  rule('ResourcesChainNotRestored', 'A filter driver returns from FilterReceiveNetBufferLists for an NDIS_RECEIVE_FLAGS_RESOURCES indication without restoring the NBL list it split.', 'FilterReceiveNetBufferLists: Remarks (NDIS_RECEIVE_FLAGS_RESOURCES)'),
  rule('ReturnedResourcesNbl', 'NBLs indicated with NDIS_RECEIVE_FLAGS_RESOURCES are handed back with a return call instead of by returning from the receive handler.', '004 Pausing a Filter Module (the note on NDIS_RECEIVE_FLAGS_RESOURCES)'),
  rule('NblNotOwned', 'A driver completes, returns or sends an NBL it does not own, or does so twice.', 'NET_BUFFER_LIST ownership (Send and Receive Operations)'),
  rule('SendSourceHandleWrong', 'A driver sends an NBL whose SourceHandle is not the one NDIS returns it by: a protocol driver\'s NBL not set to the NdisBindingHandle it sends on, a filter module\'s own NBL not set to its NdisFilterHandle, or an NBL from above whose SourceHandle the filter module changed.', 'NdisSendNetBufferLists: Remarks (the protocol sets SourceHandle to NdisBindingHandle); Sending Data from a Filter Driver (a filter sets SourceHandle of the NBLs it creates to NdisFilterHandle and does not modify it in NBLs it did not originate)'),
  rule('FilterSendWhilePaused', 'A filter module originates a send while Pausing, Paused or Restarting.', '004 Pausing a Filter Module: Pausing and Paused'),
  rule('FilterIndicateWhilePaused', 'A filter module originates or passes up a receive indication while Pausing or Paused.', '004 Pausing a Filter Module: Pausing and Paused'),
  rule('FilterPausedSendNotCompleted', 'A send that reaches a Pausing or Paused filter module from above is passed down or held instead of completed at once with NDIS_STATUS_PAUSED.', '004 Pausing a Filter Module: Pausing and Paused'),
  rule('FilterPausedSendWrongStatus', 'A filter module completes a send that reached it from above while Pausing or Paused with a Status other than NDIS_STATUS_PAUSED.', '004 Pausing a Filter Module: Pausing and Paused', 'error'),
  rule('FilterOidRefusedWhilePaused', 'A Pausing or Paused filter module fails an OID request from above, without passing it down, that it passed down while Running.', '004 Pausing a Filter Module: Pausing and Paused ("Should handle OID requests in the FilterOidRequest function")', 'error'),
  rule('FilterStatusDroppedWhilePaused', 'A Pausing or Paused filter module returns from FilterStatus without passing up a status indication of a code it passed up while Running.', '004 Pausing a Filter Module: Pausing and Paused ("Should handle status indications in its FilterStatus function")', 'error'),
  rule('FilterPausedReceiveNotReturned', 'A receive that reaches a Pausing or Paused filter module from below is not returned at once.', '004 Pausing a Filter Module: Pausing and Paused'),
  rule('FilterPauseCompletedWithSendsOutstanding', 'A filter module completes its pause while sends it originated or queued are outstanding.', '004 Pausing a Filter Module: Pausing'),
  rule('FilterPauseCompletedWithReceivesOutstanding', 'A filter module completes its pause while indications it originated are not returned, or while it holds queued receives.', '004 Pausing a Filter Module: Pausing'),
  verifierRule('FilterPauseFailed', 'FilterPause returns a failure: a pause cannot fail.', '004 Pausing a Filter Module (SUCCESS or PENDING); Driver Verifier NdisFilterTimedPauseComplete (FilterPause must not fail)', 'NdisFilterTimedPauseComplete', 0x00092010),
  verifierRule('FilterPauseNeverCompleted', 'FilterPause returned NDIS_STATUS_PENDING and NdisFPauseComplete was not called within 10 s.', '004 Pausing a Filter Module (NdisFPauseComplete); Driver Verifier NdisFilterTimedPauseComplete (FilterPause completes in 10 s or less)', 'NdisFilterTimedPauseComplete', 0x00092010),
  verifierRule('FilterPauseCompleteWithoutPending', 'NdisFPauseComplete is called when no pause is pending, or twice.', '004 Pausing a Filter Module (NdisFPauseComplete); Driver Verifier NdisFilterTimedPauseComplete (FilterPause must not complete twice)', 'NdisFilterTimedPauseComplete', 0x00092010),
  rule('FilterRestartNeverCompleted', 'FilterRestart returned NDIS_STATUS_PENDING and NdisFRestartComplete was not called within 10 s.', 'FilterRestart: Return value (PENDING: the driver completes the restart with NdisFRestartComplete); NdisFRestartComplete'),
  rule('FilterRestartCompleteWithoutPending', 'NdisFRestartComplete is called when no restart of the module is pending, or twice.', 'NdisFRestartComplete: a filter driver calls it if it returned NDIS_STATUS_PENDING from FilterRestart'),
  rule('RequiredHandlerMissing', 'A driver registers (NdisRegisterProtocolDriver, NdisFRegisterFilterDriver) without a handler NDIS requires, so the registration fails with NDIS_STATUS_BAD_CHARACTERISTICS and the driver does not load.', '002 ProtocolNetPnPEvent ("The ProtocolNetPnPEvent function is required in protocol drivers"); NDIS_PROTOCOL_DRIVER_CHARACTERISTICS and NDIS_FILTER_DRIVER_CHARACTERISTICS: the handlers each page makes required', 'error'),
  rule('SetAttributesOutsideAttach', 'NdisFSetAttributes is called outside FilterAttach.', 'NdisFSetAttributes: a filter driver calls it from FilterAttach'),
  rule('BindCompleteWithoutPending', 'NdisCompleteBindAdapterEx is called when no bind is pending with that context: twice, or after ProtocolBindAdapterEx returned a final status.', 'NdisCompleteBindAdapterEx: for a bind ProtocolBindAdapterEx returned NDIS_STATUS_PENDING for'),
  rule('UnbindCompleteWithoutPending', 'NdisCompleteUnbindAdapterEx is called when no unbind is pending with that context: twice, or after ProtocolUnbindAdapterEx returned a final status.', 'NdisCompleteUnbindAdapterEx: for an unbind ProtocolUnbindAdapterEx returned NDIS_STATUS_PENDING for'),
  rule('OpenPendingNotAwaited', 'After NdisOpenAdapterEx returned NDIS_STATUS_PENDING, the protocol completes its bind, or uses the binding handle, before NDIS calls ProtocolOpenAdapterCompleteEx with the open\'s final status.', 'NdisOpenAdapterEx: Return value (PENDING: NDIS calls ProtocolOpenAdapterCompleteEx to complete the open); ProtocolOpenAdapterCompleteEx: Remarks (ProtocolBindAdapterEx completes the bind after it)'),
  rule('FailedBindLeftAdapterOpen', 'A bind fails (ProtocolBindAdapterEx returns a failure, or completes with one) while the adapter it opened is still open.', '003 NdisCloseAdapterEx: Remarks (a driver that fails a bind after NdisOpenAdapterEx calls NdisCloseAdapterEx from ProtocolBindAdapterEx)'),
  rule('UnbindFailed', 'ProtocolUnbindAdapterEx returns a status other than NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING.', 'ProtocolUnbindAdapterEx: Return value (SUCCESS or PENDING; an unbind cannot fail)', 'error'),
  rule('HandlerThrew', 'A driver handler threw an exception.', 'Driver handlers return an NDIS_STATUS; an unhandled exception is a bug check', 'fatal', BUGCHECK_SYSTEM_THREAD_EXCEPTION_NOT_HANDLED),
  rule('HandlerReturnedPromise', 'A driver handler returned a Promise instead of an NDIS_STATUS (asynchrony is NDIS_STATUS_PENDING and a completion call).', 'Handlers are synchronous: return NDIS_STATUS_PENDING and call the completion function'),
  rule('HandlerReturnedInvalidStatus', 'A driver handler that must return an NDIS_STATUS returned something else (undefined, a string, a negative number...).', 'Handlers return NDIS_STATUS: a 32-bit status value'),
  rule('InvalidHandle', 'A driver passes NDIS a handle NDIS did not give it for that purpose: null, another driver\'s, or a handle of the wrong kind.', 'NDIS handles are opaque and belong to the driver and object they were given for'),
  rule('FilterForwardedOriginalOidRequest', 'A filter driver passes down, with NdisFOidRequest, the OID request FilterOidRequest was given instead of a clone of it.', 'NdisAllocateCloneOidRequest: Remarks (to forward a request, a filter driver must allocate a clone; it must not forward the original NDIS_OID_REQUEST structure to underlying drivers)', 'error'),
  verifierRule('OidNotCompletedInTime', 'A filter module holds an OID request from above (FilterOidRequest returned NDIS_STATUS_PENDING) for 12 s without calling NdisFOidRequestComplete.', 'NdisFOidRequestComplete; Driver Verifier NdisTimedOidComplete (an OID request completes within 12 s; Driver Verifier checks the miniport, here the filter module that holds the request, since NDIS\'s own miniport always completes)', 'NdisTimedOidComplete', 0x00092003),
  verifierRule('OidCompletedTwice', 'A filter module completes an OID request twice: NdisFOidRequestComplete for a request already complete, or after FilterOidRequest returned a status other than NDIS_STATUS_PENDING for it.', 'FilterOidRequest: Return value (PENDING means the driver completes it later with NdisFOidRequestComplete; any other status completes it); Static Driver Verifier DoubleComplete', 'DoubleComplete'),
  rule('CloneNotFreedBeforeComplete', 'A filter module completes a request from above with NdisFOidRequestComplete while the clone it made of that request (NdisAllocateCloneOidRequest) is still allocated: freed later, or never.', 'FilterOidRequestComplete: Remarks (a filter driver that forwarded a request it got in FilterOidRequest must call NdisFreeCloneOidRequest to free the clone before it calls NdisFOidRequestComplete)', 'error'),
  rule('DeregisterFromNdisEntryPoint', 'A driver calls NdisDeregisterProtocolDriver or NdisFDeregisterFilterDriver from a handler NDIS called, instead of from its unload routine.', 'NdisDeregisterProtocolDriver: Remarks (protocol drivers must not call it from any entry point that NDIS calls: a deadlock); Unloading a Filter Driver'),
  rule('UnloadWithoutDeregistering', 'A driver\'s unload routine returns without deregistering from NDIS.', 'FilterDriverUnload (a filter driver must call NdisFDeregisterFilterDriver from it); NdisDeregisterProtocolDriver: Remarks (called when the driver\'s Unload routine has been called)'),
  rule('UnloadWithNblsAllocated', 'A driver unloads while NBLs it allocated are not freed.', 'Unloading a Filter Driver (Unload should release any driver-specific resources); NdisFreeNetBufferListPool: free every NBL before the pool', 'error'),
  rule('UnloadedWithPendingOperations', 'Something a driver left armed or pending (a timer, a work item, a completion) would run its code after it unloaded.', 'Unloading a Filter Driver (Unload should release any driver-specific resources); bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS', 'fatal', BUGCHECK_DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS),
  rule('InvalidParameter', 'A driver passes NDIS a value of the wrong shape: not a NET_BUFFER_LIST, an OID request without its fields, a status indication without a code.', 'The NDIS function\'s parameters'),
  rule('DriverHung', 'A driver handler did not return before the watchdog expired.', 'Driver Verifier deadlock detection'),
  rule('SharedMemoryCorrupted', 'A ring entry, NBL or NET_BUFFER written by a driver fails validation.', 'Driver Verifier pool checks (memory the driver shares with NDIS)'),
  // ---- synchronization and IRQL (core/ndis/irql.ts, synchronization.ts)
  verifierRule('IrqlTooHighForCall', 'A driver calls an NDIS function above the highest IRQL the function\'s page allows: e.g. NdisCloseAdapterEx or NdisCompleteNetPnPEvent (PASSIVE_LEVEL) from a send completion, a receive or a timer, which run at DISPATCH_LEVEL.', 'The IRQL requirement of each NDIS function\'s page; the handlers\' pages give the IRQL NDIS calls them at', 'Irql_Protocol_Driver_Function, Irql_Filter_Driver_Function, Irql_Miscellaneous_Function'),
  verifierRule('WaitAbovePassive', 'A driver waits (NdisWaitEvent, NdisMSleep) above PASSIVE_LEVEL: in a handler NDIS calls at DISPATCH_LEVEL, or holding a spin lock.', 'NdisWaitEvent, NdisMSleep: IRQL PASSIVE_LEVEL', 'Irql_Miscellaneous_Function'),
  rule('WaitDeadlock', 'A driver waits, with no timeout, for an event nothing can set any more: nothing is left to run and no timer is armed.', 'NdisWaitEvent (MsToWait 0 waits for ever); Driver Verifier deadlock detection'),
  verifierRule('DprLockBelowDispatch', 'A driver uses a lock function meant for callers already at DISPATCH_LEVEL (NdisDprAcquireSpinLock, NdisDprReleaseSpinLock, NdisAcquireRWLock* with NDIS_RWL_AT_DISPATCH_LEVEL) below DISPATCH_LEVEL.', 'NdisDprAcquireSpinLock: Remarks (only while running at IRQL = DISPATCH_LEVEL)', 'SpinLockDpr'),
  verifierRule('LockNotHeld', 'A driver releases a spin lock or read-write lock it does not hold (never acquired, or released twice), or with a LOCK_STATE_EX that is not the one its acquisition gave.', 'NdisReleaseSpinLock: Remarks (a reciprocal call to each NdisAcquireSpinLock); NdisReleaseRWLock', 'SpinlockRelease'),
  verifierRule('SpinLockReleaseMismatch', 'A spin lock acquired with NdisAcquireSpinLock is released with NdisDprReleaseSpinLock, or one acquired with NdisDprAcquireSpinLock with NdisReleaseSpinLock.', 'NdisReleaseSpinLock, NdisDprReleaseSpinLock: Remarks', 'SpinLockDprRelease'),
  verifierRule('LockAcquiredRecursively', 'A driver acquires a spin lock, or a read-write lock for writing, that it already holds: the processor would spin for ever.', 'NdisAcquireSpinLock: Remarks (each acquisition needs its release before the next)', 'SpinLock'),
  rule('DispatchFlagBelowDispatch', 'A driver passes a *_DISPATCH_LEVEL flag (NDIS_SEND_FLAGS_DISPATCH_LEVEL, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RETURN_FLAGS_DISPATCH_LEVEL) while running below DISPATCH_LEVEL: NDIS trusts the flag and does not raise the IRQL, so what it calls runs at the wrong IRQL.', 'Dispatch IRQL Tracking (set the flag only when the known current IRQL is DISPATCH_LEVEL; clear it when it is not, or not known)'),
  rule('LockFreedWhileHeld', 'A driver frees a spin lock or read-write lock while it is held.', 'NdisFreeSpinLock, NdisFreeRWLock'),
  verifierRule('HandlerReturnedWithLockHeld', 'A driver handler, timer function or work item returns to NDIS holding a spin lock or read-write lock it acquired.', 'Synchronization and Notification in Network Drivers (spin locks are held for a few instructions, released before returning)', 'SpinLockBalanced'),
  rule('HandlerReturnedAtWrongIrql', 'A driver handler returns at an IRQL other than the one NDIS called it at (a spin lock released with the wrong function, or not in the order taken).', 'Each handler\'s page gives the IRQL NDIS calls it at; NdisReleaseSpinLock restores the IRQL of the matching NdisAcquireSpinLock'),
  rule('NblPoolFreedWithNblsOutstanding', 'NdisFreeNetBufferListPool is called while NBLs allocated from the pool are not all freed with NdisFreeNetBufferList.', 'NdisFreeNetBufferListPool: Remarks (every NBL of the pool is freed first); Driver Verifier DDI compliance rule NdisAllocateNetBufferListPool (ndis)'),
  rule('NetBufferPoolFreedWithNetBuffersOutstanding', 'NdisFreeNetBufferPool is called while NET_BUFFERs allocated from the pool are not all freed with NdisFreeNetBuffer.', 'NdisFreeNetBufferPool: Remarks (every NET_BUFFER of the pool is freed first); Driver Verifier DDI compliance rule NdisAllocateNetBufferPool (ndis)'),
  verifierRule('SendNotCompletedInTime', 'A filter module holds a send it was given in FilterSendNetBufferLists for 30 s without passing it down or completing it.', 'Driver Verifier NDIS/WIFI verification: NdisFilterTimedDataSend (a filter completes what FilterSendNetBufferLists was given before timing out; the figure is NdisTimedDataSend\'s 30 s)', 'NdisFilterTimedDataSend', 0x00092011),
  verifierRule('ReceiveNotReturnedInTime', 'A filter module holds a receive it was given in FilterReceiveNetBufferLists for 30 s without indicating it up or returning it.', 'Driver Verifier NDIS/WIFI verification: NdisFilterTimedDataReceive (a filter completes what FilterReceiveNetBufferLists was given before timing out; the figure is NdisTimedDataSend\'s 30 s)', 'NdisFilterTimedDataReceive', 0x00092012),
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`no verifier rule "${id}"`);
  return r;
}

/** The catalog as `nic-lab rules --json` prints it. */
export function catalogJson(): { id: string; statement: string; seed: string; severity: Severity; driverVerifier?: string }[] {
  return RULES.map(({ id, statement, seed, severity, driverVerifier }) => ({ id, statement, seed, severity, ...(driverVerifier ? { driverVerifier } : {}) }));
}
