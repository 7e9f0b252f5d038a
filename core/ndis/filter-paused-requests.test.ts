// Seed 004's Pausing and Paused lists: a filter module "Should handle status indications in its
// FilterStatus function" and "Should handle OID requests in the FilterOidRequest function" in
// those states as when Running. The mistake they rule out is the send path's state check copied
// into the control path: a module that fails requests, or swallows indications, because it is
// not Running. FilterOidRefusedWhilePaused and FilterStatusDroppedWhilePaused catch it by what the
// same module did with the same request or status code while Running, so a filter that always
// refuses something (promiscuous mode) or always consumes a status is not accused.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './runtime.ts';
import { OID_GEN_LINK_STATE, OID_802_3_CURRENT_ADDRESS } from './constants.ts';

const PROTOCOL = readFileSync(new URL('../../labs/reference/protocol.ts', import.meta.url), 'utf8');

/**
 * A filter that clones each request from above down and passes each status indication up.
 * `refusePaused` (returned) and `completePaused` (pended, then NdisFOidRequestComplete) and
 * `dropPaused` put the send path's `if (!m.running)` into FilterOidRequest and FilterStatus;
 * `refusePromiscuous` refuses promiscuous mode in every state.
 */
const filter = (mistakes: { refusePaused?: boolean; completePaused?: boolean; dropPaused?: boolean; refusePromiscuous?: boolean }) => `
import { NdisFRegisterFilterDriver, NdisFSetAttributes, NdisFOidRequest, NdisFOidRequestComplete, NdisAllocateCloneOidRequest, NdisFreeCloneOidRequest, NdisFIndicateStatus,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_PAUSED, NDIS_STATUS_NOT_SUPPORTED, NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
  NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1,
  NdisRequestSetInformation, OID_GEN_CURRENT_PACKET_FILTER, NDIS_PACKET_TYPE_PROMISCUOUS } from 'ndis';
export const seen = { statuses: 0 };
export function DriverEntry(DriverObject) {
  return NdisFRegisterFilterDriver(DriverObject, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6, MinorNdisVersion: 0,
    AttachHandler(h) { return NdisFSetAttributes(h, { h, running: false }, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 }); },
    DetachHandler() {},
    RestartHandler(m) { m.running = true; return NDIS_STATUS_SUCCESS; },
    PauseHandler(m) { m.running = false; return NDIS_STATUS_SUCCESS; },
    OidRequestHandler(m, request) {
      ${mistakes.refusePaused ? 'if (!m.running) return NDIS_STATUS_PAUSED;' : ''}
      ${mistakes.completePaused ? 'if (!m.running) { NdisFOidRequestComplete(m.h, request, NDIS_STATUS_PAUSED); return NDIS_STATUS_PENDING; }' : ''}
      ${mistakes.refusePromiscuous ? `if (request.RequestType === NdisRequestSetInformation && request.DATA.SET_INFORMATION.Oid === OID_GEN_CURRENT_PACKET_FILTER
        && (request.DATA.SET_INFORMATION.InformationBuffer[0] & NDIS_PACKET_TYPE_PROMISCUOUS)) return NDIS_STATUS_NOT_SUPPORTED;` : ''}
      const { ClonedOidRequest } = NdisAllocateCloneOidRequest(m.h, request, 0);
      ClonedOidRequest.SourceReserved[0] = request;
      const status = NdisFOidRequest(m.h, ClonedOidRequest);
      if (status !== NDIS_STATUS_PENDING) this.OidRequestCompleteHandler(m, ClonedOidRequest, status);
      return NDIS_STATUS_PENDING;
    },
    OidRequestCompleteHandler(m, clone, status) {
      const original = clone.SourceReserved[0];
      NdisFreeCloneOidRequest(m.h, clone);
      NdisFOidRequestComplete(m.h, original, status);
    },
    StatusHandler(m, indication) {
      ${mistakes.dropPaused ? 'if (!m.running) return;' : ''}
      seen.statuses++;
      NdisFIndicateStatus(m.h, indication);
    },
  }).Status;
}`;

interface Protocol {
  QueryOid(index: number, oid: number): number;
  SetPromiscuous(index: number): number;
  bindings: { linkStates: number[] }[];
}

async function stack(source: string, seed: number) {
  const rt = await NdisRuntime.create({ nics: 2, seed });
  const link = rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  await rt.loadDriver(source, 'filter.js');
  const protocol = await rt.loadDriver(PROTOCOL, 'protocol.ts');
  rt.startStack();
  rt.run();
  const p = protocol.exports as unknown as Protocol;
  const app = (f: () => void) => rt.invoke(protocol, 'application', undefined, false, f);
  return { rt, link, p, app };
}

