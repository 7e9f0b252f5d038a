// The "ndis" module a driver imports: NDIS's functions and constants under their own names, bound
// to the runtime that loaded the driver. Each function checks what the driver passed (a handle
// from elsewhere, a value of the wrong type) and answers as NDIS would, with a status or a
// finding, never with an exception thrown into the core. Contracts are in ndis.d.ts.

import * as status from './status.ts';
import { LOCAL_NDIS } from './local-api.ts';
import { synchronizationApi } from './synchronization.ts';
import { NdisParameterInteger, NdisParameterHexInteger, NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 } from './constants.ts';
import { headerProblem } from './structures.ts';
import type { FilterStacks } from './filter.ts';
import { describe } from './describe.ts';
import type { NdisEngine } from './engine.ts';
import type { NdisHandle } from './handle.ts';
import type { DriverRecord, ProtocolCharacteristics, FilterCharacteristics } from './driver-record.ts';
import type { DriverRegistration } from './driver-registration.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { PnpDelivery } from './pnp-delivery.ts';
import type { ProtocolDatapath } from './protocol-datapath.ts';
import type { ProtocolOidRequests } from './protocol-oid-requests.ts';
import type { NetBufferListPools } from './net-buffer-list-pool.ts';
import type { MdlAllocation } from './mdl-allocation.ts';

/** The parts of the runtime the driver-facing functions reach (runtime.ts's NdisRuntime is one). */
export interface NdisParts extends NdisEngine {
  readonly registration: DriverRegistration;
  readonly protocols: ProtocolBindings;
  readonly pnp: PnpDelivery;
  readonly datapath: ProtocolDatapath;
  readonly oids: ProtocolOidRequests;
  readonly filters: FilterStacks;
  readonly nblPools: NetBufferListPools;
  readonly mdls: MdlAllocation;
}

interface TimerCharacteristics {
  Header?: unknown;
  TimerFunction?: (SystemSpecific1: null, FunctionContext: unknown, SystemSpecific2: null, SystemSpecific3: null) => void;
  FunctionContext?: unknown;
  AllocationTag?: number;
}

/** What makes an NDIS_TIMER_CHARACTERISTICS not valid (its Header, its TimerFunction), or undefined. */
function timerCharacteristicsProblem(c: TimerCharacteristics | null | undefined): string | undefined {
  if (c === null || typeof c !== 'object') return `TimerCharacteristics is ${describe(c)}, not an NDIS_TIMER_CHARACTERISTICS`;
  const header = headerProblem(c.Header, 'TimerCharacteristics', NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, 'NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS', NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1, 'NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1');
  if (header) return `${header} (Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1)`;
  if (typeof c.TimerFunction !== 'function') return `TimerCharacteristics.TimerFunction is ${describe(c.TimerFunction)}, not a function`;
  return undefined;
}

interface TimerObject {
  driver: DriverRecord;
  fn: NonNullable<TimerCharacteristics['TimerFunction']>;
  context: unknown;
  /** Scheduler task of the pending expiry, or 0. */
  task: number;
  freed: boolean;
}

interface WorkItem {
  driver: DriverRecord;
  freed: boolean;
}

/** 100-ns units, as NDIS's DueTime counts them. */
const NS_PER_TICK = 100n;

