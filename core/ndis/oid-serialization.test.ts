// NDIS serializes the standard OID requests a filter module is given: FilterOidRequest is not
// called again for a module until the request before has completed up through it
// (NdisFOidRequestComplete, or a status other than PENDING). Only direct OID requests are not
// serialized ("Filter Module Direct OID Requests", learn.microsoft.com: "Unlike the standard OID
// request interface, NDIS does not serialize direct OID requests with other requests").

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';

import { OID_GEN_LINK_STATE } from './constants.ts';
import { NDIS_STATUS_SUCCESS, NDIS_STATUS_REQUEST_ABORTED } from './status.ts';
import { parseOidRequest, type ParsedOid } from './oid-request.ts';

const PROTOCOL = readFileSync(new URL('../../labs/reference/protocol.ts', import.meta.url), 'utf8');

/** A filter that forwards each request from above as a clone and records how many it holds at once. */
const FILTER = `
import { NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFOidRequest, NdisFOidRequestComplete, NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
  NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 } from 'ndis';
export const seen = { pending: 0, most: 0, requests: 0 };
export function DriverEntry(DriverObject) {
  return NdisFRegisterFilterDriver(DriverObject, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6, MinorNdisVersion: 0,
    AttachHandler(h) { return NdisFSetAttributes(h, { h }, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 }); },
    DetachHandler() {},
    RestartHandler() { return NDIS_STATUS_SUCCESS; },
    PauseHandler() { return NDIS_STATUS_SUCCESS; },
    OidRequestHandler(m, request) {
      seen.requests++;
      seen.most = Math.max(seen.most, ++seen.pending);
      const { ClonedOidRequest } = NdisAllocateCloneOidRequest(m.h, request, 0);
      ClonedOidRequest.SourceReserved[0] = request;
      const status = NdisFOidRequest(m.h, ClonedOidRequest);
      if (status !== NDIS_STATUS_PENDING) this.OidRequestCompleteHandler(m, ClonedOidRequest, status);
      return NDIS_STATUS_PENDING;
    },
    OidRequestCompleteHandler(m, clone, status) {
      seen.pending--;
      const original = clone.SourceReserved[0];
      NdisFreeCloneOidRequest(m.h, clone);
      NdisFOidRequestComplete(m.h, original, status);
    },
  }).Status;
}`;

describe('standard OID requests through a filter module', () => {
  it('reach FilterOidRequest one at a time, each after the one before has completed', async () => {
    const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
    try {
      const filter = await rt.loadDriver(FILTER, 'filter.js');
      const protocol = await rt.loadDriver(PROTOCOL, 'protocol.ts');
      rt.startStack();
      rt.run();
      // The application asks three times without waiting; NDIS holds the later ones back.
      rt.invoke(protocol, 'application', undefined, false, () => {
        for (let i = 0; i < 3; i++) (protocol.exports.QueryOid as (index: number, oid: number) => number)(0, OID_GEN_LINK_STATE);
      });
      rt.run();
      const seen = filter.exports.seen as { pending: number; most: number; requests: number };
      expect(rt.verifier.findings.map((f) => f.rule)).toEqual([]);
      expect(seen.requests).toBe(1 + 3); // the bind's packet filter, then the three queries
      expect(seen.pending).toBe(0);
      expect(seen.most).toBe(1);
    } finally {
      await rt.close();
    }
  });

  it('a request cancelled while it waits for the module is aborted without reaching it; the others go on in order', async () => {
    const rt = await NdisRuntime.create({ nics: 1, seed: 2 });
    try {
      const filter = await rt.loadDriver(FILTER, 'filter.js');
      await rt.loadDriver(PROTOCOL, 'protocol.ts');
      rt.startStack();
      rt.run();
      const seen = filter.exports.seen as { pending: number; most: number; requests: number };
      const before = seen.requests;
      const adapter = rt.adapters[0]!;
      const results: [number, number][] = [];
      for (const id of [1, 2, 3]) {
        const request = { Header: { Type: 0x96, Revision: 1, Size: 236 }, RequestType: 0, RequestId: id, DATA: { QUERY_INFORMATION: { Oid: OID_GEN_LINK_STATE, InformationBuffer: new Uint8Array(64) } } };
        rt.filters.oidBelow(adapter, rt.filters.modules(adapter).length, request, parseOidRequest(request) as ParsedOid, (status) => results.push([id, status]));
      }
      // Request 1 is in the module; 2 and 3 wait. Cancel 2.
      rt.filters.cancelBelow(adapter, rt.filters.modules(adapter).length, 2);
      rt.run();
      expect(rt.verifier.findings.map((f) => f.rule)).toEqual([]);
      expect(seen.requests - before).toBe(2);
      expect(seen.most).toBe(1);
      expect(results).toEqual([[2, NDIS_STATUS_REQUEST_ABORTED], [1, NDIS_STATUS_SUCCESS], [3, NDIS_STATUS_SUCCESS]]);
    } finally {
      await rt.close();
    }
  });
});
