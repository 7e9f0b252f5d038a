// Every legal transition of each machine, and a refused illegal one from every state.

import { describe, it, expect } from 'vitest';
import { StateMachine, IllegalTransition, validateSpec, type MachineSpec } from './state-machine.ts';
import { PROTOCOL_BINDING, FILTER_MODULE, MINIPORT_ADAPTER } from './states.ts';

/** Shortest event path from the initial state to `target`. */
function pathTo<S extends string, E extends string>(spec: MachineSpec<S, E>, target: S): E[] {
  const queue: [S, E[]][] = [[spec.initial, []]];
  const seen = new Set<S>([spec.initial]);
  while (queue.length > 0) {
    const [state, path] = queue.shift()!;
    if (state === target) return path;
    for (const t of spec.transitions.filter((t) => t.from === state)) {
      if (!seen.has(t.to)) {
        seen.add(t.to);
        queue.push([t.to, [...path, t.on]]);
      }
    }
  }
  throw new Error(`${target} unreachable`);
}

for (const spec of [PROTOCOL_BINDING, FILTER_MODULE, MINIPORT_ADAPTER] as MachineSpec<string, string>[]) {
  describe(spec.name, () => {
    it('is a well-formed machine', () => expect(() => validateSpec(spec)).not.toThrow());

    for (const t of spec.transitions) {
      it(`${t.from} --${t.on}--> ${t.to}`, () => {
        const seen: string[] = [];
        const machine = new StateMachine(spec, 'x', ({ from, to, on }) => seen.push(`${from}>${on}>${to}`));
        for (const event of pathTo(spec, t.from)) machine.fire(event);
        expect(machine.state).toBe(t.from);
        expect(machine.fire(t.on)).toBe(t.to);
        expect(seen[seen.length - 1]).toBe(`${t.from}>${t.on}>${t.to}`);
      });
    }

    for (const state of spec.states) {
      const events = [...new Set(spec.transitions.map((t) => t.on))];
      const refused = events.find((e) => !spec.transitions.some((t) => t.from === state && t.on === e));
      if (!refused) continue;
      it(`refuses ${refused} in ${state}`, () => {
        const machine = new StateMachine(spec, 'obj');
        for (const event of pathTo(spec, state)) machine.fire(event);
        expect(() => machine.fire(refused)).toThrow(IllegalTransition);
        expect(() => machine.fire(refused)).toThrow(`${spec.name} obj: no transition on ${refused} from ${state}`);
        expect(machine.state).toBe(state);
      });
    }
  });
}

describe('the seed\'s binding rules', () => {
  it('a new binding enters Paused, not Running (000)', () => {
    const b = new StateMachine(PROTOCOL_BINDING, 'b');
    b.fire('BindAdapter');
    expect(b.fire('OpenComplete')).toBe('Paused');
  });

  it('a failed restart returns to Paused (000)', () => {
    const b = new StateMachine(PROTOCOL_BINDING, 'b');
    for (const e of ['BindAdapter', 'OpenComplete', 'Restart'] as const) b.fire(e);
    expect(b.fire('RestartFailed')).toBe('Paused');
  });

  it('unbind only from Paused; a Running binding must pause first (000, 001)', () => {
    const b = new StateMachine(PROTOCOL_BINDING, 'b');
    for (const e of ['BindAdapter', 'OpenComplete', 'Restart', 'RestartComplete'] as const) b.fire(e);
    expect(b.can('UnbindAdapter')).toBe(false);
  });

  it('a filter module detaches from Paused straight to Detached (no Detaching state)', () => {
    const f = new StateMachine(FILTER_MODULE, 'f');
    for (const e of ['Attach', 'AttachComplete'] as const) f.fire(e);
    expect(f.fire('Detach')).toBe('Detached');
    expect(FILTER_MODULE.states).not.toContain('Detaching');
  });
});