export function createNdisApi(runtime: NdisParts, driver: DriverRecord): Record<string, unknown> {
  const enter = <T>(call: string, fields: Record<string, unknown>, body: () => T): T => runtime.enter(driver, call, fields, body);

  /** Checks a datapath call's *_DISPATCH_LEVEL flag against the IRQL (engine.ts); true, so the call goes on after a non-fatal finding. */
  const dispatchChecked = (call: string, flags: unknown, flagName: string): true => {
    runtime.checkDispatchFlag(driver, call, flags, flagName);
    return true;
  };

  /**
   * Queues the timer's next firing `delayNs` from now. A periodic timer always has a next firing:
   * it runs as virtual time passes for other work but does not by itself keep a run going
   * (core/sched/scheduler.ts, background tasks).
   */
  const arm = (timer: TimerObject, delayNs: bigint, periodMs: number) => {
    timer.task = runtime.post('timer', () => fireTimer(timer, periodMs), { delayNs, background: periodMs > 0 });
  };
  const fireTimer = (timer: TimerObject, periodMs: number) => {
    timer.task = 0;
    if (timer.freed) return;
    if (periodMs > 0) arm(timer, BigInt(periodMs) * 1_000_000n, periodMs);
    runtime.invoke(driver, 'TimerFunction', undefined, false, () => timer.fn(null, timer.context, null, null));
  };

  return {
    ...LOCAL_NDIS,

    // ---- protocol drivers ----------------------------------------------------------------------
    NdisRegisterProtocolDriver: (ProtocolDriverContext: unknown, ProtocolCharacteristics: ProtocolCharacteristics) =>
      enter('NdisRegisterProtocolDriver', { name: ProtocolCharacteristics?.Name ?? null }, () => runtime.registration.registerProtocol(driver, ProtocolDriverContext, ProtocolCharacteristics)),

    NdisDeregisterProtocolDriver: (NdisProtocolHandle: unknown) =>
      enter('NdisDeregisterProtocolDriver', {}, () => runtime.registration.deregister(driver, NdisProtocolHandle, 'NdisDeregisterProtocolDriver')),

    NdisOpenAdapterEx: (NdisProtocolHandle: unknown, ProtocolBindingContext: unknown, OpenParameters: unknown, BindContext: unknown) =>
      enter('NdisOpenAdapterEx', {}, () => runtime.protocols.openAdapter(driver, NdisProtocolHandle, ProtocolBindingContext, OpenParameters, BindContext)),

    NdisCompleteBindAdapterEx: (BindAdapterContext: unknown, Status: number) =>
      enter('NdisCompleteBindAdapterEx', { status: status.statusName(Status) }, () => runtime.protocols.completeBindFromDriver(driver, BindAdapterContext, Status)),

    NdisCloseAdapterEx: (NdisBindingHandle: unknown) => enter('NdisCloseAdapterEx', {}, () => runtime.protocols.closeAdapter(driver, NdisBindingHandle)),

    NdisUnbindAdapter: (NdisBindingHandle: unknown) => enter('NdisUnbindAdapter', {}, () => runtime.protocols.unbindAdapter(driver, NdisBindingHandle)),

    NdisCompleteUnbindAdapterEx: (UnbindContext: unknown) => enter('NdisCompleteUnbindAdapterEx', {}, () => runtime.protocols.completeUnbindFromDriver(driver, UnbindContext)),

    NdisCompleteNetPnPEvent: (NdisBindingHandle: unknown, NetPnPEvent: unknown, Status: number) =>
      enter('NdisCompleteNetPnPEvent', { status: status.statusName(Status) }, () => runtime.pnp.completePnp(driver, NdisBindingHandle, NetPnPEvent, Status)),

    NdisSendNetBufferLists: (NdisBindingHandle: unknown, NetBufferLists: unknown, PortNumber = 0, SendFlags = 0) =>
      enter('NdisSendNetBufferLists', {}, () => dispatchChecked('NdisSendNetBufferLists', SendFlags, 'NDIS_SEND_FLAGS_DISPATCH_LEVEL') && runtime.datapath.sendFromProtocol(driver, NdisBindingHandle, NetBufferLists, PortNumber, SendFlags)),

    NdisReturnNetBufferLists: (NdisBindingHandle: unknown, NetBufferLists: unknown, ReturnFlags = 0) =>
      enter('NdisReturnNetBufferLists', {}, () => dispatchChecked('NdisReturnNetBufferLists', ReturnFlags, 'NDIS_RETURN_FLAGS_DISPATCH_LEVEL') && runtime.datapath.returnFromProtocol(driver, NdisBindingHandle, NetBufferLists, ReturnFlags)),

    NdisOidRequest: (NdisBindingHandle: unknown, OidRequest: unknown) => enter('NdisOidRequest', {}, () => runtime.oids.oidFromProtocol(driver, NdisBindingHandle, OidRequest)),

    NdisCancelOidRequest: (NdisBindingHandle: unknown, RequestId: unknown) => enter('NdisCancelOidRequest', {}, () => runtime.oids.cancelOidFromProtocol(driver, NdisBindingHandle, RequestId)),

    // ---- NBL pools and NBL allocation (core/ndis/net-buffer-list-pool.ts) ---------------------------
    NdisAllocateNetBufferListPool: (NdisHandle: unknown, Parameters: unknown) =>
      enter('NdisAllocateNetBufferListPool', {}, () => runtime.nblPools.allocatePool(driver, 'nblPool', NdisHandle, Parameters)),

    NdisFreeNetBufferListPool: (PoolHandle: unknown) => enter('NdisFreeNetBufferListPool', {}, () => runtime.nblPools.freePool(driver, 'nblPool', PoolHandle)),

    NdisAllocateNetBufferAndNetBufferList: (PoolHandle: unknown, ContextSize: unknown, ContextBackFill: unknown, MdlChain: unknown, DataOffset: unknown, DataLength: unknown) =>
      enter('NdisAllocateNetBufferAndNetBufferList', { dataLength: typeof DataLength === 'number' ? DataLength : null, mdlChain: MdlChain !== null && MdlChain !== undefined }, () =>
        runtime.nblPools.allocateNblAndNb(driver, PoolHandle, ContextSize, ContextBackFill, MdlChain, DataOffset, DataLength)),

    NdisAllocateNetBufferList: (PoolHandle: unknown, ContextSize: unknown, ContextBackFill: unknown) =>
      enter('NdisAllocateNetBufferList', {}, () => runtime.nblPools.allocateNbl(driver, PoolHandle, ContextSize, ContextBackFill)),

    NdisFreeNetBufferList: (NetBufferList: unknown) => enter('NdisFreeNetBufferList', {}, () => runtime.nblPools.freeNbl(driver, NetBufferList)),

    NdisAllocateNetBufferPool: (NdisHandle: unknown, Parameters: unknown) =>
      enter('NdisAllocateNetBufferPool', {}, () => runtime.nblPools.allocatePool(driver, 'nbPool', NdisHandle, Parameters)),

    NdisFreeNetBufferPool: (PoolHandle: unknown) => enter('NdisFreeNetBufferPool', {}, () => runtime.nblPools.freePool(driver, 'nbPool', PoolHandle)),

    NdisAllocateNetBuffer: (PoolHandle: unknown, MdlChain: unknown, DataOffset: unknown, DataLength: unknown) =>
      enter('NdisAllocateNetBuffer', { dataLength: typeof DataLength === 'number' ? DataLength : null }, () => runtime.nblPools.allocateNb(driver, PoolHandle, MdlChain, DataOffset, DataLength)),

    NdisFreeNetBuffer: (NetBuffer: unknown) => enter('NdisFreeNetBuffer', {}, () => runtime.nblPools.freeNb(driver, NetBuffer)),

    // ---- memory and MDLs (core/ndis/mdl-allocation.ts) --------------------------------------------------
    NdisAllocateMemoryWithTagPriority: (_NdisHandle: unknown, Length: unknown, _Tag?: unknown, _Priority?: unknown) =>
      enter('NdisAllocateMemoryWithTagPriority', { length: typeof Length === 'number' ? Length : null }, () => runtime.mdls.allocateMemory(driver, Length)),

    NdisFreeMemory: (VirtualAddress: unknown, _Length?: unknown, _MemoryFlags?: unknown) => enter('NdisFreeMemory', {}, () => runtime.mdls.freeMemory(driver, VirtualAddress)),

    NdisAllocateMdl: (_NdisHandle: unknown, VirtualAddress: unknown, Length: unknown) =>
      enter('NdisAllocateMdl', { length: typeof Length === 'number' ? Length : null }, () => runtime.mdls.allocateMdl(driver, VirtualAddress, Length)),

    NdisFreeMdl: (Mdl: unknown) => enter('NdisFreeMdl', {}, () => runtime.mdls.freeMdl(driver, Mdl)),

    NdisAdvanceNetBufferDataStart: (NetBuffer: unknown, DataOffsetDelta: unknown, FreeMdl: unknown, FreeMdlHandler?: unknown) =>
      enter('NdisAdvanceNetBufferDataStart', { delta: typeof DataOffsetDelta === 'number' ? DataOffsetDelta : null }, () => runtime.mdls.advance(driver, NetBuffer, DataOffsetDelta, FreeMdl, FreeMdlHandler)),

    NdisRetreatNetBufferDataStart: (NetBuffer: unknown, DataOffsetDelta: unknown, DataBackFill: unknown, AllocateMdlHandler?: unknown) =>
      enter('NdisRetreatNetBufferDataStart', { delta: typeof DataOffsetDelta === 'number' ? DataOffsetDelta : null }, () => runtime.mdls.retreat(driver, NetBuffer, DataOffsetDelta, DataBackFill, AllocateMdlHandler)),

    // ---- filter drivers ------------------------------------------------------------------------------
    NdisFRegisterFilterDriver: (_DriverObject: unknown, FilterDriverContext: unknown, FilterCharacteristics: FilterCharacteristics) =>
      enter('NdisFRegisterFilterDriver', { name: FilterCharacteristics?.FriendlyName ?? null }, () => runtime.registration.registerFilter(driver, FilterDriverContext, FilterCharacteristics)),

    NdisFDeregisterFilterDriver: (NdisFilterDriverHandle: unknown) =>
      enter('NdisFDeregisterFilterDriver', {}, () => runtime.registration.deregister(driver, NdisFilterDriverHandle, 'NdisFDeregisterFilterDriver')),

    NdisFSetAttributes: (NdisFilterHandle: unknown, FilterModuleContext: unknown, FilterAttributes?: unknown) =>
      enter('NdisFSetAttributes', {}, () => runtime.filters.setAttributes(driver, NdisFilterHandle, FilterModuleContext, FilterAttributes)),

    NdisFPauseComplete: (NdisFilterHandle: unknown) => enter('NdisFPauseComplete', {}, () => runtime.filters.pauseComplete(driver, NdisFilterHandle)),

    NdisFRestartComplete: (NdisFilterHandle: unknown, Status: number) =>
      enter('NdisFRestartComplete', { status: status.statusName(Status) }, () => runtime.filters.restartComplete(driver, NdisFilterHandle, Status)),

    NdisFSendNetBufferLists: (NdisFilterHandle: unknown, NetBufferLists: unknown, PortNumber = 0, SendFlags = 0) =>
      enter('NdisFSendNetBufferLists', {}, () => dispatchChecked('NdisFSendNetBufferLists', SendFlags, 'NDIS_SEND_FLAGS_DISPATCH_LEVEL') && runtime.filters.sendFromModule(driver, NdisFilterHandle, NetBufferLists, PortNumber, SendFlags)),

    NdisFSendNetBufferListsComplete: (NdisFilterHandle: unknown, NetBufferLists: unknown, SendCompleteFlags = 0) =>
      enter('NdisFSendNetBufferListsComplete', {}, () => dispatchChecked('NdisFSendNetBufferListsComplete', SendCompleteFlags, 'NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL') && runtime.filters.completeFromModule(driver, NdisFilterHandle, NetBufferLists, SendCompleteFlags)),

    NdisFIndicateReceiveNetBufferLists: (NdisFilterHandle: unknown, NetBufferLists: unknown, PortNumber = 0, NumberOfNetBufferLists = 0, ReceiveFlags = 0) =>
      enter('NdisFIndicateReceiveNetBufferLists', {}, () => dispatchChecked('NdisFIndicateReceiveNetBufferLists', ReceiveFlags, 'NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL') && runtime.filters.indicateFromModule(driver, NdisFilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists, ReceiveFlags)),

    NdisFReturnNetBufferLists: (NdisFilterHandle: unknown, NetBufferLists: unknown, ReturnFlags = 0) =>
      enter('NdisFReturnNetBufferLists', {}, () => dispatchChecked('NdisFReturnNetBufferLists', ReturnFlags, 'NDIS_RETURN_FLAGS_DISPATCH_LEVEL') && runtime.filters.returnFromModule(driver, NdisFilterHandle, NetBufferLists, ReturnFlags)),

    NdisFOidRequest: (NdisFilterHandle: unknown, OidRequest: unknown) =>
      enter('NdisFOidRequest', {}, () => runtime.filters.oidFromModule(driver, NdisFilterHandle, OidRequest)),

    NdisFCancelOidRequest: (NdisFilterHandle: unknown, RequestId: unknown) =>
      enter('NdisFCancelOidRequest', {}, () => runtime.filters.cancelFromModule(driver, NdisFilterHandle, RequestId)),

    /** { Status, ClonedOidRequest }: C's out parameter ClonedOidRequest is returned. */
    NdisAllocateCloneOidRequest: (SourceHandle: unknown, OidRequest: unknown, _PoolTag?: number) =>
      enter('NdisAllocateCloneOidRequest', {}, () => runtime.filters.allocateClone(driver, SourceHandle, OidRequest)),

    NdisFreeCloneOidRequest: (SourceHandle: unknown, Request: unknown) =>
      enter('NdisFreeCloneOidRequest', {}, () => runtime.filters.freeClone(driver, SourceHandle, Request)),

    NdisFOidRequestComplete: (NdisFilterHandle: unknown, OidRequest: unknown, Status: number) =>
      enter('NdisFOidRequestComplete', { status: status.statusName(Status) }, () => runtime.filters.oidCompleteFromModule(driver, NdisFilterHandle, OidRequest, Status)),

    NdisFIndicateStatus: (NdisFilterHandle: unknown, StatusIndication: unknown) =>
      enter('NdisFIndicateStatus', {}, () => runtime.filters.statusFromModule(driver, NdisFilterHandle, StatusIndication)),

    /** From FilterNetPnPEvent: passes the event to the layers above the module; returns when they have handled it (filter.ts forwardPnp). */
    NdisFNetPnPEvent: (NdisFilterHandle: unknown, NetPnPEvent: unknown) =>
      enter('NdisFNetPnPEvent', {}, () => runtime.filters.forwardPnp(driver, NdisFilterHandle, NetPnPEvent)),

    /** From FilterDevicePnPEventNotify: passes the device event to the layer below the module. */
    NdisFDevicePnPEventNotify: (NdisFilterHandle: unknown, NetDevicePnPEvent: unknown) =>
      enter('NdisFDevicePnPEventNotify', {}, () => runtime.filters.forwardDevicePnp(driver, NdisFilterHandle, NetDevicePnPEvent)),

    // ---- configuration (the registry) ---------------------------------------------------------------
    /** Opens the driver's configuration; ConfigObject.NdisHandle is one of its own live handles. */
    NdisOpenConfigurationEx: (ConfigObject: { NdisHandle?: unknown } | null) =>
      enter('NdisOpenConfigurationEx', {}, () => {
        const handle = ConfigObject?.NdisHandle;
        const owner = runtime.resolve<{ driver?: DriverRecord; protocol?: DriverRecord }>(handle, (handle as NdisHandle | undefined)?.kind ?? '');
        const kinds = ['protocol', 'filterDriver', 'binding', 'filterModule'];
        const ours = owner === driver || owner?.driver === driver || owner?.protocol === driver;
        if (!ours || !kinds.includes((handle as NdisHandle).kind)) {
          runtime.report('InvalidHandle', { driver: driver.name, message: `NdisOpenConfigurationEx: ConfigObject.NdisHandle must be the driver's NdisProtocolHandle, NdisFilterDriverHandle, an NdisBindingHandle or an NdisFilterHandle; it is ${describe(handle)}` });
          return { Status: status.NDIS_STATUS_INVALID_PARAMETER, ConfigurationHandle: null };
        }
        return { Status: status.NDIS_STATUS_SUCCESS, ConfigurationHandle: runtime.newHandle('configuration', driver.name, { driver, open: true }) };
      }),

    /** Reads one integer keyword: { Status, ParameterValue } (NDIS_STATUS_FAILURE if it is not there). */
    NdisReadConfiguration: (ConfigurationHandle: unknown, Keyword: unknown, ParameterType: number) =>
      enter('NdisReadConfiguration', { keyword: typeof Keyword === 'string' ? Keyword : null }, () => {
        const config = runtime.resolve<{ driver: DriverRecord; open: boolean }>(ConfigurationHandle, 'configuration');
        if (!config || config.driver !== driver || !config.open) {
          runtime.report('InvalidHandle', { driver: driver.name, message: `NdisReadConfiguration expects an open ConfigurationHandle from NdisOpenConfigurationEx; it got ${describe(ConfigurationHandle)}` });
          return { Status: status.NDIS_STATUS_INVALID_PARAMETER, ParameterValue: null };
        }
        if (typeof Keyword !== 'string') {
          runtime.report('InvalidParameter', { driver: driver.name, message: `NdisReadConfiguration: Keyword must be a string; it is ${describe(Keyword)}` });
          return { Status: status.NDIS_STATUS_INVALID_PARAMETER, ParameterValue: null };
        }
        const value = runtime.configuration.get(Keyword);
        const integer = ParameterType === NdisParameterInteger || ParameterType === NdisParameterHexInteger;
        if (value === undefined || !integer) return { Status: status.NDIS_STATUS_FAILURE, ParameterValue: null };
        return { Status: status.NDIS_STATUS_SUCCESS, ParameterValue: { ParameterType, ParameterData: { IntegerData: value } } };
      }),

    NdisCloseConfiguration: (ConfigurationHandle: unknown) =>
      enter('NdisCloseConfiguration', {}, () => {
        const config = runtime.resolve<{ driver: DriverRecord; open: boolean }>(ConfigurationHandle, 'configuration');
        if (config && config.driver === driver) config.open = false;
      }),

    // ---- synchronization and IRQL (synchronization.ts) ---------------------------------------------
    ...synchronizationApi(runtime, driver),

    // ---- timers (virtual time) --------------------------------------------------------------------
    NdisAllocateTimerObject: (_NdisHandle: unknown, TimerCharacteristics: TimerCharacteristics) =>
      enter('NdisAllocateTimerObject', {}, () => {
        // The return values NdisAllocateTimerObject's page gives: NDIS_STATUS_BAD_CHARACTERISTICS
        // for an NDIS_TIMER_CHARACTERISTICS that is not valid.
        const problem = timerCharacteristicsProblem(TimerCharacteristics);
        if (problem) {
          runtime.trace.record('refused', { driver: driver.name, call: 'NdisAllocateTimerObject', why: `NdisAllocateTimerObject: ${problem}` });
          return { Status: status.NDIS_STATUS_BAD_CHARACTERISTICS, TimerObject: null };
        }
        const timer: TimerObject = { driver, fn: TimerCharacteristics.TimerFunction!, context: TimerCharacteristics.FunctionContext, task: 0, freed: false };
        return { Status: status.NDIS_STATUS_SUCCESS, TimerObject: runtime.newHandle('timer', driver.name, timer) };
      }),

    NdisSetTimerObject: (TimerObject: unknown, DueTime: bigint | number, MillisecondsPeriod = 0, FunctionContext?: unknown) =>
      enter('NdisSetTimerObject', { dueTime: String(DueTime), period: MillisecondsPeriod }, () => {
        const timer = runtime.resolve<TimerObject>(TimerObject, 'timer');
        if (!timer || timer.driver !== driver || timer.freed) throw new TypeError('NdisSetTimerObject: not a timer object of this driver (use NdisAllocateTimerObject)');
        const due = BigInt(DueTime);
        // Negative: relative, in 100-ns units. Positive: absolute virtual time in 100-ns units.
        const delayNs = due < 0n ? -due * NS_PER_TICK : due * NS_PER_TICK > runtime.machine.clockNs ? due * NS_PER_TICK - runtime.machine.clockNs : 0n;
        const wasQueued = timer.task !== 0 && runtime.scheduler.cancel(timer.task);
        if (FunctionContext !== undefined) timer.context = FunctionContext;
        arm(timer, delayNs, MillisecondsPeriod);
        return wasQueued;
      }),

    NdisCancelTimerObject: (TimerObject: unknown) =>
      enter('NdisCancelTimerObject', {}, () => {
        const timer = runtime.resolve<TimerObject>(TimerObject, 'timer');
        if (!timer || timer.driver !== driver) return false;
        const cancelled = timer.task !== 0 && runtime.scheduler.cancel(timer.task);
        timer.task = 0;
        return cancelled;
      }),

    NdisFreeTimerObject: (TimerObject: unknown) =>
      enter('NdisFreeTimerObject', {}, () => {
        const timer = runtime.resolve<TimerObject>(TimerObject, 'timer');
        if (!timer || timer.driver !== driver) return;
        if (timer.task !== 0) runtime.scheduler.cancel(timer.task);
        timer.freed = true;
      }),

    // ---- work items --------------------------------------------------------------------------------
    NdisAllocateIoWorkItem: (_NdisObjectHandle: unknown): NdisHandle =>
      enter('NdisAllocateIoWorkItem', {}, () => runtime.newHandle('workItem', driver.name, { driver, freed: false } satisfies WorkItem)),

    NdisQueueIoWorkItem: (NdisIoWorkItemHandle: unknown, Routine: (WorkItemContext: unknown, NdisIoWorkItemHandle: unknown) => void, WorkItemContext: unknown) =>
      enter('NdisQueueIoWorkItem', {}, () => {
        const item = runtime.resolve<WorkItem>(NdisIoWorkItemHandle, 'workItem');
        if (!item || item.driver !== driver || item.freed) throw new TypeError('NdisQueueIoWorkItem: not a work item of this driver (use NdisAllocateIoWorkItem)');
        if (typeof Routine !== 'function') throw new TypeError('NdisQueueIoWorkItem: Routine must be a function');
        runtime.post('work item', () => runtime.invoke(driver, 'WorkItemRoutine', undefined, false, () => Routine(WorkItemContext, NdisIoWorkItemHandle)));
      }),

    NdisFreeIoWorkItem: (NdisIoWorkItemHandle: unknown) =>
      enter('NdisFreeIoWorkItem', {}, () => {
        const item = runtime.resolve<WorkItem>(NdisIoWorkItemHandle, 'workItem');
        if (item && item.driver === driver) item.freed = true;
      }),
  };
}
