// The notices for drafts written before a change to the ndis module: each change finds the lines
// it may break, and nothing in the course as it is now (a starter must open without a notice).

import { describe, it, expect } from 'vitest';
import { apiChangesIn } from './api-changes.ts';
import { listLabs } from '../grading/labs.ts';

describe('apiChangesIn', () => {
  it('frame-data-buffer: names the lines that take a frame view\'s buffer, in each way drafts did', () => {
    const draft = [
      'const data = NET_BUFFER_LIST_FIRST_NB(nbl)!.Data;',
      'new DataView(data.buffer, data.byteOffset).setUint32(14, seq, true);',
      'const whole = nb.Data.buffer;',
      'const head = NdisGetDataBuffer(nb, 18)!.buffer;',
      'new DataView(filter.buffer).setUint32(0, NDIS_PACKET_TYPE_DIRECTED, true); // its own buffer: fine',
    ].join('\n');
    const notices = apiChangesIn(draft);
    expect(notices.map((n) => [n.change.id, n.lines])).toEqual([['frame-data-buffer', [2, 3, 4]]]);
    expect(notices[0]!.change.how).toContain('data[14] = seq');
  });

  it('pnp-event-nested: names the lines that read the event code off the notification itself', () => {
    const draft = [
      'if (event.NetEvent === NetEventPause) {',
      'if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;',
      'switch (notification.NetEvent) {',
    ].join('\n');
    expect(apiChangesIn(draft).map((n) => [n.change.id, n.lines])).toEqual([['pnp-event-nested', [1, 3]]]);
    // The nested event taken into a variable first, as ndisprot-style drivers do: already updated.
    expect(apiChangesIn('const event = notification.NetPnPEvent;\nswitch (event.NetEvent) {')).toEqual([]);
  });

  it('characteristics-header: names the registration call of a draft whose characteristics have no NDIS version', () => {
    const before = ['export function DriverEntry() {', '  return NdisRegisterProtocolDriver<Binding>(null, {', "    Name: 'mine',", '  }).Status;', '}'].join('\n');
    expect(apiChangesIn(before).map((n) => [n.change.id, n.lines])).toEqual([['open-close-complete-handlers', [2]], ['characteristics-header', [2]]]);
    const filter = 'NdisFRegisterFilterDriver<Module>(null, null, {\n  FriendlyName: "f",\n});';
    expect(apiChangesIn(filter).map((n) => [n.change.id, n.lines])).toEqual([['characteristics-header', [1]]]);
    const after = before.replace("Name: 'mine',", "Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: 1, Size: 120 }, MajorNdisVersion: 6, MinorNdisVersion: 0, Name: 'mine', OpenAdapterCompleteHandlerEx() {}, CloseAdapterCompleteHandlerEx() {},");
    expect(apiChangesIn(after)).toEqual([]);
  });

  it('open-parameters, mac-address-bytes, filter-attributes: the lines written for the old shapes', () => {
    const draft = [
      'const open = NdisOpenAdapterEx(protocolHandle!, b, {}, bindContext);',
      "const mac = params.CurrentMacAddress.split(':').map((h) => parseInt(h, 16));",
      'BindAdapterHandlerEx(_c: unknown, bindContext: NDIS_HANDLE, params: BIND_PARAMETERS): NDIS_STATUS {',
      'BindAdapterHandlerEx(_c: unknown, bindContext: NDIS_HANDLE, params: NDIS_BIND_PARAMETERS): NDIS_STATUS {',
      'return NdisFSetAttributes(handle, m, {});',
      'MajorNdisVersion: 6,',
      'NdisOidRequest(b.handle, { RequestType: NdisRequestSetInformation, DATA: { SET_INFORMATION: { Oid: OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer: filter } } });',
    ].join('\n');
    expect(apiChangesIn(draft).map((n) => [n.change.id, n.lines])).toEqual([['open-may-pend', [1]], ['open-parameters', [1]], ['mac-address-bytes', [2, 3]], ['filter-attributes', [5]], ['oid-request-header', [7]]]);
    expect(apiChangesIn(`${draft}\nconst h = NDIS_OBJECT_TYPE_OID_REQUEST;`).map((n) => n.change.id)).not.toContain('oid-request-header');
  });

  it('timer-characteristics-header: names the allocation of a timer whose characteristics have no Header', () => {
    const draft = ['const { TimerObject } = NdisAllocateTimerObject<Module>(handle, { TimerFunction: tick, FunctionContext: m });', 'NdisSetTimerObject(TimerObject!, -10000n, 0);'].join('\n');
    expect(apiChangesIn(draft).map((n) => [n.change.id, n.lines])).toEqual([['timer-characteristics-header', [1]]]);
    expect(apiChangesIn(draft.replace('{ TimerFunction', '{ Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: 1, Size: 24 }, TimerFunction'))).toEqual([]);
  });

  it('nbl-pool-parameters: names the lines that allocate an NBL pool without NET_BUFFER_LIST_POOL_PARAMETERS', () => {
    const draft = [
      'pool: NdisAllocateNetBufferListPool(null, {}),',
      'const p = NdisAllocateNetBufferListPool(handle, { PoolTag: 1 });',
      'const q = NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: 1, Size: 16 }, ProtocolId: 0, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });',
      'const r = NdisAllocateNetBufferListPool(null, params);',
    ].join('\n');
    expect(apiChangesIn(draft).map((n) => [n.change.id, n.lines])).toEqual([['nbl-pool-parameters', [1, 2]]]);
  });

  it('oid-completes-at-once: names the requests of a draft that waits for its completion handler and never looks at the status', () => {
    const waiting = [
      'b.oids++;',
      '  NdisOidRequest(b.handle, request);',
      'OidRequestCompleteHandler(b) { b.oids--; },',
    ].join('\n');
    expect(apiChangesIn(waiting).map((n) => [n.change.id, n.lines])).toEqual([['oid-completes-at-once', [2]]]);
    // Updated (compares with PENDING), or never waits for a completion: nothing to say.
    expect(apiChangesIn(`const s = NdisOidRequest(b.handle, r);\nif (s !== NDIS_STATUS_PENDING) done(b);\nOidRequestCompleteHandler(b) { done(b); },`)).toEqual([]);
    expect(apiChangesIn('  NdisOidRequest(b.handle, setPacketFilter);')).toEqual([]);
  });

  it('open-close-complete-handlers and open-may-pend: a draft written when opens never pended and both handlers were optional', () => {
    const before = [
      'export function DriverEntry() {',
      '  return NdisRegisterProtocolDriver<Binding>(null, { Header: h, MajorNdisVersion: 6, MinorNdisVersion: 0,',
      '    BindAdapterHandlerEx(_c, bindContext, params) {',
      '      const open = NdisOpenAdapterEx(protocolHandle!, b, openParameters(params), bindContext);',
      '      if (open.Status !== NDIS_STATUS_SUCCESS) return open.Status;',
      '      return NDIS_STATUS_SUCCESS;',
      '    },',
      '    CloseAdapterCompleteHandlerEx(b) { NdisCompleteUnbindAdapterEx(b.unbind); },',
      '  }).Status;',
      '}',
    ].join('\n');
    expect(apiChangesIn(before).map((n) => [n.change.id, n.lines])).toEqual([['open-close-complete-handlers', [2]], ['open-may-pend', [4]]]);
    // Updated as the notice says: the handler added and the pended open waited for.
    const after = before
      .replace('    CloseAdapterCompleteHandlerEx(b)', '    OpenAdapterCompleteHandlerEx(b, s) { b.openStatus = s; NdisSetEvent(b.openDone); },\n    CloseAdapterCompleteHandlerEx(b)')
      .replace('      if (open.Status !== NDIS_STATUS_SUCCESS)', '      let status = open.Status;\n      if (status === NDIS_STATUS_PENDING) { NdisWaitEvent(b.openDone, 0); status = b.openStatus; }\n      if (status !== NDIS_STATUS_SUCCESS)');
    expect(apiChangesIn(after)).toEqual([]);
  });

  it('send-source-handle: a draft that sends without setting SourceHandle (NDIS used to stamp it)', () => {
    const protocol = ['  b.sendsOutstanding += sent;', '  NdisSendNetBufferLists(b.handle, head, 0, 0);'].join('\n');
    expect(apiChangesIn(protocol).map((n) => [n.change.id, n.lines])).toEqual([['send-source-handle', [2]]]);
    expect(apiChangesIn(`nbl.SourceHandle = b.handle;\n${protocol}`)).toEqual([]);
    // A filter that sends NBLs of its own needs it; one that only passes sends down does not.
    const own = ['const nbl = NdisAllocateNetBufferAndNetBufferList(m.pool, 0, 0, null, 0, 60);', 'NdisFSendNetBufferLists(m.handle, nbl, 0, 0);'].join('\n');
    expect(apiChangesIn(own).map((n) => [n.change.id, n.lines])).toEqual([['send-source-handle', [2]]]);
    expect(apiChangesIn('NdisFSendNetBufferLists(m.handle, nbls, port, flags);')).toEqual([]);
    // A comparison is not an assignment: `if (nbl.SourceHandle === m.handle)` does not count as updated.
    expect(apiChangesIn(`if (n.SourceHandle === m.handle) free(n);\n${own}`).map((n) => n.change.id)).toEqual(['send-source-handle']);
  });

  it('finds nothing in any lab\'s starter or solution', () => {
    for (const lab of listLabs()) {
      expect(apiChangesIn(lab.starterSource), `${lab.id} starter`).toEqual([]);
      expect(apiChangesIn(lab.solutionSource), `${lab.id} solution`).toEqual([]);
    }
  });
});
