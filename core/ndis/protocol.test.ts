// Protocol drivers on the runtime: a correct driver walks the seven binding states of seed 000
// with no finding; each broken driver below breaks one rule the way the seeds describe, and the
// verifier names exactly that rule.

import { describe, it, expect } from 'vitest';
import { NdisRuntime, type RuntimeOptions } from './runtime.ts';
import { DriverLoadError } from './driver-loader.ts';
import { OPEN_PARAMETERS, WAIT_FOR_OPEN, CLOSE_IN_UNBIND, OPEN_CLOSE_COMPLETE_HANDLERS } from './test-drivers.ts';
import { NetEventBindsComplete, NetEventBindList, NetEventReconfigure, NetEventQueryRemoveDevice } from './constants.ts';

interface Handlers {
  prelude?: string;
  bind?: string;
  unbind?: string;
  pnp?: string;
}

/** A protocol driver in TypeScript, as a learner writes it; each handler body can be replaced. */
function protocol(h: Handlers = {}): string {
  return `
import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteNetPnPEvent,
  NdisCompleteBindAdapterEx, NdisCompleteUnbindAdapterEx, NdisUnbindAdapter, NdisAllocateTimerObject,
  NdisSetTimerObject, NdisAllocateIoWorkItem, NdisQueueIoWorkItem, NdisInitializeEvent, NdisWaitEvent, NdisSetEvent,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_NOT_SUPPORTED,
  NetEventPause, NetEventRestart,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
} from "ndis";

interface Binding { handle: unknown; bindContext?: unknown; opened?: unknown; openStatus?: number; unbinding?: unknown; }
let protocolHandle: unknown = null;
${h.prelude ?? ''}

export function DriverEntry(): number {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: "proto",
    BindAdapterHandlerEx(driverContext: unknown, bindContext: unknown, params: { AdapterName: string }): number {
      ${h.bind ?? `const b: Binding = { handle: null, opened: NdisInitializeEvent(), unbinding: null };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      ${WAIT_FOR_OPEN}
      if (status !== NDIS_STATUS_SUCCESS) return status;
      b.handle = open.NdisBindingHandle;
      return NDIS_STATUS_SUCCESS;`}
    },
    UnbindAdapterHandlerEx(unbindContext: unknown, b: Binding): number {
      const binding = b;
      ${h.unbind ?? CLOSE_IN_UNBIND}
    },
    ${OPEN_CLOSE_COMPLETE_HANDLERS}
    NetPnPEventHandler(binding: Binding, event: { NetPnPEvent: { NetEvent: number } }): number {
      ${h.pnp ?? 'return NDIS_STATUS_SUCCESS;'}
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
`;
}

async function started(source: string, seed = 1, decisions: RuntimeOptions['decisions'] = {}) {
  const rt = await NdisRuntime.create({ nics: 1, seed, pendingLimitNs: 1_000_000n, decisions });
  await rt.loadDriver(source, 'proto.ts');
  rt.startStack();
  rt.run();
  return { rt, binding: rt.binding('proto')! };
}

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

