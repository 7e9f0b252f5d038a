// The choices the NDIS documentation leaves open (an OID request completed now or later, an open
// that pends...), named so a run can fix them; the seeded scheduler makes them otherwise.

/**
 * The choices NDIS may make either way, by name, with what each pick means. The seed makes them;
 * `RuntimeOptions.decisions` fixes them (a test of one path, a scenario that must take it).
 */
export const NDIS_DECISIONS = {
  /** The miniport completes an OID request before NdisOidRequest/NdisFOidRequest returns (0) or pends it (1). */
  'oid-completion': ['at once', 'pends'],
  /** NdisOpenAdapterEx opens at once (0) or pends and calls ProtocolOpenAdapterCompleteEx (1). */
  'open-completion': ['at once', 'pends'],
  /** NdisCloseAdapterEx closes at once (0) or pends and calls ProtocolCloseAdapterCompleteEx (1). */
  'close-completion': ['at once', 'pends'],
  /** NdisUnbindAdapter's work item runs before the call returns (0) or after (1) (seed 001). */
  'unbind-work-item': ['before it returns', 'after it returns'],
} as const;

export type NdisDecision = keyof typeof NDIS_DECISIONS;
