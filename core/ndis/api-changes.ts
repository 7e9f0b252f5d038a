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
  /** What changed, in one sentence. */
  what: string;
  /** How to update a line the pattern found. */
  how: string;
}

export const API_CHANGES: readonly ApiChange[] = [
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
    what: 'NET_PNP_EVENT_NOTIFICATION is shaped as ndis.h declares it: the event code is in its nested NET_PNP_EVENT, `notification.NetPnPEvent.NetEvent` (with `NetPnPEvent.Buffer` and `BufferLength`), beside `Header`, `PortNumber` and `Flags`; `notification.NetEvent` is undefined.',
    how: 'Write `event.NetPnPEvent.NetEvent` where the draft has `event.NetEvent` (and `event.NetPnPEvent.Buffer` for `event.Buffer`); pass the same notification object back to NdisCompleteNetPnPEvent as before.',
  },
  {
    id: 'nbl-pool-parameters',
    since: '0.3 (December 2026)',
    // `NdisAllocateNetBufferListPool(x, {})` or with any parameters object that has no Header on the line.
    pattern: /NdisAllocateNetBufferListPool\s*\([^,]*,\s*(\{\s*\}|\{(?![^}]*\bHeader\b)[^}]*\})\s*\)/,
    what: 'NdisAllocateNetBufferListPool checks its NET_BUFFER_LIST_POOL_PARAMETERS as NDIS does and returns null when they are not right (an empty `{}` included), so the pool handle a draft stored is null and its first allocation is an InvalidHandle finding.',
    how: 'Pass the parameters as ndis.h declares them: `NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!` (import those constants from "ndis"); NdisAllocateNetBufferAndNetBufferList needs fAllocateNetBuffer: true.',
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
    const hits = lines.flatMap((line, i) => (change.pattern.test(line) ? [i + 1] : []));
    if (hits.length > 0) notices.push({ change, lines: hits });
  }
  return notices;
}
