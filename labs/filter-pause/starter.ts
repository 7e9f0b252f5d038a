// Lab filter-pause: the starter. A filter that passes everything through and pauses at once. The
// probes it is to answer itself (reply() builds the answer) and its pause are still to be written.
// See the instructions.

import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT,
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
  NdisFreeNetBufferList, NdisGetDataBuffer, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NDIS_STATUS_SUCCESS,
  NDIS_RECEIVE_FLAGS_RESOURCES,
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

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'probe responder',

    AttachHandler(handle: NDIS_HANDLE, _context: unknown, params: NDIS_FILTER_ATTACH_PARAMETERS): NDIS_STATUS {
      const m: Module = { handle, mac: params.CurrentMacAddress.slice(0, params.MacAddressLength), pool: NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 })!, state: 'Paused', ownSends: 0 };
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(_m: Module): void {},

    RestartHandler(m: Module): NDIS_STATUS {
      m.state = 'Running';
      return NDIS_STATUS_SUCCESS;
    },

    PauseHandler(m: Module): NDIS_STATUS {
      // TODO: seed 004 lists what a Pausing module must wait for before its pause is complete.
      m.state = 'Paused';
      return NDIS_STATUS_SUCCESS;
    },

    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      // TODO: and while the module is not Running?
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
    },

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, _count: number, flags: number): void {
      const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
      if (m.state !== 'Running') {
        // Pausing or Paused: give them straight back (with RESOURCES, returning from here does that).
        if (!resources) NdisFReturnNetBufferLists(m.handle, nbls, 0);
        return;
      }
      const probes = listOf(nbls).filter((nbl) => etherTypeOf(nbl) === ETHERTYPE_PROBE);
      // TODO: a probe is not passed up. Answer each one with reply(m, probe) (an NBL of the
      // module's own: send the replies with NdisFSendNetBufferLists, and count them), give the
      // probes back, and pass up only the rest. For now the probes go up with everything else.
      void probes; void reply;
      NdisFIndicateReceiveNetBufferLists(m.handle, nbls, port, listOf(nbls).length, flags);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