describe('a correct protocol driver', () => {
  it('binds (Unbound, Opening, Paused), restarts to Running, pauses, unbinds to Unbound, with no finding', async () => {
    const { rt, binding } = await started(protocol());
    expect(rt.stopped).toBeUndefined();
    expect(binding.state).toBe('Running');
    const states = rt.trace.events.filter((e) => e.kind === 'state' && e.object === 'binding proto/nic0').map((e) => e.to);
    expect(states).toEqual(['Opening', 'Paused', 'Restarting', 'Running']);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(binding.state).toBe('Paused');
    rt.removeBinding(binding);
    rt.run();
    expect(binding.state).toBe('Unbound');
    expect(rt.verifier.findings).toEqual([]);
    expect(rt.adapters[0]!.state).toBe('Paused');
  });

  it('may pend a pause and complete it later: a timer (DISPATCH_LEVEL) queues a work item (PASSIVE_LEVEL) that calls NdisCompleteNetPnPEvent (seed 002)', async () => {
    const { rt, binding } = await started(protocol({
      prelude: 'let pending: { b: Binding; e: unknown } | null = null; let timer: unknown = null; let item: unknown = null;',
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventPause) {
        item ??= NdisAllocateIoWorkItem(protocolHandle);
        timer ??= NdisAllocateTimerObject(null, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: () => NdisQueueIoWorkItem(item, () => NdisCompleteNetPnPEvent(pending!.b.handle, pending!.e, NDIS_STATUS_SUCCESS), null) }).TimerObject;
        pending = { b: binding, e: event };
        NdisSetTimerObject(timer, -1000n, 0);
        return NDIS_STATUS_PENDING;
      }
      return NDIS_STATUS_SUCCESS;`,
    }));
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(binding.state).toBe('Paused');
    expect(rt.verifier.findings).toEqual([]);
    const pauseAt = rt.trace.events.find((e) => e.kind === 'state' && e.to === 'Pausing')!.t;
    const pausedAt = rt.trace.events.find((e) => e.kind === 'state' && e.to === 'Paused' && e.t > pauseAt)!.t;
    expect(pausedAt - pauseAt).toBe(100_000n); // DueTime -1000 x 100 ns
  });

  it('may pend the bind and the unbind and complete them from work items', async () => {
    const { rt, binding } = await started(protocol({
      bind: `const item = NdisAllocateIoWorkItem(null);
      NdisQueueIoWorkItem(item, () => {
        const b: Binding = { handle: null, opened: NdisInitializeEvent() };
        const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
        ${WAIT_FOR_OPEN}
        b.handle = open.NdisBindingHandle;
        NdisCompleteBindAdapterEx(bindContext, status);
      }, null);
      return NDIS_STATUS_PENDING;`,
      unbind: `const item = NdisAllocateIoWorkItem(null);
      NdisQueueIoWorkItem(item, () => {
        if (NdisCloseAdapterEx(binding.handle) === NDIS_STATUS_PENDING) binding.unbinding = unbindContext;
        else NdisCompleteUnbindAdapterEx(unbindContext);
      }, null);
      return NDIS_STATUS_PENDING;`,
    }));
    expect(binding.state).toBe('Running');
    rt.removeBinding(binding);
    rt.run();
    expect(binding.state).toBe('Unbound');
    expect(rt.verifier.findings).toEqual([]);
  });

  it('replays: the same seed gives the same trace, byte for byte', async () => {
    const run = async (seed: number) => {
      const { rt, binding } = await started(protocol({
        pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) {
          const item = NdisAllocateIoWorkItem(null);
          NdisQueueIoWorkItem(item, () => NdisUnbindAdapter(binding.handle), null);
        }
        return NDIS_STATUS_SUCCESS;`,
      }), seed);
      expect(binding.state).toBe('Unbound');
      return rt.trace.hash();
    };
    expect(await run(4)).toBe(await run(4));
    const hashes = new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(run)));
    expect(hashes.size).toBeGreaterThan(1);
  });
});