const findings = (rt: NdisRuntime) => rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`);

describe('a filter module handles OID requests while Pausing or Paused (seed 004)', () => {
  it('a module that fails a query while Paused that it passed down while Running: FilterOidRefusedWhilePaused, naming the OID, the status and the state', async () => {
    const { rt, p, app } = await stack(filter({ refusePaused: true }), 1);
    try {
      app(() => p.QueryOid(0, OID_802_3_CURRENT_ADDRESS));
      rt.run();
      expect(findings(rt)).toEqual([]);
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      app(() => p.QueryOid(0, OID_802_3_CURRENT_ADDRESS));
      rt.run();
      expect(findings(rt)).toEqual([
        'FilterOidRefusedWhilePaused: FilterOidRequest failed a query of OID_802_3_CURRENT_ADDRESS (0x01010102) with NDIS_STATUS_PAUSED (0xC023002A) while the module was Paused, without passing it down; '
        + 'it passed the same request down while Running. A module handles OID requests while Pausing and Paused as when Running: pass it down (a clone, NdisFOidRequest)',
      ]);
      expect(rt.verifier.findings[0]!.object).toBe('filter module filter/nic0');
    } finally {
      await rt.close();
    }
  });

  it('the same mistake through NdisFOidRequestComplete, after FilterOidRequest pended: FilterOidRefusedWhilePaused', async () => {
    const { rt, p, app } = await stack(filter({ completePaused: true }), 2);
    try {
      app(() => p.QueryOid(0, OID_GEN_LINK_STATE));
      rt.run();
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      app(() => p.QueryOid(0, OID_GEN_LINK_STATE));
      rt.run();
      expect(findings(rt)).toEqual([
        'FilterOidRefusedWhilePaused: NdisFOidRequestComplete completed a query of OID_GEN_LINK_STATE (0x00010207) with NDIS_STATUS_PAUSED (0xC023002A) while the module was Paused, without passing it down; '
        + 'it passed the same request down while Running. A module handles OID requests while Pausing and Paused as when Running: pass it down (a clone, NdisFOidRequest)',
      ]);
    } finally {
      await rt.close();
    }
  });

  it('the module that passes its requests down whatever its state: nothing reported, the query completes with the miniport\'s answer', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const { rt, p, app } = await stack(filter({}), seed);
      try {
        app(() => p.QueryOid(0, OID_802_3_CURRENT_ADDRESS));
        rt.pauseStack(rt.adapters[0]!);
        rt.run();
        app(() => { p.QueryOid(0, OID_802_3_CURRENT_ADDRESS); p.QueryOid(0, OID_GEN_LINK_STATE); });
        rt.run();
        expect(findings(rt), `seed ${seed}`).toEqual([]);
        const completes = rt.trace.events.filter((e) => e.kind === 'oid-complete').map((e) => e.status);
        expect(completes.slice(-2), `seed ${seed}`).toEqual(['NDIS_STATUS_SUCCESS (0x00000000)', 'NDIS_STATUS_SUCCESS (0x00000000)']);
      } finally {
        await rt.close();
      }
    }
  });

  it('a request the module refuses in every state (promiscuous mode) is not one it "passed down while Running": nothing reported', async () => {
    const { rt, p, app } = await stack(filter({ refusePromiscuous: true }), 3);
    try {
      // The bind's packet-filter set went down while Running; the promiscuous set is another request.
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      app(() => p.SetPromiscuous(0));
      rt.run();
      expect(findings(rt)).toEqual([]);
    } finally {
      await rt.close();
    }
  });
});

describe('a filter module handles status indications while Pausing or Paused (seed 004)', () => {
  it('a module that swallows NDIS_STATUS_LINK_STATE while Paused, having passed it up while Running: FilterStatusDroppedWhilePaused; the protocol never learns of the link', async () => {
    const { rt, link, p } = await stack(filter({ dropPaused: true }), 2);
    try {
      rt.operations.setLink(link, false);
      rt.run();
      expect(findings(rt)).toEqual([]);
      const before = p.bindings[0]!.linkStates.length;
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      rt.operations.setLink(link, true);
      rt.run();
      expect(findings(rt)).toEqual([
        'FilterStatusDroppedWhilePaused: FilterStatus returned without passing up NDIS_STATUS_LINK_STATE (0x40010017) while the module was Paused; it passed that status up while Running. '
        + 'A module handles status indications while Pausing and Paused as when Running: pass it up with NdisFIndicateStatus',
      ]);
      expect(p.bindings[0]!.linkStates.length).toBe(before);
    } finally {
      await rt.close();
    }
  });

  it('the module that passes every indication up whatever its state: nothing reported, the protocol sees the link come back while Paused', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const { rt, link, p } = await stack(filter({}), seed);
      try {
        rt.operations.setLink(link, false);
        rt.run();
        const before = p.bindings[0]!.linkStates.length;
        rt.pauseStack(rt.adapters[0]!);
        rt.run();
        rt.operations.setLink(link, true);
        rt.run();
        expect(findings(rt), `seed ${seed}`).toEqual([]);
        expect(p.bindings[0]!.linkStates.length, `seed ${seed}`).toBe(before + 1);
      } finally {
        await rt.close();
      }
    }
  });
});
