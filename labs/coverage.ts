// The coverage map of the seeds (issue 19 item 1): each statement a driver can obey or break,
// quoted, with a stable id, the lab scenario that grades it, the rule that catches its violation,
// and a one-mistake variant of that lab's solution that labs/coverage.test.ts runs to prove it.
// TypeScript rather than JSON so each entry's shape is checked by `npm run typecheck` and the
// mutations' search strings can carry comments saying why they are realistic mistakes.
// So far seed 000 is mapped; seeds 001-004 are not yet (see SEEDS_NOT_YET_MAPPED).

export type Status = 'graded' | 'gap' | 'not-modelled' | 'descriptive';

export interface Mutation {
  /** Text of labs/<lab>/solution.ts that occurs exactly once. */
  search: string;
  replacement: string;
  /** Why this is one realistic mistake. */
  mistake: string;
}

export interface Statement {
  /** `<seed>.<n>`, never renumbered. */
  id: string;
  seed: '000' | '001' | '002' | '003' | '004';
  /** Short verbatim quotation of the seed document (labs/seeds/), its Markdown emphasis included; only whitespace may differ. */
  quote: string;
  status: Status;
  /** Why it is not graded (gap, not-modelled, descriptive). */
  reason?: string;
  lab?: string;
  scenarios?: string[];
  /** The verifier rule (core/verifier/rules.ts) whose finding the mutation must produce. */
  rule?: string;
  mutation?: Mutation;
}

/** Each seed's text in labs/seeds/, the copy the project reads (never ../shared). */
export const SEED_FILES = {
  '000': 'binding-states-of-a-protocol-driver.md',
  '001': 'unbinding-from-an-adapter.md',
  '002': 'protocol-net-pnp-event.txt',
  '003': 'ndis-close-adapter-ex.md',
  '004': 'pausing-a-filter-module.md',
} as const;

export const SEEDS_NOT_YET_MAPPED = ['001', '002', '003', '004'] as const;

/** One mistake breaks both halves of seed 000's send rule (000.8 and 000.15): sending whatever the state. */
const SENDS_WHATEVER_THE_STATE: Mutation = { search: 'if (!b || !b.running || !b.handle) return 0;', replacement: 'if (!b || !b.handle) return 0;', mistake: 'SendFrames forgets to check that the binding is Running, so it sends while Paused.' };

export const COVERAGE: readonly Statement[] = [
  { id: '000.1', seed: '000', quote: 'must support the following operational states for each binding', status: 'descriptive', reason: 'The seven states are the runtime\'s state machine (core/ndis/states.ts); a driver cannot leave it.' },
  { id: '000.2', seed: '000', quote: 'The *Unbound* state is the initial state of a binding.', status: 'descriptive', reason: 'NDIS decides the initial state; nothing for the driver to obey.' },
  { id: '000.3', seed: '000', quote: 'After NDIS calls *ProtocolBindAdapterEx*, the binding enters the Opening state.', status: 'descriptive', reason: 'NDIS fires the transition before the handler runs.' },
  { id: '000.5', seed: '000', quote: 'a protocol driver allocates resources for the binding and attempts to open the miniport adapter', status: 'gap', reason: 'OpenOutsideBind exists, but no visible protocol-binding scenario opens outside the bind; a mutation would need the driver to open from SendFrames, which no step calls before a bind.' },
  {
    id: '000.6', seed: '000', quote: 'If the protocol driver fails to bind to the miniport adapter, the binding returns to the Unbound state.', status: 'graded',
    lab: 'close-adapter', scenarios: ['bind-fails-cleanly'], rule: 'FailedBindLeftAdapterOpen',
    mutation: { search: '      NdisCloseAdapterEx(handle);\n      NdisCompleteBindAdapterEx(bindContext, status);', replacement: '      NdisCompleteBindAdapterEx(bindContext, status);', mistake: 'A bind whose OID set failed completes with the failure but leaves the adapter it opened open.' },
  },
  {
    id: '000.8', seed: '000', quote: 'a protocol driver performs normal send and receive processing for a binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause-and-restart'], rule: 'ProtocolSendWhileNotRunning',
    mutation: SENDS_WHATEVER_THE_STATE,
  },
  {
    id: '000.10', seed: '000', quote: 'the protocol driver closes the binding to the miniport adapter and then releases the resources for the binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['unbind'], rule: 'UnbindCompletedWithoutClose',
    mutation: { search: 'const closed = NdisCloseAdapterEx(b.handle!);', replacement: 'const closed = NDIS_STATUS_SUCCESS;', mistake: 'The unbind handler returns without closing the adapter.' },
  },
  { id: '000.12', seed: '000', quote: 'The protocol driver must wait for all its outstanding send request to complete.', status: 'gap', reason: 'A pause handler that succeeds with sends outstanding (`if (b.sendsOutstanding > 0) {` -> `if (false) {` in protocol-binding) fails only the hidden traffic-across-a-pause, with PauseCompletedWithSendsOutstanding, and only under seeds 3 and 6 of 1-8: no visible scenario catches it under most seeds.' },
  {
    id: '000.13', seed: '000', quote: 'A protocol driver cannot fail a pause operation.', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause'], rule: 'PnPEventMustSucceed',
    mutation: { search: 'b.running = false;', replacement: 'b.running = false; return 0xc0000001 as NDIS_STATUS;', mistake: 'The pause handler refuses the pause with NDIS_STATUS_FAILURE.' },
  },
  {
    id: '000.15', seed: '000', quote: 'the protocol driver does not perform send or receive operations for a binding', status: 'graded',
    lab: 'protocol-binding', scenarios: ['pause-and-restart'], rule: 'ProtocolSendWhileNotRunning',
    mutation: SENDS_WHATEVER_THE_STATE,
  },
  { id: '000.18', seed: '000', quote: 'If the restart fails, the binding returns to the Paused state.', status: 'gap', reason: 'Unreachable in a graded run: failing NetEventRestart is a fatal PnPEventMustSucceed first (runtime work, not done here).' },
];
