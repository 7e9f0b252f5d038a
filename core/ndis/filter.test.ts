// Filter modules in the stack (seed 004, Pausing a Filter Module): a correct counting filter
// passes traffic and pauses cleanly under every seed; each broken filter breaks one rule.

import { describe, it, expect } from 'vitest';
import type { NdisRuntime } from './runtime.ts';
import { NetEventPause } from './constants.ts';
import { echoProtocol, countingFilter, twoNics, send, type CountingModule } from './test-drivers.ts';

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);
const filterOf = (rt: NdisRuntime) => rt.drivers.find((d) => d.kind === 'filter')!.exports as unknown as CountingModule;
const moduleStates = (rt: NdisRuntime) => rt.filters.all().map((m) => m.state);

/**
 * Pauses the binding and the filter module over adapter 1 but not its miniport: the moment in a
 * stack pause (top-down) when a Paused module can still get receives from a Running miniport.
 */
function pauseAboveMiniport(rt: NdisRuntime): void {
  rt.post('pause above the miniport', () => rt.sequence([
    (next) => rt.pnp.pnpEvent(rt.bindings[1]!, NetEventPause, () => next()),
    (next) => rt.filters.pause(rt.filters.modules(rt.adapters[1]!)[0]!, next),
  ], () => {}));
  rt.run();
}

describe('a counting filter in the stack', () => {
  it('attaches under the protocol on each adapter (Paused), restarts bottom-up, and counts what passes', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter()]);
    expect(moduleStates(rt)).toEqual(['Running', 'Running']);
    const order = rt.trace.events.filter((e) => e.kind === 'state').map((e) => `${e.object}:${e.to}`);
    expect(order.indexOf('filter module filter0/nic0:Running')).toBeLessThan(order.indexOf('binding echo/nic0:Running'));
    send(rt, driver, echo, 25);
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(echo.bindings[1]!.received).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const [m0, m1] = filterOf(rt).modules;
    expect([m0!.sent, m1!.received]).toEqual([25, 25]);
    expect([m0!.inFlight, m1!.inFlight]).toEqual([0, 0]);
  });

  it('pauses top-down with traffic in flight, pending its pause until the last NBL is back, under 16 seeds', async () => {
    for (let seed = 1; seed <= 16; seed++) {
      const { rt, driver, echo } = await twoNics(echoProtocol(), seed, 64, [countingFilter()]);
      send(rt, driver, echo, 12);
      rt.pauseStack(rt.adapters[0]!);
      rt.pauseStack(rt.adapters[1]!);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(moduleStates(rt)).toEqual(['Paused', 'Paused']);
      expect(rt.adapters.map((a) => a.state)).toEqual(['Paused', 'Paused']);
    }
  });

  it('is bypassed for sends when it has no send handlers', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ noSendHandlers: true })]);
    send(rt, driver, echo, 5);
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(echo.bindings[1]!.received).toHaveLength(5);
    expect(filterOf(rt).modules[1]!.received).toBe(5);
    expect(rt.trace.events.some((e) => e.kind === 'handler' && e.handler === 'FilterSendNetBufferLists')).toBe(false);
  });
});

