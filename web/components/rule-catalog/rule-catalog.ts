// The verifier's rule catalog (core/verifier/rules.ts), as `nic-lab rules` prints it: each rule's
// id, what a driver must not do, where NDIS documents it (the document by its title, linked), and
// what breaking it does. Long ids may break between their words, so the table fits a phone.

import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { RULES } from '../../../core/verifier/rules.ts';
import { ruleSources } from '../wording.ts';
import { ruleCatalogStyles } from './rule-catalog.styles.ts';

/** "ProtocolSendWhileNotRunning" with a line-break opportunity before each word. */
function breakable(id: string) {
  return id.split(/(?=[A-Z][a-z])/).map((word, i) => (i === 0 ? word : html`<wbr>${word}`));
}

@customElement('rule-catalog')
export class RuleCatalog extends LitElement {
  static override styles = ruleCatalogStyles;

  override render() {
    return html`<table aria-label="Verifier rules">
      <thead><tr><th scope="col">rule</th><th scope="col">statement</th><th scope="col">severity</th></tr></thead>
      <tbody>${RULES.map((r) => html`<tr id="rule-${r.id}" data-rule="${r.id}">
          <td><code>${breakable(r.id)}</code></td>
          <td>${r.statement}<div class="source">NDIS documentation: ${ruleSources(r.seed).map((s, i) => html`${i > 0 ? '; ' : ''}${s.url
            ? html`<a href=${s.url} target="_blank" rel="noopener">${s.title}</a>` : s.title}${s.section ? ` (${s.section})` : ''}`)}</div></td>
          <td class="${r.severity}">${r.severity === 'fatal' ? `fatal, bug check 0x${r.bugCheck.toString(16).toUpperCase()}` : 'error (the run goes on)'}</td>
        </tr>`)}</tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rule-catalog': RuleCatalog;
  }
}
