// What NDIS hands a driver when it binds, attaches, pauses, restarts and indicates status, and what
// it checks in what a driver hands it (characteristics, open parameters, filter attributes), as
// ndis.h shapes the structures and with the values of the machine: the Ethernet adapter's medium,
// MAC address as bytes, link speed, interfaces; the statuses NDIS refuses each wrong field with.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { DriverLoadError } from './driver-loader.ts';
import {
  NDIS_OBJECT_TYPE_BIND_PARAMETERS, NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS,
  NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, NDIS_OBJECT_TYPE_STATUS_INDICATION, NdisMedium802_3, NdisPhysicalMedium802_3,
  MediaConnectStateConnected, MediaConnectStateDisconnected, MediaDuplexStateFull, NDIS_PAUSE_LOW_POWER,
} from './constants.ts';
import { NDIS_STATUS_UNSUPPORTED_MEDIA, NDIS_STATUS_ADAPTER_NOT_FOUND, NDIS_STATUS_INVALID_PARAMETER, statusName } from './status.ts';

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');

/**
 * A prelude that wraps the driver's registration so that every handler call's arguments are kept
 * in `calls` (handler name, arguments), and the driver itself runs as written.
 */
const RECORDING = `
declare let require: any;
export const calls: { handler: string; args: any[] }[] = [];
const realRequire = require;
const wrap = (chars: any) => {
  const out: any = { ...chars };
  for (const key of Object.keys(chars)) {
    if (typeof chars[key] === 'function') out[key] = (...args: any[]) => { calls.push({ handler: key, args }); return chars[key](...args); };
  }
  return out;
};
require = (specifier: string) => {
  const ndis = realRequire(specifier);
  return {
    ...ndis,
    NdisRegisterProtocolDriver: (context: unknown, chars: any) => ndis.NdisRegisterProtocolDriver(context, wrap(chars)),
    NdisFRegisterFilterDriver: (object: unknown, context: unknown, chars: any) => ndis.NdisFRegisterFilterDriver(object, context, wrap(chars)),
  };
};
`;

type Calls = { handler: string; args: any[] }[];

async function stackWith(options: { filter?: boolean; filters?: number; nics?: number; minor?: number; cable?: boolean } = {}) {
  const rt = await NdisRuntime.create({ nics: options.nics ?? 1, seed: 1 });
  if (options.cable) rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const filterCalls: Calls[] = [];
  for (let i = 0; i < (options.filters ?? (options.filter ? 1 : 0)); i++) {
    let source = reference('counting-filter.ts');
    if (options.minor !== undefined) source = source.replace('MinorNdisVersion: 0', `MinorNdisVersion: ${options.minor}`);
    const filter = await rt.loadDriver(RECORDING + source, `counting-filter-${i}.ts`);
    filterCalls.push((filter.exports as unknown as { calls: Calls }).calls);
  }
  let protocolSource = reference('protocol.ts');
  if (options.minor !== undefined) protocolSource = protocolSource.replace('MinorNdisVersion: 0', `MinorNdisVersion: ${options.minor}`);
  const protocol = await rt.loadDriver(RECORDING + protocolSource, 'protocol.ts');
  rt.startStack();
  rt.run();
  const protocolCalls = (protocol.exports as unknown as { calls: Calls }).calls;
  return { rt, protocolCalls, filterCalls, argsOf: (calls: Calls, handler: string) => calls.filter((c) => c.handler === handler).map((c) => c.args) };
}

/** The parameters of a bind made once the stack has run (the link is up by then): unbind and bind again. */
async function rebind(linkUp: boolean) {
  // Two NICs and a cable between them: the link.
  const rt = await NdisRuntime.create({ nics: 2, seed: 1 });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const protocol = await rt.loadDriver(RECORDING + reference('protocol.ts'), 'protocol.ts');
  rt.startStack();
  rt.run();
  if (!linkUp) rt.operations.setLink(0, false);
  rt.removeBinding(rt.binding('protocol')!);
  rt.run();
  rt.post('bind again', () => void rt.protocols.bind(protocol, rt.adapters[0]!, () => {}), { channel: 'pnp' });
  rt.run();
  const binds = (protocol.exports as unknown as { calls: Calls }).calls.filter((c) => c.handler === 'BindAdapterHandlerEx' && c.args[2].AdapterName === 'nic0');
  expect(binds.length).toBe(2);
  return binds[1]!.args[2];
}

