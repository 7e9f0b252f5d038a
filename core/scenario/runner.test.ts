// The scenario runner's steps and expectations, each against a real run: traffic spaced by a
// rate and with a chosen EtherType, OID requests and calls made by the lab's application,
// bounded counters and frame counts, and variants reaching both the scenario and the driver.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './runner.ts';
import { parseLab, type Lab } from './schema.ts';
import { referenceDrivers, LABS_DIR } from '../grading/labs.ts';

const references = referenceDrivers();

function protocolLab(steps: unknown[], expectations: unknown[], extra: Record<string, unknown> = {}): Lab {
  return parseLab({
    id: 't', title: 'T', order: 1, summary: 's', seed: '000', kind: 'protocol', starter: 's.ts', solution: 'x.ts', instructions: 'i.md',
    ...extra,
    scenarios: [{ id: 'a', title: 't', points: 1, steps, expectations }],
  }, 'test/lab.json');
}

/** Runs the lab's only scenario with the reference protocol as the learner's driver. */
async function run(lab: Lab, seed = 1, student?: string, source = references.protocol) {
  return runScenario(lab, lab.scenarios[0]!, source, 'learner.ts', seed, references, student === undefined ? {} : { student });
}

const receiveTimes = (events: readonly { kind: string; t?: unknown; to?: unknown }[], binding: string) =>
  events.filter((e) => e.kind === 'receive' && (e.to as string[]).includes(binding)).map((e) => BigInt(e.t as string | bigint));

describe('traffic', () => {
  it('with a rate, the peer\'s frames arrive spaced in virtual time (1000 frames/s: 1 ms apart)', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 5, rate: 1000 }], [{ expect: 'framesDelivered', adapter: 0, exactly: 5 }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    const times = receiveTimes(result.runtime!.trace.events, 'learner/nic0');
    expect(times).toHaveLength(5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const gap of gaps) expect(gap >= 999_000n && gap <= 1_001_000n, `gap ${gap} ns`).toBe(true);
  });

  it('a link fault that delays frames: they arrive, each that many virtual ns after it left (the device is stepped when a held frame falls due)', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'faults', delayNs: 25_000 }, { op: 'traffic', source: 'peer', adapter: 0, count: 3, rate: 1000 }, { op: 'wait', ns: 10_000_000 }], [{ expect: 'framesDelivered', adapter: 0, exactly: 3 }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    const sent = result.runtime!.frames.filter((f) => f.nic === 1 && f.direction === 'tx').map((f) => f.timestampNs);
    const received = receiveTimes(result.runtime!.trace.events, 'learner/nic0');
    expect(received).toHaveLength(3);
    for (const [i, t] of received.entries()) expect(t - sent[i]!, `frame ${i}`).toBeGreaterThanOrEqual(25_000n);
  });

  it('without a rate, they all arrive at once', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 5 }], [{ expect: 'framesDelivered', adapter: 0, exactly: 5 }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    expect(new Set(receiveTimes(result.runtime!.trace.events, 'learner/nic0')).size).toBe(1);
  });

  it('the application\'s sends are spaced the same way, one SendFrames call per frame', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'app', adapter: 0, count: 4, rate: 10_000 }], [{ expect: 'counter', adapter: 0, register: 'GPTC', exactly: 4 }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    expect(result.runtime!.trace.events.filter((e) => e.kind === 'handler' && e.handler === 'application')).toHaveLength(4);
    expect(result.runtime!.machine.clockNs >= 300_000n).toBe(true);
  });

  it('the peer\'s frames carry the EtherType asked for', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 2, etherType: 0x9003 }], [{ expect: 'framesDelivered', adapter: 0, exactly: 2 }]);
    const result = await run(lab);
    const received = result.runtime!.frames.filter((f) => f.nic === 0 && f.direction === 'rx');
    expect(received.map((f) => (f.bytes[12]! << 8) | f.bytes[13]!)).toEqual([0x9003, 0x9003]);
  });

  it('etherType is refused for the application\'s traffic', () => {
    expect(() => protocolLab([{ op: 'traffic', source: 'app', adapter: 0, count: 1, etherType: 0x9000 }], [{ expect: 'noFindings' }]))
      .toThrow('test/lab.json: scenarios.0.steps.0.etherType: etherType is for peer traffic; the protocol and the harness send 0x88B5');
  });
});

