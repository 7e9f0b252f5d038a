// Lab filter-firewall: the reference solution. A filter that drops received frames of one
// EtherType and sends longer than a limit, both read from its configuration at attach (each
// student's values differ). Each module keeps its own state, splits the chains it is given into
// what passes and what it drops, completes dropped sends and returns dropped receives (leaving
// RESOURCES indications alone), and pauses as seed 004 asks, so it survives pause, restart and
// being inserted into a running stack.

import {
  NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFSendNetBufferLists, NdisFSendNetBufferListsComplete,
  NdisFIndicateReceiveNetBufferLists, NdisFReturnNetBufferLists, NdisOpenConfigurationEx, NdisReadConfiguration,
  NdisCloseConfiguration, NdisGetDataBuffer, NET_BUFFER_LIST_NEXT_NBL, NET_BUFFER_LIST_FIRST_NB, NET_BUFFER_DATA_LENGTH,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_FAILURE, NDIS_STATUS_PAUSED, NDIS_RECEIVE_FLAGS_RESOURCES, NdisParameterInteger,
  type NDIS_HANDLE, type NET_BUFFER_LIST, type NDIS_STATUS,
  NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
} from 'ndis';

interface Rules {
  /** Received frames of this EtherType are dropped. */
  blockedEtherType: number;
  /** Sends longer than this many bytes (without FCS) are dropped. */
  maxSendSize: number;
}

interface Module {
  handle: NDIS_HANDLE;
  rules: Rules;
  running: boolean;
}

/** Used when the configuration does not have a keyword. */
const DEFAULT_RULES: Rules = { blockedEtherType: 0x9000, maxSendSize: 1514 };

function readRules(handle: NDIS_HANDLE): Rules {
  const rules = { ...DEFAULT_RULES };
  const config = NdisOpenConfigurationEx({ NdisHandle: handle });
  if (config.Status !== NDIS_STATUS_SUCCESS) return rules;
  const read = (keyword: string): number | null => {
    const r = NdisReadConfiguration(config.ConfigurationHandle!, keyword, NdisParameterInteger);
    return r.Status === NDIS_STATUS_SUCCESS && r.ParameterValue ? r.ParameterValue.ParameterData.IntegerData : null;
  };
  rules.blockedEtherType = read('BlockedEtherType') ?? rules.blockedEtherType;
  rules.maxSendSize = read('MaxSendSize') ?? rules.maxSendSize;
  NdisCloseConfiguration(config.ConfigurationHandle!);
  return rules;
}

function listOf(head: NET_BUFFER_LIST): NET_BUFFER_LIST[] {
  const list: NET_BUFFER_LIST[] = [];
  for (let nbl: NET_BUFFER_LIST | null = head; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) list.push(nbl);
  return list;
}

/** Relinks `nbls` into a chain; null for none. */
function chain(nbls: NET_BUFFER_LIST[]): NET_BUFFER_LIST | null {
  nbls.forEach((nbl, i) => (nbl.Next = nbls[i + 1] ?? null));
  return nbls[0] ?? null;
}

function etherTypeOf(nbl: NET_BUFFER_LIST): number {
  const header = NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(nbl)!, 14);
  return header ? (header[12]! << 8) | header[13]! : 0;
}

/** Completes sends from above back up, each with `status`. */
function completeUp(m: Module, nbls: NET_BUFFER_LIST[], status: NDIS_STATUS): void {
  for (const nbl of nbls) nbl.Status = status;
  const head = chain(nbls);
  if (head) NdisFSendNetBufferListsComplete(m.handle, head, 0);
}

export function DriverEntry(): NDIS_STATUS {
  return NdisFRegisterFilterDriver<Module>(null, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    FriendlyName: 'firewall',

    AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {
      // Per module: a module attached later (into a running stack) reads its rules the same way.
      const m: Module = { handle, rules: readRules(handle), running: false };
      return NdisFSetAttributes(handle, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },

    DetachHandler(_m: Module): void {},

    RestartHandler(m: Module): NDIS_STATUS {
      m.running = true;
      return NDIS_STATUS_SUCCESS;
    },

    PauseHandler(m: Module): NDIS_STATUS {
      // It originates nothing and holds nothing, so there is nothing to wait for.
      m.running = false;
      return NDIS_STATUS_SUCCESS;
    },

    SendNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, flags: number): void {
      const all = listOf(nbls);
      if (!m.running) return completeUp(m, all, NDIS_STATUS_PAUSED);
      const pass = all.filter((nbl) => NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(nbl)!) <= m.rules.maxSendSize);
      const drop = all.filter((nbl) => !pass.includes(nbl));
      // A dropped send is still completed: the protocol owns it again only through the completion.
      completeUp(m, drop, NDIS_STATUS_FAILURE);
      const down = chain(pass);
      if (down) NdisFSendNetBufferLists(m.handle, down, port, flags);
    },

    SendNetBufferListsCompleteHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFSendNetBufferListsComplete(m.handle, nbls, flags);
    },

    ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, _count: number, flags: number): void {
      const resources = (flags & NDIS_RECEIVE_FLAGS_RESOURCES) !== 0;
      const all = listOf(nbls);
      const pass = m.running ? all.filter((nbl) => etherTypeOf(nbl) !== m.rules.blockedEtherType) : [];
      const drop = all.filter((nbl) => !pass.includes(nbl));
      // Dropped receives go back at once; with RESOURCES, returning from here gives them back.
      const back = chain(drop);
      if (back && !resources) NdisFReturnNetBufferLists(m.handle, back, 0);
      const up = chain(pass);
      if (up) NdisFIndicateReceiveNetBufferLists(m.handle, up, port, pass.length, flags);
      // With RESOURCES the miniport takes the NBLs back when this handler returns, as it gave
      // them: the original chain is restored first (FilterReceiveNetBufferLists).
      if (resources) chain(all);
    },

    ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {
      NdisFReturnNetBufferLists(m.handle, nbls, flags);
    },
  }).Status;
}