describe('NDIS_BIND_PARAMETERS', () => {
  it('describes the Ethernet adapter as ndis.h shapes it: header, medium, MAC bytes, interface', async () => {
    const { rt, protocolCalls, argsOf } = await stackWith({ nics: 2 });
    const binds = argsOf(protocolCalls, 'BindAdapterHandlerEx').map((a) => a[2]);
    expect(binds.map((p) => p.AdapterName)).toEqual(['nic0', 'nic1']);
    const p = binds[1];
    expect(p.Header).toEqual({ Type: NDIS_OBJECT_TYPE_BIND_PARAMETERS, Revision: 1, Size: 248 });
    expect(p.MediaType).toBe(NdisMedium802_3);
    expect(p.PhysicalMediumType).toBe(NdisPhysicalMedium802_3);
    expect(p.MtuSize).toBe(1500);
    expect(p.MacAddressLength).toBe(6);
    expect(p.CurrentMacAddress).toBeInstanceOf(Uint8Array);
    expect(p.CurrentMacAddress.length).toBe(32);
    const mac = rt.machine.nics[1]!.permanentAddress.split(':').map((h: string) => parseInt(h, 16));
    expect(Array.from(p.CurrentMacAddress.slice(0, 6))).toEqual(mac);
    expect(Array.from(p.CurrentMacAddress.slice(6))).toEqual(new Array(26).fill(0));
    expect(p.MaxXmitLinkSpeed).toBe(1_000_000_000n);
    expect([p.BoundIfIndex, p.LowestIfIndex, p.IfType, p.IfConnectorPresent]).toEqual([2, 2, 6, true]);
    expect(p.BoundIfNetluid).toBe((6n << 48n) | (2n << 24n));
    expect(p.ProtocolSection).toBe('reference-protocol\\Parameters\\Adapters\\nic1');
    expect(p.SupportedPacketFilters).toBe(0x2f);
    expect(p.MaxMulticastListSize).toBe(32);
    expect('HDSplitCurrentConfig' in p).toBe(false);
  });

  it('is revision 2 (with HDSplitCurrentConfig) for a driver registered as NDIS 6.1 or later', async () => {
    const { protocolCalls, argsOf } = await stackWith({ minor: 20 });
    const [p] = argsOf(protocolCalls, 'BindAdapterHandlerEx').map((a) => a[2]);
    expect(p.Header).toEqual({ Type: NDIS_OBJECT_TYPE_BIND_PARAMETERS, Revision: 2, Size: 256 });
    expect(p.HDSplitCurrentConfig).toBeNull();
  });

  it('gives the link as it is at the bind: up, full duplex at 1 Gbit/s; down, disconnected with speeds 0', async () => {
    const up = await rebind(true);
    expect([up.MediaConnectState, up.MediaDuplexState, up.XmitLinkSpeed, up.RcvLinkSpeed]).toEqual([MediaConnectStateConnected, MediaDuplexStateFull, 1_000_000_000n, 1_000_000_000n]);
    const down = await rebind(false);
    expect([down.MediaConnectState, down.XmitLinkSpeed, down.RcvLinkSpeed, down.MaxXmitLinkSpeed]).toEqual([MediaConnectStateDisconnected, 0n, 0n, 1_000_000_000n]);
  });
});

describe('filter parameters', () => {
  it('NDIS_FILTER_ATTACH_PARAMETERS: the media lwf checks, the MAC bytes, and an interface per module over the one below', async () => {
    const { rt, filterCalls, argsOf } = await stackWith({ filters: 2 });
    const [lower] = argsOf(filterCalls[0]!, 'AttachHandler').map((a) => a[2]);
    const [upper] = argsOf(filterCalls[1]!, 'AttachHandler').map((a) => a[2]);
    expect(lower.Header).toEqual({ Type: NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, Revision: 1, Size: 164 });
    expect([lower.MiniportMediaType, lower.MiniportPhysicalMediaType]).toEqual([NdisMedium802_3, NdisPhysicalMedium802_3]);
    expect(lower.BaseMiniportName).toBe('nic0');
    expect(lower.BaseMiniportIfIndex).toBe(1);
    expect(Array.from(lower.CurrentMacAddress.slice(0, lower.MacAddressLength))).toEqual(rt.machine.nics[0]!.permanentAddress.split(':').map((h: string) => parseInt(h, 16)));
    expect(lower.LowerIfIndex).toBe(1);
    expect(upper.LowerIfIndex).toBe(lower.IfIndex);
    expect(upper.IfIndex).not.toBe(lower.IfIndex);
    expect(upper.NetLuid).toBe((6n << 48n) | (BigInt(upper.IfIndex) << 24n));
    expect(lower.FilterModuleGuidName).not.toBe(upper.FilterModuleGuidName);
  });

  it('FilterRestart gets NDIS_FILTER_RESTART_PARAMETERS, FilterPause NDIS_FILTER_PAUSE_PARAMETERS with the reason', async () => {
    const { rt, filterCalls, argsOf } = await stackWith({ filter: true });
    const [restart] = argsOf(filterCalls[0]!, 'RestartHandler').map((a) => a[1]);
    expect(restart).toEqual({
      Header: { Type: NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS, Revision: 1, Size: 44 },
      MiniportMediaType: NdisMedium802_3, MiniportPhysicalMediaType: NdisPhysicalMedium802_3, RestartAttributes: null,
      LowerIfIndex: 1, LowerIfNetLuid: (6n << 48n) | (1n << 24n), Flags: 0,
    });
    rt.operations.powerCycle(rt.adapters[0]!);
    rt.run();
    const [pause] = argsOf(filterCalls[0]!, 'PauseHandler').map((a) => a[1]);
    expect(pause).toEqual({ Header: { Type: NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS, Revision: 1, Size: 12 }, Flags: 0, PauseReason: NDIS_PAUSE_LOW_POWER });
  });
});

