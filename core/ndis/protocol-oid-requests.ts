// A protocol's OID requests: NdisOidRequest sends an NDIS_OID_REQUEST down the binding's filter
// stack to the miniport; NdisCancelOidRequest cancels one still below. OID_GEN_CURRENT_PACKET_FILTER
// is NDIS's first: it keeps a filter per binding, answers the query itself and sends the OR of the
// bindings' filters down in place of a set. The request's structure and how its results are written
// are oid-request.ts; the filters' part is filter.ts.

import type { NdisEngine } from './engine.ts';
import type { FilterStacks } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { DriverRecord } from './driver-record.ts';
import type { Binding } from './binding.ts';
import { parseOidRequest, oidRequestHeaderProblem, writeOidResults, type ParsedOid, type OidData } from './oid-request.ts';
import { NDIS_STATUS_PENDING, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_SUCCESS, NDIS_STATUS_BUFFER_TOO_SHORT, statusName } from './status.ts';
import { OID_GEN_CURRENT_PACKET_FILTER, NdisRequestSetInformation, NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1 } from './constants.ts';
import { objectHeader } from './structures.ts';
import { bufferOf } from '../memory/protect.ts';
import { adapterFilter } from './packet-filter.ts';

export class ProtocolOidRequests {
  constructor(private readonly rt: NdisEngine, private readonly protocols: ProtocolBindings, private readonly filters: FilterStacks) {}

