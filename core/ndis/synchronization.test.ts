// Synchronization and IRQL: handlers run at the IRQL their pages give, NDIS functions are checked
// against theirs, waits run the scheduler nested in virtual time (in both hosts, one trace per
// seed), and each rule of core/verifier/rules.ts on locks, waits and IRQL is met by building the
// situation it names, with the correct driver reporting nothing.

import { describe, it, expect } from 'vitest';
import { NdisRuntime, type RuntimeOptions } from './runtime.ts';
import { echoProtocol, twoNics, send, UNUSED_COMPLETE_HANDLERS, OPENS_AND_CLOSES_AT_ONCE } from './test-drivers.ts';

interface Handlers {
  prelude?: string;
  /** After the adapter is open; `b` is the binding, `bindContext` in scope; returns a status. */
  bind?: string;
  unbind?: string;
  oidComplete?: string;
  sendComplete?: string;
  receive?: string;
  pnp?: string;
}

/**
 * A protocol driver as a learner writes it, with the characteristics' Header
 * (NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, revision 1, and
 * NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1: through SendNetBufferListsCompleteHandler, 120 bytes on x64).
 */
function protocol(h: Handlers = {}): string {
  return `
import * as ndis from "ndis";
import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisOidRequest, NdisInitializeEvent, NdisSetEvent,
  NdisResetEvent, NdisWaitEvent, NdisMSleep, NdisAllocateSpinLock, NdisFreeSpinLock, NdisAcquireSpinLock, NdisReleaseSpinLock,
  NdisDprAcquireSpinLock, NdisDprReleaseSpinLock, NdisAllocateRWLock, NdisAcquireRWLockRead, NdisAcquireRWLockWrite,
  NdisReleaseRWLock, NdisInterlockedIncrement, NdisInterlockedDecrement, NdisInterlockedAddUlong, KeGetCurrentIrql,
  NDIS_CURRENT_IRQL, NdisAllocateTimerObject, NdisSetTimerObject, NdisAllocateIoWorkItem, NdisQueueIoWorkItem,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_DIRECTED,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, PASSIVE_LEVEL, DISPATCH_LEVEL, NDIS_RWL_AT_DISPATCH_LEVEL,
  NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL,
} from "ndis";

interface Binding { handle: any; }
let protocolHandle: any = null;
export const seen: Record<string, unknown> = {};
function packetFilter(b: Binding, request: unknown = null): unknown {
  const buffer = new Uint8Array(4);
  buffer[0] = NDIS_PACKET_TYPE_DIRECTED;
  const r = request ?? { Header: { Type: 0x96, Revision: 1, Size: 236 }, RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer } } };
  NdisOidRequest(b.handle, r);
  return r;
}
${h.prelude ?? ''}

export function DriverEntry(): number {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: 1, Size: 120 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: "sync",
    BindAdapterHandlerEx(_driverContext: unknown, bindContext: unknown, params: any): number {
      const b: Binding = { handle: null };
      const open = NdisOpenAdapterEx(protocolHandle, b, { Header: { Type: 0x87, Revision: 1, Size: 52 }, AdapterName: params.AdapterName, MediumArray: [0], MediumArraySize: 1, SelectedMediumIndex: null, FrameTypeArray: null, FrameTypeArraySize: 0 }, bindContext);
      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;
      b.handle = open.NdisBindingHandle;
      ${h.bind ?? 'return NDIS_STATUS_SUCCESS;'}
    },
    UnbindAdapterHandlerEx(_unbindContext: unknown, b: Binding): number {
      ${h.unbind ?? 'NdisCloseAdapterEx(b.handle); return NDIS_STATUS_SUCCESS;'}
    },
    OidRequestCompleteHandler(b: Binding, request: unknown, status: number): void {
      ${h.oidComplete ?? ''}
    },
    SendNetBufferListsCompleteHandler(b: Binding, nbls: unknown, flags: number): void {
      ${h.sendComplete ?? ''}
    },
    ReceiveNetBufferListsHandler(b: Binding, nbls: any, _port: number, _count: number, flags: number): void {
      ${h.receive ?? ''}
    },
    ${UNUSED_COMPLETE_HANDLERS}
    NetPnPEventHandler(b: Binding, event: unknown): number {
      ${h.pnp ?? 'return NDIS_STATUS_SUCCESS;'}
    },
  } as any);
  protocolHandle = NdisProtocolHandle;
  return Status;
}
`;
}

