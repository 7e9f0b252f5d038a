// Whole-stack operations on the reference drivers: cable down/up (NDIS_STATUS_LINK_STATE), a power
// cycle, orderly removal (and a veto), surprise removal, a filter inserted into and removed from
// a running stack. Each under 32 seeds, with no finding from the reference drivers.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { MediaConnectStateConnected, MediaConnectStateDisconnected, MediaConnectStateUnknown, NdisDeviceStateD3, OID_GEN_LINK_STATE, OID_802_3_CURRENT_ADDRESS } from './constants.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_LOW_POWER_STATE } from './status.ts';

const source = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const PROTOCOL = source('protocol.ts');
const FILTER = source('counting-filter.ts');

interface Ref {
  bindings: { received: number[]; linkStates: number[] }[];
  SendFrames(index: number, destination: string, count: number, size?: number, first?: number): number;
}

async function stack(seed: number, withFilter = true, protocolSource = PROTOCOL) {
  const rt = await NdisRuntime.create({ nics: 2, seed, rxRingEntries: 32, txRingEntries: 32, pendingLimitNs: 50_000_000n });
  const link = rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const filter = withFilter ? await rt.loadDriver(FILTER, 'counting-filter.ts') : undefined;
  const protocol = await rt.loadDriver(protocolSource, 'protocol.ts');
  rt.startStack();
  rt.run();
  const p = protocol.exports as unknown as Ref;
  let sent = 0;
  const traffic = (count: number) =>
    rt.post('traffic', () => rt.invoke(protocol, 'application', undefined, false, () => { sent += p.SendFrames(0, rt.machine.nic(1).permanentAddress, count, 60, sent); }));
  return { rt, link, filter, protocol, p, traffic, sent: () => sent };
}

// The reference protocol, keeping the Status of each send it gets back (in completion order).
const RECORDING_PROTOCOL = PROTOCOL
  .replace('NdisFreeNetBufferList(nbl);', 'sendStatuses.push(NET_BUFFER_LIST_STATUS(nbl));\n        NdisFreeNetBufferList(nbl);')
  .replace('NET_BUFFER_LIST_NEXT_NBL, ', 'NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_STATUS, ')
  .replace('export const bindings: Binding[] = [];', 'export const bindings: Binding[] = [];\nexport const sendStatuses: number[] = [];');

