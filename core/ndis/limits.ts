// How long NDIS lets a driver hold what it was given, in virtual nanoseconds, and where each
// figure comes from. Virtual time makes the real limits free: a scenario waits 30 s in no time.
//
// Driver Verifier's NDIS/WIFI rules give the figures for sends (NdisTimedDataSend, 30 s), OID
// requests (NdisTimedOidComplete, 12 s) and a filter's pause (NdisFilterTimedPauseComplete,
// 10 s). Their filter send and receive rules (NdisFilterTimedDataSend, NdisFilterTimedDataReceive)
// say "before timing out" without a figure: the send limit, 30 s, is used for both. For a
// protocol's pended bind, unbind or PnP event the documentation gives no figure at all; NDIS's
// figure for the same step of a filter (its pause), 10 s, is used.

/** A send not completed within this is NdisTimedDataSend's violation (30 s). */
export const SEND_LIMIT_NS = 30_000_000_000n;
/** A filter module holding a send (NdisFilterTimedDataSend) or a receive (NdisFilterTimedDataReceive): the send limit. */
export const FILTER_DATA_LIMIT_NS = SEND_LIMIT_NS;
/** A filter module holding an OID request from above (NdisTimedOidComplete: 12 s). */
export const OID_LIMIT_NS = 12_000_000_000n;
/** A filter module's pended FilterPause (NdisFilterTimedPauseComplete: 10 s). */
export const FILTER_PAUSE_LIMIT_NS = 10_000_000_000n;
/** A protocol's pended bind, unbind or PnP event, and a filter's pended restart (no documented figure: the pause's 10 s). */
export const PENDING_LIMIT_NS = 10_000_000_000n;

/** "30 s", "12 s", "100 ms": a limit as a finding says it. */
export function limitText(ns: bigint): string {
  if (ns % 1_000_000_000n === 0n) return `${ns / 1_000_000_000n} s`;
  if (ns % 1_000_000n === 0n) return `${ns / 1_000_000n} ms`;
  return `${ns} ns`;
}