describe('NDIS_STATUS_INDICATION', () => {
  it('a link change reaches the protocol as an NDIS_STATUS_INDICATION with its header', async () => {
    // A real change: two NICs on a cable that goes down once the stack runs (the indication of
    // the link coming up may reach a binding still Opening, which gets none, so it is not used).
    const { rt, protocolCalls, argsOf } = await stackWith({ nics: 2, cable: true });
    const before = argsOf(protocolCalls, 'StatusHandlerEx').length;
    rt.operations.setLink(0, false);
    rt.run();
    const indications = argsOf(protocolCalls, 'StatusHandlerEx').map((a) => a[1]).slice(before);
    expect(indications.length).toBeGreaterThan(0);
    const indication = indications.at(-1);
    // NDIS_LINK_STATE.MediaConnectState (ULONG at byte 4): MediaConnectStateDisconnected (2).
    expect(new DataView(indication.StatusBuffer.buffer, indication.StatusBuffer.byteOffset).getUint32(4, true)).toBe(2);
    expect(indication.Header).toEqual({ Type: NDIS_OBJECT_TYPE_STATUS_INDICATION, Revision: 1, Size: 112 });
    expect([indication.StatusBufferSize, indication.StatusBuffer[0], indication.StatusBuffer[1], indication.StatusBuffer[2]]).toEqual([40, 0x80, 1, 40]);
    expect(Array.from(indication.Guid)).toEqual(new Array(16).fill(0));
  });
});

/** The reference protocol with one line of its source replaced. */
const protocolWith = (from: string | RegExp, to: string) => {
  const source = reference('protocol.ts');
  const changed = source.replace(from, to);
  expect(changed, `the reference protocol has ${String(from)}`).not.toBe(source);
  return changed;
};

async function loadError(source: string): Promise<string> {
  const rt = await NdisRuntime.create({ seed: 1 });
  const error = await rt.loadDriver(source, 'protocol.ts').then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DriverLoadError);
  return (error as Error).message;
}

describe('registration checks the characteristics as NDIS does', () => {
  it('NDIS_STATUS_BAD_CHARACTERISTICS without a Header, or with another structure\'s type or a short Size', async () => {
    expect(await loadError(protocolWith(/\n\s*Header: \{[^\n]*\},/, ''))).toContain('DriverEntry returned NDIS_STATUS_BAD_CHARACTERISTICS (0xC0010005); it must register and return NDIS_STATUS_SUCCESS (NdisRegisterProtocolDriver: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS.Header is missing');
    expect(await loadError(protocolWith('Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS', 'Type: 0x8b'))).toContain('Header.Type is 139; it must be NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS (0x95)');
    expect(await loadError(protocolWith('Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1', 'Size: 64'))).toContain('Header.Size is 64; revision 1 needs NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 (120)');
  });

  it('NDIS_STATUS_BAD_VERSION for an NDIS version that is not 6.x', async () => {
    expect(await loadError(protocolWith('MajorNdisVersion: 6', 'MajorNdisVersion: 5'))).toContain('DriverEntry returned NDIS_STATUS_BAD_VERSION (0xC0010004); it must register and return NDIS_STATUS_SUCCESS (NdisRegisterProtocolDriver: MajorNdisVersion 5, MinorNdisVersion 0 is not an NDIS 6 version');
    expect(await loadError(protocolWith('MinorNdisVersion: 0', 'MinorNdisVersion: 7'))).toContain('NDIS_STATUS_BAD_VERSION');
  });

  it('a filter\'s characteristics likewise', async () => {
    const source = reference('counting-filter.ts');
    const rt = await NdisRuntime.create({ seed: 1 });
    const error = await rt.loadDriver(source.replace(/\n\s*Header: \{[^\n]*\},/, ''), 'filter.ts').then(() => undefined, (e: Error) => e.message);
    expect(error).toContain('NDIS_STATUS_BAD_CHARACTERISTICS (0xC0010005); it must register and return NDIS_STATUS_SUCCESS (NdisFRegisterFilterDriver: NDIS_FILTER_DRIVER_CHARACTERISTICS.Header is missing');
  });
});