const rules = (rt: NdisRuntime) => rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`);

describe('stack operations on the reference drivers', () => {
  it('cable down and up: each binding sees NDIS_STATUS_LINK_STATE Disconnected then Connected', async () => {
    for (let seed = 1; seed <= 32; seed++) {
      const { rt, link, p } = await stack(seed);
      rt.operations.setLink(link, false);
      rt.run();
      rt.operations.setLink(link, true);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      for (const b of p.bindings) expect(b.linkStates.slice(-2)).toEqual([MediaConnectStateDisconnected, MediaConnectStateConnected]);
    }
  });

  it('power D0 -> D3 -> D0 in the documented order: QueryPower, SetPower(D3), then the pause; the restart, then SetPower(D0); link Unknown then Connected, traffic flows after', async () => {
    for (let seed = 1; seed <= 32; seed++) {
      const { rt, p, traffic, sent } = await stack(seed);
      traffic(6);
      rt.operations.powerCycle(rt.adapters[1]!);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(rt.bindings.map((b) => b.state)).toEqual(['Running', 'Running']);
      const events = rt.trace.events.filter((e) => e.kind === 'handler' && String(e.object).endsWith('nic1') && String(e.handler).startsWith('ProtocolNetPnPEvent')).map((e) => e.handler);
      expect(events.slice(-5)).toEqual([
        // "After issuing the set power request, NDIS pauses the driver stack if the miniport adapter is
        // transitioning to a low-power state. NDIS restarts the driver stack before the set-power
        // request if the miniport adapter is transitioning to the working state (D0)."
        'ProtocolNetPnPEvent(NetEventQueryPower)', 'ProtocolNetPnPEvent(NetEventSetPower)', 'ProtocolNetPnPEvent(NetEventPause)',
        'ProtocolNetPnPEvent(NetEventRestart)', 'ProtocolNetPnPEvent(NetEventSetPower)',
      ]);
      const states = p.bindings[1]!.linkStates;
      expect(states.slice(-2)).toEqual([MediaConnectStateUnknown, MediaConnectStateConnected]);
      const before = p.bindings[1]!.received.length;
      traffic(5);
      rt.run();
      expect(p.bindings[1]!.received.slice(before)).toEqual(Array.from({ length: 5 }, (_, i) => sent() - 5 + i));
    }
  });

  it('orderly removal: QueryRemoveDevice, then pause, unbind, detach and halt', async () => {
    for (let seed = 1; seed <= 32; seed++) {
      const { rt, traffic } = await stack(seed);
      traffic(8);
      let removed: boolean | undefined;
      rt.operations.removeDevice(rt.adapters[1]!, (r) => (removed = r));
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(removed).toBe(true);
      expect(rt.bindings[1]!.state).toBe('Unbound');
      expect(rt.filters.modules(rt.adapters[1]!)).toEqual([]);
      expect(rt.adapters[1]!.state).toBe('Halted');
      expect(rt.bindings[0]!.state).toBe('Running');
    }
  });

  it('a vetoed removal: a protocol fails QueryRemoveDevice, the others get CancelRemoveDevice, the stack stays up', async () => {
    const veto = PROTOCOL.replace("if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here", "if (!b) return NDIS_STATUS_SUCCESS;\n      if (event.NetPnPEvent.NetEvent === 2) return 0xc0000001; // NetEventQueryRemoveDevice: in use");
    const { rt } = await stack(1, true, veto);
    let removed: boolean | undefined;
    rt.operations.removeDevice(rt.adapters[1]!, (r) => (removed = r));
    rt.run();
    expect(rules(rt)).toEqual([]);
    expect(removed).toBe(false);
    expect(rt.bindings[1]!.state).toBe('Running');
    expect(rt.trace.events.some((e) => e.kind === 'handler' && e.handler === 'FilterNetPnPEvent(NetEventCancelRemoveDevice)')).toBe(true);
  });

  it('surprise removal: sends fail with NDIS_STATUS_ADAPTER_REMOVED, the stack is torn down, no finding', async () => {
    for (let seed = 1; seed <= 32; seed++) {
      const { rt, traffic } = await stack(seed);
      traffic(8);
      rt.operations.surpriseRemove(rt.adapters[0]!);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(rt.bindings[0]!.state).toBe('Unbound');
      expect(rt.adapters[0]!.state).toBe('Halted');
    }
  });

  it('a filter inserted into a running stack, and removed again, with traffic around it', async () => {
    for (let seed = 1; seed <= 32; seed++) {
      const { rt, p, traffic, sent } = await stack(seed, false);
      const filter = await rt.loadDriver(FILTER, 'counting-filter.ts');
      traffic(5);
      rt.operations.insertFilter(filter, rt.adapters[0]!);
      rt.operations.insertFilter(filter, rt.adapters[1]!);
      rt.run();
      expect(rt.filters.all().map((m) => m.state)).toEqual(['Running', 'Running']);
      traffic(7);
      rt.run();
      // Modules attach in whichever order the two insertions finish; what matters is the totals.
      const counts = (filter.exports as { modules: { sent: number; received: number }[] }).modules;
      expect(counts.reduce((n, c) => n + c.sent, 0)).toBeGreaterThanOrEqual(7);
      expect(counts.reduce((n, c) => n + c.received, 0)).toBeGreaterThanOrEqual(7);
      rt.operations.removeFilter(rt.filters.modules(rt.adapters[0]!)[0]!);
      rt.run();
      expect(rt.filters.modules(rt.adapters[0]!)).toEqual([]);
      traffic(3);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      expect(p.bindings[1]!.received.slice(-3)).toEqual([sent() - 3, sent() - 2, sent() - 1]);
    }
  });

  it('a power cycle with the reference protocol: every send it gets back, before and after, completed with NDIS_STATUS_SUCCESS', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { rt, protocol, traffic } = await stack(seed, true, RECORDING_PROTOCOL);
      traffic(6);
      rt.operations.powerCycle(rt.adapters[0]!);
      rt.run();
      traffic(4);
      rt.run();
      expect(rules(rt), `seed ${seed}`).toEqual([]);
      const statuses = (protocol.exports as unknown as { sendStatuses: number[] }).sendStatuses;
      expect(statuses.length, `seed ${seed}`).toBe(10);
      expect(new Set(statuses), `seed ${seed}`).toEqual(new Set([NDIS_STATUS_SUCCESS]));
    }
  });

  it('in D3 the miniport transmits nothing: sends it held when the adapter went down, and new ones, complete with NDIS_STATUS_LOW_POWER_STATE (OID_PNP_SET_POWER)', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { rt, protocol, p } = await stack(seed, false, RECORDING_PROTOCOL);
      const adapter = rt.adapters[0]!;
      const statuses = (protocol.exports as unknown as { sendStatuses: number[] }).sendStatuses;
      const received = () => p.bindings[1]!.received.length;
      const before = received();
      // A harness plays the set-power request arriving while three sends sit in the TX ring (NDIS
      // pauses the stack first, so a correct stack never gets here: this is the miniport's own part).
      rt.post('sends, then D3', () => rt.invoke(protocol, 'application', undefined, false, () => {
        p.SendFrames(0, rt.machine.nic(1).permanentAddress, 3, 60, 0);
        adapter.setPower(NdisDeviceStateD3);
      }));
      rt.run();
      expect(statuses, `seed ${seed}`).toEqual([NDIS_STATUS_LOW_POWER_STATE, NDIS_STATUS_LOW_POWER_STATE, NDIS_STATUS_LOW_POWER_STATE]);
      // New sends while in D3 are rejected at once, though the adapter is still Running.
      rt.post('send in D3', () => rt.invoke(protocol, 'application', undefined, false, () => { p.SendFrames(0, rt.machine.nic(1).permanentAddress, 2, 60, 3); }));
      rt.run();
      expect(adapter.state).toBe('Running');
      expect(statuses.slice(3), `seed ${seed}`).toEqual([NDIS_STATUS_LOW_POWER_STATE, NDIS_STATUS_LOW_POWER_STATE]);
      expect(received(), `seed ${seed}: nothing reached the wire`).toBe(before);
      expect(rt.machine.nic(0).read('TDT'), `seed ${seed}: no descriptor was written`).toBe(0);
    }
  });

  it('an OID request while the adapter is in D3 is answered by the miniport from its own state, as in D0: SUCCESS, the link Disconnected (the NIC is reset in D3), no finding (the docs found say nothing else)', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const { rt, protocol } = await stack(seed, true);
      const q = protocol.exports as unknown as { QueryOid(index: number, oid: number): number };
      rt.operations.sleep(rt.adapters[0]!);
      rt.run();
      expect(rt.adapters[0]!.powerState, `seed ${seed}`).toBe(NdisDeviceStateD3);
      const mark = rt.trace.events.length;
      rt.post('query in D3', () => rt.invoke(protocol, 'application', undefined, false, () => { q.QueryOid(0, OID_GEN_LINK_STATE); q.QueryOid(0, OID_802_3_CURRENT_ADDRESS); }));
      rt.run();
      const done = rt.trace.events.slice(mark).filter((e) => e.kind === 'oid-done');
      expect(done.map((e) => [e.oid, e.status]), `seed ${seed}`).toEqual([['0x00010207', 'NDIS_STATUS_SUCCESS (0x00000000)'], ['0x01010102', 'NDIS_STATUS_SUCCESS (0x00000000)']]);
      expect(rt.adapters[0]!.mediaConnectState(), `seed ${seed}`).toBe(MediaConnectStateDisconnected); // what OID_GEN_LINK_STATE reports
      expect(rules(rt), `seed ${seed}`).toEqual([]);
    }
  });

  it('PnPEventMustSucceed: a protocol that fails NetEventSetPower (a power-management-aware protocol always succeeds it)', async () => {
    const fails = PROTOCOL.replace("if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here", "if (!b) return NDIS_STATUS_SUCCESS;\n      if (event.NetPnPEvent.NetEvent === 0) return NDIS_STATUS_FAILURE; // NetEventSetPower");
    const { rt } = await stack(1, true, fails);
    rt.operations.powerCycle(rt.adapters[1]!);
    rt.run();
    expect(rules(rt)).toEqual(['PnPEventMustSucceed: NetEventSetPower must succeed; the driver returned NDIS_STATUS_FAILURE (0xC0000001)']);
  });
});
