// The driver editor: CodeMirror 6 in TypeScript mode, with completion and hover docs from the
// lab's ndis.d.ts. Its text area is named "Driver source" for assistive technology (and tests).
// Emits `change` (detail: the source) on every edit; setting `value` replaces the text as one
// undoable edit, so "Reset to starter" can be undone with Ctrl+Z.

import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { ndisCompletions, ndisHover } from './ndis-language.ts';
import { codeEditorStyles } from './code-editor.styles.ts';

@customElement('code-editor')
export class CodeEditor extends LitElement {
  static override styles = codeEditorStyles;

  @property() label = 'Driver source';
  private view: EditorView | undefined;
  private pending = '';

  get value(): string {
    return this.view ? this.view.state.doc.toString() : this.pending;
  }

  set value(text: string) {
    if (!this.view) {
      this.pending = text;
      return;
    }
    if (text === this.value) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  override focus(): void {
    this.view?.focus();
  }

  protected override firstUpdated(): void {
    const host = this.renderRoot.querySelector('.host')!;
    this.view = new EditorView({
      root: this.renderRoot as ShadowRoot,
      parent: host,
      state: EditorState.create({
        doc: this.pending,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          javascript({ typescript: true }),
          javascriptLanguage.data.of({ autocomplete: ndisCompletions }),
          ndisHover,
          EditorView.contentAttributes.of({ 'aria-label': this.label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) this.dispatchEvent(new CustomEvent<string>('change', { detail: update.state.doc.toString(), bubbles: true, composed: true }));
          }),
        ],
      }),
    });
  }

  override render() {
    return html`<div class="host"></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'code-editor': CodeEditor;
  }
}
