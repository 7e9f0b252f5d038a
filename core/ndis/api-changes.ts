// Changes to the `ndis` module that can break a driver written before them. A learner's saved
// draft is never rewritten for them: the lab page (and `nic-lab run`) finds the lines a change
// touches and says what changed and how to update them, and the learner edits their own text.
//
// Each change gives a pattern over the source: a heuristic (the text, not its types), so a notice
// says "may" and names the line; it never stops a driver from running.

export interface ApiChange {
  /** Stable id (tests, and so that a page can remember a notice was read). */
  id: string;
  /** When it changed (the NIC Lab release it came with). */
  since: string;
  /** Matches a line the change may break. */
  pattern: RegExp;
  /** When the whole source matches this, it has already been updated: no notice. */
  unless?: RegExp;
  /** What changed, in one sentence. */
  what: string;
  /** How to update a line the pattern found. */
  how: string;
}

export const API_CHANGES: readonly ApiChange[] = [
  {
    id: 'send-source-handle',
    since: '0.6 (December 2026)',
    pattern: /\bNdis(?:F)?SendNetBufferLists\s*\(/,
    // Already updated (it assigns a SourceHandle), or a filter that only passes sends down (no
    // protocol send and no NBL of its own, so nothing to set).
    unless: /\.SourceHandle\s*=(?!=)|^(?![\s\S]*(?:\bNdisSendNetBufferLists\s*\(|\bNdisAllocateNetBuffer(?:AndNetBuffer)?List\s*\())/,
    what: 'NDIS no longer sets SourceHandle for you: the sender sets it on each NBL, as the docs make it its job (NdisSendNetBufferLists Remarks; "Sending Data from a Filter Driver"). NDIS returns the NBL by it; a send without it is SendSourceHandleWrong. Before, NDIS stamped it.',
    how: 'Before the send, set `nbl.SourceHandle = b.handle;` on every NBL of the chain (a protocol: the NdisBindingHandle you pass to NdisSendNetBufferLists; a filter: `nbl.SourceHandle = m.handle;`, its NdisFilterHandle, on the NBLs it allocated itself). A filter leaves SourceHandle alone on sends it passes down from above.',
  },
  {
    id: 'open-close-complete-handlers',
    since: '0.5 (December 2026)',
    // The registration call of a protocol whose characteristics lack either completion handler.
    pattern: /\bNdisRegisterProtocolDriver\b\s*(?:<[^>]*>)?\s*\(/,
    unless: /\bOpenAdapterCompleteHandlerEx\b[\s\S]*\bCloseAdapterCompleteHandlerEx\b|\bCloseAdapterCompleteHandlerEx\b[\s\S]*\bOpenAdapterCompleteHandlerEx\b/,
    what: 'NdisRegisterProtocolDriver fails with NDIS_STATUS_BAD_CHARACTERISTICS when NDIS_PROTOCOL_DRIVER_CHARACTERISTICS has no OpenAdapterCompleteHandlerEx or no CloseAdapterCompleteHandlerEx: both are required, as their DDI pages say (DriverEntry then fails to load).',
    how: 'Add both to the characteristics: `OpenAdapterCompleteHandlerEx(b, status) { ... }` (finish the bind a pended NdisOpenAdapterEx left waiting) and `CloseAdapterCompleteHandlerEx(b) { ... }` (finish the unbind or failed bind a pended NdisCloseAdapterEx left waiting).',
  },
  {
    id: 'open-may-pend',
    since: '0.5 (December 2026)',
    pattern: /\bNdisOpenAdapterEx\s*\(/,
    // Already updated: the draft compares a status with PENDING after its open.
    unless: /\bNdisOpenAdapterEx\s*\([\s\S]*(?:!==?|===?)\s*NDIS_STATUS_PENDING\b/,
    what: 'NdisOpenAdapterEx may return NDIS_STATUS_PENDING (with the binding handle): the open is not done until NDIS calls OpenAdapterCompleteHandlerEx with its final status, and the handle may not be used before. Before, it always opened at once. NdisCloseAdapterEx may pend in a bind that fails, too.',
    how: 'Either return NDIS_STATUS_PENDING from BindAdapterHandlerEx and call NdisCompleteBindAdapterEx from OpenAdapterCompleteHandlerEx, or wait in the bind as ndisprot does: `let status = open.Status; if (status === NDIS_STATUS_PENDING) { NdisWaitEvent(b.openDone, 0); status = b.openStatus; }` with `OpenAdapterCompleteHandlerEx(b, s) { b.openStatus = s; NdisSetEvent(b.openDone); }`.',
  },
  {
    id: 'oid-completes-at-once',
    since: '0.4 (December 2026)',
    // A call whose status is thrown away, or returned as if it must be PENDING.
    pattern: /^\s*Ndis(?:F)?OidRequest\s*\(/,
    // Already updated (it compares a status with PENDING around its requests), or it waits for no completion (no handler).
    unless: /^(?![\s\S]*OidRequestCompleteHandler)|(?:!==?|===?)\s*NDIS_STATUS_PENDING[\s\S]*Ndis(?:F)?OidRequest|Ndis(?:F)?OidRequest[\s\S]*(?:!==?|===?)\s*NDIS_STATUS_PENDING/,
    what: 'NdisOidRequest and NdisFOidRequest may complete a request before they return: they return its final status and the completion handler (ProtocolOidRequestComplete, FilterOidRequestComplete) is not called for it. Before, they always returned NDIS_STATUS_PENDING.',
    how: 'Keep the status: `const status = NdisOidRequest(handle, request); if (status !== NDIS_STATUS_PENDING) myOidComplete(b, request, status);` where myOidComplete is what your OidRequestCompleteHandler does (count down, finish a waiting unbind or bind).',
  },
  {
    id: 'frame-data-buffer',
    since: '0.2 (December 2026)',
    // `new DataView(data.buffer, data.byteOffset)`, `nb.Data.buffer`, `NdisGetDataBuffer(...).buffer`.
    pattern: /\.Data\s*\.\s*buffer\b|NdisGetDataBuffer\([^)]*\)\s*!?\s*\.\s*buffer\b|DataView\(\s*([A-Za-z_$][\w$]*)\s*\.\s*buffer\s*,\s*\1\s*\.\s*byteOffset/,
    what: 'A NET_BUFFER\'s Data (and what NdisGetDataBuffer returns) is a view of the machine\'s memory and no longer gives out its buffer: `data.buffer` throws a TypeError.',
    how: 'Write and read the bytes through the view itself, e.g. `data[14] = seq; data[15] = seq >>> 8; data[16] = seq >>> 16; data[17] = seq >>> 24;` and `(data[14] | data[15] << 8 | data[16] << 16 | data[17] << 24) >>> 0`; or copy first (`new DataView(data.slice(14, 18).buffer)`).',
  },
  {
    id: 'pnp-event-nested',
    since: '0.2 (December 2026)',
    // `event.NetEvent` (or any `x.NetEvent`) that is not already `x.NetPnPEvent.NetEvent`.
    pattern: /(?<!NetPnPEvent)\.NetEvent\b/,
    // Already updated: it reads the nested NET_PNP_EVENT somewhere (`const event = n.NetPnPEvent; event.NetEvent`).
    unless: /=\s*[\w$.]*\.NetPnPEvent\s*[;,\n]/,
    what: 'NET_PNP_EVENT_NOTIFICATION is shaped as ndis.h declares it: the event code is in its nested NET_PNP_EVENT, `notification.NetPnPEvent.NetEvent` (with `NetPnPEvent.Buffer` and `BufferLength`), beside `Header`, `PortNumber` and `Flags`; `notification.NetEvent` is undefined.',
    how: 'Write `event.NetPnPEvent.NetEvent` where the draft has `event.NetEvent` (and `event.NetPnPEvent.Buffer` for `event.Buffer`); pass the same notification object back to NdisCompleteNetPnPEvent as before.',
  },
  {
    id: 'characteristics-header',
    since: '0.3 (December 2026)',
    // The registration call itself: a draft written before has no Header or NDIS version in its characteristics.
    pattern: /\bNdis(?:F)?Register(?:Protocol|Filter)Driver\b\s*(?:<[^>]*>)?\s*\(/,
    unless: /\bMajorNdisVersion\b/,
    what: 'NdisRegisterProtocolDriver and NdisFRegisterFilterDriver check the characteristics as NDIS does: without `Header` (NDIS_OBJECT_HEADER) registration fails with NDIS_STATUS_BAD_CHARACTERISTICS, and without `MajorNdisVersion: 6` and a valid `MinorNdisVersion` with NDIS_STATUS_BAD_VERSION (DriverEntry then fails to load).',
    how: 'Start the characteristics object with `Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 }, MajorNdisVersion: 6, MinorNdisVersion: 0,` (a filter: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1), and import those names from "ndis".',
  },
  {
    id: 'open-parameters',
    since: '0.3 (December 2026)',
    // `NdisOpenAdapterEx(handle, context, {}, bindContext)`: an empty OpenParameters.
    pattern: /\bNdisOpenAdapterEx\s*\([^)]*,\s*\{\s*\}\s*,/,
    what: 'NdisOpenAdapterEx reads its OpenParameters as an NDIS_OPEN_PARAMETERS: an empty `{}` fails the open with NDIS_STATUS_INVALID_PARAMETER (no Header), and a MediumArray without NdisMedium802_3 with NDIS_STATUS_UNSUPPORTED_MEDIA.',
    how: 'Pass `{ Header: { Type: NDIS_OBJECT_TYPE_OPEN_PARAMETERS, Revision: NDIS_OPEN_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_OPEN_PARAMETERS_REVISION_1 }, AdapterName: params.AdapterName, MediumArray: [NdisMedium802_3], MediumArraySize: 1, SelectedMediumIndex: new Uint32Array(1), FrameTypeArray: [0x88b5], FrameTypeArraySize: 1 }`, where `params` is BindAdapterHandlerEx\'s BindParameters.',
  },
  {
    id: 'mac-address-bytes',
    since: '0.3 (December 2026)',
    // `params.CurrentMacAddress` used as the text "02:00:...": split, passed where a string goes.
    pattern: /CurrentMacAddress\s*\)?\s*\.\s*split\b|String\(\s*[\w$.]*CurrentMacAddress|\bBIND_PARAMETERS\b(?<!NDIS_BIND_PARAMETERS)/,
    what: 'NDIS_BIND_PARAMETERS and NDIS_FILTER_ATTACH_PARAMETERS are shaped as ndis.h declares them: CurrentMacAddress is the UCHAR[32] array as a Uint8Array (the address is its first MacAddressLength bytes), not the text "02:00:00:00:00:01"; the type is NDIS_BIND_PARAMETERS (BIND_PARAMETERS remains as its former name).',
    how: 'Take the address as bytes: `params.CurrentMacAddress.slice(0, params.MacAddressLength)`, and write it into a frame with `data.set(mac, 6)`; drop the split and parseInt.',
  },
  {
    id: 'filter-attributes',
    since: '0.3 (December 2026)',
    // `NdisFSetAttributes(handle, context, {})`.
    pattern: /\bNdisFSetAttributes\s*\([^)]*,\s*\{\s*\}\s*\)/,
    what: 'NdisFSetAttributes checks its FilterAttributes (NDIS_FILTER_ATTRIBUTES): an empty `{}` returns NDIS_STATUS_INVALID_PARAMETER and the module context is not set, so the attach fails.',
    how: 'Pass `{ Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 }` and import those names from "ndis".',
  },
  {
    id: 'oid-request-header',
    since: '0.3 (December 2026)',
    // An NDIS_OID_REQUEST built without its Header: `{ RequestType: ..., DATA: ... }`.
    pattern: /\bRequestType\s*:/,
    unless: /\bNDIS_OBJECT_TYPE_OID_REQUEST\b|Header\s*:\s*\{\s*Type\s*:\s*0x96\b/,
    what: 'NdisOidRequest and NdisFOidRequest check the NDIS_OID_REQUEST Header, as their docs say: without it the request is not sent and the call returns NDIS_STATUS_INVALID_PARAMETER (no ProtocolOidRequestComplete follows). A filter passes a clone of a request from above down (NdisAllocateCloneOidRequest), not the request itself.',
    how: 'Start each request object with `Header: { Type: NDIS_OBJECT_TYPE_OID_REQUEST, Revision: NDIS_OID_REQUEST_REVISION_1, Size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 },` and import those names from "ndis".',
  },
  {
    id: 'nbl-pool-parameters',
    since: '0.3 (December 2026)',
    // `NdisAllocateNetBufferListPool(x, {})` or with any parameters object that has no Header on the line.
    pattern: /NdisAllocateNetBufferListPool\s*\([^,]*,\s*(\{\s*\}|\{(?![^}]*\bHeader\b)[^}]*\})\s*\)/,
    what: 'NdisAllocateNetBufferListPool checks its NET_BUFFER_LIST_POOL_PARAMETERS as NDIS does and returns null when they are not right (an empty `{}` included), so the pool handle a draft stored is null and its first allocation is an InvalidHandle finding.',
    how: 'Pass the parameters as ndis.h declares them: `NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!` (import those constants from "ndis"); NdisAllocateNetBufferAndNetBufferList needs fAllocateNetBuffer: true.',
  },
  {
    id: 'timer-characteristics-header',
    since: '0.6 (December 2026)',
    pattern: /\bNdisAllocateTimerObject\b\s*(?:<[^>]*>)?\s*\(/,
    unless: /\bNDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS\b|\bType:\s*0x97\b/,
    what: 'NdisAllocateTimerObject checks its NDIS_TIMER_CHARACTERISTICS as its page says: without a Header (NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS), or without a TimerFunction, it fails with NDIS_STATUS_BAD_CHARACTERISTICS and TimerObject null. Before, the Header was not part of the structure here.',
    how: 'Give the characteristics their Header: `NdisAllocateTimerObject(handle, { Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 }, AllocationTag: tag, TimerFunction: tick, FunctionContext: context })` (import those three constants from "ndis"), and check the Status it returns.',
  },
];

export interface ApiChangeNotice {
  change: ApiChange;
  /** 1-based lines of the source the change may touch. */
  lines: number[];
}

/** The changes `source` may be hit by, each with the lines it found. */
export function apiChangesIn(source: string): ApiChangeNotice[] {
  const lines = source.split('\n');
  const notices: ApiChangeNotice[] = [];
  for (const change of API_CHANGES) {
    if (change.unless?.test(source)) continue;
    const hits = lines.flatMap((line, i) => (change.pattern.test(line) ? [i + 1] : []));
    if (hits.length > 0) notices.push({ change, lines: hits });
  }
  return notices;
}
