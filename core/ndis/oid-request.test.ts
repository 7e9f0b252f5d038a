// OID requests as NDIS documents them: the Header NdisOidRequest and NdisFOidRequest check, a
// filter that passes a clone down (NdisAllocateCloneOidRequest / NdisFreeCloneOidRequest) and one
// that passes the original (FilterForwardedOriginalOidRequest), cancellation by RequestId
// (NdisCancelOidRequest, FilterCancelOidRequest, NdisFCancelOidRequest), method requests, and the
// two ways a request completes (at once, or pended and completed later; the seed picks).
// That NDIS gives a filter module one request at a time is oid-serialization.test.ts's.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime, type DriverRecord, type RuntimeOptions } from './runtime.ts';
import { UNUSED_COMPLETE_HANDLERS, OPENS_AND_CLOSES_AT_ONCE } from './test-drivers.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_INVALID_PARAMETER } from './status.ts';

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const HEADER = 'Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 }, ';

/** A protocol an application asks for OID requests: Query / Method / Cancel, and every completion kept. */
const ASKING_PROTOCOL = `
import {
  NdisRegisterProtocolDriver, NdisOpenAdapterEx, NdisCloseAdapterEx, NdisOidRequest, NdisCancelOidRequest,
  NDIS_STATUS_SUCCESS, NdisRequestQueryInformation, NdisRequestMethod, NdisMedium802_3,
  NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_OPEN_PARAMETERS, NDIS_OPEN_PARAMETERS_REVISION_1, NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
} from 'ndis';
let protocolHandle: any = null;
let binding: any = null;
export const completions: { id: unknown; status: number; written: unknown }[] = [];
export const returned: number[] = [];
export function Query(oid: number, id: unknown, header = true) {
  const request: any = { RequestType: NdisRequestQueryInformation, RequestId: id, DATA: { QUERY_INFORMATION: { Oid: oid, InformationBuffer: new Uint8Array(64) } } };
  if (header) request.Header = { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 };
  returned.push(NdisOidRequest(binding.handle, request));
}
export function Method(oid: number, id: unknown) {
  returned.push(NdisOidRequest(binding.handle, { ${HEADER}RequestType: NdisRequestMethod, RequestId: id, DATA: { METHOD_INFORMATION: { Oid: oid, MethodId: 1, InformationBuffer: new Uint8Array(16), InputBufferLength: 4, OutputBufferLength: 12 } } }));
}
export function Cancel(id: unknown) { NdisCancelOidRequest(binding.handle, id); }
export function DriverEntry() {
  const r = NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6, MinorNdisVersion: 0, Name: 'asking',
    BindAdapterHandlerEx(_c: unknown, bindContext: unknown, params: any) {
      binding = { handle: null };
      const open = NdisOpenAdapterEx(protocolHandle, binding, { Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 }, AdapterName: params.AdapterName, MediumArray: [NdisMedium802_3], MediumArraySize: 1, SelectedMediumIndex: null, FrameTypeArray: null, FrameTypeArraySize: 0 }, bindContext);
      binding.handle = open.NdisBindingHandle;
      return open.Status;
    },
    UnbindAdapterHandlerEx(_u: unknown, b: any) { NdisCloseAdapterEx(b.handle); return NDIS_STATUS_SUCCESS; },
    ${UNUSED_COMPLETE_HANDLERS}
    NetPnPEventHandler() { return NDIS_STATUS_SUCCESS; },
    OidRequestCompleteHandler(_b: any, request: any, status: number) {
      const data = request.DATA.QUERY_INFORMATION ?? request.DATA.METHOD_INFORMATION;
      completions.push({ id: request.RequestId, status, written: data.BytesWritten });
    },
  });
  protocolHandle = r.NdisProtocolHandle;
  return r.Status;
}`;

interface Asking { Query(oid: number, id: unknown, header?: boolean): void; Method(oid: number, id: unknown): void; Cancel(id: unknown): void; completions: { id: unknown; status: number; written: unknown }[]; returned: number[] }

