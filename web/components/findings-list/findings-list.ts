// The verifier's findings: each with its rule id, the rule's statement, where NDIS documents it,
// what happened in this run, the seed and trace event, and the call path. A finding from a
// grading run can be replayed: `replay` asks the page to run that scenario under that seed.

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FindingView } from '../../engine/protocol.ts';
import { findingsListStyles } from './findings-list.styles.ts';

export interface ReplayRequest {
  scenario: string;
  seed: number;
}

@customElement('findings-list')
export class FindingsList extends LitElement {
  static override styles = findingsListStyles;

  @property({ attribute: false }) findings: FindingView[] = [];
  /** Offer "Replay seed N" buttons. */
  @property({ type: Boolean }) replayable = false;

  private replay(f: FindingView) {
    this.dispatchEvent(new CustomEvent<ReplayRequest>('replay', { detail: { scenario: f.scenario!, seed: f.seed }, bubbles: true, composed: true }));
  }

  override render() {
    if (this.findings.length === 0) return html`<p class="none">No findings.</p>`;
    return html`<ul aria-label="Findings">${this.findings.map((f) => html`<li class="${f.severity}" data-rule="${f.rule}">
      <div><code class="rule">${f.rule}</code> <span class="meta">(${f.severity}${f.severity === 'fatal' ? `, bug check 0x${f.bugCheck.toString(16).toUpperCase()}` : ''})</span></div>
      <p class="statement">${f.statement}</p>
      <p class="message">${f.message}</p>
      <div class="meta">seed ${f.seed}${f.scenario ? `, scenario ${f.scenario}` : ''}, trace event ${f.event}, driver ${f.driver}${f.object ? `, ${f.object}` : ''}; NDIS: ${f.source}</div>
      ${f.callPath.length ? html`<div class="meta">call path: ${f.callPath.join(' › ')}</div>` : nothing}
      ${this.replayable && f.scenario ? html`<button type="button" @click=${() => this.replay(f)}>Replay seed ${f.seed} of ${f.scenario}</button>` : nothing}
    </li>`)}</ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'findings-list': FindingsList;
  }
}
