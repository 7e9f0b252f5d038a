// A state machine of NDIS drawn from its definition in core/ndis/states.ts (the binding's seven
// states of seed 000, the filter module's, the miniport adapter's): every state and transition,
// the object's current state lit, the transition that led there animated.

import { LitElement, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { PROTOCOL_BINDING, FILTER_MODULE, MINIPORT_ADAPTER } from '../../../core/ndis/states.ts';
import type { MachineSpec } from '../../../core/ndis/state-machine.ts';
import type { MachineKind, ObjectState } from '../../engine/protocol.ts';
import { stateDiagramStyles } from './state-diagram.styles.ts';

const SPECS: Record<MachineKind, MachineSpec<string, string>> = {
  binding: PROTOCOL_BINDING,
  module: FILTER_MODULE,
  adapter: MINIPORT_ADAPTER,
};

/** The order states go round the diagram: the life cycle, clockwise from the initial state. */
const CYCLE: Record<MachineKind, string[]> = {
  binding: ['Unbound', 'Opening', 'Paused', 'Restarting', 'Running', 'Pausing', 'Closing'],
  module: ['Detached', 'Attaching', 'Paused', 'Restarting', 'Running', 'Pausing'],
  adapter: ['Halted', 'Initializing', 'Paused', 'Restarting', 'Running', 'Pausing', 'Shutdown'],
};

const WIDTH = 380;
const HEIGHT = 250;
const BOX_W = 84;
const BOX_H = 24;

export function specFor(machine: MachineKind): MachineSpec<string, string> {
  return SPECS[machine];
}

@customElement('state-diagram')
export class StateDiagram extends LitElement {
  static override styles = stateDiagramStyles;

  @property() machine: MachineKind = 'binding';
  /** The object and where it stands; undefined draws the machine at its initial state. */
  @property({ attribute: false }) object: ObjectState | undefined;

  private positions(): Map<string, { x: number; y: number }> {
    const spec = SPECS[this.machine];
    const order = [...CYCLE[this.machine].filter((s) => spec.states.includes(s)), ...spec.states.filter((s) => !CYCLE[this.machine].includes(s))];
    const map = new Map<string, { x: number; y: number }>();
    order.forEach((state, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / order.length;
      map.set(state, { x: WIDTH / 2 + Math.cos(angle) * (WIDTH / 2 - BOX_W / 2 - 6), y: HEIGHT / 2 + Math.sin(angle) * (HEIGHT / 2 - BOX_H / 2 - 6) });
    });
    return map;
  }

  override render() {
    const spec = SPECS[this.machine];
    const at = this.positions();
    const state = this.object?.state ?? spec.initial;
    const name = this.object?.object ?? spec.name;
    const taken = this.object?.from !== undefined ? `${this.object.from}>${state}` : '';
    const edges = spec.transitions.map((t) => {
      const a = at.get(t.from)!;
      const b = at.get(t.to)!;
      // Two transitions between the same pair (there and back) bend apart.
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const length = Math.hypot(dx, dy) || 1;
      const bend = 14;
      const cx = (a.x + b.x) / 2 - (dy / length) * bend;
      const cy = (a.y + b.y) / 2 + (dx / length) * bend;
      // Stop at the box's edge so the arrowhead shows.
      const shorten = (px: number, py: number, qx: number, qy: number) => {
        const ex = qx - px;
        const ey = qy - py;
        const scale = Math.min((BOX_W / 2) / Math.max(Math.abs(ex), 0.01), (BOX_H / 2) / Math.max(Math.abs(ey), 0.01), 1);
        return { x: px + ex * scale, y: py + ey * scale };
      };
      const start = shorten(a.x, a.y, cx, cy);
      const end = shorten(b.x, b.y, cx, cy);
      const isTaken = `${t.from}>${t.to}` === taken;
      return svg`<path class="edge ${isTaken ? 'taken' : ''}" data-transition="${t.from}-${t.on}-${t.to}" d="M${start.x},${start.y} Q${cx},${cy} ${end.x},${end.y}" marker-end="url(#arrow)"><title>${t.from} → ${t.to} on ${t.on}: ${t.source}</title></path>`;
    });
    const nodes = spec.states.map((s) => {
      const p = at.get(s)!;
      const cls = s === state ? 'current' : s === this.object?.from ? 'previous' : '';
      return svg`<g class="node ${cls}" data-state="${s}" transform="translate(${p.x - BOX_W / 2},${p.y - BOX_H / 2})"><rect width="${BOX_W}" height="${BOX_H}" rx="6"></rect><text x="${BOX_W / 2}" y="${BOX_H / 2}">${s}</text></g>`;
    });
    return html`<figure>
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${name} state diagram; current state ${state}">
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>
        ${edges}${nodes}
      </svg>
      <figcaption>${name}: <span class="state" data-current="${state}">${state}</span>${this.object?.from !== undefined
        ? html` <span class="via">(from ${this.object.from} on ${this.object.on}, event ${this.object.changedAt})</span>`
        : nothing}</figcaption>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'state-diagram': StateDiagram;
  }
}