type Host = 'in-process' | 'worker';

async function run(source: string, options: RuntimeOptions & { host?: Host } = {}, then?: (rt: NdisRuntime) => void) {
  // The tests wait on OID completions, so requests pend; opens and closes complete at once, the
  // path that keeps each trace short (protocol.test.ts tests the pended ones).
  const rt = await NdisRuntime.create({ nics: 1, seed: 1, pendingLimitNs: 50_000_000n, decisions: { ...OPENS_AND_CLOSES_AT_ONCE, 'oid-completion': 1 }, ...options });
  try {
    const driver = await rt.loadDriver(source, 'sync.ts');
    rt.startStack();
    rt.run();
    then?.(rt);
    rt.run();
    // A stopped machine answers no driver (a worker's exports included).
    return { rt, driver, seen: (rt.stopped ? {} : driver.exports.seen) as Record<string, unknown> };
  } finally {
    await rt.close();
  }
}

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

/** The bind waits for its OID request: the completion (same driver, DISPATCH_LEVEL) sets the event. */
const WAITS_FOR_ITS_OID: Handlers = {
  prelude: 'let done: any = null;',
  bind: `done = NdisInitializeEvent();
      seen.bindIrql = KeGetCurrentIrql();
      const before = seen.before = ndis.NdisInterlockedIncrement(new Int32Array(1));
      packetFilter(b);
      seen.signalled = NdisWaitEvent(done, 0);
      seen.afterWaitIrql = NDIS_CURRENT_IRQL();
      return NDIS_STATUS_SUCCESS;`,
  oidComplete: 'seen.oidIrql = KeGetCurrentIrql(); NdisSetEvent(done);',
};

