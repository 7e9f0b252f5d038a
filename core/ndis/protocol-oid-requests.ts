// A protocol's OID requests: NdisOidRequest sends an NDIS_OID_REQUEST down the binding's filter
// stack to the miniport; NdisCancelOidRequest cancels one still below. OID_GEN_CURRENT_PACKET_FILTER
// and OID_802_3_MULTICAST_LIST are NDIS's first: it keeps a filter and a multicast list per
// binding, answers the queries itself and sends the OR of the bindings' filters (the union of their
// lists) down in place of a set, as a request of its own; when a binding closes it sends them again
// without that binding's part. The request's structure and how its results are written are
// oid-request.ts; the filters' part is filter.ts.

import type { NdisEngine } from './engine.ts';
import type { FilterStacks } from './filter.ts';
import type { ProtocolBindings } from './protocol-binding.ts';
import type { DriverRecord } from './driver-record.ts';
import type { Binding } from './binding.ts';
import { parseOidRequest, oidRequestHeaderProblem, writeOidResults, type ParsedOid, type OidData } from './oid-request.ts';
import type { MiniportAdapter } from './miniport.ts';
import { NDIS_STATUS_PENDING, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_SUCCESS, NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_MULTICAST_FULL, statusName } from './status.ts';
import {
  OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST, NdisRequestSetInformation,
  NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1,
} from './constants.ts';
import { objectHeader } from './structures.ts';
import { bufferOf } from '../memory/protect.ts';
import { macKey } from '../nic/mac.ts';
import { adapterFilter, adapterMulticastList, isGroupAddress } from './packet-filter.ts';

/** What a set NDIS handles itself sends down in place of the protocol's (or why it fails at once: a status). */
type NdisSet = { request: unknown; parsed: ParsedOid; done: (status: number) => number } | number;