describe('PnP event rules (seed 002)', () => {
  it('PnPNotSupportedReturned: an NDIS 6 protocol answers an event it does not handle with NOT_SUPPORTED (as ndisprot does)', async () => {
    const { rt } = await started(protocol({
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventPause || event.NetPnPEvent.NetEvent === NetEventRestart) return NDIS_STATUS_SUCCESS;
      return NDIS_STATUS_NOT_SUPPORTED;`,
    }));
    rt.protocolEvent(rt.drivers[0]!, NetEventBindsComplete);
    rt.run();
    expect(rules(rt)).toEqual(['PnPNotSupportedReturned']);
    expect(rt.stopped?.bugCheck).toBe(0xc4);
    expect(rt.stopped?.message).toContain('NetEventBindsComplete got NDIS_STATUS_NOT_SUPPORTED');
  });

  it('PnPEventMustSucceed: failing NetEventRestart (and the binding stays Paused)', async () => {
    const { rt, binding } = await started(protocol({ pnp: 'return event.NetPnPEvent.NetEvent === NetEventRestart ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['PnPEventMustSucceed']);
    expect(rt.stopped!.message).toBe('NetEventRestart must succeed; the driver returned NDIS_STATUS_FAILURE (0xC0000001)');
    expect(binding.state).toBe('Restarting');
  });

  it('PnPEventMustSucceed for Reconfigure, but a failed QueryRemoveDevice is allowed', async () => {
    const fails = protocol({ pnp: 'return event.NetPnPEvent.NetEvent === NetEventPause || event.NetPnPEvent.NetEvent === NetEventRestart || event.NetPnPEvent.NetEvent === 6 /* BindsComplete, after the binds */ ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;' });
    const one = await started(fails);
    one.rt.protocolEvent(one.rt.drivers[0]!, NetEventQueryRemoveDevice);
    one.rt.run();
    expect(rules(one.rt)).toEqual([]);
    one.rt.protocolEvent(one.rt.drivers[0]!, NetEventReconfigure);
    one.rt.run();
    expect(rules(one.rt)).toEqual(['PnPEventMustSucceed']);
  });

  it('PnPPendingNeverCompleted: a pended pause that nobody completes is a 0x9F bug check', async () => {
    const { rt, binding } = await started(protocol({ pnp: 'return event.NetPnPEvent.NetEvent === NetEventPause ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;' }));
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(rules(rt)).toEqual(['PnPPendingNeverCompleted']);
    expect(rt.stopped!.bugCheck).toBe(0x9f);
    expect(binding.state).toBe('Pausing');
  });

  it('PnPCompleteWithoutPending: NdisCompleteNetPnPEvent for an event the driver already succeeded', async () => {
    const { rt } = await started(protocol({
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) NdisCompleteNetPnPEvent(binding.handle, event, NDIS_STATUS_SUCCESS);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['PnPCompleteWithoutPending']);
    expect(rt.stopped!.callPath).toEqual(['proto!ProtocolNetPnPEvent(NetEventRestart)', 'NdisCompleteNetPnPEvent']);
  });

  it('BindsComplete arrives with a NULL ProtocolBindingContext', async () => {
    const { rt } = await started(protocol({
      prelude: 'export const contexts: unknown[] = [];',
      pnp: `if (event.NetPnPEvent.NetEvent !== NetEventPause && event.NetPnPEvent.NetEvent !== NetEventRestart) contexts.push(binding);
      return NDIS_STATUS_SUCCESS;`,
    }));
    const contexts = rt.drivers[0]!.exports.contexts as unknown[];
    // NDIS sent one after the initial binds.
    expect(contexts).toEqual([null]);
    rt.protocolEvent(rt.drivers[0]!, NetEventBindsComplete);
    rt.run();
    expect(contexts).toEqual([null, null]);
    expect(rules(rt)).toEqual([]);
  });

  it('NULL-context events come once for the protocol, not once per binding; BindsComplete follows the initial binds on every adapter; BindList carries the bind list (REG_MULTI_SZ)', async () => {
    const rt = await NdisRuntime.create({ nics: 2, seed: 1 });
    await rt.loadDriver(protocol({
      prelude: 'export const seen: [number, unknown, unknown][] = [];',
      pnp: `if (event.NetPnPEvent.NetEvent !== NetEventPause && event.NetPnPEvent.NetEvent !== NetEventRestart) seen.push([event.NetPnPEvent.NetEvent, binding, event.NetPnPEvent.Buffer]);
      return NDIS_STATUS_SUCCESS;`,
    }), 'proto.ts');
    rt.startStack();
    rt.run();
    const seen = rt.drivers[0]!.exports.seen as [number, unknown, unknown][];
    expect(seen).toEqual([[NetEventBindsComplete, null, null]]);
    const opened = rt.trace.events.filter((e) => e.kind === 'state' && String(e.object).startsWith('binding') && e.to === 'Running').length;
    const bindsComplete = rt.trace.events.findIndex((e) => e.kind === 'handler' && e.handler === 'ProtocolNetPnPEvent(NetEventBindsComplete)');
    expect(opened).toBe(2);
    expect(rt.trace.events.findLastIndex((e) => e.kind === 'state' && String(e.object).startsWith('binding') && e.to === 'Running')).toBeLessThan(bindsComplete);
    rt.protocolEvent(rt.drivers[0]!, NetEventBindList);
    rt.protocolEvent(rt.drivers[0]!, NetEventReconfigure);
    rt.protocolEvent(rt.drivers[0]!, NetEventReconfigure, () => {}, 1);
    rt.run();
    const text = (units: Uint16Array) => String.fromCharCode(...units);
    expect(seen.slice(1).map(([code, context, buffer]) => [code, context === null ? null : 'binding', buffer instanceof Uint16Array ? text(buffer) : buffer])).toEqual([
      [NetEventBindList, null, '\\Device\\nic0\0\\Device\\nic1\0\0'],
      [NetEventReconfigure, null, null],
      [NetEventReconfigure, 'binding', null],
    ]);
    expect(rules(rt)).toEqual([]);
  });

  it('QueryRemoveVetoNotFailure: a veto of NetEventQueryRemoveDevice with a status other than NDIS_STATUS_FAILURE (the removal is still vetoed)', async () => {
    const { rt } = await started(protocol({ pnp: 'return event.NetPnPEvent.NetEvent === 2 ? NDIS_STATUS_NOT_SUPPORTED + 1 : NDIS_STATUS_SUCCESS;' }));
    let removed: boolean | undefined;
    rt.operations.removeDevice(rt.adapters[0]!, (r) => (removed = r));
    rt.run();
    expect(removed).toBe(false);
    expect(rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`)).toEqual(['QueryRemoveVetoNotFailure: NetEventQueryRemoveDevice was vetoed with 0xC00000BC; a protocol that cannot release the device fails it with NDIS_STATUS_FAILURE']);
  });
});