describe('IRQL', () => {
  it('runs each handler at its documented IRQL: bind and work items at PASSIVE_LEVEL, completions and timers at DISPATCH_LEVEL', async () => {
    const { rt, seen } = await run(protocol({
      prelude: 'let timer: any = null; let item: any = null;',
      bind: `seen.bind = KeGetCurrentIrql();
      timer = NdisAllocateTimerObject(null, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: () => { seen.timer = KeGetCurrentIrql(); NdisQueueIoWorkItem(item, () => { seen.workItem = KeGetCurrentIrql(); }, null); } }).TimerObject;
      item = NdisAllocateIoWorkItem(protocolHandle);
      NdisSetTimerObject(timer, -10_000n, 0);
      packetFilter(b);
      return NDIS_STATUS_SUCCESS;`,
      oidComplete: 'seen.oidComplete = KeGetCurrentIrql();',
      pnp: 'seen.pnp = KeGetCurrentIrql(); return NDIS_STATUS_SUCCESS;',
    }));
    expect(rt.verifier.findings).toEqual([]);
    expect(seen).toEqual({ bind: 0, pnp: 0, oidComplete: 2, timer: 2, workItem: 0 });
  });

  it('passes the *_DISPATCH_LEVEL flag exactly when it calls at DISPATCH_LEVEL: receives and send completions from the DPC', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol({
      receive: 'observed.push(["receive", KeGetCurrentIrql(), flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL]); NdisReturnNetBufferLists(b.handle, nbls, 0);',
      extra: 'observed.push(["sendComplete", KeGetCurrentIrql(), _flags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL]);',
    }));
    send(rt, driver, echo, 3);
    rt.run();
    expect(rt.verifier.findings).toEqual([]);
    const observed = (driver.exports as { observed: [string, number, number][] }).observed;
    expect(observed.length).toBeGreaterThan(1);
    expect(new Set(observed.map(([, irql, flag]) => `${irql}/${flag}`))).toEqual(new Set(['2/1']));
    await rt.close();
  });

  it('IrqlTooHighForCall: NdisCloseAdapterEx (PASSIVE_LEVEL) from a timer, which runs at DISPATCH_LEVEL (Irql_Protocol_Driver_Function)', async () => {
    const { rt } = await run(protocol({
      bind: `const timer = NdisAllocateTimerObject(null, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: () => NdisCloseAdapterEx(b.handle) }).TimerObject;
      NdisSetTimerObject(timer, -10_000n, 0);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['IrqlTooHighForCall']);
    expect(rt.stopped?.message).toMatch(/NdisCloseAdapterEx at DISPATCH_LEVEL/);
    expect(rt.stopped?.callPath).toEqual(['sync!TimerFunction', 'NdisCloseAdapterEx']);
  });

  it('IrqlTooHighForCall: NdisOpenConfigurationEx from ProtocolOidRequestComplete', async () => {
    const { rt } = await run(protocol({
      bind: 'packetFilter(b); return NDIS_STATUS_SUCCESS;',
      oidComplete: 'ndis.NdisOpenConfigurationEx({ NdisHandle: protocolHandle });',
    }));
    expect(rules(rt)).toEqual(['IrqlTooHighForCall']);
  });

  it('HandlerReturnedAtWrongIrql: a spin lock taken with NdisAcquireSpinLock and let go with NdisDprReleaseSpinLock leaves DISPATCH_LEVEL behind', async () => {
    const { rt } = await run(protocol({
      bind: `const lock = NdisAllocateSpinLock();
      NdisAcquireSpinLock(lock);
      NdisDprReleaseSpinLock(lock);
      return NDIS_STATUS_SUCCESS;`,
    }), { demote: ['SpinLockReleaseMismatch'] });
    expect(rules(rt)).toEqual(['SpinLockReleaseMismatch', 'HandlerReturnedAtWrongIrql']);
    expect(rt.stopped?.message).toMatch(/called at PASSIVE_LEVEL and returned at DISPATCH_LEVEL/);
  });
});

describe('NDIS events and waits', () => {
  it('a bind that waits for its own OID completion: the scheduler runs nested until the completion sets the event', async () => {
    const { rt, seen } = await run(protocol(WAITS_FOR_ITS_OID));
    expect(rt.verifier.findings).toEqual([]);
    expect(seen).toEqual({ bindIrql: 0, before: 1, oidIrql: 2, signalled: true, afterWaitIrql: 0 });
    expect(rt.bindings[0]!.state).toBe('Running');
    // The completion ran inside the bind: between the bind's NdisWaitEvent and the bind's return.
    const kinds = rt.trace.events.filter((e) => (e.kind === 'handler' || e.kind === 'return' || (e.kind === 'ndis' && e.call === 'NdisWaitEvent'))).map((e) => `${e.kind}:${e.handler ?? e.call}`);
    const wait = kinds.indexOf('ndis:NdisWaitEvent');
    expect(kinds.slice(wait, wait + 4)).toEqual(['ndis:NdisWaitEvent', 'handler:ProtocolOidRequestComplete', 'return:ProtocolOidRequestComplete', 'return:ProtocolBindAdapterEx']);
  });

  it('gives one trace for one seed, in-process and in a worker (the wait nests across the call channel)', async () => {
    for (const seed of [1, 4]) {
      const inProcess = await run(protocol(WAITS_FOR_ITS_OID), { seed });
      const worker = await run(protocol(WAITS_FOR_ITS_OID), { seed, host: 'worker' });
      expect(worker.rt.verifier.findings).toEqual([]);
      expect(worker.rt.trace.events).toEqual(inProcess.rt.trace.events);
    }
  });

  it('a pause that waits for its sends (as ndisprot does): the completions run inside the wait, the restart queued behind the pause waits for it', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol({
      pause: `if (b.outstanding > 0) {
          const drained = NdisInitializeEvent();
          (b as any).drained = drained;
          observed.push(["waits", b.outstanding]);
          observed.push(["signalled", NdisWaitEvent(drained, 0), b.outstanding]);
        }`,
      extra: 'if (b.outstanding === 0 && (b as any).drained) NdisSetEvent((b as any).drained);',
    }));
    // The sends are out when the pause is asked for (the application sends, then NDIS pauses).
    rt.post('application sends, then a pause and a restart', () => {
      rt.invoke(driver, 'application', undefined, false, () => echo.sendFrames(0, rt.machine.nic(1).permanentAddress, 30));
      rt.pauseStack(rt.adapters[0]!);
      rt.restartStack(rt.adapters[0]!);
    });
    rt.run();
    expect(rt.verifier.findings).toEqual([]);
    const observed = (driver.exports as { observed: unknown[][] }).observed;
    expect(observed[0]![0]).toBe('waits');
    expect(observed[1]).toEqual(['signalled', true, 0]);
    const states = rt.trace.events.filter((e) => e.kind === 'state' && e.object === 'binding echo/nic0').map((e) => e.to);
    expect(states.slice(-4)).toEqual(['Pausing', 'Paused', 'Restarting', 'Running']);
    await rt.close();
  });

  it('NdisWaitEvent times out in virtual time and returns false; NdisMSleep advances it', async () => {
    const { rt, seen } = await run(protocol({
      bind: `const e = NdisInitializeEvent();
      seen.timedOut = NdisWaitEvent(e, 5);
      NdisMSleep(250);
      NdisSetEvent(e);
      seen.set = NdisWaitEvent(e, 5);
      NdisResetEvent(e);
      seen.reset = NdisWaitEvent(e, 1);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rt.verifier.findings).toEqual([]);
    expect(seen).toEqual({ timedOut: false, set: true, reset: false });
    const waits = rt.trace.events.filter((e) => e.kind === 'ndis' && (e.call === 'NdisWaitEvent' || e.call === 'NdisMSleep'));
    expect(waits.map((e) => e.t)).toEqual([0n, 5_000_000n, 5_250_000n, 5_250_000n].map((t) => t + waits[0]!.t));
  });

  it('WaitAbovePassive: NdisWaitEvent in ProtocolOidRequestComplete (DISPATCH_LEVEL) (Irql_Miscellaneous_Function)', async () => {
    const { rt } = await run(protocol({
      bind: 'packetFilter(b); return NDIS_STATUS_SUCCESS;',
      oidComplete: 'NdisWaitEvent(NdisInitializeEvent(), 10);',
    }));
    expect(rules(rt)).toEqual(['WaitAbovePassive']);
  });

  it('WaitAbovePassive: NdisWaitEvent at DISPATCH_LEVEL on an event already set (it would not block, but the page allows PASSIVE_LEVEL only)', async () => {
    const { rt } = await run(protocol({
      bind: 'packetFilter(b); return NDIS_STATUS_SUCCESS;',
      oidComplete: 'const done = NdisInitializeEvent(); NdisSetEvent(done); NdisWaitEvent(done, 0);',
    }));
    expect(rules(rt)).toEqual(['WaitAbovePassive']);
  });

  it('WaitAbovePassive: NdisMSleep holding a spin lock', async () => {
    const { rt } = await run(protocol({
      bind: `const lock = NdisAllocateSpinLock();
      NdisAcquireSpinLock(lock);
      NdisMSleep(10);
      NdisReleaseSpinLock(lock);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['WaitAbovePassive']);
    expect(rt.stopped?.message).toMatch(/NdisMSleep at DISPATCH_LEVEL holding spinLock handle \d+/);
  });

  it('WaitDeadlock: a wait with no timeout for an event nothing will set, with nothing left to run', async () => {
    const { rt } = await run(protocol({
      bind: 'NdisWaitEvent(NdisInitializeEvent(), 0); return NDIS_STATUS_SUCCESS;',
    }));
    expect(rules(rt)).toEqual(['WaitDeadlock']);
    expect(rt.stopped?.callPath).toEqual(['sync!ProtocolBindAdapterEx', 'NdisWaitEvent']);
  });

  it('refuses a wait nested 32 deep (work items that each wait, each run inside the wait before): HandlerThrew names it', async () => {
    const { rt } = await run(protocol({
      prelude: `let e: any = null;
      function again(): void {
        NdisQueueIoWorkItem(NdisAllocateIoWorkItem(protocolHandle), again, null);
        NdisWaitEvent(e, 1000);
      }`,
      bind: 'e = NdisInitializeEvent(); again(); return NDIS_STATUS_SUCCESS;',
    }));
    expect(rules(rt)).toEqual(['HandlerThrew']);
    expect(rt.stopped?.message).toMatch(/32 waits are in progress/);
  });

  it('traces each wait\'s end: whether it was satisfied and the virtual time it took', async () => {
    const { rt } = await run(protocol(WAITS_FOR_ITS_OID));
    const waited = rt.trace.events.filter((e) => e.kind === 'waited');
    expect(waited).toHaveLength(1);
    expect(waited[0]).toMatchObject({ driver: 'sync', call: 'NdisWaitEvent', satisfied: true });
  });

  it('refuses an event it did not make (a forged object with an event handle\'s shape)', async () => {
    const { rt } = await run(protocol({
      bind: 'const real = NdisInitializeEvent(); NdisSetEvent({ kind: real.kind, id: real.id }); return NDIS_STATUS_SUCCESS;',
    }));
    expect(rules(rt)).toEqual(['InvalidHandle']);
  });
});

describe('spin locks and read-write locks', () => {
  it('a correct driver: NdisAcquireSpinLock raises to DISPATCH_LEVEL and NdisReleaseSpinLock restores; Dpr forms at DISPATCH_LEVEL; RW locks; interlocked counters', async () => {
    const { rt, seen } = await run(protocol({
      prelude: 'let lock: any = null; let rw: any = null; const count = new Int32Array(1); const bytes = new Uint32Array(1);',
      bind: `lock = NdisAllocateSpinLock();
      rw = NdisAllocateRWLock(protocolHandle);
      NdisAcquireSpinLock(lock);
      seen.held = KeGetCurrentIrql();
      NdisReleaseSpinLock(lock);
      seen.released = KeGetCurrentIrql();
      const r1 = NdisAcquireRWLockRead(rw, 0);
      const r2 = NdisAcquireRWLockRead(rw, 0);
      NdisReleaseRWLock(rw, r2);
      NdisReleaseRWLock(rw, r1);
      const w = NdisAcquireRWLockWrite(rw, 0);
      seen.writing = KeGetCurrentIrql();
      NdisReleaseRWLock(rw, w);
      seen.counts = [NdisInterlockedIncrement(count), NdisInterlockedIncrement(count), NdisInterlockedDecrement(count)];
      NdisInterlockedAddUlong(bytes, 0xffffffff, lock);
      NdisInterlockedAddUlong(bytes, 2, lock);
      seen.bytes = bytes[0];
      packetFilter(b);
      return NDIS_STATUS_SUCCESS;`,
      oidComplete: `NdisDprAcquireSpinLock(lock);
      const s = NdisAcquireRWLockWrite(rw, NDIS_RWL_AT_DISPATCH_LEVEL);
      NdisReleaseRWLock(rw, s);
      NdisDprReleaseSpinLock(lock);
      seen.dpc = KeGetCurrentIrql();
      NdisFreeSpinLock(lock);`,
    }));
    expect(rt.verifier.findings).toEqual([]);
    expect(seen).toEqual({ held: 2, released: 0, writing: 2, counts: [1, 2, 1], bytes: 1, dpc: 2 });
  });

  it('LockNotHeld: NdisReleaseSpinLock of a lock never acquired (SpinlockRelease)', async () => {
    const { rt } = await run(protocol({ bind: 'NdisReleaseSpinLock(NdisAllocateSpinLock()); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['LockNotHeld']);
  });

  it('LockNotHeld: NdisReleaseRWLock with a LOCK_STATE_EX already released', async () => {
    const { rt } = await run(protocol({
      bind: 'const rw = NdisAllocateRWLock(null); const s = NdisAcquireRWLockRead(rw, 0); NdisReleaseRWLock(rw, s); NdisReleaseRWLock(rw, s); return NDIS_STATUS_SUCCESS;',
    }));
    expect(rules(rt)).toEqual(['LockNotHeld']);
  });

  it('LockAcquiredRecursively: a second NdisAcquireSpinLock of a held lock would spin for ever (SpinLock)', async () => {
    const { rt } = await run(protocol({ bind: 'const l = NdisAllocateSpinLock(); NdisAcquireSpinLock(l); NdisDprAcquireSpinLock(l); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['LockAcquiredRecursively']);
  });

  it('DprLockBelowDispatch: NdisDprAcquireSpinLock at PASSIVE_LEVEL (SpinLockDpr)', async () => {
    const { rt } = await run(protocol({ bind: 'const l = NdisAllocateSpinLock(); NdisDprAcquireSpinLock(l); NdisDprReleaseSpinLock(l); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['DprLockBelowDispatch']);
  });

  it('HandlerReturnedWithLockHeld: a completion returns with its spin lock still held (SpinLockBalanced)', async () => {
    const { rt } = await run(protocol({
      prelude: 'let lock: any = null;',
      bind: 'lock = NdisAllocateSpinLock(); packetFilter(b); return NDIS_STATUS_SUCCESS;',
      oidComplete: 'NdisDprAcquireSpinLock(lock);',
    }));
    expect(rules(rt)).toEqual(['HandlerReturnedWithLockHeld']);
    expect(rt.stopped?.callPath).toEqual(['sync!ProtocolOidRequestComplete']);
  });

  it('LockFreedWhileHeld, and a forged lock is refused', async () => {
    const freed = await run(protocol({ bind: 'const l = NdisAllocateSpinLock(); NdisAcquireSpinLock(l); NdisFreeSpinLock(l); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(freed.rt)).toEqual(['LockFreedWhileHeld']);
    const forged = await run(protocol({ bind: 'const l = NdisAllocateSpinLock(); NdisAcquireSpinLock({ kind: l.kind, id: l.id, label: l.label }); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(forged.rt)).toEqual(['InvalidHandle']);
  });
});

/**
 * A pass-through filter that records the IRQL and the *_DISPATCH_LEVEL flag of each datapath
 * handler, with its characteristics' Header (NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
 * revision 1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1: through StatusHandler, 200 bytes on x64).
 */
const IRQL_FILTER = `
import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, KeGetCurrentIrql, NDIS_STATUS_SUCCESS,
} from "ndis";
export const seen: Record<string, string[]> = {};
const note = (handler: string, flags: number) => {
  const entry = KeGetCurrentIrql() + "/" + (flags & 1);
  const list = (seen[handler] ??= []);
  if (!list.includes(entry)) list.push(entry);
};
export function DriverEntry(): number {
  return NdisFRegisterFilterDriver(null, null, {
    Header: { Type: 0x8b, Revision: 1, Size: 200 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: "irql-filter",
    AttachHandler(handle: any): number { note("FilterAttach", 0); return NdisFSetAttributes(handle, { handle }, { Header: { Type: 0x8d, Revision: 1, Size: 8 }, Flags: 0 }); },
    DetachHandler(): void {},
    RestartHandler(): number { note("FilterRestart", 0); return NDIS_STATUS_SUCCESS; },
    PauseHandler(): number { note("FilterPause", 0); return NDIS_STATUS_SUCCESS; },
    SendNetBufferListsHandler(m: any, nbls: any, port: number, flags: number): void { note("FilterSendNetBufferLists", flags); NdisFSendNetBufferLists(m.handle, nbls, port, flags); },
    SendNetBufferListsCompleteHandler(m: any, nbls: any, flags: number): void { note("FilterSendNetBufferListsComplete", flags); NdisFSendNetBufferListsComplete(m.handle, nbls, flags); },
    ReceiveNetBufferListsHandler(m: any, nbls: any, port: number, count: number, flags: number): void { note("FilterReceiveNetBufferLists", flags); NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, count, flags); },
    ReturnNetBufferListsHandler(m: any, nbls: any, flags: number): void { note("FilterReturnNetBufferLists", flags); NdisFReturnNetBufferLists(m.handle, nbls, flags); },
  } as any).Status;
}
`;

describe('IRQL in a filter', () => {
  it('attach and restart at PASSIVE_LEVEL; a send from PASSIVE_LEVEL goes down at PASSIVE_LEVEL; receives, completions and returns from the DPC at DISPATCH_LEVEL, flags to match', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [IRQL_FILTER]);
    send(rt, driver, echo, 4);
    rt.run();
    expect(rt.verifier.findings).toEqual([]);
    const filter = rt.drivers.find((d) => d.name === 'filter0')!;
    expect(filter.exports.seen).toEqual({
      FilterAttach: ['0/0'],
      FilterRestart: ['0/0'],
      FilterSendNetBufferLists: ['0/0'],
      FilterSendNetBufferListsComplete: ['2/1'],
      FilterReceiveNetBufferLists: ['2/1'],
      FilterReturnNetBufferLists: ['2/1'],
    });
    await rt.close();
  });
});

describe('waits in the worker host', () => {
  it('a deadlocked wait and a wait at DISPATCH_LEVEL are the same findings in a worker', async () => {
    const deadlock = await run(protocol({ bind: 'NdisWaitEvent(NdisInitializeEvent(), 0); return NDIS_STATUS_SUCCESS;' }), { host: 'worker' });
    expect(rules(deadlock.rt)).toEqual(['WaitDeadlock']);
    const dispatch = await run(protocol({
      prelude: 'let e: any = null;',
      bind: 'e = NdisInitializeEvent(); packetFilter(b); return NDIS_STATUS_SUCCESS;',
      oidComplete: 'NdisWaitEvent(e, 10);',
    }), { host: 'worker' });
    expect(rules(dispatch.rt)).toEqual(['WaitAbovePassive']);
  });
});
