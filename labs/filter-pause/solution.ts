// Lab filter-pause: the reference solution. A filter that answers probe frames itself (a reply
// it sends from its own NBLs) and passes everything else through, and that pauses as seed 004
// asks: from the start of FilterPause it originates nothing, returns new receives at once and
// completes new sends with NDIS_STATUS_PAUSED; it completes the pause (NdisFPauseComplete) only
// when its own replies are back; and NBLs indicated with NDIS_RECEIVE_FLAGS_RESOURCES are never
// returned with NdisFReturnNetBufferLists.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFPauseComplete, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisGetDataBuffer, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,
  NDIS_STATUS_PAUSED, NDIS_RECEIVE_FLAGS_RESOURCES,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS, type NDIS_FILTER_ATTACH_PARAMETERS,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
} from 'ndis';

/** EtherType of a probe (answered by the filter) and of its reply. */
const ETHERTYPE_PROBE = 0x88b6;
const ETHERTYPE_REPLY = 0x88b7;

interface Module {
  handle: NDIS_HANDLE;
  mac: Uint8Array;
  pool: NDIS_HANDLE;
  state: 'Paused' | 'Running' | 'Pausing';
  /** Replies sent and not yet completed back to the module. */
  ownSends: number;
  pausePending: boolean;
}

function etherTypeOf(nbl: NET_BUFFER_LIST): number {
  const header = NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(nbl)!, 14);
  return header ? (header[12]! << 8) | header[13]! : 0;
}

/** A chain of `nbls` (their Next links rewritten), or null for none. */
function chain(nbls: NET_BUFFER_LIST[]): NET_BUFFER_LIST | null {
  nbls.forEach((nbl, i) => (nbl.Next = nbls[i + 1] ?? null));
  return nbls[0] ?? null;
}

function listOf(head: NET_BUFFER_LIST): NET_BUFFER_LIST[] {
  const list: NET_BUFFER_LIST[] = [];
  for (let nbl: NET_BUFFER_LIST | null = head; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) list.push(nbl);
  return list;
}

/** Sends the reply to `probe` from the module's own pool: back to its source, with its sequence number. */
function reply(m: Module, probe: NET_BUFFER_LIST): NET_BUFFER_LIST | null {
  const request = NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(probe)!, 18);
  if (!request) return null;
  const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);
  if (!nbl) return null;
  const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;
  data.fill(0);
  data.set(request.subarray(6, 12), 0); // to the probe's source
  data.set(m.mac, 6);
  data.set([ETHERTYPE_REPLY >> 8, ETHERTYPE_REPLY & 0xff], 12);
  data.set(request.subarray(14, 18), 14); // its sequence number, copied: the probe goes back
  nbl.SourceHandle = m.handle; // the module's own NBL: NDIS returns it to the module by this
  return nbl;
}

function finishPauseIfIdle(m: Module): void {
  if (m.pausePending && m.ownSends === 0) {
    m.pausePending = false;
    m.state = 'Paused';
    NdisFPauseComplete(m.handle);
  }
}

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'probe responder',

    AttachHandler(handle: NDIS_HANDLE, _context: unknown, params: NDIS_FILTER_ATTACH_PARAMETERS): NDIS_STATUS {
      const m: Module = { handle, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, state: 'Paused', ownSends: 0, pausePending: false };
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(_m: Module): void {},

    RestartHandler(m: Module): NDIS_STATUS {
      m.state = 'Running';
      return NDIS_STATUS_SUCCESS;
    },

    PauseHandler(m: Module): NDIS_STATUS {
      m.state = 'Pausing';
      if (m.ownSends === 0) {
        m.state = 'Paused';
        return NDIS_STATUS_SUCCESS;
      }
      m.pausePending = true; // NdisFPauseComplete when the last reply is back
      return NDIS_STATUS_PENDING;
    },

    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      if (m.state !== 'Running') {
        for (const nbl of listOf(nbls)) nbl.Status = NDIS_STATUS_PAUSED;
        NdisFSendNetBufferListsComplete(m.handle, nbls, 0);
        return;
      }
      NdisFSendNetBufferLists(m.handle, nbls, port, flags);
    },

    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      const theirs: NET_BUFFER_LIST[] = [];
      for (const nbl of listOf(nbls)) {
        if (nbl.SourceHandle === m.handle) {
          m.ownSends--;
          NdisFreeNetBufferList(nbl);
        } else {
          theirs.push(nbl);
        }
      }
      const up = chain(theirs);
      if (up) NdisFSendNetBufferListsComplete(m.handle, up, flags);
      finishPauseIfIdle(m);
    },

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, _count: number, flags: number): void {
      const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
      if (m.state !== 'Running') {
        // Pausing or Paused: give them straight back (with RESOURCES, returning from here does that).
        if (!resources) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      const original = listOf(nbls);
      const pass: NET_BUFFER_LIST[] = [];
      const probes: NET_BUFFER_LIST[] = [];
      for (const nbl of original) (etherTypeOf(nbl) === ETHERTYPE_PROBE ? probes : pass).push(nbl);
      const replies = probes.map((probe) => reply(m, probe)).filter((nbl): nbl is NET_BUFFER_LIST => nbl !== null);
      // The probes are answered (the data copied): they go back now, unless RESOURCES says they already do.
      const probeChain = chain(probes);
      if (probeChain && !resources) NdisFReturnNetBufferLists(m.handle, probeChain, 0);
      const up = chain(pass);
      if (up) NdisFIndicateReceiveNetBufferLists(m.handle, up, port, pass.length, flags);
      // With RESOURCES the miniport takes the NBLs back when this handler returns, as it gave
      // them: the original chain is restored first (FilterReceiveNetBufferLists).
      if (resources) chain(original);
      const out = chain(replies);
      if (out) {
        m.ownSends += replies.length;
        NdisFSendNetBufferLists(m.handle, out, 0, 0);
      }
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
