// NDIS_OID_REQUEST: what NDIS reads of a request a driver hands it (NdisOidRequest,
// NdisFOidRequest), the clone a filter passes down in place of the request it was given
// (NdisAllocateCloneOidRequest / NdisFreeCloneOidRequest), and the three kinds of request: query,
// set and method. The request object is the driver's; NDIS reads its fields when it is handed
// over and writes the results (BytesWritten, BytesRead, BytesNeeded) back into it.

import { describe } from './describe.ts';
import * as constants from './constants.ts';
import { NdisRequestSetInformation, NdisRequestQueryInformation, NdisRequestQueryStatistics, NdisRequestMethod, NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1 } from './constants.ts';
import { headerProblem, objectHeader } from './structures.ts';

/** The DATA member a request type uses. */
const DATA_MEMBER: Record<number, 'QUERY_INFORMATION' | 'SET_INFORMATION' | 'METHOD_INFORMATION'> = {
  [NdisRequestQueryInformation]: 'QUERY_INFORMATION',
  [NdisRequestQueryStatistics]: 'QUERY_INFORMATION',
  [NdisRequestSetInformation]: 'SET_INFORMATION',
  [NdisRequestMethod]: 'METHOD_INFORMATION',
};

export interface OidData {
  Oid: number;
  InformationBuffer: Uint8Array;
  InformationBufferLength?: number;
  /** METHOD_INFORMATION: the method, and how much of InformationBuffer is input and how much room for output. */
  MethodId?: number;
  InputBufferLength?: number;
  OutputBufferLength?: number;
  BytesRead?: number;
  BytesWritten?: number;
  BytesNeeded?: number;
}

export interface ParsedOid {
  requestType: number;
  set: boolean;
  method: boolean;
  oid: number;
  buffer: Uint8Array;
  data: OidData;
  /** RequestId (NdisCancelOidRequest finds requests by it); null when the driver set none. */
  requestId: unknown;
}

/**
 * Checks the shape of an NDIS_OID_REQUEST a driver built (what C's types would have enforced);
 * returns what the layers below need, or what is wrong. The Header is `oidRequestHeaderProblem`'s.
 */
export function parseOidRequest(request: unknown): ParsedOid | string {
  if (request === null || typeof request !== 'object') return `the OID request is ${describe(request)}, not an NDIS_OID_REQUEST object`;
  const r = request as { RequestType?: unknown; RequestId?: unknown; DATA?: Record<string, OidData | undefined> };
  if (typeof r.RequestType !== 'number') return 'the OID request has no numeric RequestType (NdisRequestQueryInformation, NdisRequestSetInformation or NdisRequestMethod)';
  const member = DATA_MEMBER[r.RequestType];
  if (!member) return `RequestType ${r.RequestType} is not a request type NDIS 6 drivers send (NdisRequestQueryInformation 0, NdisRequestSetInformation 1, NdisRequestQueryStatistics 2, NdisRequestMethod 12)`;
  const data = r.DATA?.[member];
  if (!data || typeof data !== 'object') return `a request of this type needs DATA.${member}`;
  if (typeof data.Oid !== 'number') return 'the request has no numeric Oid';
  if (!(data.InformationBuffer instanceof Uint8Array)) return 'InformationBuffer must be a Uint8Array';
  const method = r.RequestType === NdisRequestMethod;
  if (method && typeof data.MethodId !== 'number') return 'a method request needs a numeric DATA.METHOD_INFORMATION.MethodId';
  return { requestType: r.RequestType, set: r.RequestType === NdisRequestSetInformation, method, oid: data.Oid, buffer: data.InformationBuffer, data, requestId: r.RequestId ?? null };
}

const OID_NAMES = new Map<number, string>(
  Object.entries(constants).filter(([name, value]) => name.startsWith('OID_') && typeof value === 'number').map(([name, value]) => [value as number, name]),
);

/** "OID_802_3_CURRENT_ADDRESS (0x01010102)", or the hex alone for an OID ndis.h's names here do not cover. */
export function oidText(oid: number): string {
  const hex = `0x${(oid >>> 0).toString(16).padStart(8, '0')}`;
  const name = OID_NAMES.get(oid >>> 0);
  return name ? `${name} (${hex})` : `OID ${hex}`;
}

/** "a query of", "a set of"...: the request's type, as a finding names it. */
export function requestTypeText(parsed: ParsedOid): string {
  if (parsed.method) return 'a method request of';
  if (parsed.set) return 'a set of';
  return parsed.requestType === NdisRequestQueryStatistics ? 'a statistics query of' : 'a query of';
}

/**
 * What makes two requests the same one for a module deciding what to do with it: the type, the
 * OID and, for a set, the bytes it sets (a filter that passes down one packet filter may refuse
 * another, promiscuous one, in every state).
 */
export function requestIdentity(parsed: ParsedOid): string {
  const key = `${parsed.requestType}:${parsed.oid >>> 0}`;
  if (!parsed.set) return key;
  const length = typeof parsed.data.InformationBufferLength === 'number' ? Math.min(parsed.data.InformationBufferLength, parsed.buffer.length) : parsed.buffer.length;
  return `${key}:${Array.from(parsed.buffer.subarray(0, Math.min(length, 64)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * What is wrong with the request's Header, if anything: NdisOidRequest and NdisFOidRequest return
 * NDIS_STATUS_INVALID_PARAMETER for a Header whose Type or Size is wrong (their docs' return value).
 */
export function oidRequestHeaderProblem(request: object): string | undefined {
  return headerProblem((request as { Header?: unknown }).Header, 'the NDIS_OID_REQUEST', NDIS_OBJECT_TYPE_OID_REQUEST, 'NDIS_OBJECT_TYPE_OID_REQUEST', NDIS_SIZEOF_OID_REQUEST_REVISION_1, 'NDIS_SIZEOF_OID_REQUEST_REVISION_1');
}

/** Writes a request's results into its DATA member, as the miniport (or the layer that completed it) reports them. */
export function writeOidResults(parsed: ParsedOid, bytes: number, needed: number): void {
  if (parsed.set) parsed.data.BytesRead = bytes;
  else parsed.data.BytesWritten = bytes;
  if (parsed.method) parsed.data.BytesRead = Math.min(bytes, parsed.data.InputBufferLength ?? bytes);
  parsed.data.BytesNeeded = needed;
}

/**
 * The clone NdisAllocateCloneOidRequest makes of `original`: a new NDIS_OID_REQUEST with every
 * field copied (its DATA member too; InformationBuffer is the same buffer, as C copies the
 * pointer), its reserved areas cleared, and a Header of its own. `parsed` is the original's parse.
 */
export function cloneOidRequest(original: Record<string, unknown>, parsed: ParsedOid): Record<string, unknown> {
  const member = DATA_MEMBER[parsed.requestType]!;
  return {
    Header: objectHeader(NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1),
    RequestType: parsed.requestType,
    PortNumber: typeof original.PortNumber === 'number' ? original.PortNumber : 0,
    Timeout: typeof original.Timeout === 'number' ? original.Timeout : 0,
    RequestId: parsed.requestId,
    RequestHandle: original.RequestHandle ?? null,
    DATA: { [member]: { ...parsed.data } },
    /** The cloning driver's own two pointers (lwf keeps the original request in SourceReserved[0]). */
    SourceReserved: [null, null],
    MiniportReserved: [null, null],
    SupportedRevision: 0,
  };
}
