// PnP events through filter modules, as "FilterNetPnPEvent" and "NdisFNetPnPEvent" give them: an
// event about the adapter (power, removal) reaches each module's FilterNetPnPEvent from the bottom
// up and goes on to the protocols only when the module passes it on with NdisFNetPnPEvent, which
// returns the protocols' answer; a device event (surprise removal) goes down the modules through
// FilterDevicePnPEventNotify and NdisFDevicePnPEventNotify.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { NetEventQueryPower, NetEventSetPower, NetEventQueryRemoveDevice, NetEventCancelRemoveDevice, NdisDevicePnPEventSurpriseRemoved } from './constants.ts';

const source = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const PROTOCOL = source('protocol.ts');
const FILTER = source('counting-filter.ts');
const FORWARD = 'return NdisFNetPnPEvent(m.handle, event);';
/** The reference protocol, failing NetEventQueryRemoveDevice (the adapter is in use). */
const VETOING_PROTOCOL = PROTOCOL.replace('if (!b) return NDIS_STATUS_SUCCESS; // BindList, BindsComplete: nothing to do here', 'if (!b) return NDIS_STATUS_SUCCESS;\n      if (event.NetPnPEvent.NetEvent === 2) return 0xc0000001; // NetEventQueryRemoveDevice: in use');

interface Module { pnpEvents: number[]; deviceEvents: number[] }

async function stack(filterSource = FILTER, protocolSource = PROTOCOL, seed = 1) {
  expect(filterSource).toContain('NetPnPEventHandler');
  const rt = await NdisRuntime.create({ nics: 1, seed });
  const filter = await rt.loadDriver(filterSource, 'filter.ts');
  await rt.loadDriver(protocolSource, 'protocol.ts');
  rt.startStack();
  rt.run();
  const protocolEvents = () => rt.trace.events.filter((e) => e.kind === 'handler' && String(e.handler).startsWith('ProtocolNetPnPEvent(')).map((e) => String(e.handler).slice('ProtocolNetPnPEvent('.length, -1));
  return { rt, module: (filter.exports.modules as unknown as Module[])[0]!, protocolEvents };
}

const findings = (rt: NdisRuntime) => rt.verifier.findings.map((f) => f.rule);