export class ProtocolOidRequests {
  /**
   * Per adapter (by index): the packet filter and the multicast list NDIS last set on the miniport
   * successfully, what a close compares the bindings' new OR and union with (0 and none at first:
   * the miniport starts with reception off and an empty list).
   */
  private readonly sentFilter: number[] = [];
  private readonly sentMulticast: (readonly number[])[] = [];

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
    const multicast = parsed.oid === OID_802_3_MULTICAST_LIST && !parsed.method;
    if ((filter || multicast) && !parsed.set) {
      binding.oidsOutstanding--;
      const answered = filter ? this.queryPacketFilter(binding, parsed) : this.queryMulticastList(binding, parsed);
      done(answered);
      return answered;
    }
    // A packet filter or multicast list set goes down as NDIS's own request, carrying the adapter's new filter or list.
    const original = request as Record<string, unknown>;
    const below: NdisSet = filter ? this.packetFilterSet(binding, original, parsed) : multicast ? this.multicastListSet(binding, original, parsed) : { request, parsed, done: (status: number) => status };
    if (typeof below === 'number') {
      binding.oidsOutstanding--;
      done(below);
      return below;
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
   * the protocol's request. BUFFER_TOO_SHORT (BytesNeeded 4) at once for fewer than 4 bytes.
   */
  private packetFilterSet(binding: Binding, original: Record<string, unknown>, parsed: ParsedOid): NdisSet {
    if (parsed.buffer.byteLength < 4) {
      writeOidResults(parsed, 0, 4);
      return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    const value = new DataView(bufferOf(parsed.buffer), parsed.buffer.byteOffset, 4).getUint32(0, true);
    binding.pendingPacketFilter = value;
    const union = adapterFilter(this.protocols.bindings, binding.adapter, binding, value);
    const down = ndisSetRequest(OID_GEN_CURRENT_PACKET_FILTER, filterBuffer(union), portOf(original), parsed.requestId);
    return {
      ...down,
      done: (status) => {
        if (binding.pendingPacketFilter === value) binding.pendingPacketFilter = -1;
        if (status === NDIS_STATUS_SUCCESS) {
          binding.packetFilter = value;
          this.sentFilter[binding.adapter.index] = union;
        }
        writeOidResults(parsed, down.parsed.data.BytesRead ?? 0, down.parsed.data.BytesNeeded ?? 0);
        return status;
      },
    };
  }

  /**
   * The query of OID_802_3_MULTICAST_LIST: NDIS answers it ("NDIS handles OID_802_3_MULTICAST_LIST
   * query requests for miniport drivers, so miniport drivers never receive these query
   * requests") with the union NDIS last set on the miniport: "For a query request, NDIS returns a
   * multicast address list that is the union of all multicast address lists for all protocol
   * bindings" (OID_802_3_MULTICAST_LIST). The Windows Embedded CE page's "NdisRequestQueryInformation
   * returns the list of its specific binding" is another operating system's NDIS and contradicts its
   * own first paragraph; the current Windows page is the authority, so every request type gets the
   * union. (A binding's receives are still filtered by its own list.)
   * Completes at once: SUCCESS with 6 bytes an address written, or BUFFER_TOO_SHORT needing them.
   */
  private queryMulticastList(binding: Binding, parsed: ParsedOid): number {
    const list = this.sentMulticast[binding.adapter.index] ?? [];
    const bytes = list.length * 6;
    if (parsed.buffer.byteLength < bytes) {
      writeOidResults(parsed, 0, bytes);
      return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    writeAddresses(parsed.buffer, list);
    writeOidResults(parsed, bytes, 0);
    return NDIS_STATUS_SUCCESS;
  }

  /**
   * A set of OID_802_3_MULTICAST_LIST: this binding's list becomes the addresses given (each once)
   * once the layers below succeed (an empty buffer clears it), and what goes down is a request of
   * NDIS's with the union of every open binding's list ("The miniport adapter's multicast address
   * list is shared by all protocol drivers that are bound to the miniport adapter. NDIS controls
   * access to this list", OID_802_3_MULTICAST_LIST), so one binding's list does not take the
   * others' groups away. The miniport bounds the union by what it answers for
   * OID_802_3_MAXIMUM_LIST_SIZE (32 here): over it, the set fails with NDIS_STATUS_MULTICAST_FULL
   * and nothing changes, even for a list shorter than that maximum when the other bindings' groups
   * fill the rest ("Because it is a shared resource, a protocol driver can receive
   * NDIS_STATUS_MULTICAST_FULL ... even if the number of elements in the list is less than the
   * number that NDIS previously returned for an OID_802_3_MAXIMUM_LIST_SIZE OID query request",
   * OID_802_3_MAXIMUM_LIST_SIZE). NDIS itself fails at once with NDIS_STATUS_MULTICAST_FULL a list
   * with an address that is not a multicast address ("NDIS returns NDIS_STATUS_MULTICAST_FULL if
   * a protocol driver exceeds this limit or if it specifies an invalid multicast address"), and
   * with NDIS_STATUS_INVALID_LENGTH one whose length is not a whole number of 6-byte addresses.
   * BytesRead is the protocol's whole buffer when the set succeeds.
   */
  private multicastListSet(binding: Binding, original: Record<string, unknown>, parsed: ParsedOid): NdisSet {
    const length = parsed.buffer.byteLength;
    if (length % 6 !== 0) {
      writeOidResults(parsed, 0, 0);
      return NDIS_STATUS_INVALID_LENGTH;
    }
    const groups: number[] = [];
    for (let at = 0; at < length; at += 6) {
      const key = macKey(parsed.buffer, at);
      if (!isGroupAddress(key)) {
        writeOidResults(parsed, 0, 0);
        return NDIS_STATUS_MULTICAST_FULL;
      }
      if (!groups.includes(key)) groups.push(key);
    }
    binding.pendingMulticastKeys = groups;
    const union = adapterMulticastList(this.protocols.bindings, binding.adapter, binding, groups);
    const down = ndisSetRequest(OID_802_3_MULTICAST_LIST, addressBuffer(union), portOf(original), parsed.requestId);
    return {
      ...down,
      done: (status) => {
        if (binding.pendingMulticastKeys === groups) binding.pendingMulticastKeys = undefined;
        if (status === NDIS_STATUS_SUCCESS) {
          binding.multicastKeys = groups;
          this.sentMulticast[binding.adapter.index] = union;
        }
        writeOidResults(parsed, status === NDIS_STATUS_SUCCESS ? length : 0, down.parsed.data.BytesNeeded ?? 0);
        return status;
      },
    };
  }

  /**
   * A binding of `adapter` closed (NdisCloseAdapterEx): NDIS no longer filters for it, so the
   * miniport is given the OR of the remaining open bindings' filters and the union of their
   * multicast lists, each as a set request of NDIS's own that goes down through the filter
   * modules like any other ("For a set, the specified packet filter replaces the previous packet
   * filter for the binding", OID_GEN_CURRENT_PACKET_FILTER: a closed binding has none), so a
   * protocol that was promiscuous does not leave the adapter promiscuous after it unbinds. Only
   * what changed is sent, compared with what NDIS last set, as NDIS's own work on the adapter after
   * the close call returned; the trace has it as an `oid` event of the adapter's, `by` NDIS, and
   * its `oid-done`. Only while the adapter is Running: a Paused one is being torn down (removal:
   * MiniportHaltEx follows, and the filter modules are detached, which must not happen with a
   * request of NDIS's still in one of them) or is in a low-power state (the miniport refuses
   * requests there); the docs do not say what NDIS does then, and here the miniport keeps the
   * closed binding's part until the next set, which no binding can see, each being indicated only
   * what its own filter and list take.
   */
  restoreAfterClose(binding: Binding): void {
    const adapter = binding.adapter;
    const running = () => adapter.sm.is('Running') && !adapter.removed;
    const filter = () => adapterFilter(this.protocols.bindings, adapter, undefined, 0);
    const list = () => adapterMulticastList(this.protocols.bindings, adapter, undefined, []);
    const filterChanged = (value: number) => value !== (this.sentFilter[adapter.index] ?? 0);
    const listChanged = (value: readonly number[]) => !sameList(value, this.sentMulticast[adapter.index] ?? []);
    // Nothing to do (the usual close: the others' filters cover this binding's): no task, so the seed's choices stay as they were.
    if (!running() || (!filterChanged(filter()) && !listChanged(list()))) return;
    this.rt.post(`NDIS sets ${adapter.name}'s filters without ${binding.name}`, () => {
      if (!running()) return;
      const newFilter = filter();
      if (filterChanged(newFilter)) this.ndisSet(adapter, binding, OID_GEN_CURRENT_PACKET_FILTER, filterBuffer(newFilter), () => { this.sentFilter[adapter.index] = newFilter; });
      const newList = list();
      if (listChanged(newList)) this.ndisSet(adapter, binding, OID_802_3_MULTICAST_LIST, addressBuffer(newList), () => { this.sentMulticast[adapter.index] = newList; });
    }, { channel: `adapter ${adapter.name}` });
  }

  /** Sends a set request of NDIS's own down `adapter`'s stack (from the top), recording it; `succeeded` runs if it does. */
  private ndisSet(adapter: MiniportAdapter, closed: Binding, oid: number, buffer: Uint8Array, succeeded: () => void): void {
    const object = `adapter ${adapter.name}`;
    const oidText = `0x${(oid >>> 0).toString(16).padStart(8, '0')}`;
    const down = ndisSetRequest(oid, buffer, 0, null);
    this.rt.trace.record('oid', { object, request: 'set', oid: oidText, by: 'NDIS', why: `binding ${closed.name} closed` });
    const done = (status: number) => {
      if (status === NDIS_STATUS_SUCCESS) succeeded();
      this.rt.trace.record('oid-done', { object, request: 'set', oid: oidText, status: statusName(status), bytesRead: down.parsed.data.BytesRead ?? null, bytesNeeded: down.parsed.data.BytesNeeded ?? null });
    };
    const status = this.filters.oidBelow(adapter, this.filters.modules(adapter).length, down.request, down.parsed, done);
    if (status !== NDIS_STATUS_PENDING) done(status);
  }

  /** NdisCancelOidRequest: cancels the binding's request with `requestId`, if it is still below (core/ndis/filter.ts cancelBelow). */
  cancelOidFromProtocol(driver: DriverRecord, handle: unknown, requestId: unknown): void {
    const binding = this.protocols.bindingFor(driver, handle, 'NdisCancelOidRequest');
    if (binding) this.filters.cancelBelow(binding.adapter, this.filters.modules(binding.adapter).length, requestId);
  }
}

/** A set request of NDIS's own (not a driver's): an NDIS_OID_REQUEST with `buffer` as its InformationBuffer, and what oidBelow needs of it. */
function ndisSetRequest(oid: number, buffer: Uint8Array, portNumber: number, requestId: unknown): { request: unknown; parsed: ParsedOid } {
  const data: OidData = { Oid: oid, InformationBuffer: buffer, InformationBufferLength: buffer.byteLength };
  const request = {
    Header: objectHeader(NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_OID_REQUEST_REVISION_1, NDIS_SIZEOF_OID_REQUEST_REVISION_1),
    RequestType: NdisRequestSetInformation, PortNumber: portNumber, Timeout: 0,
    RequestId: requestId, RequestHandle: null, DATA: { SET_INFORMATION: data }, SourceReserved: [null, null], MiniportReserved: [null, null], SupportedRevision: 0,
  };
  return { request, parsed: { requestType: NdisRequestSetInformation, set: true, method: false, oid, buffer, data, requestId } };
}

/** The PortNumber of a driver's request (0, the default port, when it has none). */
function portOf(request: Record<string, unknown>): number {
  return typeof request.PortNumber === 'number' ? request.PortNumber : 0;
}

/** A packet filter as OID_GEN_CURRENT_PACKET_FILTER carries it: a ULONG. */
function filterBuffer(filter: number): Uint8Array {
  const buffer = new Uint8Array(4);
  new DataView(buffer.buffer).setUint32(0, filter, true);
  return buffer;
}

/** Multicast addresses (macKey each) as OID_802_3_MULTICAST_LIST carries them: 6 bytes each, in order. */
function addressBuffer(keys: readonly number[]): Uint8Array {
  const buffer = new Uint8Array(keys.length * 6);
  writeAddresses(buffer, keys);
  return buffer;
}

function writeAddresses(buffer: Uint8Array, keys: readonly number[]): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const hi = Math.floor(key / 0x1_0000_0000);
    const lo = key % 0x1_0000_0000;
    buffer[i * 6] = hi >>> 8;
    buffer[i * 6 + 1] = hi & 0xff;
    buffer[i * 6 + 2] = lo >>> 24;
    buffer[i * 6 + 3] = (lo >>> 16) & 0xff;
    buffer[i * 6 + 4] = (lo >>> 8) & 0xff;
    buffer[i * 6 + 5] = lo & 0xff;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}
