// One line of text per trace event, for the timeline: what happened, in NDIS's words.

import type { TraceEvent } from '../../core/trace/trace.ts';

function rest(event: TraceEvent, skip: string[]): string {
  const fields = Object.entries(event).filter(([k]) => !['n', 't', 'kind', ...skip].includes(k));
  return fields.map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ');
}

export function describeEvent(event: TraceEvent): string {
  const f = event as Record<string, unknown>;
  switch (event.kind) {
    case 'handler':
      return `NDIS calls ${f.driver}!${f.handler}${f.object ? ` (${f.object})` : ''}`;
    case 'return':
      return `${f.driver}!${f.handler} returns${f.status ? ` ${f.status}` : ''}`;
    case 'ndis': {
      const more = rest(event, ['driver', 'call']);
      return `${f.driver} calls ${f.call}${more ? ` ${more}` : ''}`;
    }
    case 'state':
      return `${f.object}: ${f.from} → ${f.to} (${f.on})`;
    case 'frame':
      return `nic${f.nic} ${f.direction === 'tx' ? 'sent' : 'received'} a ${f.length}-byte frame${f.corrupted ? ', corrupted' : ''}${f.delayed ? ', delayed' : ''}${f.reordered ? ', reordered' : ''}`;
    case 'finding':
      return `finding ${f.rule}: ${f.message}`;
    case 'bugcheck':
      return `bug check 0x${Number(f.code).toString(16).toUpperCase()} (${f.rule})`;
    case 'step':
      return `scheduler runs ${f.task}${Number(f.choices) > 1 ? ` (one of ${f.choices} ready)` : ''}`;
    case 'choice':
      return `scheduler picks ${f.pick} of ${f.of}`;
    case 'send':
      return `${f.object} sends ${f.nbls} NBL${f.nbls === 1 ? '' : 's'}`;
    case 'waited':
      return f.call === 'NdisMSleep'
        ? `${f.driver}'s NdisMSleep returns after ${f.ns} ns`
        : `${f.driver}'s ${f.call} returns ${f.satisfied ? 'TRUE: the event is set' : 'FALSE: it timed out'} after ${f.ns} ns`;
    case 'receive':
      return `${f.adapter} indicates ${f.nbls} NBL${f.nbls === 1 ? '' : 's'} to ${Array.isArray(f.to) ? (f.to as string[]).join(', ') : ''}`;
    default: {
      const more = rest(event, []);
      return more ? `${event.kind}: ${more}` : event.kind;
    }
  }
}