  /**
   * NdisOidRequest: the request goes down the filter stack to the miniport. It returns the
   * request's final status if it completed at once (the results are written, and
   * ProtocolOidRequestComplete is not called), or NDIS_STATUS_PENDING and NDIS calls
   * ProtocolOidRequestComplete later: which, the filters and the seeded miniport decide, so a
   * driver must handle both ("NdisOidRequest: Return value"). NDIS_STATUS_INVALID_PARAMETER for a
   * Header whose Type or Size is wrong.
   */
  oidFromProtocol(driver: DriverRecord, handle: unknown, request: unknown): number {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisOidRequest');
    if (!binding) return NDIS_STATUS_INVALID_PARAMETER;
    const parsed = parseOidRequest(request);
    if (typeof parsed === 'string') {
      this.rt.report('InvalidParameter', { driver: driver.name, object: `binding ${binding.name}`, message: `NdisOidRequest: ${parsed}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    const header = oidRequestHeaderProblem(request as object);
    if (header) {
      this.rt.trace.record('refused', { driver: driver.name, call: 'NdisOidRequest', why: `NdisOidRequest: ${header}` });
      return NDIS_STATUS_INVALID_PARAMETER;
    }
    binding.oidsOutstanding++;
    const object = `binding ${binding.name}`;
    const oid = `0x${(parsed.oid >>> 0).toString(16).padStart(8, '0')}`;
    this.rt.trace.record('oid', { object, request: parsed.method ? 'method' : parsed.set ? 'set' : 'query', oid });
    // What the protocol is handed back: the final status and the results in its own request (a
    // filter that cloned it must have copied them back), as the scenarios' oidCompleted checks.
    const done = (final: number) => this.rt.trace.record('oid-done', {
      object, request: parsed.method ? 'method' : parsed.set ? 'set' : 'query', oid, status: statusName(final),
      ...(parsed.set ? { bytesRead: parsed.data.BytesRead ?? null } : { bytesWritten: parsed.data.BytesWritten ?? null }), bytesNeeded: parsed.data.BytesNeeded ?? null,
    });
    const filter = parsed.oid === OID_GEN_CURRENT_PACKET_FILTER && !parsed.method;
    if (filter && !parsed.set) {
      binding.oidsOutstanding--;
      const answered = this.queryPacketFilter(binding, parsed);
      done(answered);
      return answered;
    }
    // A packet filter set goes down as NDIS's own request, carrying the adapter's new filter.
    const below = filter ? this.packetFilterSet(binding, request as Record<string, unknown>, parsed) : { request, parsed, done: (status: number) => status };
    if (!below) {
      binding.oidsOutstanding--;
      done(NDIS_STATUS_BUFFER_TOO_SHORT);
      return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    const status = this.filters.oidBelow(binding.adapter, this.filters.modules(binding.adapter).length, below.request, below.parsed, (final) => {
      const result = below.done(final);
      binding.oidsOutstanding--;
      done(result);
      const complete = binding.protocol.protocol!.OidRequestCompleteHandler;
      if (complete) this.rt.invoke(binding.protocol, 'ProtocolOidRequestComplete', object, false, () => complete(binding.context, request, result));
    });
    // Completed before the call returned: the status is the driver's now, and ProtocolOidRequestComplete does not come.
    if (status !== NDIS_STATUS_PENDING) {
      binding.oidsOutstanding--;
      const result = below.done(status);
      done(result);
      return result;
    }
    return status;
  }

  /**
   * The query of OID_GEN_CURRENT_PACKET_FILTER: NDIS answers it, with this binding's own filter
   * ("For NDIS 6.0 and later miniport drivers, the query is not requested ... NDIS handles the
   * query"; what a binding's receives are filtered by is its own filter, not the adapter's OR).
   * Completes at once: SUCCESS with 4 bytes written, or BUFFER_TOO_SHORT needing 4.
   */
  private queryPacketFilter(binding: Binding, parsed: ParsedOid): number {
    if (parsed.buffer.byteLength < 4) {
      writeOidResults(parsed, 0, 4);
      return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    new DataView(bufferOf(parsed.buffer), parsed.buffer.byteOffset, 4).setUint32(0, binding.packetFilter, true);
    writeOidResults(parsed, 4, 0);
    return NDIS_STATUS_SUCCESS;
  }

  /**
   * A set of OID_GEN_CURRENT_PACKET_FILTER: this binding's filter becomes the value once the layers
   * below succeed, and what goes down (through the filter modules to the miniport) is a request of
   * NDIS's with the OR of every open binding's filter, this one's new value included and NDIS's own
   * bits (ALL_LOCAL, NO_LOCAL) left out, so one binding's 0 does not silence the others. Its
   * RequestId is the protocol's (NdisCancelOidRequest finds it); its results are copied back into
   * the protocol's request. Undefined (BUFFER_TOO_SHORT, BytesNeeded 4) for fewer than 4 bytes.
   */
  private packetFilterSet(binding: Binding, original: Record<string, unknown>, parsed: ParsedOid): { request: unknown; parsed: ParsedOid; done: (status: number) => number } | undefined {
    if (parsed.buffer.byteLength < 4) {
      writeOidResults(parsed, 0, 4);
      return undefined;
    }
    const value = new DataView(bufferOf(parsed.buffer), parsed.buffer.byteOffset, 4).getUint32(0, true);
    binding.pendingPacketFilter = value;
    const buffer = new Uint8Array(4);
    new DataView(buffer.buffer).setUint32(0, adapterFilter(this.protocols.bindings, binding.adapter, binding, value), true);
    const data: OidData = { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: buffer, InformationBufferLength: 4 };
    const request = {
      Header: objectHeader(NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1),
      RequestType: NdisRequestSetInformation, PortNumber: typeof original.PortNumber === 'number' ? original.PortNumber : 0, Timeout: 0,
      RequestId: parsed.requestId, RequestHandle: null, DATA: { SET_INFORMATION: data }, SourceReserved: [null, null], MiniportReserved: [null, null], SupportedRevision: 0,
    };
    const down: ParsedOid = { requestType: NdisRequestSetInformation, set: true, method: false, oid: OID_GEN_CURRENT_PACKET_FILTER, buffer, data, requestId: parsed.requestId };
    return {
      request, parsed: down,
      done: (status) => {
        if (binding.pendingPacketFilter === value) binding.pendingPacketFilter = -1;
        if (status === NDIS_STATUS_SUCCESS) binding.packetFilter = value;
        writeOidResults(parsed, data.BytesRead ?? 0, data.BytesNeeded ?? 0);
        return status;
      },
    };
  }

  /** NdisCancelOidRequest: cancels the binding's request with `requestId`, if it is still below (core/ndis/filter.ts cancelBelow). */
  cancelOidFromProtocol(driver: DriverRecord, handle: unknown, requestId: unknown): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisCancelOidRequest');
    if (binding) this.filters.cancelBelow(binding.adapter, this.filters.modules(binding.adapter).length, requestId);
  }
}
