// What went wrong in a Live traffic run, in the words the page shows: the one judgement of a
// LiveOutcome that the panel, the lab page's status line and `npm run bench:web` all use.

import type { LiveOutcome } from './protocol.ts';

const count = (n: number) => n.toLocaleString('en-US');

/** One line per problem; empty when every frame arrived intact and in order and every NBL came home. */
export function liveProblems(o: LiveOutcome): string[] {
  const problems: string[] = [];
  if (o.problem !== undefined) problems.push(o.problem || 'the lab runtime failed without saying why');
  if (o.finding) problems.push(`${o.finding.rule}: ${o.finding.message}`);
  if (o.cutShort) problems.push(o.cutShort);
  if (o.problem === undefined && !o.finding && !o.cutShort && o.received < o.frames) problems.push(`${count(o.received)} of ${count(o.frames)} frames arrived`);
  if (o.damaged > 0) problems.push(`${count(o.damaged)} frame(s) arrived damaged, of the wrong length or out of order; the first: ${o.firstDamage ?? 'unknown'}`);
  // After a finding the run stopped mid-flight: NBLs away then say nothing about the filter.
  if (o.problem === undefined && !o.finding && o.outstanding > 0) problems.push(`${count(o.outstanding)} NBL(s) did not come home: a filter completes every send it takes (NdisFSendNetBufferListsComplete) and returns every receive (NdisFReturnNetBufferLists)`);
  return problems;
}
