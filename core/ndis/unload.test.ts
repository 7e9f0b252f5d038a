// Unloading a driver as the system does: its DriverUnload (set in the DriverObject DriverEntry was
// given) deregisters, and NDIS unbinds each binding or detaches each module within that call; what
// the driver leaves behind is a finding. In both hosts: a driver in a worker sets DriverUnload on
// its own copy of the DriverObject.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const PROTOCOL = reference('protocol.ts');
const FILTER = reference('counting-filter.ts');

/** `source` with `from` replaced, checking that it was there. */
function edited(source: string, from: string, to: string): string {
  expect(source, `the source has ${from}`).toContain(from);
  return source.replace(from, to);
}

async function stack(sources: { protocol?: string; filter?: string }, host: 'in-process' | 'worker' = 'in-process') {
  const rt = await NdisRuntime.create({ nics: 1, seed: 3, host });
  const filter = sources.filter ? await rt.loadDriver(sources.filter, 'filter.ts') : undefined;
  const protocol = await rt.loadDriver(sources.protocol ?? PROTOCOL, 'protocol.ts');
  rt.startStack();
  rt.run();
  return { rt, protocol, filter };
}

/** The trace's handler calls and NDIS calls from the first NdisDeregister* on, as "driver!handler" / "call". */
function fromDeregistration(rt: NdisRuntime): string[] {
  const events = rt.trace.events.map((e) => e as { kind: string; driver?: string; handler?: string; call?: string });
  const start = events.findIndex((e) => e.kind === 'ndis' && /^NdisF?Deregister/.test(e.call ?? ''));
  return events.slice(start).flatMap((e) => (e.kind === 'handler' ? [`${e.driver}!${e.handler}`] : e.kind === 'deregistered' ? ['deregistered'] : e.kind === 'unload' ? ['unloaded'] : []));
}

const findings = (rt: NdisRuntime) => rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`);

describe('unloading a protocol driver', () => {
  for (const host of ['in-process', 'worker'] as const) {
    it(`its DriverUnload deregisters, and NDIS pauses and unbinds within NdisDeregisterProtocolDriver (${host} host)`, async () => {
      const { rt, protocol } = await stack({}, host);
      try {
        expect(rt.binding('protocol')!.state).toBe('Running');
        rt.unloadDriver(protocol);
        rt.run();
        // Under seed 3 the unbind's NdisCloseAdapterEx pends ('close-completion'): its completion
        // runs within the deregistration too, before NDIS says the driver is deregistered.
        expect(fromDeregistration(rt)).toEqual(['protocol!ProtocolNetPnPEvent(NetEventPause)', 'protocol!ProtocolUnbindAdapterEx', 'protocol!ProtocolCloseAdapterCompleteEx', 'deregistered', 'unloaded']);
        expect(rt.binding('protocol')!.state).toBe('Unbound');
        expect(findings(rt)).toEqual([]);
        expect(rt.resolve(protocol.handle, 'protocol')).toBeUndefined();
      } finally {
        await rt.close();
      }
    });
  }

  it('UnloadWithoutDeregistering: a DriverUnload that forgets NdisDeregisterProtocolDriver', async () => {
    const { rt, protocol } = await stack({ protocol: edited(PROTOCOL, '  if (protocolHandle) NdisDeregisterProtocolDriver(protocolHandle);\n', '') });
    rt.unloadDriver(protocol);
    rt.run();
    expect(findings(rt)).toEqual(['UnloadWithoutDeregistering: DriverUnload returned without calling NdisDeregisterProtocolDriver: NDIS still has the driver registered, and would call into code that is gone']);
  });

  it('DeregisterFromNdisEntryPoint: deregistering from a handler NDIS called', async () => {
    const source = edited(PROTOCOL, 'NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {', 'NetPnPEventHandler(b: Binding | null, event: NET_PNP_EVENT_NOTIFICATION): NDIS_STATUS {\n      if (event.NetPnPEvent.NetEvent === NetEventRestart && protocolHandle) NdisDeregisterProtocolDriver(protocolHandle);');
    const { rt } = await stack({ protocol: source });
    expect(findings(rt)).toEqual(['DeregisterFromNdisEntryPoint: NdisDeregisterProtocolDriver from ProtocolNetPnPEvent(NetEventRestart), a handler NDIS called: call it from DriverUnload (or from DriverEntry after an error)']);
  });

  it('a driver that sets no DriverUnload cannot be unloaded: nothing happens, the trace says why', async () => {
    const { rt, protocol } = await stack({ protocol: edited(PROTOCOL, '  DriverObject.DriverUnload = Unload;\n', '') });
    rt.unloadDriver(protocol);
    rt.run();
    expect(rt.binding('protocol')!.state).toBe('Running');
    expect(rt.trace.events.some((e) => e.kind === 'note' && String((e as { text?: unknown }).text).includes('set no DriverUnload'))).toBe(true);
    expect(findings(rt)).toEqual([]);
  });

  it('a DriverUnload that is a throwing getter is the driver\'s own crash (HandlerThrew), not the engine\'s', async () => {
    const source = edited(PROTOCOL, '  DriverObject.DriverUnload = Unload;\n', "  Object.defineProperty(DriverObject, 'DriverUnload', { get() { throw new Error('gotcha'); } });\n");
    const { rt, protocol } = await stack({ protocol: source });
    rt.unloadDriver(protocol);
    expect(() => rt.run()).not.toThrow();
    expect(rt.verifier.findings.map((f) => f.rule)).toEqual(['HandlerThrew']);
    expect(rt.verifier.findings[0]!.message).toContain('gotcha');
  });

  it('UnloadedWithPendingOperations: a timer left armed fires into the unloaded driver (bug check 0xCE)', async () => {
    const source = edited(PROTOCOL, 'function Unload(_driverObject: DRIVER_OBJECT): void {', `function Unload(_driverObject: DRIVER_OBJECT): void {
  const { TimerObject } = NdisAllocateTimerObject(null, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: () => {} });
  NdisSetTimerObject(TimerObject!, -10000n);`).replace('NdisDeregisterProtocolDriver,', 'NdisDeregisterProtocolDriver, NdisAllocateTimerObject, NdisSetTimerObject,');
    const { rt, protocol } = await stack({ protocol: source });
    rt.unloadDriver(protocol);
    rt.run();
    expect(findings(rt)).toEqual(['UnloadedWithPendingOperations: NDIS would call TimerFunction of protocol, which has unloaded: cancel timers and work items and complete everything before DriverUnload returns']);
    expect(rt.stopped?.rule).toBe('UnloadedWithPendingOperations');
  });
});

describe('unloading a filter driver', () => {
  it('NdisFDeregisterFilterDriver pauses the stack and detaches the module within the call; the protocol runs on without it', async () => {
    const { rt, filter } = await stack({ filter: FILTER });
    expect(rt.filters.all().length).toBe(1);
    rt.unloadDriver(filter!);
    rt.run();
    const calls = fromDeregistration(rt);
    expect(calls.slice(0, 3)).toEqual(['protocol!ProtocolNetPnPEvent(NetEventPause)', 'filter!FilterPause', 'filter!FilterDetach']);
    expect(calls.slice(-2)).toEqual(['deregistered', 'unloaded']);
    expect(rt.filters.all()).toEqual([]);
    expect(rt.binding('protocol')!.state).toBe('Running');
    expect(findings(rt)).toEqual([]);
  });
});