describe('the application\'s requests', () => {
  it('oid: the protocol\'s QueryOid runs `count` times, and each request reaches the adapter', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'oid', adapter: 0, oid: 'OID_GEN_LINK_STATE', count: 3 }], [{ expect: 'noFindings' }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    const oids = result.runtime!.trace.events.filter((e) => e.kind === 'oid' && e.oid === '0x00010207');
    expect(oids.map((e) => [e.object, e.request])).toEqual(Array(3).fill(['binding learner/nic0', 'query']));
  });

  it('oid: a protocol without QueryOid fails the scenario, saying what to export, and is not blamed for a crash (it never ran)', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'oid', adapter: 0, oid: 'OID_GEN_STATISTICS', count: 2 }], [{ expect: 'noFindings' }]);
    const source = references.protocol.replace('export function QueryOid', 'function QueryOidHidden');
    expect(source).toContain('function QueryOidHidden');
    const result = await run(lab, 1, undefined, source);
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(["the driver exports no QueryOid(adapter, oid) for the lab's application to call"]);
  });

  it('call: the application calls the driver\'s export with the adapter number', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'call', export: 'ReleaseAdapter', adapter: 1 }, { op: 'wait', ns: 1000 }], [
      { expect: 'bindingState', adapter: 0, state: 'Running' },
      { expect: 'bindingState', adapter: 1, state: 'Unbound' },
      { expect: 'noFindings' },
    ]);
    const source = readFileSync(join(LABS_DIR, 'protocol-unbind', 'solution.ts'), 'utf8');
    const result = await run(lab, 1, undefined, source);
    expect(result.failures).toEqual([]);
  });

  it('call: an export the driver does not have fails the scenario by name, not as a HandlerThrew of the driver', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'call', export: 'ReleaseAdapter', adapter: 0 }], [{ expect: 'noFindings' }]);
    const result = await run(lab);
    expect(result.findings).toEqual([]);
    expect(result.failures).toEqual(["the driver exports no ReleaseAdapter(adapter) for the lab's application to call"]);
  });
});