describe('bind, open, close and unbind rules (seeds 000, 001, 003)', () => {
  it('OpenOutsideBind: NdisOpenAdapterEx from a PnP handler with a stale BindContext', async () => {
    const { rt } = await started(protocol({
      prelude: 'let savedBindContext: unknown = null;',
      bind: `savedBindContext = bindContext;
      const b: Binding = { handle: null, opened: NdisInitializeEvent() };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      ${WAIT_FOR_OPEN}
      b.handle = open.NdisBindingHandle;
      return status;`,
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) NdisOpenAdapterEx(protocolHandle, {}, {}, savedBindContext);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['OpenOutsideBind']);
    expect(rt.stopped!.message).toContain('whose bind is not in progress (state Restarting)');
  });

  it('BindPendingNeverCompleted', async () => {
    const { rt, binding } = await started(protocol({ bind: 'return NDIS_STATUS_PENDING;' }));
    expect(rules(rt)).toEqual(['BindPendingNeverCompleted']);
    expect(binding.state).toBe('Opening');
  });

  it('a bind that fails returns the binding to Unbound, with no finding', async () => {
    const { rt, binding } = await started(protocol({ bind: 'return NDIS_STATUS_FAILURE;' }));
    expect(binding.state).toBe('Unbound');
    expect(rules(rt)).toEqual([]);
  });

  it('CloseOutsideBindOrUnbind: NdisCloseAdapterEx from a PnP handler', async () => {
    const { rt } = await started(protocol({
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) NdisCloseAdapterEx(binding.handle);
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['CloseOutsideBindOrUnbind']);
    expect(rt.stopped!.message).toContain('while the binding is Restarting');
  });

  it('HandleUsedAfterClose: the handle used again after NdisCloseAdapterEx', async () => {
    const { rt, binding } = await started(protocol({
      unbind: `NdisCloseAdapterEx(binding.handle);
      NdisCloseAdapterEx(binding.handle);
      return NDIS_STATUS_SUCCESS;`,
    }));
    rt.removeBinding(binding);
    rt.run();
    expect(rules(rt)).toEqual(['HandleUsedAfterClose']);
  });

  it('UnbindCompletedWithoutClose', async () => {
    const { rt, binding } = await started(protocol({ unbind: 'return NDIS_STATUS_SUCCESS;' }));
    rt.removeBinding(binding);
    rt.run();
    expect(rules(rt)).toEqual(['UnbindCompletedWithoutClose']);
  });

  it('UnbindPendingNeverCompleted', async () => {
    const { rt, binding } = await started(protocol({
      unbind: `NdisCloseAdapterEx(binding.handle);
      return NDIS_STATUS_PENDING;`,
    }));
    rt.removeBinding(binding);
    rt.run();
    expect(rules(rt)).toEqual(['UnbindPendingNeverCompleted']);
    expect(rt.stopped!.bugCheck).toBe(0x9f);
    expect(binding.state).toBe('Closing');
  });

  it('HandleUsedAfterUnbindAdapter: the handle used after NdisUnbindAdapter returned, under every seed', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { rt, binding } = await started(protocol({
        pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) {
          const item = NdisAllocateIoWorkItem(null);
          NdisQueueIoWorkItem(item, () => { NdisUnbindAdapter(binding.handle); NdisUnbindAdapter(binding.handle); }, null);
        }
        return NDIS_STATUS_SUCCESS;`,
      }), seed);
      expect(rules(rt), `seed ${seed}`).toEqual(['HandleUsedAfterUnbindAdapter']);
      expect(rt.stopped!.callPath).toEqual(['proto!WorkItemRoutine', 'NdisUnbindAdapter']);
      expect(binding.unbindRequested).toBe(true);
    }
  });

  it('NdisUnbindAdapter from a work item unbinds cleanly; the seed decides whether the unbind ran before it returned', async () => {
    const timings = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { rt, binding } = await started(protocol({
        pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) {
          const item = NdisAllocateIoWorkItem(null);
          NdisQueueIoWorkItem(item, () => NdisUnbindAdapter(binding.handle), null);
        }
        return NDIS_STATUS_SUCCESS;`,
      }), seed);
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(binding.state).toBe('Unbound');
      timings.add(rt.trace.events.some((e) => e.kind === 'note' && String(e.text).includes('before NdisUnbindAdapter returns')) ? 'before' : 'after');
    }
    expect(timings).toEqual(new Set(['before', 'after']));
  });
});

