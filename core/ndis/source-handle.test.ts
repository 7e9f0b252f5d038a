// Two send-path duties NDIS leaves to the driver (issue 18): SourceHandle, which the sender sets
// and NDIS returns the NBL by ("NdisSendNetBufferLists" Remarks; "Sending Data from a Filter
// Driver"), and the *_DISPATCH_LEVEL flags, which a driver sets only when it knows it runs at
// DISPATCH_LEVEL ("Dispatch IRQL Tracking"). Each test builds the situation the page describes and
// checks the exact finding; the correct drivers check that nothing is reported.

import { describe, it, expect } from 'vitest';
import type { NdisRuntime } from './runtime.ts';
import { echoProtocol, countingFilter, twoNics, send, type CountingModule } from './test-drivers.ts';

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

describe('SourceHandle on sends', () => {
  it('a protocol that sets SourceHandle to its binding handle gets every send back, and nothing is reported', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol());
    send(rt, driver, echo, 8);
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(echo.bindings[0]!.outstanding).toBe(0);
    expect(echo.bindings[1]!.received).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('SendSourceHandleWrong: a protocol that never sets SourceHandle (NDIS would not know whom to return the NBL to)', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol({ sourceHandle: 'null' }));
    send(rt, driver, echo, 2);
    rt.run();
    expect(rules(rt)).toEqual(['SendSourceHandleWrong']);
    expect(rt.stopped!.driver).toBe('echo');
    expect(rt.stopped!.message).toMatch(/^NdisSendNetBufferLists with NBL \d+ whose SourceHandle is NULL \(never set\): set each NBL's SourceHandle to the NdisBindingHandle you send on \(binding handle \d+/);
    expect(echo.bindings[1]!.received).toEqual([]); // nothing reached the wire
  });

  it('SendSourceHandleWrong: a protocol that sets another binding\'s handle (its completion would go there)', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol({ sourceHandle: 'bindings[1]!.handle' }));
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['SendSourceHandleWrong']);
    const other = String((echo.bindings[1] as unknown as { handle: unknown }).handle);
    expect(rt.stopped!.message).toContain(`whose SourceHandle is ${other}:`);
  });

  it('a filter module that sets SourceHandle on its own NBLs and leaves the protocol\'s alone: no finding, its own come back to it', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter()]);
    const filter = rt.drivers.find((d) => d.name !== 'echo')!.exports as unknown as CountingModule & { sendOwn(index: number, mac: string): void; modules: { own: number }[] };
    send(rt, driver, echo, 4);
    rt.post('module sends its own', () => rt.invoke(rt.drivers.find((d) => d.name !== 'echo')!, 'application', undefined, false, () => filter.sendOwn(0, rt.machine.nic(1).permanentAddress)));
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(filter.modules[0]!.own).toBe(0); // its own send came back to it by its SourceHandle
    expect(echo.bindings[0]!.outstanding).toBe(0);
  });

  it('SendSourceHandleWrong: a filter module\'s own NBL sent without its NdisFilterHandle in SourceHandle', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      prelude: `export function sendUnmarked(index: number) {
        const m = modules[index]!;
        const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
        NdisFSendNetBufferLists(m.handle, nbl, 0, 0);
      }`,
    })]);
    const record = rt.drivers.find((d) => d.name !== 'echo')!;
    rt.post('module sends', () => rt.invoke(record, 'application', undefined, false, () => (record.exports as { sendUnmarked(i: number): void }).sendUnmarked(0)));
    rt.run();
    expect(rules(rt)).toEqual(['SendSourceHandleWrong']);
    expect(rt.stopped!.message).toMatch(/^NdisFSendNetBufferLists with its own NBL \d+ whose SourceHandle is NULL \(never set\): set the SourceHandle of each NBL the module creates to its NdisFilterHandle \(filterModule handle \d+ \(filter0\/nic0\)\) before NdisFSendNetBufferLists/);
  });

  it('SendSourceHandleWrong: a filter module that stamps its own handle on a send it passes down', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      send: 'for (let n = nbls; n; n = NET_BUFFER_LIST_NEXT_NBL(n)) n.SourceHandle = m.handle; NdisFSendNetBufferLists(m.handle, nbls, port, flags);',
    })]);
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['SendSourceHandleWrong']);
    const binding = String((echo.bindings[0] as unknown as { handle: unknown }).handle);
    expect(rt.stopped!.message).toMatch(/^NdisFSendNetBufferLists with a passed-down NBL \d+ whose SourceHandle is filterModule handle \d+ \(filter0\/nic0\): leave the SourceHandle of an NBL from above as it came \(/);
    expect(rt.stopped!.message).toContain(`as it came (${binding})`);
  });
});

describe('*_DISPATCH_LEVEL flags (Dispatch IRQL Tracking)', () => {
  it('DispatchFlagBelowDispatch: NDIS_SEND_FLAGS_DISPATCH_LEVEL on a send made at PASSIVE_LEVEL', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol({ sendFlags: 'NDIS_SEND_FLAGS_DISPATCH_LEVEL' }));
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['DispatchFlagBelowDispatch']);
    expect(rt.stopped!.message).toBe('NdisSendNetBufferLists with NDIS_SEND_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL: set it only when the IRQL is DISPATCH_LEVEL (the handler\'s own flags say so; flags saved from one handler do not hold in another)');
  });

  it('a filter passing on the flags NDIS gave it at DISPATCH_LEVEL: no finding (the receive flags carried NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      prelude: 'export const receiveFlags: number[] = [];',
      receive: 'receiveFlags.push(flags); m.received += n; if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES)) m.inFlight += n; NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);',
    })]);
    send(rt, driver, echo, 4);
    rt.run();
    expect(rules(rt)).toEqual([]);
    const seen = (rt.drivers.find((d) => d.name !== 'echo')!.exports as { receiveFlags: number[] }).receiveFlags;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((f) => (f & 1) === 1)).toBe(true);
    expect(echo.bindings[1]!.received).toEqual([0, 1, 2, 3]);
  });

  it('DispatchFlagBelowDispatch: receive flags saved at DISPATCH_LEVEL and passed on later from a PASSIVE_LEVEL work item', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      prelude: `import { NdisAllocateIoWorkItem, NdisQueueIoWorkItem } from "ndis";
      let item: any = null;`,
      receive: `if (!item) item = NdisAllocateIoWorkItem(m.handle);
      m.received += n; m.inFlight += n;
      NdisQueueIoWorkItem(item, () => NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags), null);`,
    })]);
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['DispatchFlagBelowDispatch']);
    expect(rt.stopped!.message).toMatch(/^NdisFIndicateReceiveNetBufferLists with NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL/);
  });
});