describe('expectations', () => {
  it('counter and framesDelivered take exactly, atLeast and atMost, and say what they found', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'app', adapter: 0, count: 6 }, { op: 'wait', ns: 1000 }], [
      { expect: 'counter', adapter: 0, register: 'GPTC', exactly: 6 },
      { expect: 'counter', adapter: 0, register: 'GPTC', atMost: 5 },
      { expect: 'counter', adapter: 0, register: 'GPTC', atLeast: 7 },
      { expect: 'framesDelivered', adapter: 1, atLeast: 6, atMost: 6 },
      { expect: 'framesDelivered', adapter: 1, atMost: 2 },
      { expect: 'counter', adapter: 0, register: 'NOPE', atLeast: 0 },
    ]);
    const result = await run(lab);
    expect(result.failures).toEqual([
      'expected at most 5 GPTC on nic0; there were 6',
      'expected at least 7 GPTC on nic0; there were 6',
      'expected at most 2 frames delivered to the protocol on nic1; there were 6',
      'there is no statistics register NOPE',
    ]);
  });

  it('oidCompleted counts what NDIS handed back to the protocol (status, BytesWritten/BytesRead), in both completion paths; statusIndicated counts the indications that came up to it', async () => {
    for (const path of ['at once', 'pends'] as const) {
      const lab = protocolLab([{ op: 'start' }, { op: 'oid', adapter: 0, oid: 'OID_802_3_CURRENT_ADDRESS', count: 2 }, { op: 'link', up: false }, { op: 'wait', ns: 1_000_000 }], [
        { expect: 'oidCompleted', adapter: 0, oid: 'OID_802_3_CURRENT_ADDRESS', status: 'NDIS_STATUS_SUCCESS', bytesWritten: 6, exactly: 2 },
        { expect: 'oidCompleted', adapter: 0, oid: 'OID_GEN_CURRENT_PACKET_FILTER', request: 'set', bytesRead: 4, exactly: 1 },
        { expect: 'oidCompleted', adapter: 1, oid: 'OID_802_3_CURRENT_ADDRESS', atLeast: 1 },
        { expect: 'oidCompleted', adapter: 0, oid: 'OID_802_3_CURRENT_ADDRESS', request: 'set', atLeast: 1 },
        { expect: 'oidCompleted', adapter: 0, oid: 'OID_802_3_CURRENT_ADDRESS', status: 'NDIS_STATUS_FAILURE', atLeast: 1 },
        { expect: 'statusIndicated', adapter: 1, status: 'NDIS_STATUS_LINK_STATE', atLeast: 1 },
        { expect: 'statusIndicated', adapter: 0, status: 'NDIS_STATUS_MEDIA_DISCONNECTED', atLeast: 1 },
      ]);
      lab.scenarios[0]!.decisions = { 'oid-completion': path };
      const result = await run(lab);
      expect(result.failures, path).toEqual([
        'expected at least 1 OID_802_3_CURRENT_ADDRESS requests completed to the protocol on nic1; there were 0',
        'expected at least 1 set OID_802_3_CURRENT_ADDRESS requests completed to the protocol on nic0; there were 0',
        'expected at least 1 OID_802_3_CURRENT_ADDRESS requests completed to the protocol on nic0 with NDIS_STATUS_FAILURE; there were 0',
        'expected at least 1 NDIS_STATUS_MEDIA_DISCONNECTED indications that came up to the protocols on nic0; there were 0',
      ]);
    }
  });

  it('call in a filter lab: the application calls the protocol above the filter (the reference protocol\'s SetPromiscuous)', async () => {
    const dir = join(LABS_DIR, 'filter-oid');
    const lab = parseLab({
      id: 't', title: 'T', order: 1, summary: 's', seed: '004', kind: 'filter', starter: 's.ts', solution: 'x.ts', instructions: 'i.md',
      scenarios: [{ id: 'a', title: 't', points: 1, steps: [{ op: 'start' }, { op: 'call', export: 'SetPromiscuous', adapter: 0 }, { op: 'wait', ns: 1000 }], expectations: [
        { expect: 'oidCompleted', adapter: 0, oid: 'OID_GEN_CURRENT_PACKET_FILTER', request: 'set', status: 'NDIS_STATUS_NOT_SUPPORTED', exactly: 1 },
      ] }],
    }, 'test/lab.json');
    const result = await runScenario(lab, lab.scenarios[0]!, readFileSync(join(dir, 'solution.ts'), 'utf8'), 'learner.ts', 1, references);
    expect(result.failures).toEqual([]);
  });

  it('a bounded expectation needs a bound', () => {
    expect(() => protocolLab([{ op: 'start' }], [{ expect: 'counter', adapter: 0, register: 'GPTC' }])).toThrow('scenarios.0.expectations.0: give atLeast, atMost or exactly');
  });
});

