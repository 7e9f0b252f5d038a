// The NICs' statistics registers (read without clearing them) and the cable's fault counters at
// the current point of a run; values that changed since the previous sample are highlighted.

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NicView } from '../../engine/protocol.ts';
import { countersViewStyles } from './counters-view.styles.ts';

/** What each statistics register counts (82540EM datasheet names). */
export const COUNTER_MEANING: Record<string, string> = {
  GPTC: 'good packets transmitted', GPRC: 'good packets received', TPT: 'total packets transmitted', TPR: 'total packets received',
  BPRC: 'broadcast packets received', MPRC: 'multicast packets received', CRCERRS: 'CRC (FCS) errors', MPC: 'missed packets (no free RX descriptor)',
  RNBC: 'receive no buffers', RUC: 'runts (undersize) received', ROC: 'oversize received',
};

@customElement('counters-view')
export class CountersView extends LitElement {
  static override styles = countersViewStyles;

  @property({ attribute: false }) nics: NicView[] = [];
  @property({ attribute: false }) previous: NicView[] = [];
  @property({ attribute: false }) wire: Record<string, number | boolean> | undefined;

  override render() {
    const names = Object.keys(this.nics[0]?.counters ?? {});
    return html`<table aria-label="NIC statistics">
        <caption>Statistics registers</caption>
        <thead><tr><th scope="col">register</th>${this.nics.map((n) => html`<th scope="col">${n.name}</th>`)}</tr></thead>
        <tbody>${names.map((name) => html`<tr>
          <th scope="row" title="${COUNTER_MEANING[name] ?? ''}">${name}</th>
          ${this.nics.map((nic, i) => {
            const value = nic.counters[name] ?? 0;
            const changed = (this.previous[i]?.counters[name] ?? value) !== value;
            return html`<td class="${changed ? 'changed' : ''}" data-counter="${nic.name}-${name}">${value}</td>`;
          })}
        </tr>`)}</tbody>
      </table>
      ${this.wire ? html`<table aria-label="Cable counters">
        <caption>Cable between nic0 and nic1</caption>
        <tbody>${Object.entries(this.wire).map(([k, v]) => html`<tr><th scope="row">${k}</th><td data-wire="${k}">${String(v)}</td></tr>`)}</tbody>
      </table>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'counters-view': CountersView;
  }
}
