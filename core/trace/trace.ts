// The trace: every handler call, NDIS call, state change, OID, status indication, scheduling
// choice, frame and finding of a run, numbered in order, stamped with virtual time. Two runs of
// the same driver, scenario and seed produce the same trace, byte for byte; traceHash proves it.

export interface TraceEvent {
  /** Event number, from 1. Findings cite it. */
  n: number;
  /** Virtual time in nanoseconds. */
  t: bigint;
  kind: string;
  [field: string]: unknown;
}

function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** One event as a line of canonical JSON (sorted keys, bigints as decimal strings). */
export function eventLine(event: TraceEvent): string {
  return JSON.stringify(canonical(event));
}

export class Trace {
  readonly events: TraceEvent[] = [];
  private listeners: ((event: TraceEvent) => void)[] = [];

  constructor(private readonly clock: () => bigint) {}

  /** Records an event; returns its number. */
  record(kind: string, fields: Record<string, unknown> = {}): number {
    const event: TraceEvent = { n: this.events.length + 1, t: this.clock(), kind, ...fields };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event.n;
  }

  onEvent(listener: (event: TraceEvent) => void): void {
    this.listeners.push(listener);
  }

  get length(): number {
    return this.events.length;
  }

  /** The whole trace as JSON lines. */
  toJsonLines(): string {
    return this.events.map(eventLine).join('\n') + (this.events.length ? '\n' : '');
  }

  /** SHA-256 (hex) of the JSON lines: equal hashes mean equal traces. */
  async hash(): Promise<string> {
    return sha256Hex(this.toJsonLines());
  }
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