describe('variants in a run', () => {
  const lab = protocolLab(
    [{ op: 'start' }, { op: 'traffic', source: 'app', adapter: 0, count: { var: 'Frames' } }, { op: 'wait', ns: 1000 }],
    [{ expect: 'counter', adapter: 0, register: 'GPTC', exactly: { var: 'Frames' } }],
    { variants: { Frames: { min: 2, max: 30 } } },
  );

  it('the student\'s values are played and checked; the run says which values it used', async () => {
    for (const student of ['s1', 's2', 's3']) {
      const result = await run(lab, 1, student);
      expect(result.failures, student).toEqual([]);
      expect(result.runtime!.machine.nic(0).statistics().GPTC).toBe(result.variants.Frames);
    }
    const values = await Promise.all(['s1', 's2', 's3'].map(async (s) => (await run(lab, 1, s)).variants.Frames));
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it('without a student, the default', async () => {
    const result = await run(lab);
    expect(result.variants).toEqual({ Frames: 2 });
    expect(result.runtime!.machine.nic(0).statistics().GPTC).toBe(2);
  });

  it('the values are the drivers\' configuration (NdisReadConfiguration)', async () => {
    const result = await run(lab, 1, 's1');
    expect(result.runtime!.configuration.get('Frames')).toBe(result.variants.Frames);
  });
});

describe('pnp steps', () => {
  const EVENTS = ['NetEventSetPower', 'NetEventQueryPower', 'NetEventQueryRemoveDevice', 'NetEventCancelRemoveDevice', 'NetEventReconfigure', 'NetEventBindList', 'NetEventBindsComplete', 'NetEventPnPCapabilities', 'NetEventPortActivation', 'NetEventPortDeactivation', 'NetEventIMReEnableDevice'];

  it('every NET_PNP_EVENT_CODE but Pause and Restart (their own steps) reaches the protocol, and the reference protocol answers each with no finding', async () => {
    const lab = protocolLab([{ op: 'start' }, ...EVENTS.map((event) => ({ op: 'pnp', event, adapter: 0 }))], [{ expect: 'noFindings' }]);
    const result = await run(lab);
    expect(result.failures).toEqual([]);
    const delivered = new Set(result.runtime!.trace.events.filter((e) => e.kind === 'handler' && String(e.handler).startsWith('ProtocolNetPnPEvent(')).map((e) => String(e.handler).slice(20, -1)));
    for (const event of EVENTS) expect(delivered, event).toContain(event);
    expect(() => protocolLab([{ op: 'start' }, { op: 'pnp', event: 'NetEventPause' }], [])).toThrow(/NetEventPause|event/);
  });

  it('a protocol whose `default:` returns NDIS_STATUS_NOT_SUPPORTED (an NDIS 5 habit ported from ndisprot) is caught on NetEventPortActivation', async () => {
    const ported = references.protocol.replace("if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here", "if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here\n      if (event.NetPnPEvent.NetEvent !== NetEventPause && event.NetPnPEvent.NetEvent !== NetEventRestart) return 0xc00000bb; // default: NDIS_STATUS_NOT_SUPPORTED");
    expect(ported).toContain('0xc00000bb');
    const lab = protocolLab([{ op: 'start' }, { op: 'pnp', event: 'NetEventPortActivation', adapter: 0 }], [{ expect: 'noFindings' }]);
    const result = await run(lab, 1, undefined, ported);
    expect(result.findings.map((f) => f.rule)).toEqual(['PnPNotSupportedReturned']);
    expect(result.findings[0]!.message).toContain('NetEventPortActivation got NDIS_STATUS_NOT_SUPPORTED');
  });
});

describe('power steps', () => {
  const pnpEvents = (result: Awaited<ReturnType<typeof run>>) => result.runtime!.trace.events
    .filter((e) => e.kind === 'handler' && String(e.handler).startsWith('ProtocolNetPnPEvent(') && String(e.object).endsWith('nic0'))
    .map((e) => String(e.handler).slice(20, -1));

  it('state D3 leaves the adapter asleep, its binding Paused, until a step with state D0 wakes it: the cycle split in two, in the same order', async () => {
    const asleep = await run(protocolLab([{ op: 'start' }, { op: 'power', adapter: 0, state: 'D3' }, { op: 'wait', ns: 1_000_000 }], [{ expect: 'bindingState', adapter: 0, state: 'Paused' }, { expect: 'noFindings' }]));
    expect(asleep.failures).toEqual([]);
    expect(asleep.runtime!.adapters[0]!.powerState).toBe(4); // NdisDeviceStateD3
    expect(pnpEvents(asleep).slice(-3)).toEqual(['NetEventQueryPower', 'NetEventSetPower', 'NetEventPause']);
    // The application sends while the adapter sleeps: the reference protocol refuses (not Running), nothing goes out.
    const woken = await run(protocolLab([
      { op: 'start' }, { op: 'power', adapter: 0, state: 'D3' }, { op: 'traffic', source: 'app', adapter: 0, count: 3 }, { op: 'wait', ns: 1_000_000 },
      { op: 'power', adapter: 0, state: 'D3' }, { op: 'power', adapter: 0, state: 'D0' }, { op: 'power', adapter: 0, state: 'D0' },
      { op: 'traffic', source: 'app', adapter: 0, count: 4 }, { op: 'wait', ns: 1_000_000 },
    ], [{ expect: 'bindingState', adapter: 0, state: 'Running' }, { expect: 'counter', adapter: 0, register: 'GPTC', exactly: 4 }, { expect: 'noFindings' }]));
    expect(woken.failures).toEqual([]);
    // A second D3 and a second D0 change nothing: one sleep, one wake.
    expect(pnpEvents(woken).slice(-5)).toEqual(['NetEventQueryPower', 'NetEventSetPower', 'NetEventPause', 'NetEventRestart', 'NetEventSetPower']);
    const cycle = await run(protocolLab([{ op: 'start' }, { op: 'power', adapter: 0 }], [{ expect: 'noFindings' }]));
    expect(pnpEvents(cycle).slice(-5)).toEqual(pnpEvents(woken).slice(-5));
  });

  it('state is D3 or D0', () => {
    expect(() => protocolLab([{ op: 'start' }, { op: 'power', adapter: 0, state: 'D2' }], [])).toThrow(/state/);
  });
});

describe('timing', () => {
  const handlerTimes = (result: Awaited<ReturnType<typeof run>>, handler: string) => result.runtime!.trace.events
    .filter((e) => e.kind === 'handler' && e.handler === handler).map((e) => BigInt(e.t as string | bigint));

  it('machine.interruptModerationNs: receives are indicated, and sends completed, at DPCs at least that far apart', async () => {
    const steps = [{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 30, rate: 1_000_000 }, { op: 'traffic', source: 'app', adapter: 0, count: 3 }, { op: 'wait', ns: 1000 }];
    const expectations = [{ expect: 'framesDelivered', adapter: 0, exactly: 30 }, { expect: 'counter', adapter: 0, register: 'GPTC', exactly: 3 }, { expect: 'noFindings' }];
    const every = await run(protocolLab(steps, expectations));
    expect(every.failures).toEqual([]);
    expect(new Set(receiveTimes(every.runtime!.trace.events, 'learner/nic0')).size).toBe(30);
    const lab = protocolLab(steps, expectations);
    lab.scenarios[0]!.machine.interruptModerationNs = 10_000;
    const batched = await run(lab);
    expect(batched.failures).toEqual([]);
    const times = [...new Set(receiveTimes(batched.runtime!.trace.events, 'learner/nic0'))];
    expect(times.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]! >= 10_000n, `DPCs ${times[i - 1]} and ${times[i]}`).toBe(true);
    // The frames left at once; the protocol hears of it at the next DPC, after the one the start ran.
    expect(handlerTimes(every, 'ProtocolSendNetBufferListsComplete').every((t) => t < 10_000n)).toBe(true);
    expect(handlerTimes(batched, 'ProtocolSendNetBufferListsComplete').every((t) => t >= 10_000n)).toBe(true);
  });

  it('pause afterNs: the pause begins that long after the step before it, while the traffic posted before it goes on arriving', async () => {
    const lab = protocolLab([{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 10, rate: 100_000 }, { op: 'pause', adapter: 0, afterNs: 45_000 }],
      [{ expect: 'framesDelivered', adapter: 0, exactly: 5 }, { expect: 'bindingState', adapter: 0, state: 'Paused' }, { expect: 'noFindings' }]);
    for (const seed of [1, 2, 3]) {
      const result = await run(lab, seed);
      expect(result.failures, `seed ${seed}`).toEqual([]);
      expect(handlerTimes(result, 'ProtocolNetPnPEvent(NetEventPause)'), `seed ${seed}`).toEqual([45_000n]);
    }
    expect(() => protocolLab([{ op: 'pause', adapter: 0, afterNs: 0 }], [{ expect: 'noFindings' }])).toThrow(/afterNs/);
  });

  it('traffic afterNs: the first frame leaves that long after the step', async () => {
    const result = await run(protocolLab([{ op: 'start' }, { op: 'traffic', source: 'peer', adapter: 0, count: 3, rate: 100_000, afterNs: 25_000 }], [{ expect: 'framesDelivered', adapter: 0, exactly: 3 }]));
    expect(result.failures).toEqual([]);
    expect(receiveTimes(result.runtime!.trace.events, 'learner/nic0')).toEqual([25_000n, 35_000n, 45_000n]);
  });
});

describe('the test harness', () => {
  const filterLab = (steps: unknown[], expectations: unknown[]) => parseLab({
    id: 't', title: 'T', order: 1, summary: 's', seed: '004', kind: 'filter', starter: 's.ts', solution: 'x.ts', instructions: 'i.md',
    scenarios: [{ id: 'a', title: 't', points: 1, steps, expectations }],
  }, 'test/lab.json');
  const harnessEvents = (result: Awaited<ReturnType<typeof run>>) => result.runtime!.trace.events
    .filter((e) => e.kind === 'harness-send' || e.kind === 'harness-complete').map((e) => [e.kind, e.nbls, e.states ?? String(e.status)]);

  it('traffic from the harness goes into the top filter module whatever its state: out on the wire while Running, completed with NDIS_STATUS_PAUSED by a Paused module', async () => {
    const lab = filterLab([
      { op: 'start' }, { op: 'traffic', source: 'harness', adapter: 0, count: 2 }, { op: 'wait', ns: 1000 },
      { op: 'pause', adapter: 0 }, { op: 'traffic', source: 'harness', adapter: 0, count: 3 }, { op: 'wait', ns: 1000 }, { op: 'restart', adapter: 0 },
    ], [{ expect: 'counter', adapter: 0, register: 'GPTC', exactly: 2 }, { expect: 'framesDelivered', adapter: 1, exactly: 2 }, { expect: 'noFindings' }]);
    const result = await runScenario(lab, lab.scenarios[0]!, references.filter, 'learner.ts', 1, references);
    expect(result.failures).toEqual([]);
    expect(harnessEvents(result)).toEqual([
      ['harness-send', 2, ['Running']], ['harness-complete', 2, 'NDIS_STATUS_SUCCESS (0x00000000),NDIS_STATUS_SUCCESS (0x00000000)'],
      ['harness-send', 3, ['Paused']], ['harness-complete', 3, Array(3).fill('NDIS_STATUS_PAUSED (0xC023002A)').join(',')],
    ]);
  });

  it('a filter that passes the harness\'s sends down while Paused is FilterPausedSendNotCompleted', async () => {
    const lab = filterLab([{ op: 'start' }, { op: 'pause', adapter: 0 }, { op: 'traffic', source: 'harness', adapter: 0, count: 1 }, { op: 'wait', ns: 1000 }], [{ expect: 'noFindings' }]);
    const passesDown = references.filter.replace(/if \(m\.state !== 'Running'\) \{\n(\s+)for \(let nbl/, 'if (false) {\n$1for (let nbl');
    expect(passesDown).not.toBe(references.filter);
    const result = await runScenario(lab, lab.scenarios[0]!, passesDown, 'learner.ts', 1, references);
    expect(result.findings.map((f) => f.rule)).toEqual(['FilterPausedSendNotCompleted']);
  });
});
