// Two pieces of NDIS the labs need: a close that NDIS pends (seed 001: NdisCloseAdapterEx returns
// NDIS_STATUS_PENDING and ProtocolCloseAdapterCompleteEx follows; the unbind must wait for it),
// and the driver's configuration (NdisOpenConfigurationEx, NdisReadConfiguration), where labs put
// per-student values.

import { describe, it, expect } from 'vitest';
import { OPEN_PARAMETERS } from './test-drivers.ts';
import { NdisRuntime } from './runtime.ts';

/** A protocol whose unbind closes and, if `waitForClose`, pends until CloseAdapterComplete. */
function closingProtocol(waitForClose: boolean): string {
  return `
import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisCompleteUnbindAdapterEx,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1, NdisMedium802_3,
} from "ndis";

interface Binding { handle: unknown; unbindContext: unknown; }
let protocolHandle: unknown = null;
export const closeStatuses: number[] = [];

export function DriverEntry(): number {
  const { Status, NdisProtocolHandle } = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: "proto",
    BindAdapterHandlerEx(_c: unknown, bindContext: unknown, params: { AdapterName: string }): number {
      const binding: Binding = { handle: null, unbindContext: null };
      const open = NdisOpenAdapterEx(protocolHandle, binding, ${OPEN_PARAMETERS}, bindContext);
      binding.handle = open.NdisBindingHandle;
      return open.Status;
    },
    UnbindAdapterHandlerEx(unbindContext: unknown, binding: Binding): number {
      const status = NdisCloseAdapterEx(binding.handle);
      closeStatuses.push(status);
      if (${waitForClose} && status === NDIS_STATUS_PENDING) {
        binding.unbindContext = unbindContext;
        return NDIS_STATUS_PENDING;
      }
      return NDIS_STATUS_SUCCESS;
    },
    OpenAdapterCompleteHandlerEx(): void {},
    CloseAdapterCompleteHandlerEx(binding: Binding): void {
      if (binding.unbindContext) NdisCompleteUnbindAdapterEx(binding.unbindContext);
    },
    NetPnPEventHandler(): number {
      return NDIS_STATUS_SUCCESS;
    },
  });
  protocolHandle = NdisProtocolHandle;
  return Status;
}
`;
}

async function unbound(source: string, seed: number) {
  // The opens complete at once here (the subject is the close; protocol.test.ts pends opens).
  const rt = await NdisRuntime.create({ nics: 1, seed, pendingLimitNs: 1_000_000n, decisions: { 'open-completion': 0 } });
  const driver = await rt.loadDriver(source, 'proto.ts');
  rt.startStack();
  rt.run();
  rt.removeBinding(rt.binding('proto')!);
  rt.run();
  return { rt, binding: rt.binding('proto')!, closeStatuses: driver.exports.closeStatuses as number[] };
}

describe('a close NDIS pends (seed 001)', () => {
  it('NdisCloseAdapterEx returns PENDING under some seeds and SUCCESS under others; a driver that waits for ProtocolCloseAdapterCompleteEx unbinds cleanly', async () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) {
      const { rt, binding, closeStatuses } = await unbound(closingProtocol(true), seed);
      expect(rt.verifier.findings, `seed ${seed}`).toEqual([]);
      expect(binding.state).toBe('Unbound');
      expect(closeStatuses).toHaveLength(1);
      seen.add(closeStatuses[0]!);
      const handlers = rt.trace.events.filter((e) => e.kind === 'handler').map((e) => e.handler);
      expect(handlers.includes('ProtocolCloseAdapterCompleteEx')).toBe(closeStatuses[0] === 0x103);
    }
    expect(seen).toEqual(new Set([0, 0x103]));
  });

  it('UnbindCompletedWithoutClose: the unbind completes while the close is still pending', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const { rt, closeStatuses } = await unbound(closingProtocol(false), seed);
      const rules = rt.verifier.findings.map((f) => f.rule);
      if (closeStatuses[0] === 0x103) {
        expect(rules, `seed ${seed}`).toEqual(['UnbindCompletedWithoutClose']);
        expect(rt.verifier.findings[0]!.message).toMatch(/close was still pending/);
        outcomes.add('caught');
      } else {
        expect(rules, `seed ${seed}`).toEqual([]);
        outcomes.add('clean');
      }
    }
    expect(outcomes).toEqual(new Set(['caught', 'clean']));
  });

  it('a driver without CloseAdapterCompleteHandlerEx is not registered (the handler is required, as any close may pend)', async () => {
    const source = closingProtocol(true).replace('CloseAdapterCompleteHandlerEx(binding: Binding): void {', 'UnusedCloseComplete(binding: Binding): void {');
    expect(source).toContain('UnusedCloseComplete');
    const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
    await expect(rt.loadDriver(source, 'proto.ts')).rejects.toThrow('(NdisRegisterProtocolDriver: missing CloseAdapterCompleteHandlerEx)');
  });
});

