// The bug check screen a fatal finding stops the machine with (text from the verifier's
// bugCheckScreen: the stop code, its name, the rule, the driver, the call path).

import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { bugCheckScreenStyles } from './bug-check-screen.styles.ts';

@customElement('bug-check-screen')
export class BugCheckScreen extends LitElement {
  static override styles = bugCheckScreenStyles;

  @property() screen = '';

  override render() {
    return html`<pre role="alert" aria-label="Bug check">${this.screen}</pre>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bug-check-screen': BugCheckScreen;
  }
}
