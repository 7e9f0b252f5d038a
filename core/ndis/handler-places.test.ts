// Where a driver's handlers are declared, read from its source (handler-places.ts): every way a
// learner writes a handler NDIS takes gets its line and column, and every way that cannot be told
// from the text (a computed key, a getter, a spread, a Proxy, a name declared twice) gets none
// rather than a wrong one. Hostile source never makes it throw.

import { describe, it, expect } from 'vitest';
import { handlerPlaces } from './handler-places.ts';
import { handlerLocation, handlerName } from './handler-labels.ts';

/** Where `token` first is in `source` (the occurrence after `after`, if given), 1-based. */
function at(source: string, token: string, after = ''): { line: number; column: number } {
  const start = after ? source.indexOf(after) : 0;
  const index = source.indexOf(token, start);
  if (index < 0 || start < 0) throw new Error(`${token} is not in the source`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const IMPORTS = 'import { NdisRegisterProtocolDriver, NdisFRegisterFilterDriver, NdisAllocateTimerObject, NdisQueueIoWorkItem, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING } from "ndis";\n';

describe('handler places', () => {
  it('a method, a function written in the literal, a named function declared once, an arrow in a const, a quoted key', () => {
    const source = `${IMPORTS}
interface B { x: number }
function unbind(_u: unknown, b: B): number { return NDIS_STATUS_SUCCESS; }
const pnp = (b: B | null, e: unknown): number => NDIS_STATUS_PENDING;
export function DriverEntry(DriverObject: { DriverUnload?: unknown }): number {
  DriverObject.DriverUnload = unload;
  const r = NdisRegisterProtocolDriver<B>(null, {
    Name: "p",
    BindAdapterHandlerEx(_c: unknown, _b: unknown, _p: unknown): number { return NDIS_STATUS_PENDING; },
    UnbindAdapterHandlerEx: unbind,
    NetPnPEventHandler: pnp,
    "StatusHandlerEx": function (b: B) {},
    ReceiveNetBufferListsHandler: (b: B, nbls: unknown) => {},
  });
  return r.Status;
}
function unload(): void {}
`;
    const places = handlerPlaces(source, 'p.ts');
    expect(Object.fromEntries(places)).toEqual({
      ProtocolBindAdapterEx: at(source, 'BindAdapterHandlerEx('),
      ProtocolUnbindAdapterEx: at(source, 'unbind('),
      ProtocolNetPnPEvent: at(source, 'pnp ='),
      ProtocolStatusEx: at(source, '"StatusHandlerEx"'),
      ProtocolReceiveNetBufferLists: at(source, 'ReceiveNetBufferListsHandler'),
      DriverEntry: at(source, 'DriverEntry('),
      DriverUnload: at(source, 'unload()', 'function'),
    });
    expect(handlerLocation(places, 'p.ts', 'p!ProtocolNetPnPEvent(NetEventPause)')).toEqual({ file: 'p.ts', ...at(source, 'pnp ='), kind: 'handler' });
  });

  it('a filter\'s characteristics in a const, a single timer function and work item routine', () => {
    const source = `${IMPORTS}
const characteristics = {
  FriendlyName: "f",
  PauseHandler(m: unknown): number { return NDIS_STATUS_PENDING; },
  SendNetBufferListsHandler(m: unknown, nbls: unknown) {},
};
function tick(_s: unknown, _c: unknown) {}
export function DriverEntry(): number {
  NdisAllocateTimerObject(null, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: tick, FunctionContext: null });
  NdisQueueIoWorkItem(null, (ctx: unknown) => {}, null);
  return NdisFRegisterFilterDriver(null, null, characteristics).Status;
}
`;
    const places = handlerPlaces(source, 'f.ts');
    expect(places.get('FilterPause')).toEqual(at(source, 'PauseHandler('));
    expect(places.get('FilterSendNetBufferLists')).toEqual(at(source, 'SendNetBufferListsHandler('));
    expect(places.get('TimerFunction')).toEqual(at(source, 'tick(', 'function'));
    expect(places.get('WorkItemRoutine')).toEqual(at(source, '(ctx: unknown)'));
    // A protocol's handler of the same member name is not a filter's.
    expect(places.get('ProtocolSendNetBufferListsComplete')).toBeUndefined();
  });

  it('no place for what the text cannot tell: a getter, a computed key, a spread after it, a name declared twice, a Proxy, a value chosen at run time', () => {
    const source = `${IMPORTS}
const key = "UnbindAdapterHandlerEx";
const more = {};
function twice() { return 0; }
function other() { function twice() { return 1; } return twice; }
export function DriverEntry(): number {
  NdisFRegisterFilterDriver(null, null, new Proxy({ PauseHandler() { return 0; } }, {}));
  return NdisRegisterProtocolDriver(null, {
    get BindAdapterHandlerEx() { return () => NDIS_STATUS_PENDING; },
    NetPnPEventHandler(b: unknown, e: unknown) { return 0; },
    [key]: (u: unknown, b: unknown) => 0,
    StatusHandlerEx: twice,
    OidRequestCompleteHandler: Math.random() > 2 ? twice : other,
    ReceiveNetBufferListsHandler(b: unknown) {},
    ...more,
  }).Status;
}
`;
    const places = handlerPlaces(source, 'p.ts');
    expect(Object.fromEntries(places)).toEqual({ DriverEntry: at(source, 'DriverEntry(') });
  });

  it('two registrations that disagree on a handler: no place for it', () => {
    const source = `${IMPORTS}
export function DriverEntry(): number {
  NdisRegisterProtocolDriver(null, { NetPnPEventHandler(b: unknown, e: unknown) { return 0; }, BindAdapterHandlerEx() { return 0; } });
  return NdisRegisterProtocolDriver(null, { NetPnPEventHandler(b: unknown, e: unknown) { return 1; } }).Status;
}
`;
    const places = handlerPlaces(source, 'p.ts');
    expect(places.get('ProtocolNetPnPEvent')).toBeUndefined();
    expect(places.get('ProtocolBindAdapterEx')).toEqual(at(source, 'BindAdapterHandlerEx('));
  });

  it('source that does not compile, or nests deeper than a parser goes: no places, and no throw', () => {
    expect(handlerPlaces('export function DriverEntry( {', 'x.ts').size).toBe(0);
    const deep = `${IMPORTS}export function DriverEntry() { return ${'['.repeat(200_000)}${']'.repeat(200_000)}; }`;
    expect(() => handlerPlaces(deep, 'x.ts')).not.toThrow();
  });

  it('a label\'s handler: without the driver and the event', () => {
    expect(handlerName('echo!ProtocolNetPnPEvent(NetEventPause)')).toBe('ProtocolNetPnPEvent');
    expect(handlerName('FilterPause')).toBe('FilterPause');
  });
});
