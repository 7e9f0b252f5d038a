// The reference drivers kept with the labs (labs/reference): a protocol and a counting filter.
// Under 32 seeds each, through start, traffic both ways, pause with traffic in flight, restart,
// more traffic, PnP events and unbind, they must draw no finding and lose no frame.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { NetEventBindsComplete, NetEventReconfigure, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice, NetEventPnPCapabilities } from './constants.ts';

const source = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const PROTOCOL = source('protocol.ts');
const FILTER = source('counting-filter.ts');

interface ReferenceProtocol {
  bindings: { received: number[]; sendsOutstanding: number; oidsOutstanding: number }[];
  SendFrames(index: number, destination: string, count: number, size?: number, first?: number): number;
}

async function scenario(seed: number, withFilter: boolean) {
  const rt = await NdisRuntime.create({ nics: 2, seed, rxRingEntries: 32, txRingEntries: 32, pendingLimitNs: 50_000_000n });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  if (withFilter) await rt.loadDriver(FILTER, 'counting-filter.ts');
  const protocol = await rt.loadDriver(PROTOCOL, 'protocol.ts');
  const p = protocol.exports as unknown as ReferenceProtocol;
  const mac = (i: number) => rt.machine.nic(i).permanentAddress;
  const sent = [0, 0];
  const traffic = (from: number, count: number) =>
    rt.post(`traffic ${from}`, () => rt.invoke(protocol, 'application', undefined, false, () => {
      sent[from]! += p.SendFrames(from, mac(1 - from), count, 60 + from * 40, sent[from]!);
    }));

  rt.startStack();
  rt.run();
  expect(rt.bindings.map((b) => b.state)).toEqual(['Running', 'Running']);
  for (let i = 0; i < 3; i++) {
    traffic(0, 8);
    traffic(1, 5);
  }
  rt.pauseStack(rt.adapters[0]!);
  rt.pauseStack(rt.adapters[1]!);
  rt.run();
  expect(rt.bindings.map((b) => b.state)).toEqual(['Paused', 'Paused']);
  rt.restartStack(rt.adapters[0]!);
  rt.restartStack(rt.adapters[1]!);
  rt.run();
  const beforeLast = [...sent];
  traffic(0, 10);
  traffic(1, 10);
  for (const event of [NetEventBindsComplete, NetEventReconfigure, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice, NetEventPnPCapabilities]) rt.protocolEvent(protocol, event);
  rt.run();
  const received = p.bindings.map((b) => [...b.received]);
  for (const b of rt.bindings) rt.removeBinding(b);
  rt.run();
  return { rt, received, sent, beforeLast, p };
}

describe('reference drivers', () => {
  for (const withFilter of [false, true]) {
    it(`protocol${withFilter ? ' over the counting filter' : ''}: no finding and every frame delivered, under 32 seeds`, async () => {
      const hashes = new Set<string>();
      for (let seed = 1; seed <= 32; seed++) {
        const { rt, received, sent, beforeLast } = await scenario(seed, withFilter);
        expect(rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`), `seed ${seed}`).toEqual([]);
        expect(rt.bindings.map((b) => b.state)).toEqual(['Unbound', 'Unbound']);
        // Frames arrive in order and never twice. Some sent just before the pause may reach a
        // receiver that has already paused: NDIS indicates nothing to a Paused binding. Everything
        // sent after the restart, with both sides Running, arrives.
        for (const [to, from] of [[1, 0], [0, 1]] as const) {
          const got = received[to]!;
          expect(got.every((seq, i) => seq < sent[from]! && (i === 0 || seq > got[i - 1]!)), `seed ${seed}`).toBe(true);
          const last = Array.from({ length: sent[from]! - beforeLast[from]! }, (_, i) => beforeLast[from]! + i);
          expect(got.slice(got.length - last.length), `seed ${seed}`).toEqual(last);
          expect(last.length).toBe(10);
        }
        hashes.add(await rt.trace.hash());
      }
      expect(hashes.size).toBeGreaterThan(1); // the seeds do change the interleaving
    });
  }

  it('replays: one seed, the same trace hash twice', async () => {
    const a = await scenario(9, true);
    const b = await scenario(9, true);
    expect(await a.rt.trace.hash()).toBe(await b.rt.trace.hash());
  });

  it('OID requests pass down through the filter (FilterOidRequest, NdisFOidRequest) to the NIC and complete back up', async () => {
    // The miniport pends them (the seed may also complete them at once: oid-request.test.ts).
    const rt = await NdisRuntime.create({ nics: 1, seed: 3, decisions: { 'oid-completion': 1 } });
    const filter = await rt.loadDriver(FILTER, 'counting-filter.ts');
    await rt.loadDriver(PROTOCOL, 'protocol.ts');
    rt.startStack();
    rt.run();
    expect(rt.verifier.findings).toEqual([]);
    expect((filter.exports as { modules: { oids: number }[] }).modules[0]!.oids).toBe(1);
    const handlers = rt.trace.events.filter((e) => e.kind === 'handler').map((e) => e.handler);
    expect(handlers.indexOf('FilterOidRequest')).toBeLessThan(handlers.indexOf('FilterOidRequestComplete'));
    expect(handlers.indexOf('FilterOidRequestComplete')).toBeLessThan(handlers.indexOf('ProtocolOidRequestComplete'));
    expect(rt.bindings[0]!.oidsOutstanding).toBe(0);
    expect(rt.machine.nic(0).peek('RCTL') & 0x8002).toBe(0x8002); // EN | BAM: DIRECTED | BROADCAST reached the NIC
  });
});