describe('events about the adapter go up through the filter modules', () => {
  it('a power cycle: the module gets QueryPower, SetPower(D3) and SetPower(D0) and passes each on; the protocol gets them after it', async () => {
    const { rt, module, protocolEvents } = await stack();
    const before = protocolEvents().length;
    rt.operations.powerCycle(rt.adapters[0]!);
    rt.run();
    expect(findings(rt)).toEqual([]);
    expect(module.pnpEvents).toEqual([NetEventQueryPower, NetEventSetPower, NetEventSetPower]);
    expect(protocolEvents().slice(before)).toEqual(['NetEventQueryPower', 'NetEventSetPower', 'NetEventPause', 'NetEventRestart', 'NetEventSetPower']);
    // Each protocol call comes inside the module's NdisFNetPnPEvent.
    const first = rt.trace.events.findIndex((e) => e.kind === 'handler' && e.handler === 'ProtocolNetPnPEvent(NetEventQueryPower)');
    const forwarded = rt.trace.events.findLastIndex((e, i) => i < first && e.kind === 'ndis' && e.call === 'NdisFNetPnPEvent');
    const asked = rt.trace.events.findLastIndex((e, i) => i < first && e.kind === 'handler' && e.handler === 'FilterNetPnPEvent(NetEventQueryPower)');
    expect(asked).toBeGreaterThan(-1);
    expect(forwarded).toBeGreaterThan(asked);
  });

  it('a module that does not pass a power event on: the protocol above never gets it, and the trace says so', async () => {
    const { rt, protocolEvents } = await stack(FILTER.replace(FORWARD, 'return NDIS_STATUS_SUCCESS;'));
    const before = protocolEvents().length;
    rt.operations.powerCycle(rt.adapters[0]!);
    rt.run();
    expect(protocolEvents().slice(before)).toEqual(['NetEventPause', 'NetEventRestart']);
    expect(rt.trace.events.filter((e) => e.kind === 'note' && String(e.text).startsWith('FilterNetPnPEvent did not pass NetEventSetPower on')).length).toBe(2);
  });

  it('a module that vetoes QueryRemoveDevice without passing it on: the removal is vetoed, and the protocol gets neither QueryRemove nor CancelRemove', async () => {
    const vetoing = FILTER.replace(FORWARD, 'if (event.NetPnPEvent.NetEvent === 2) return 0xc0000001;\n      ' + FORWARD);
    expect(vetoing).not.toBe(FILTER);
    const { rt, module, protocolEvents } = await stack(vetoing);
    let removed: boolean | undefined;
    rt.operations.removeDevice(rt.adapters[0]!, (r) => (removed = r));
    rt.run();
    expect(removed).toBe(false);
    expect(module.pnpEvents).toEqual([NetEventQueryRemoveDevice, NetEventCancelRemoveDevice]);
    expect(protocolEvents().filter((e) => e.includes('Remove'))).toEqual([]);
    expect(rt.bindings[0]!.state).toBe('Running');
    expect(findings(rt)).toEqual([]);
  });

  it('a protocol that vetoes: NdisFNetPnPEvent returns NDIS_STATUS_FAILURE to the module, which returns it; CancelRemove goes up to the module but not to the protocol that vetoed', async () => {
    const recording = FILTER.replace(FORWARD, 'const status = NdisFNetPnPEvent(m.handle, event);\n      answers.push(status);\n      return status;').replace('export const modules: Module[] = [];', 'export const modules: Module[] = [];\nexport const answers: number[] = [];');
    const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
    const filter = await rt.loadDriver(recording, 'filter.ts');
    await rt.loadDriver(VETOING_PROTOCOL, 'protocol.ts');
    rt.startStack();
    rt.run();
    let removed: boolean | undefined;
    rt.operations.removeDevice(rt.adapters[0]!, (r) => (removed = r));
    rt.run();
    expect(removed).toBe(false);
    expect(filter.exports.answers).toEqual([0xc0000001, 0]);
    const handlers = rt.trace.events.filter((e) => e.kind === 'handler' && String(e.handler).includes('Remove')).map((e) => e.handler);
    expect(handlers).toEqual(['FilterNetPnPEvent(NetEventQueryRemoveDevice)', 'ProtocolNetPnPEvent(NetEventQueryRemoveDevice)', 'FilterNetPnPEvent(NetEventCancelRemoveDevice)']);
    expect(findings(rt)).toEqual([]);
  });

  it('NdisFNetPnPEvent outside FilterNetPnPEvent, or with another notification, is refused (NDIS_STATUS_FAILURE) and delivers nothing', async () => {
    const other = FILTER.replace(FORWARD, 'return NdisFNetPnPEvent(m.handle, { ...event });');
    const { rt, protocolEvents } = await stack(other);
    const before = protocolEvents().length;
    rt.operations.powerCycle(rt.adapters[0]!);
    rt.run();
    expect(protocolEvents().slice(before)).toEqual(['NetEventPause', 'NetEventRestart']);
    expect(rt.trace.events.filter((e) => e.kind === 'refused' && e.call === 'NdisFNetPnPEvent').map((e) => e.why)).toContain('NdisFNetPnPEvent passes on the NET_PNP_EVENT_NOTIFICATION FilterNetPnPEvent was given, not another');
  });
});

describe('device PnP events go down through the filter modules', () => {
  it('a surprise removal: FilterDevicePnPEventNotify(NdisDevicePnPEventSurpriseRemoved), passed down to the miniport, before the teardown', async () => {
    const { rt, module } = await stack();
    rt.operations.surpriseRemove(rt.adapters[0]!);
    rt.run();
    expect(module.deviceEvents).toEqual([NdisDevicePnPEventSurpriseRemoved]);
    const reached = rt.trace.events.findIndex((e) => e.kind === 'device-pnp');
    const paused = rt.trace.events.findIndex((e) => e.kind === 'handler' && e.handler === 'FilterPause');
    expect(reached).toBeGreaterThan(-1);
    expect(paused).toBeGreaterThan(reached);
    expect(findings(rt)).toEqual([]);
    expect(rt.adapters[0]!.state).toBe('Halted');
  });

  it('a module that does not pass it down: the miniport does not get it, and the trace says so', async () => {
    const { rt } = await stack(FILTER.replace('NdisFDevicePnPEventNotify(m.handle, event);', ''));
    rt.operations.surpriseRemove(rt.adapters[0]!);
    rt.run();
    expect(rt.trace.events.some((e) => e.kind === 'device-pnp')).toBe(false);
    expect(rt.trace.events.some((e) => e.kind === 'note' && String(e.text).startsWith('FilterDevicePnPEventNotify did not pass the event down'))).toBe(true);
  });
});
