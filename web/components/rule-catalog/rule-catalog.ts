// The verifier's rule catalog (core/verifier/rules.ts), as `nic-lab rules` prints it: each rule's
// id, what a driver must not do, where NDIS documents it, and what breaking it does.

import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { RULES, SEEDS } from '../../../core/verifier/rules.ts';
import { ruleCatalogStyles } from './rule-catalog.styles.ts';

@customElement('rule-catalog')
export class RuleCatalog extends LitElement {
  static override styles = ruleCatalogStyles;

  override render() {
    return html`<table aria-label="Verifier rules">
      <thead><tr><th scope="col">rule</th><th scope="col">statement</th><th scope="col">severity</th></tr></thead>
      <tbody>${RULES.map((r) => {
        const seed = SEEDS[r.seed.slice(0, 3)];
        return html`<tr id="rule-${r.id}" data-rule="${r.id}">
          <td><code>${r.id}</code></td>
          <td>${r.statement}<div class="source">${seed ? html`seed ${r.seed.slice(0, 3)} (${seed.title}): ` : ''}${seed ? r.seed.slice(4) : r.seed}</div></td>
          <td class="${r.severity}">${r.severity === 'fatal' ? `fatal, bug check 0x${r.bugCheck.toString(16).toUpperCase()}` : 'error (the run goes on)'}</td>
        </tr>`;
      })}</tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rule-catalog': RuleCatalog;
  }
}
