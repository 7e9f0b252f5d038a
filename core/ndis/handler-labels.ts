// Which handler a finding is about when none of the driver's code was on the stack as it was made,
// and the finding place of that handler's declaration (handler-places.ts reads the declarations
// from the source, and is imported only when a run needs one). Kept apart from the parser so that
// the engine, which names the handler as it records the finding, does not load acorn.

import type { SourceLocation } from '../verifier/verifier.ts';

/** Where each handler NDIS calls (by the engine's label: 'FilterPause', 'ProtocolBindAdapterEx'...) is declared. */
export type HandlerPlaces = ReadonlyMap<string, { line: number; column: number }>;

/**
 * The handler a rule is about when it is noticed by NDIS's own watchdog, after the handler
 * returned NDIS_STATUS_PENDING (or took an NBL or a request) and never completed it: nothing of the
 * driver's is on the stack then, and the call path names the watchdog, not the handler.
 */
export const HANDLER_OF_RULE: Readonly<Record<string, string>> = {
  BindPendingNeverCompleted: 'ProtocolBindAdapterEx',
  UnbindPendingNeverCompleted: 'ProtocolUnbindAdapterEx',
  PnPPendingNeverCompleted: 'ProtocolNetPnPEvent',
  FilterPauseNeverCompleted: 'FilterPause',
  FilterRestartNeverCompleted: 'FilterRestart',
  OidNotCompletedInTime: 'FilterOidRequest',
  SendNotCompletedInTime: 'FilterSendNetBufferLists',
  ReceiveNotReturnedInTime: 'FilterReceiveNetBufferLists',
  UnloadWithoutDeregistering: 'DriverUnload',
};

/** The handler part of an engine label: 'ProtocolNetPnPEvent(NetEventPause)' -> 'ProtocolNetPnPEvent', 'echo!FilterPause' -> 'FilterPause'. */
export function handlerName(label: string): string {
  return label.replace(/^[^!]*!/, '').replace(/\(.*$/, '');
}

/** The finding location of `handler`'s declaration (an engine label), if it has one. */
export function handlerLocation(places: HandlerPlaces, fileName: string, label: string): SourceLocation | undefined {
  const at = places.get(handlerName(label));
  return at ? { file: fileName, line: at.line, column: at.column, kind: 'handler' } : undefined;
}