/** A filter that reads `Keyword` at attach and exports what it got. */
const configReader = (handleExpression: string, keyword: string) => `
import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisOpenConfigurationEx, NdisReadConfiguration, NdisCloseConfiguration,
  NdisParameterInteger, NDIS_STATUS_SUCCESS,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
} from "ndis";
export const reads: { status: number; value: number | null }[] = [];
let driverHandle: unknown = null;
export function DriverEntry(): number {
  const r = NdisFRegisterFilterDriver(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    AttachHandler(handle: unknown): number {
      const config = NdisOpenConfigurationEx({ NdisHandle: ${handleExpression} });
      if (config.Status === NDIS_STATUS_SUCCESS) {
        const read = NdisReadConfiguration(config.ConfigurationHandle, ${JSON.stringify(keyword)}, NdisParameterInteger);
        reads.push({ status: read.Status, value: read.ParameterValue ? read.ParameterValue.ParameterData.IntegerData : null });
        NdisCloseConfiguration(config.ConfigurationHandle);
      }
      return NdisFSetAttributes(handle, {}, { Header: { Type: 0x8d, Revision: 1, Size: 8 }, Flags: 0 });
    },
    DetachHandler() {},
    RestartHandler(): number { return NDIS_STATUS_SUCCESS; },
    PauseHandler(): number { return NDIS_STATUS_SUCCESS; },
  });
  driverHandle = r.NdisFilterDriverHandle;
  return r.Status;
}
`;

async function attached(source: string, configuration: Record<string, number>) {
  const rt = await NdisRuntime.create({ nics: 1, seed: 1, configuration });
  const driver = await rt.loadDriver(source, 'reader.ts');
  rt.startStack();
  rt.run();
  return { rt, reads: driver.exports.reads as { status: number; value: number | null }[] };
}

describe('the driver configuration (NdisOpenConfigurationEx, NdisReadConfiguration)', () => {
  it('reads an integer keyword through the module handle, and the driver handle', async () => {
    for (const handle of ['handle', 'driverHandle']) {
      const { rt, reads } = await attached(configReader(handle, 'BlockedEtherType'), { BlockedEtherType: 0x9001 });
      expect(reads).toEqual([{ status: 0, value: 0x9001 }]);
      expect(rt.verifier.findings).toEqual([]);
    }
  });

  it('a keyword that is not there is NDIS_STATUS_FAILURE with no value (the driver keeps its default)', async () => {
    const { reads } = await attached(configReader('handle', 'Missing'), { BlockedEtherType: 1 });
    expect(reads).toEqual([{ status: 0xc0000001, value: null }]);
  });

  it('InvalidHandle: a configuration object whose NdisHandle is not one of the driver\'s handles', async () => {
    const { rt, reads } = await attached(configReader('null', 'BlockedEtherType'), { BlockedEtherType: 1 });
    expect(reads).toEqual([]);
    expect(rt.verifier.findings.map((f) => f.rule)).toEqual(['InvalidHandle']);
    expect(rt.verifier.findings[0]!.message).toMatch(/^NdisOpenConfigurationEx: ConfigObject.NdisHandle must be/);
  });
});