describe('filter rules (seed 004)', () => {
  it('FilterPauseCompletedWithSendsOutstanding: the lwf sample\'s pause that marks itself Paused at once', async () => {
    const run = async (seed: number, pause?: string) => {
      const { rt } = await twoNics(echoProtocol(), seed, 64, [countingFilter(pause ? { pause } : {})]);
      const filter = rt.drivers.find((d) => d.kind === 'filter')!;
      const peer = rt.machine.nic(1).permanentAddress;
      rt.post('keepalive', () => rt.invoke(filter, 'keepalive', undefined, false, () => { for (let i = 0; i < 4; i++) filterOf(rt).sendOwn(0, peer); }));
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      return rules(rt);
    };
    const caught: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      // The counting filter waits for its own sends: never a finding.
      expect(await run(seed), `correct, seed ${seed}`).toEqual([]);
      const found = await run(seed, 'm.state = "Paused"; return NDIS_STATUS_SUCCESS;');
      if (found.length > 0) {
        expect(found, `lwf-style, seed ${seed}`).toEqual(['FilterPauseCompletedWithSendsOutstanding']);
        caught.push(seed);
      }
    }
    expect(caught.length).toBeGreaterThan(0);
  });

  it('FilterPauseFailed', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ pause: 'return NDIS_STATUS_FAILURE;' })]);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(rules(rt)).toEqual(['FilterPauseFailed']);
  });

  it('FilterPauseNeverCompleted is Driver Verifier\'s NdisFilterTimedPauseComplete: 0xC4 (0x00092010) 10 s after FilterPause pended', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ pause: 'return NDIS_STATUS_PENDING;' })]);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(rules(rt)).toEqual(['FilterPauseNeverCompleted']);
    expect([rt.stopped!.bugCheck, rt.stopped!.bugCheckParameter1]).toEqual([0xc4, 0x00092010]);
    const paused = rt.trace.events.find((e) => e.kind === 'handler' && (e as { handler?: string }).handler === 'FilterPause')!;
    expect(rt.trace.events[rt.stopped!.event]!.t - paused.t).toBe(10_000_000_000n);
    expect(rt.stopped!.message).toBe('FilterPause returned NDIS_STATUS_PENDING and NdisFPauseComplete had not been called 10 s later');
    expect(moduleStates(rt)[0]).toBe('Pausing');
  });

  it('FilterPauseCompleteWithoutPending: NdisFPauseComplete after returning SUCCESS', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ pause: 'NdisFPauseComplete(m.handle); return NDIS_STATUS_SUCCESS;' })]);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(rules(rt)).toEqual(['FilterPauseCompleteWithoutPending']);
    expect(rt.stopped!.callPath).toEqual(['filter0!FilterPause', 'NdisFPauseComplete']);
    // The finding names the mistake: completing inside FilterPause, before returning.
    expect(rt.stopped!.message).toBe('NdisFPauseComplete from FilterPause itself, before it returned: a pause that is done at once returns NDIS_STATUS_SUCCESS; NdisFPauseComplete is for a pause FilterPause returned NDIS_STATUS_PENDING for');
  });

  it('FilterPausedReceiveNotReturned: a Paused module that keeps a receive', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      receive: `if (m.state !== "Running") { m.held.push(nbls); return; }
      m.inFlight += n;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`,
    })]);
    pauseAboveMiniport(rt); // the receiving module is Paused; its miniport still receives
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['FilterPausedReceiveNotReturned']);
  });

  it('FilterIndicateWhilePaused: a Paused module that passes a receive up', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      receive: 'NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);',
    })]);
    pauseAboveMiniport(rt); // the receiving module is Paused; its miniport still receives
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['FilterIndicateWhilePaused']);
  });

  it('FilterSendWhilePaused: a Paused module that originates a send', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      pause: `m.state = "Paused";
      const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
      nbl.SourceHandle = m.handle;
      NdisFSendNetBufferLists(m.handle, nbl, 0, 0);
      return NDIS_STATUS_SUCCESS;`,
    })]);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    expect(rules(rt)).toEqual(['FilterSendWhilePaused']);
    expect(rt.stopped!.message).toBe('the module originated a send while Pausing');
  });

  it('FilterPauseCompletedWithReceivesOutstanding: pausing while holding receives it queued', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      receive: 'if (m.state === "Running") { m.held.push(nbls); return; } NdisFReturnNetBufferLists(m.handle, nbls, 0);',
      pause: 'm.state = "Paused"; return NDIS_STATUS_SUCCESS;',
    })]);
    send(rt, driver, echo, 2);
    // The pause 1 ms on, with the receives held (a run to the end first would meet the module's 30 s receive limit).
    rt.post('pause later', () => rt.pauseStack(rt.adapters[1]!), { delayNs: 1_000_000 });
    rt.run();
    expect(rules(rt)).toEqual(['FilterPauseCompletedWithReceivesOutstanding']);
    expect(rt.stopped!.message).toContain('2 receive(s) from below still held');
  });

  it('NblNotOwned in a filter that returns receives and then indicates them up too: the finding says it gave them back already', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({
      receive: `if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) return;
      NdisFReturnNetBufferLists(m.handle, nbls, 0);
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`,
    })]);
    send(rt, driver, echo, 1);
    rt.run();
    expect(rules(rt)).toEqual(['NblNotOwned']);
    expect(rt.stopped!.message).toMatch(/^NdisFIndicateReceiveNetBufferLists with NBL \d+, which the module gave back already with NdisFReturnNetBufferLists: once returned it is not the module's to indicate \(indicate it up or return it, not both\)$/);
  });

  it('ReturnedResourcesNbl in a filter: NdisFReturnNetBufferLists on a RESOURCES indication', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 16, [countingFilter({
      receive: `if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) { NdisFReturnNetBufferLists(m.handle, nbls, 0); return; }
      m.held.push(nbls);`,
    })]);
    send(rt, driver, echo, 15);
    rt.run();
    expect(rules(rt)).toEqual(['ReturnedResourcesNbl']);
  });

  it('ResourcesChainNotRestored: a filter that splits a RESOURCES indication to pass each NBL up alone must relink the list before it returns', async () => {
    // Each NBL goes up on its own (Next cut); the correct filter relinks them in their first order after.
    const split = (restore: boolean) => countingFilter({
      receive: `if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
        const all: any[] = [];
        for (let x = nbls; x; x = NET_BUFFER_LIST_NEXT_NBL(x)) all.push(x);
        for (const x of all) { x.Next = null; NdisFIndicateReceiveNetBufferLists(m.handle, x, port, 1, flags); }
        ${restore ? 'for (let i = 0; i < all.length; i++) all[i].Next = all[i + 1] ?? null;' : ''}
        return;
      }
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, n, flags);`,
    });
    const run = async (restore: boolean) => {
      const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 16, [split(restore)]);
      send(rt, driver, echo, 15);
      rt.run();
      return rt;
    };
    const good = await run(true);
    expect(rules(good)).toEqual([]);
    // The same run without the relink (so RESOURCES indications of several NBLs did reach the filter):
    const bad = await run(false);
    expect(rules(bad)).toEqual(['ResourcesChainNotRestored']);
    expect(bad.stopped!.message).toMatch(/^FilterReceiveNetBufferLists returned from an NDIS_RECEIVE_FLAGS_RESOURCES indication of \d+ NBL\(s\) with the list not as it was given \(NBL \d+'s Next changed\): relink the NBLs in their original order before returning$/);
  });

  it('SendNotCompletedInTime (NdisFilterTimedDataSend, 0xC4 0x00092011): a filter that sits on sends 30 s, blamed on the filter, not the protocol that sent them', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ send: 'm.held.push(nbls);' })]);
    send(rt, driver, echo, 3);
    rt.run();
    expect(rules(rt)).toEqual(['SendNotCompletedInTime']);
    const finding = rt.verifier.findings[0]!;
    expect([finding.driver, finding.object, finding.bugCheck, finding.bugCheckParameter1]).toEqual(['filter0', 'filter module filter0/nic0', 0xc4, 0x00092011]);
    expect(finding.message).toBe('the module still holds 3 of the 3 NBL(s) FilterSendNetBufferLists was given 30 s ago: pass each send down or complete it with NdisFSendNetBufferListsComplete');
  });

  it('ReceiveNotReturnedInTime (NdisFilterTimedDataReceive, 0xC4 0x00092012): a filter that sits on receives 30 s', async () => {
    const { rt, driver, echo } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ receive: 'm.held.push(nbls);' })]);
    send(rt, driver, echo, 2);
    rt.run();
    expect(rules(rt)).toEqual(['ReceiveNotReturnedInTime']);
    const finding = rt.verifier.findings[0]!;
    expect([finding.driver, finding.object, finding.bugCheckParameter1]).toEqual(['filter0', 'filter module filter0/nic1', 0x00092012]);
    expect(finding.message).toBe('the module still holds 2 of the 2 NBL(s) FilterReceiveNetBufferLists was given 30 s ago: indicate each up or return it with NdisFReturnNetBufferLists');
  });

  it('FilterPausedSendNotCompleted: a Paused module that passes a send down (a test harness sends from above, as NDISTest would)', async () => {
    const run = async (send?: string) => {
      const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter(send ? { send } : {})]);
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      const module = rt.filters.modules(rt.adapters[0]!)[0]!;
      expect(module.state).toBe('Paused');
      // NDIS never sends to a paused filter from a correct protocol: the harness plays one.
      const nbl = rt.pool.allocate(999, 60);
      rt.post('harness send', () => rt.filters.sendBelow(rt.adapters[0]!, 1, [nbl]));
      rt.run();
      return { rt, nbl };
    };
    const good = await run();
    expect(rules(good.rt)).toEqual([]);
    expect(good.rt.pool.nblField(good.nbl, 8)).toBe(0xc023002a); // completed with NDIS_STATUS_PAUSED
    const bad = await run('NdisFSendNetBufferLists(m.handle, nbls, port, flags);');
    expect(rules(bad.rt)).toEqual(['FilterPausedSendNotCompleted']);
    expect(bad.rt.stopped!.message).toBe('the module passed a send down while Paused; complete it with NDIS_STATUS_PAUSED instead');
  });

  it('the test harness (test-harness.ts) sends into the top module whatever its state; its sends come back to it and are freed, with their Status traced', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter()]);
    const free = rt.pool.available;
    const [nic0, nic1] = rt.adapters as [typeof rt.adapters[0], typeof rt.adapters[0]];
    expect(rt.harness.send(nic0, nic1.nic.permanentAddress, 3, 60, 0)).toBe(3);
    rt.run();
    rt.pauseStack(nic0);
    rt.run();
    expect(rt.harness.send(nic0, nic1.nic.permanentAddress, 2, 60, 3)).toBe(2);
    rt.run();
    expect(rules(rt)).toEqual([]);
    const events = rt.trace.events.filter((e) => e.kind === 'harness-send' || e.kind === 'harness-complete').map((e) => [e.kind, e.nbls, e.states ?? e.status]);
    expect(events).toEqual([
      ['harness-send', 3, ['Running']], ['harness-complete', 3, Array(3).fill('NDIS_STATUS_SUCCESS (0x00000000)')],
      ['harness-send', 2, ['Paused']], ['harness-complete', 2, Array(2).fill('NDIS_STATUS_PAUSED (0xC023002A)')],
    ]);
    expect(rt.machine.nic(0).statistics().GPTC).toBe(3); // the ones sent while Running went out; the others did not
    expect(rt.pool.available).toBe(free);
    expect(filterOf(rt).modules[0]!.sent).toBe(3);
  });

  it('FilterPausedSendWrongStatus: a Pausing or Paused module completes a send from above at once, but with a Status other than NDIS_STATUS_PAUSED', async () => {
    const run = async (status: string) => {
      const { rt } = await twoNics(echoProtocol(), 1, 64, [countingFilter({ send: `if (m.state !== "Running") {
        for (let n = nbls; n; n = NET_BUFFER_LIST_NEXT_NBL(n)) n.Status = ${status};
        NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
        return;
      }
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);` })]);
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      rt.harness.send(rt.adapters[0]!, rt.adapters[1]!.nic.permanentAddress, 2, 60, 0);
      rt.run();
      return rt;
    };
    expect(rules(await run('NDIS_STATUS_PAUSED'))).toEqual([]);
    const bad = await run('NDIS_STATUS_FAILURE');
    expect(rules(bad)).toEqual(['FilterPausedSendWrongStatus']);
    expect(bad.verifier.findings[0]!.severity).toBe('error');
    expect(bad.verifier.findings[0]!.message).toBe('NdisFSendNetBufferListsComplete with 2 send(s) that reached the module while it was Pausing or Paused and carry Status NDIS_STATUS_FAILURE (0xC0000001): set each one\'s Status to NDIS_STATUS_PAUSED');
    // The completions still reach the harness: an error, not a stop.
    expect(bad.trace.events.filter((e) => e.kind === 'harness-complete').map((e) => e.nbls)).toEqual([2]);
  });
});
