// State machines as data: a machine is a list of states and of (from, event, to) transitions,
// each with the seed it comes from. An object's machine refuses any event its current state has
// no transition for, and reports every transition it takes, so the trace shows them all.

export interface Transition<S extends string, E extends string> {
  from: S;
  on: E;
  to: S;
  /** Where the documentation says so (seed id and section, or the NDIS topic). */
  source: string;
}

export interface MachineSpec<S extends string, E extends string> {
  /** What the machine describes, e.g. "protocol binding". */
  name: string;
  states: readonly S[];
  initial: S;
  transitions: readonly Transition<S, E>[];
}

export class IllegalTransition extends Error {
  constructor(readonly machine: string, readonly object: string, readonly state: string, readonly event: string) {
    super(`${machine} ${object}: no transition on ${event} from ${state}`);
    this.name = 'IllegalTransition';
  }
}

export type TransitionListener<S extends string, E extends string> = (t: { object: string; from: S; to: S; on: E }) => void;

/** Checks a spec once: every state reachable, every transition between known states, no duplicates. */
export function validateSpec<S extends string, E extends string>(spec: MachineSpec<S, E>): void {
  const states = new Set<string>(spec.states);
  if (!states.has(spec.initial)) throw new Error(`${spec.name}: initial state ${spec.initial} is not a state`);
  const seen = new Set<string>();
  for (const t of spec.transitions) {
    if (!states.has(t.from) || !states.has(t.to)) throw new Error(`${spec.name}: ${t.from} --${t.on}--> ${t.to} uses an unknown state`);
    const key = `${t.from}/${t.on}`;
    if (seen.has(key)) throw new Error(`${spec.name}: two transitions on ${t.on} from ${t.from}`);
    seen.add(key);
  }
  const reached = new Set<string>([spec.initial]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of spec.transitions) {
      if (reached.has(t.from) && !reached.has(t.to)) {
        reached.add(t.to);
        grew = true;
      }
    }
  }
  const unreachable = spec.states.filter((s) => !reached.has(s));
  if (unreachable.length > 0) throw new Error(`${spec.name}: unreachable states ${unreachable.join(', ')}`);
}

export class StateMachine<S extends string, E extends string> {
  private current: S;

  constructor(
    readonly spec: MachineSpec<S, E>,
    /** The object it belongs to, as traces name it ("binding tcpip/nic0"). */
    readonly object: string,
    private readonly listener?: TransitionListener<S, E>,
  ) {
    this.current = spec.initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  /** The transition `event` would take now, or undefined. */
  next(event: E): Transition<S, E> | undefined {
    return this.spec.transitions.find((t) => t.from === this.current && t.on === event);
  }

  can(event: E): boolean {
    return this.next(event) !== undefined;
  }

  /** Takes the transition for `event`; throws IllegalTransition if the state has none. */
  fire(event: E): S {
    const t = this.next(event);
    if (!t) throw new IllegalTransition(this.spec.name, this.object, this.current, event);
    const from = this.current;
    this.current = t.to;
    this.listener?.({ object: this.object, from, to: t.to, on: event });
    return t.to;
  }
}
