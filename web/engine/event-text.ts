// One line of text per trace event, for the timeline: what happened, in NDIS's words. Drivers are
// called by the name they registered under once they have (`names`: the trace's name -> it).

import type { TraceEvent } from '../../core/trace/trace.ts';

function rest(event: Record<string, unknown>, skip: string[]): string {
  const fields = Object.entries(event).filter(([k]) => !['n', 't', 'kind', ...skip].includes(k));
  return fields.map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ');
}

/** A binding or filter module's trace name ("binding driver/nic0") with its driver's registered name. */
export function objectLabel(object: string, names: Readonly<Record<string, string>>): string {
  return object.replace(/^(binding|filter module) ([^/]+)\//, (all, kind: string, driver: string) => (names[driver] ? `${kind} ${names[driver]}/` : all));
}

export function describeEvent(event: TraceEvent, names: Readonly<Record<string, string>> = {}): string {
  const raw = event as Record<string, unknown>;
  const f: Record<string, unknown> = { ...raw };
  if (typeof raw.driver === 'string' && names[raw.driver]) f.driver = names[raw.driver];
  if (typeof raw.object === 'string') f.object = objectLabel(raw.object, names);
  switch (event.kind) {
    case 'handler':
      return `NDIS calls ${f.driver}!${f.handler}${f.object ? ` (${f.object})` : ''}`;
    case 'return':
      return `${f.driver}!${f.handler} returns${f.status ? ` ${f.status}` : ''}`;
    case 'ndis': {
      const more = rest(f, ['driver', 'call']);
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
      const more = rest(f, []);
      return more ? `${event.kind}: ${more}` : event.kind;
    }
  }
}
