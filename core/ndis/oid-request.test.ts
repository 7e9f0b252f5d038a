// OID requests as NDIS documents them: the Header NdisOidRequest and NdisFOidRequest check, a
// filter that passes a clone down (NdisAllocateCloneOidRequest / NdisFreeCloneOidRequest) and one
// that passes the original (FilterForwardedOriginalOidRequest), cancellation by RequestId
// (NdisCancelOidRequest, FilterCancelOidRequest, NdisFCancelOidRequest), and method requests.
// That NDIS gives a filter module one request at a time is oid-serialization.test.ts's.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime, type DriverRecord } from './runtime.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_INVALID_PARAMETER } from './status.ts';

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

async function stack(filters: string[] = []) {
  const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
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
