// The editor's reading of core/ndis/ndis.d.ts: functions, constants and handlers with their
// declarations and doc comments, and every name the runtime's API offers drivers.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseNdisDeclarations } from './ndis-docs.ts';
import * as constants from '../../core/ndis/constants.ts';

const entries = parseNdisDeclarations(readFileSync(new URL('../../core/ndis/ndis.d.ts', import.meta.url), 'utf8'));
const byName = new Map(entries.map((e) => [e.name, e]));

describe('ndis.d.ts for the editor', () => {
  it('reads a function with its declaration and contract', () => {
    expect(byName.get('NdisCloseAdapterEx')).toEqual({
      name: 'NdisCloseAdapterEx', kind: 'function',
      declaration: 'function NdisCloseAdapterEx(NdisBindingHandle: NDIS_HANDLE): NDIS_STATUS;',
      doc: 'Only from ProtocolBindAdapterEx or ProtocolUnbindAdapterEx, after your sends and OID requests on the binding have completed. The handle is invalid from this call on (seed 003). Returns SUCCESS (the close is done) or PENDING: then ProtocolCloseAdapterCompleteEx follows, and the unbind (or failing bind) must wait for it before it completes. Any close may pend.',
    });
  });

  it('reads constants with their values and handlers with the interface they belong to', () => {
    expect(byName.get('NDIS_STATUS_PENDING')).toMatchObject({ kind: 'constant', declaration: 'const NDIS_STATUS_PENDING: 0x00000103;' });
    expect(byName.get('NetEventPause')?.doc).toMatch(/Must succeed/);
    expect(byName.get('PauseHandler')).toMatchObject({ kind: 'handler', parent: 'NDIS_FILTER_DRIVER_CHARACTERISTICS' });
    expect(byName.get('BindAdapterHandlerEx')).toMatchObject({ kind: 'handler', parent: 'NDIS_PROTOCOL_DRIVER_CHARACTERISTICS' });
  });

  it('knows every NetEvent and NDIS_STATUS constant the runtime defines that ndis.d.ts declares', () => {
    const declared = entries.filter((e) => e.kind === 'constant').map((e) => e.name);
    const netEvents = Object.keys(constants).filter((k) => /^NetEvent[A-Z]/.test(k));
    expect(netEvents.length).toBeGreaterThan(10);
    for (const name of netEvents) expect(declared).toContain(name);
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
  });

  it('offers every function ndis.d.ts declares, with its doc comment, functions added late among them', () => {
    const text = readFileSync(new URL('../../core/ndis/ndis.d.ts', import.meta.url), 'utf8');
    const declared = [...text.matchAll(/^\s*export\s+function\s+([A-Za-z_][A-Za-z0-9_]*)/gm)].map((m) => m[1]!);
    expect(declared).toEqual(expect.arrayContaining(['NdisAllocateCloneOidRequest', 'NdisWaitEvent', 'NdisFreeIoWorkItem']));
    for (const name of new Set(declared)) {
      expect(byName.get(name), name).toMatchObject({ kind: 'function' });
      expect(byName.get(name)!.doc, `${name} has a doc comment for hover`).not.toBe('');
    }
    expect(byName.get('NdisWaitEvent')!.doc).toMatch(/PASSIVE_LEVEL only/);
    expect(byName.get('NdisAllocateCloneOidRequest')!.declaration).toMatch(/^function NdisAllocateCloneOidRequest\(SourceHandle: NDIS_HANDLE/);
  });
});
