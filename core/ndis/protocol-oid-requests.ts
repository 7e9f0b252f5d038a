// A protocol's OID requests: NdisOidRequest sends an NDIS_OID_REQUEST down the binding's filter
// stack to the miniport; NdisCancelOidRequest cancels one still below. The request's structure and
// how its results are written are oid-request.ts; the filters' part is filter.ts.

import type { NdisEngine } from './engine.ts';
import type { FilterStacks } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { DriverRecord } from './driver-record.ts';
import { parseOidRequest, oidRequestHeaderProblem } from './oid-request.ts';
import { NDIS_STATUS_PENDING, NDIS_STATUS_INVALID_PARAMETER, statusName } from './status.ts';

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
    const status = this.filters.oidBelow(binding.adapter, this.filters.modules(binding.adapter).length, request, parsed, (final) => {
      binding.oidsOutstanding--;
      done(final);
      const complete = binding.protocol.protocol!.OidRequestCompleteHandler;
      if (complete) this.rt.invoke(binding.protocol, 'ProtocolOidRequestComplete', object, false, () => complete(binding.context, request, final));
    });
    // Completed before the call returned: the status is the driver's now, and ProtocolOidRequestComplete does not come.
    if (status !== NDIS_STATUS_PENDING) {
      binding.oidsOutstanding--;
      done(status);
    }
    return status;
  }

  /** NdisCancelOidRequest: cancels the binding's request with `requestId`, if it is still below (core/ndis/filter.ts cancelBelow). */
  cancelOidFromProtocol(driver: DriverRecord, handle: unknown, requestId: unknown): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisCancelOidRequest');
    if (binding) this.filters.cancelBelow(binding.adapter, this.filters.modules(binding.adapter).length, requestId);
  }
}