describe('handler behaviour', () => {
  it('HandlerThrew names the handler and the error (bug check 0x7E)', async () => {
    const { rt } = await started(protocol({ pnp: 'if (event.NetPnPEvent.NetEvent === NetEventRestart) throw new RangeError("boom"); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['HandlerThrew']);
    expect(rt.stopped!.bugCheck).toBe(0x7e);
    expect(rt.stopped!.message).toMatch(/^ProtocolNetPnPEvent\(NetEventRestart\) threw RangeError: boom/);
  });

  it('HandlerReturnedPromise', async () => {
    const { rt } = await started(protocol({ pnp: 'return (async () => NDIS_STATUS_SUCCESS)() as unknown as number;' }));
    expect(rules(rt)).toEqual(['HandlerReturnedPromise']);
  });

  it('HandlerReturnedInvalidStatus for undefined', async () => {
    const { rt } = await started(protocol({ pnp: 'return undefined as unknown as number;' }));
    expect(rules(rt)).toEqual(['HandlerReturnedInvalidStatus']);
    expect(rt.stopped!.message).toContain('returned undefined');
  });

  it('a driver that catches the bug check still stops the machine', async () => {
    const { rt } = await started(protocol({
      pnp: `try { NdisCompleteNetPnPEvent(binding.handle, event, NDIS_STATUS_SUCCESS); } catch {}
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['PnPCompleteWithoutPending']);
    expect(rt.stopped?.rule).toBe('PnPCompleteWithoutPending');
  });

  it('InvalidHandle: a null binding handle names the call and what it expected', async () => {
    const { rt } = await started(protocol({ pnp: 'if (event.NetPnPEvent.NetEvent === NetEventRestart) NdisUnbindAdapter(null); return NDIS_STATUS_SUCCESS;' }));
    expect(rules(rt)).toEqual(['InvalidHandle']);
    expect(rt.stopped!.message).toBe('NdisUnbindAdapter expects an NdisBindingHandle from NdisOpenAdapterEx; it got null');
  });

  it('a handle cannot be forged: its constructor refuses a driver, and a copy with the same id is InvalidHandle', async () => {
    const { rt } = await started(protocol({
      pnp: `if (event.NetPnPEvent.NetEvent === NetEventRestart) {
        const h: any = binding.handle;
        let constructed = 'made';
        try { new h.constructor(h.kind, h.id, h.label); } catch (e) { constructed = (e as Error).message; }
        if (!constructed.includes('cannot make one')) throw new Error('the handle constructor made a handle: ' + constructed);
        const copy = Object.create(Object.getPrototypeOf(h), { kind: { value: h.kind }, id: { value: h.id }, label: { value: h.label } });
        NdisUnbindAdapter(copy);
      }
      return NDIS_STATUS_SUCCESS;`,
    }));
    expect(rules(rt)).toEqual(['InvalidHandle']);
    expect(rt.stopped!.message).toMatch(/^NdisUnbindAdapter expects an NdisBindingHandle from NdisOpenAdapterEx; it got binding handle \d+ /);
  });

  it('InvalidParameter: sending something that is not a NET_BUFFER_LIST', async () => {
    const { rt } = await started(protocol({
      prelude: 'import { NdisSendNetBufferLists } from "ndis";',
      pnp: 'if (event.NetPnPEvent.NetEvent === NetEventRestart) { const h = binding.handle; const item = NdisAllocateIoWorkItem(null); NdisQueueIoWorkItem(item, () => NdisSendNetBufferLists(h, { frame: 1 } as any, 0, 0), null); } return NDIS_STATUS_SUCCESS;',
    }));
    expect(rules(rt)).toEqual(['InvalidParameter']);
    expect(rt.stopped!.message).toBe('NdisSendNetBufferLists: NetBufferLists is an object (Object), not a NET_BUFFER_LIST');
  });

  it('real timers are not available: setTimeout says what to use instead', async () => {
    const { rt } = await started(protocol({ pnp: 'if (event.NetPnPEvent.NetEvent === NetEventRestart) setTimeout(() => {}, 10); return NDIS_STATUS_SUCCESS;' }));
    expect(rt.stopped!.message).toContain('setTimeout is not available to drivers: time is virtual. Use NdisAllocateTimerObject and NdisSetTimerObject');
  });
});

describe('opens and closes that pend (NdisOpenAdapterEx, NdisCloseAdapterEx: either may return NDIS_STATUS_PENDING)', () => {
  const pends = { 'open-completion': 1, 'close-completion': 1 } as const;

  it('a protocol that waits for ProtocolOpenAdapterCompleteEx and completes its unbind from ProtocolCloseAdapterCompleteEx: no finding', async () => {
    const { rt, binding } = await started(protocol(), 1, pends);
    expect(binding.state).toBe('Running');
    rt.removeBinding(binding);
    rt.run();
    expect(binding.state).toBe('Unbound');
    expect(rt.verifier.findings).toEqual([]);
    const calls = rt.trace.events.filter((e) => e.kind === 'handler' && /Protocol(Open|Close)AdapterCompleteEx/.test(String(e.handler))).map((e) => e.handler);
    expect(calls).toEqual(['ProtocolOpenAdapterCompleteEx', 'ProtocolCloseAdapterCompleteEx']);
  });

  it('the seed decides: over 8 seeds both an open at once and one that pends occur, and the same driver is correct under each', async () => {
    const picks = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) {
      const { rt, binding } = await started(protocol(), seed);
      const choice = rt.trace.events.find((e) => e.kind === 'choice' && e.decision === 'open-completion');
      picks.add(Number(choice?.pick));
      expect(binding.state).toBe('Running');
      expect(rt.verifier.findings).toEqual([]);
    }
    expect([...picks].sort()).toEqual([0, 1]);
  });

  it('OpenPendingNotAwaited: a bind that returns SUCCESS while its open pends, and uses the handle', async () => {
    const { rt } = await started(protocol({
      prelude: 'import { NdisOidRequest } from "ndis";',
      bind: `const b: Binding = { handle: null };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      b.handle = open.NdisBindingHandle;
      return NDIS_STATUS_SUCCESS;`,
    }), 1, pends);
    expect(rules(rt)[0]).toBe('OpenPendingNotAwaited');
    expect(rt.verifier.findings[0]!.message).toMatch(/the bind completed \(NDIS_STATUS_SUCCESS \(0x00000000\)\) while NdisOpenAdapterEx was still pending/);
  });

  it('FailedBindLeftAdapterOpen: a bind that fails after its open while its close still pends', async () => {
    const { rt, binding } = await started(protocol({
      bind: `const b: Binding = { handle: null, opened: NdisInitializeEvent() };
      const open = NdisOpenAdapterEx(protocolHandle, b, ${OPEN_PARAMETERS}, bindContext);
      ${WAIT_FOR_OPEN}
      NdisCloseAdapterEx(open.NdisBindingHandle);
      return NDIS_STATUS_FAILURE;`,
    }), 1, pends);
    expect(rules(rt)).toEqual(['FailedBindLeftAdapterOpen']);
    expect(rt.verifier.findings[0]!.message).toMatch(/while the NdisCloseAdapterEx it made was still pending/);
    // Fatal: the machine stops at the bind's completion.
    expect(binding.state).toBe('Opening');
  });

  it('registration without OpenAdapterCompleteHandlerEx or CloseAdapterCompleteHandlerEx fails as NDIS fails it (both are required)', async () => {
    const rt = await NdisRuntime.create();
    await expect(rt.loadDriver(protocol().replace('OpenAdapterCompleteHandlerEx(', 'NotOpenAdapterComplete('), 'bad.ts')).rejects.toThrow('NDIS_STATUS_BAD_CHARACTERISTICS (0xC0010005); it must register and return NDIS_STATUS_SUCCESS (NdisRegisterProtocolDriver: missing OpenAdapterCompleteHandlerEx)');
    const again = await NdisRuntime.create();
    await expect(again.loadDriver(protocol().replace('CloseAdapterCompleteHandlerEx(', 'NotCloseAdapterComplete('), 'bad.ts')).rejects.toThrow('(NdisRegisterProtocolDriver: missing CloseAdapterCompleteHandlerEx)');
    // The load error comes with the rule the driver broke, for grading to name.
    expect(rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`)).toEqual(['RequiredHandlerMissing: NdisRegisterProtocolDriver: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS is missing OpenAdapterCompleteHandlerEx: NDIS requires it and fails the registration with NDIS_STATUS_BAD_CHARACTERISTICS, so DriverEntry cannot succeed']);
  });

  it('RequiredHandlerMissing: a protocol without ProtocolNetPnPEvent (seed 002: "The ProtocolNetPnPEvent function is required in protocol drivers") is refused, and the finding names the handler', async () => {
    const rt = await NdisRuntime.create();
    await expect(rt.loadDriver(protocol().replace('NetPnPEventHandler', 'NetPnpEventHandler'), 'bad.ts')).rejects.toThrow('(NdisRegisterProtocolDriver: missing NetPnPEventHandler)');
    expect(rt.verifier.findings.map((f) => [f.rule, f.driver])).toEqual([['RequiredHandlerMissing', 'bad']]);
    expect(rt.verifier.findings[0]!.message).toContain('is missing NetPnPEventHandler: NDIS requires it');
    // A correct registration reports nothing.
    const good = await NdisRuntime.create();
    await good.loadDriver(protocol(), 'good.ts');
    expect(good.verifier.findings).toEqual([]);
  });
});

describe('loading drivers', () => {
  const load = async (source: string) => (await NdisRuntime.create()).loadDriver(source, 'bad.ts');

  it('names the file and the problem', async () => {
    await expect(load('export function DriverEntry( {')).rejects.toThrow(/^bad\.ts: does not compile/);
    await expect(load('export const x = 1;')).rejects.toThrow('bad.ts: exports no DriverEntry function');
    await expect(load('import fs from "node:fs"; export function DriverEntry() { return fs ? 0 : 1; }')).rejects.toThrow('bad.ts: imports "node:fs"; a driver may import only from "ndis"');
    await expect(load('export function DriverEntry() { return 0; }')).rejects.toThrow('bad.ts: DriverEntry returned without calling NdisRegisterProtocolDriver');
    await expect(load(protocol().replace('return Status;', 'return NdisRegisterProtocolDriver(null, {}).Status;'))).rejects.toThrow(/DriverEntry returned NDIS_STATUS_FAILURE/);
    await expect(load(protocol().replace('BindAdapterHandlerEx(', 'NotTheRightName('))).rejects.toThrow('DriverEntry returned NDIS_STATUS_BAD_CHARACTERISTICS (0xC0010005); it must register and return NDIS_STATUS_SUCCESS (NdisRegisterProtocolDriver: missing BindAdapterHandlerEx)');
    await expect(load('export function DriverEntry( {')).rejects.toBeInstanceOf(DriverLoadError);
  });
});
