// The structures NDIS hands a protocol in its PnP notifications, as ndis.h shapes them: each
// NET_PNP_EVENT_NOTIFICATION with its header and nested NET_PNP_EVENT, and the Buffer each event
// documents, with the values of the situation that caused it (the pause's reason, the power state,
// the filters below and the interface at a restart).

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import {
  NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, NET_PNP_EVENT_NOTIFICATION_REVISION_1,
  NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1, NDIS_PAUSE_LOW_POWER, NDIS_PAUSE_UNBIND_PROTOCOL, NDIS_PAUSE_ATTACH_FILTER,
  NdisDeviceStateD3, NdisDeviceStateD0, NetEventPause, NetEventRestart, NetEventSetPower, NetEventQueryPower,
} from './constants.ts';

const source = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');

/** The reference protocol, recording every notification its NetPnPEventHandler is given (by binding). */
const RECORDING_PROTOCOL = `
declare let require: any;
export const notifications: { adapter: string; n: any }[] = [];
const recorderRequire = require;
require = (specifier: string) => {
  const ndis = recorderRequire(specifier);
  return { ...ndis, NdisRegisterProtocolDriver: (context: unknown, chars: any) => ndis.NdisRegisterProtocolDriver(context, {
    ...chars,
    NetPnPEventHandler: (b: any, n: any) => { notifications.push({ adapter: b ? b.adapter : '', n }); return chars.NetPnPEventHandler(b, n); },
  }) };
};
${source('protocol.ts')}`;

async function stack() {
  const rt = await NdisRuntime.create({ nics: 2, seed: 1 });
  const protocol = await rt.loadDriver(RECORDING_PROTOCOL, 'protocol.ts');
  rt.startStack();
  rt.run();
  const recorded = (protocol.exports as unknown as { notifications: { adapter: string; n: any }[] }).notifications;
  return { rt, recorded, of: (code: number) => recorded.filter((r) => r.n.NetPnPEvent.NetEvent === code) };
}

describe('NET_PNP_EVENT_NOTIFICATION as a protocol receives it', () => {
  it('has the header ndis.h gives it and the event nested in NetPnPEvent', async () => {
    const { recorded } = await stack();
    expect(recorded.length).toBeGreaterThan(0);
    for (const { n } of recorded) {
      expect(n.Header).toEqual({ Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_PNP_EVENT_NOTIFICATION_REVISION_1, Size: NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1 });
      expect(n.PortNumber).toBe(0);
      expect(n.Flags).toBe(0);
      expect('NetEvent' in n).toBe(false);
    }
  });

  it('NetEventRestart carries NDIS_PROTOCOL_RESTART_PARAMETERS: the interface bound to, and the filter modules below', async () => {
    const { of } = await stack();
    const restarts = of(NetEventRestart);
    expect(restarts.map((r) => r.adapter)).toEqual(['nic0', 'nic1']);
    const [first] = restarts;
    expect(first!.n.NetPnPEvent.BufferLength).toBe(56);
    expect(first!.n.NetPnPEvent.Buffer).toEqual({
      Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS, Revision: 1, Size: 52 },
      FilterModuleNameBuffer: [], FilterModuleNameBufferLength: 0, RestartAttributes: null,
      BoundIfIndex: 1, BoundIfNetluid: (6n << 48n) | (1n << 24n), Flags: 0,
    });
    expect(restarts[1]!.n.NetPnPEvent.Buffer.BoundIfIndex).toBe(2);
  });

  it('a power cycle: QueryPower and SetPower carry the device state as a one-element array, the pause says NDIS_PAUSE_LOW_POWER', async () => {
    const { rt, of } = await stack();
    rt.operations.powerCycle(rt.adapters[1]!);
    rt.run();
    const power = [...of(NetEventQueryPower), ...of(NetEventSetPower)].filter((r) => r.adapter === 'nic1').map((r) => [r.n.NetPnPEvent.NetEvent, Array.from(r.n.NetPnPEvent.Buffer as Uint32Array), r.n.NetPnPEvent.BufferLength]);
    expect(power).toEqual([[NetEventQueryPower, [NdisDeviceStateD3], 4], [NetEventSetPower, [NdisDeviceStateD3], 4], [NetEventSetPower, [NdisDeviceStateD0], 4]]);
    const pause = of(NetEventPause).filter((r) => r.adapter === 'nic1');
    expect(pause.map((r) => r.n.NetPnPEvent.Buffer)).toEqual([{ Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: 1, Size: 12 }, Flags: 0, PauseReason: NDIS_PAUSE_LOW_POWER }]);
    expect(pause[0]!.n.NetPnPEvent.BufferLength).toBe(12);
  });

  it('the pause before an unbind says NDIS_PAUSE_UNBIND_PROTOCOL; the one before a filter is inserted, NDIS_PAUSE_ATTACH_FILTER, and the restart after it names the filter', async () => {
    const { rt, of } = await stack();
    rt.removeBinding(rt.bindings[0]!);
    rt.run();
    const filter = await rt.loadDriver(source('counting-filter.ts'), 'counting-filter.ts');
    rt.operations.insertFilter(filter, rt.adapters[1]!);
    rt.run();
    expect(of(NetEventPause).map((r) => [r.adapter, r.n.NetPnPEvent.Buffer.PauseReason])).toEqual([['nic0', NDIS_PAUSE_UNBIND_PROTOCOL], ['nic1', NDIS_PAUSE_ATTACH_FILTER]]);
    const restart = of(NetEventRestart).filter((r) => r.adapter === 'nic1').at(-1)!;
    expect(restart.n.NetPnPEvent.Buffer.FilterModuleNameBuffer).toEqual([rt.filters.modules(rt.adapters[1]!)[0]!.name]);
    expect(restart.n.NetPnPEvent.Buffer.FilterModuleNameBufferLength).toBe(2 * (rt.filters.modules(rt.adapters[1]!)[0]!.name.length + 1));
  });
});