/** The stack under test; OID requests pend at the miniport unless `decisions` says otherwise (NDIS_DECISIONS). */
async function stack(filters: string[] = [], decisions: RuntimeOptions['decisions'] = { 'oid-completion': 1 }, seed = 1) {
  const rt = await NdisRuntime.create({ nics: 1, seed, decisions: { ...OPENS_AND_CLOSES_AT_ONCE, ...decisions } });
  for (const [i, f] of filters.entries()) await rt.loadDriver(f, `filter${i}.ts`);
  const protocol = await rt.loadDriver(ASKING_PROTOCOL, 'asking.ts');
  rt.startStack();
  rt.run();
  const app = (body: (p: Asking) => void) => {
    rt.post('application', () => rt.invoke(protocol, 'application', undefined, false, () => body(protocol.exports as unknown as Asking)));
    rt.run();
  };
  return { rt, protocol: protocol as DriverRecord, app, asking: protocol.exports as unknown as Asking };
}

const OID_802_3_PERMANENT_ADDRESS = 0x01010101;
const findings = (rt: NdisRuntime) => rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`);
const calls = (rt: NdisRuntime, name: string) => rt.trace.events.filter((e) => e.kind === 'ndis' && (e as { call?: string }).call === name).length;

describe('NdisOidRequest', () => {
  it('a query through the reference filter: the filter passes a clone down and completes the original with its results', async () => {
    const { rt, app, asking } = await stack([reference('counting-filter.ts')]);
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(asking.returned).toEqual([0x103]);
    expect(asking.completions).toEqual([{ id: 'mac', status: NDIS_STATUS_SUCCESS, written: 6 }]);
    expect([calls(rt, 'NdisAllocateCloneOidRequest'), calls(rt, 'NdisFreeCloneOidRequest'), calls(rt, 'NdisFOidRequestComplete')]).toEqual([1, 1, 1]);
    expect(findings(rt)).toEqual([]);
  });

  it('NDIS_STATUS_INVALID_PARAMETER for a request without its Header: nothing goes down, nothing is outstanding', async () => {
    const { rt, app, asking } = await stack();
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'bare', false));
    expect(asking.returned).toEqual([NDIS_STATUS_INVALID_PARAMETER]);
    expect(asking.completions).toEqual([]);
    expect(rt.trace.events.filter((e) => e.kind === 'refused').map((e) => (e as { why?: string }).why)).toEqual(['NdisOidRequest: the NDIS_OID_REQUEST.Header is missing: set it to { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision, Size }']);
    expect(rt.binding('asking')!.oidsOutstanding).toBe(0);
  });

  it('a method request reaches the miniport, which has no method OIDs: NDIS_STATUS_NOT_SUPPORTED', async () => {
    const { rt, app, asking } = await stack([reference('counting-filter.ts')]);
    app((p) => p.Method(0x00010204, 'rss'));
    expect(asking.completions).toEqual([{ id: 'rss', status: NDIS_STATUS_NOT_SUPPORTED, written: 0 }]);
    expect(findings(rt)).toEqual([]);
  });
});

describe('a filter and the requests from above', () => {
  it('FilterForwardedOriginalOidRequest: a filter that passes down the request it was given', async () => {
    const forwarding = reference('counting-filter.ts').replace(/(OidRequestHandler\(m: Module, request: NDIS_OID_REQUEST\): NDIS_STATUS \{\n\s*m\.oids\+\+;)/, '$1\n      if (m.oids > 0) return NdisFOidRequest(m.handle, request);');
    expect(forwarding).toContain('if (m.oids > 0) return NdisFOidRequest(m.handle, request);');
    const { rt, app, asking } = await stack([forwarding.replace(/OidRequestCompleteHandler\(m: Module, clone: NDIS_OID_REQUEST, status: NDIS_STATUS\): void \{\n\s*completeClone\(m, clone, status\);/, 'OidRequestCompleteHandler(m: Module, request: NDIS_OID_REQUEST, status: NDIS_STATUS): void {\n      NdisFOidRequestComplete(m.handle, request, status);')]);
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(findings(rt)).toEqual(['FilterForwardedOriginalOidRequest: NdisFOidRequest passed down the request FilterOidRequest was given (OID 0x01010101); pass a clone from NdisAllocateCloneOidRequest and complete the original with NdisFOidRequestComplete']);
    expect(asking.completions.map((c) => c.status)).toEqual([NDIS_STATUS_SUCCESS]);
  });

  it('NdisFreeCloneOidRequest refuses what is not a live clone of the module: a copy of a clone, the original, a clone freed twice', async () => {
    const refusal = 'InvalidParameter: NdisFreeCloneOidRequest with an object (Object), which is not a clone this module allocated with NdisAllocateCloneOidRequest (or was freed already)';
    for (const frees of ['{ ...clone }', 'original', 'clone);\n  NdisFreeCloneOidRequest(m.handle, clone']) {
      const freeing = reference('counting-filter.ts').replace('  NdisFreeCloneOidRequest(m.handle, clone);\n', `  NdisFreeCloneOidRequest(m.handle, ${frees});\n`);
      expect(freeing).toContain(frees);
      const { rt, app } = await stack([freeing]);
      app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
      expect(findings(rt), frees).toEqual([refusal]);
    }
  });
});

describe('cancelling a request (NdisCancelOidRequest)', () => {
  it('a request the miniport has not carried out yet completes with NDIS_STATUS_REQUEST_ABORTED; others are untouched', async () => {
    const { rt, app, asking } = await stack();
    app((p) => { p.Query(OID_802_3_PERMANENT_ADDRESS, 'first'); p.Query(OID_802_3_PERMANENT_ADDRESS, 'second'); p.Cancel('first'); p.Cancel('no such request'); });
    expect(asking.completions.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual([
      { id: 'first', status: NDIS_STATUS_REQUEST_ABORTED, written: 0 },
      { id: 'second', status: NDIS_STATUS_SUCCESS, written: 6 },
    ]);
    expect(findings(rt)).toEqual([]);
  });

  it('a filter that holds it gets FilterCancelOidRequest and cancels its clone below with NdisFCancelOidRequest', async () => {
    const cancelling = reference('counting-filter.ts').replace('    OidRequestCompleteHandler(m: Module, clone', '    CancelOidRequestHandler(m: Module, requestId: unknown): void {\n      m.cancels = (m.cancels ?? 0) + 1;\n      NdisFCancelOidRequest(m.handle, requestId);\n    },\n\n    OidRequestCompleteHandler(m: Module, clone').replace('NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest,', 'NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest, NdisFCancelOidRequest,').replace('export interface Module {', 'export interface Module {\n  cancels?: number;');
    const { rt, app, asking } = await stack([cancelling]);
    app((p) => { p.Query(OID_802_3_PERMANENT_ADDRESS, 'first'); p.Cancel('first'); });
    expect(rt.trace.events.filter((e) => e.kind === 'handler' && (e as { handler?: string }).handler === 'FilterCancelOidRequest').length).toBe(1);
    expect(asking.completions).toEqual([{ id: 'first', status: NDIS_STATUS_REQUEST_ABORTED, written: 0 }]);
    expect(findings(rt)).toEqual([]);
  });
});

describe('cancelling through a filter without FilterCancelOidRequest', () => {
  it('NDIS calls the underlying driver\'s cancel instead (FilterCancelOidRequest: Remarks): the clone below is aborted', async () => {
    const source = reference('counting-filter.ts');
    expect(source).not.toContain('CancelOidRequestHandler');
    const { rt, app, asking } = await stack([source]);
    app((p) => { p.Query(OID_802_3_PERMANENT_ADDRESS, 'first'); p.Cancel('first'); });
    expect(asking.completions).toEqual([{ id: 'first', status: NDIS_STATUS_REQUEST_ABORTED, written: 0 }]);
    expect(findings(rt)).toEqual([]);
  });
});

describe('a request completes at once or later ("NdisOidRequest: Return value")', () => {
  const handlers = (rt: NdisRuntime, name: string) => rt.trace.events.filter((e) => e.kind === 'handler' && (e as { handler?: string }).handler === name).length;

  it('at once: NdisOidRequest returns the final status with the results written, and ProtocolOidRequestComplete does not come', async () => {
    const { rt, app, asking } = await stack([], { 'oid-completion': 0 });
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(asking.returned).toEqual([NDIS_STATUS_SUCCESS]);
    expect(asking.completions).toEqual([]);
    expect(handlers(rt, 'ProtocolOidRequestComplete')).toBe(0);
    expect(rt.binding('asking')!.oidsOutstanding).toBe(0);
    expect(findings(rt)).toEqual([]);
  });

  it('through a filter: its NdisFOidRequest returns the status at once, the filter completes the original itself, and the protocol (told PENDING) gets ProtocolOidRequestComplete', async () => {
    const { rt, app, asking } = await stack([reference('counting-filter.ts')], { 'oid-completion': 0 });
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(asking.returned).toEqual([NDIS_STATUS_PENDING]);
    expect(asking.completions).toEqual([{ id: 'mac', status: NDIS_STATUS_SUCCESS, written: 6 }]);
    expect(handlers(rt, 'FilterOidRequestComplete')).toBe(0);
    expect(findings(rt)).toEqual([]);
  });

  it('the seed chooses: over 16 seeds both happen, each recorded in the trace as the oid-completion decision', async () => {
    const picks = new Set<number>();
    for (let seed = 1; seed <= 16; seed++) {
      const { rt, app, asking } = await stack([], {}, seed);
      app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
      const decision = rt.trace.events.find((e) => e.kind === 'choice' && (e as { decision?: string }).decision === 'oid-completion' && rt.trace.events.indexOf(e) > rt.trace.events.findIndex((x) => x.kind === 'handler' && (x as { handler?: string }).handler === 'application')) as { pick: number } | undefined;
      picks.add(decision!.pick);
      expect(asking.returned[0]).toBe(decision!.pick === 0 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_PENDING);
      expect(asking.completions.length).toBe(decision!.pick === 0 ? 0 : 1);
    }
    expect([...picks].sort()).toEqual([0, 1]);
  });

  it('a protocol that waits for ProtocolOidRequestComplete after a request completed at once never finishes its unbind (UnbindPendingNeverCompleted)', async () => {
    const counting = ASKING_PROTOCOL
      .replace('export function Query(oid: number, id: unknown, header = true) {', 'export function Query(oid: number, id: unknown, header = true) {\n  binding.outstanding++;')
      .replace('UnbindAdapterHandlerEx(_u: unknown, b: any) { NdisCloseAdapterEx(b.handle); return NDIS_STATUS_SUCCESS; },', 'UnbindAdapterHandlerEx(u: unknown, b: any) { if (b.outstanding > 0) { b.unbind = u; return NDIS_STATUS_PENDING; } NdisCloseAdapterEx(b.handle); return NDIS_STATUS_SUCCESS; },')
      .replace('binding = { handle: null };', 'binding = { handle: null, outstanding: 0, unbind: null };')
      .replace("import {\n  NdisRegisterProtocolDriver,", "import {\n  NDIS_STATUS_PENDING, NdisRegisterProtocolDriver,");
    expect(counting).toContain('binding.outstanding++');
    expect(counting).toContain('b.unbind = u;');
    const rt = await NdisRuntime.create({ nics: 1, seed: 1, decisions: { ...OPENS_AND_CLOSES_AT_ONCE, 'oid-completion': 0 } });
    const protocol = await rt.loadDriver(counting, 'asking.ts');
    rt.startStack();
    rt.run();
    rt.post('application', () => rt.invoke(protocol, 'application', undefined, false, () => (protocol.exports as unknown as Asking).Query(OID_802_3_PERMANENT_ADDRESS, 'mac')));
    rt.run();
    rt.removeBinding(rt.binding('asking')!);
    rt.run();
    expect(rt.verifier.findings.map((f) => f.rule)).toEqual(['UnbindPendingNeverCompleted']);
  });
});

describe('a filter module and the requests it holds', () => {
  it('OidNotCompletedInTime (NdisTimedOidComplete, 0xC4 0x00092003): a module that pends a request and never completes it, 12 s on', async () => {
    const holding = reference('counting-filter.ts').replace(/(OidRequestHandler\(m: Module, request: NDIS_OID_REQUEST\): NDIS_STATUS \{\n\s*m\.oids\+\+;)/, '$1\n      if (m.oids > 0) return NDIS_STATUS_PENDING;');
    expect(holding).toContain('if (m.oids > 0) return NDIS_STATUS_PENDING;');
    const { rt, app, asking } = await stack([holding]);
    const before = rt.machine.clockNs;
    app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(findings(rt)).toEqual(['OidNotCompletedInTime: FilterOidRequest returned NDIS_STATUS_PENDING for OID 0x01010101 and NdisFOidRequestComplete had not been called 12 s later']);
    const finding = rt.verifier.findings[0]!;
    expect([finding.driver, finding.object, finding.bugCheck, finding.bugCheckParameter1]).toEqual(['filter0', 'filter module filter0/nic0', 0xc4, 0x00092003]);
    expect(rt.machine.clockNs - before).toBeGreaterThanOrEqual(12_000_000_000n);
    expect(asking.completions).toEqual([]);
  });

  it('CloneNotFreedBeforeComplete: the original completed while its clone is still allocated (freed after, or never); freed first, no finding', async () => {
    const original = reference('counting-filter.ts');
    const FREE_THEN_COMPLETE = '  NdisFreeCloneOidRequest(m.handle, clone);\n  NdisFOidRequestComplete(m.handle, original, status);';
    expect(original).toContain(FREE_THEN_COMPLETE);
    const message = 'CloneNotFreedBeforeComplete: NdisFOidRequestComplete for a request whose clone (NdisAllocateCloneOidRequest) is still allocated: free the clone with NdisFreeCloneOidRequest first';
    for (const [variant, expected] of [
      ['  NdisFOidRequestComplete(m.handle, original, status);\n  NdisFreeCloneOidRequest(m.handle, clone);', [message]],
      ['  NdisFOidRequestComplete(m.handle, original, status);', [message]],
      [FREE_THEN_COMPLETE, []],
    ] as const) {
      for (const path of [0, 1]) {
        const { rt, app, asking } = await stack([original.replace(FREE_THEN_COMPLETE, variant)], { 'oid-completion': path });
        app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
        expect(asking.completions, variant).toEqual([{ id: 'mac', status: NDIS_STATUS_SUCCESS, written: 6 }]);
        expect(findings(rt), `${variant} (oid-completion ${path})`).toEqual(expected);
      }
    }
  });

  it('OidCompletedTwice (DoubleComplete): NdisFOidRequestComplete and then a status other than PENDING; or NdisFOidRequestComplete twice', async () => {
    const completeAndReturn = reference('counting-filter.ts').replace(/(OidRequestHandler\(m: Module, request: NDIS_OID_REQUEST\): NDIS_STATUS \{\n\s*m\.oids\+\+;)/, '$1\n      if (m.oids > 0) { NdisFOidRequestComplete(m.handle, request, NDIS_STATUS_SUCCESS); return NDIS_STATUS_SUCCESS; }');
    expect(completeAndReturn).toContain('return NDIS_STATUS_SUCCESS; }');
    const first = await stack([completeAndReturn]);
    first.app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(findings(first.rt)).toEqual(['OidCompletedTwice: FilterOidRequest called NdisFOidRequestComplete for the request and then returned NDIS_STATUS_SUCCESS (0x00000000): a request completed with NdisFOidRequestComplete is one the handler returned NDIS_STATUS_PENDING for']);
    const twice = reference('counting-filter.ts').replace(/(OidRequestCompleteHandler\(m: Module, clone: NDIS_OID_REQUEST, status: NDIS_STATUS\): void \{\n\s*completeClone\(m, clone, status\);)/, '$1\n      NdisFOidRequestComplete(m.handle, clone.SourceReserved[0], status);');
    expect(twice).toContain('NdisFOidRequestComplete(m.handle, clone.SourceReserved[0], status);');
    const second = await stack([twice]);
    second.app((p) => p.Query(OID_802_3_PERMANENT_ADDRESS, 'mac'));
    expect(findings(second.rt)).toEqual(['OidCompletedTwice: NdisFOidRequestComplete for a request that is already complete (completed before, or FilterOidRequest returned its status)']);
  });
});