describe('NdisOpenAdapterEx checks NDIS_OPEN_PARAMETERS', () => {
  /** Binds the reference protocol with its open parameters changed; the status the open returned and the binding's state. */
  async function open(from: string | RegExp, to: string) {
    const rt = await NdisRuntime.create({ seed: 1 });
    const protocol = await rt.loadDriver(RECORDING + protocolWith(from, to), 'protocol.ts');
    rt.startStack();
    rt.run();
    const refused = rt.trace.events.filter((e) => e.kind === 'refused').map((e) => String((e as { why?: unknown }).why));
    const [bindReturn] = rt.trace.events.filter((e) => e.kind === 'return' && (e as { handler?: string }).handler === 'ProtocolBindAdapterEx').map((e) => (e as { status?: string }).status);
    return { rt, protocol, refused, bindReturn, state: rt.binding('protocol')?.state };
  }

  it('NDIS_STATUS_UNSUPPORTED_MEDIA when MediumArray lacks NdisMedium802_3; the bind fails', async () => {
    const r = await open('MediumArray: [NdisMedium802_3]', 'MediumArray: [12]');
    expect(r.refused).toEqual(['NdisOpenAdapterEx: OpenParameters.MediumArray (its first MediumArraySize entries) lists no medium the adapter uses; it uses NdisMedium802_3']);
    expect(r.bindReturn).toBe(statusName(NDIS_STATUS_UNSUPPORTED_MEDIA));
    expect(r.state).toBe('Unbound');
  });

  it('NDIS_STATUS_ADAPTER_NOT_FOUND for another adapter\'s name, NDIS_STATUS_INVALID_PARAMETER without a Header', async () => {
    const other = await open('AdapterName: params.AdapterName', "AdapterName: 'nic7'");
    expect(other.bindReturn).toBe(statusName(NDIS_STATUS_ADAPTER_NOT_FOUND));
    const bare = await open(/\n\s*Header: \{ Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS[^\n]*\},/, '');
    expect(bare.refused).toEqual(['NdisOpenAdapterEx: OpenParameters.Header is missing: set it to { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision, Size }']);
    expect(bare.bindReturn).toBe(statusName(NDIS_STATUS_INVALID_PARAMETER));
  });

  it('writes the index of the adapter\'s medium to SelectedMediumIndex and returns it', async () => {
    const r = await open('MediumArray: [NdisMedium802_3],\n        MediumArraySize: 1,', 'MediumArray: [12, NdisMedium802_3],\n        MediumArraySize: 2,');
    expect(r.state).toBe('Running');
    const ndisCall = r.rt.trace.events.find((e) => e.kind === 'ndis' && (e as { call?: string }).call === 'NdisOpenAdapterEx');
    expect(ndisCall).toBeDefined();
    const [params] = ((r.protocol.exports as unknown as { calls: Calls }).calls).filter((c) => c.handler === 'BindAdapterHandlerEx').map((c) => c.args[2]);
    expect(params.AdapterName).toBe('nic0');
  });
});

describe('NdisFSetAttributes checks NDIS_FILTER_ATTRIBUTES', () => {
  it('NDIS_STATUS_INVALID_PARAMETER without a Header: the context is not set and the attach fails', async () => {
    const rt = await NdisRuntime.create({ seed: 1 });
    const source = reference('counting-filter.ts').replace(/NdisFSetAttributes\((\w+), (\w+), \{[^\n]*\}\)/, 'NdisFSetAttributes($1, $2, {})');
    await rt.loadDriver(source, 'filter.ts');
    rt.startStack();
    rt.run();
    expect(rt.trace.events.filter((e) => e.kind === 'refused').map((e) => String((e as { why?: unknown }).why))).toEqual(['NdisFSetAttributes: FilterAttributes.Header is missing: set it to { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision, Size }']);
    expect(rt.filters.all()).toEqual([]);
  });
});
