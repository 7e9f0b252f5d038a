// The driver editor: CodeMirror 6 in TypeScript mode, with completion and hover docs from the
// lab's ndis.d.ts. Its text area is named "Driver source" for assistive technology (and tests).
// Emits `change` (detail: the source) on every edit; setting `value` replaces the text as one
// undoable edit, so "Reset to starter" can be undone with Ctrl+Z. `problem` marks where the
// driver last failed to compile or a handler threw (underline, gutter marker, the message on
// hover, scrolled into view) until the next run says otherwise; edits move the mark with the text.

import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PropertyValues } from 'lit';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { setDiagnostics, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { SourceProblem } from '../../engine/source-problem.ts';
import { ndisCompletions, ndisHover } from './ndis-language.ts';
import { codeEditorStyles } from './code-editor.styles.ts';

@customElement('code-editor')
export class CodeEditor extends LitElement {
  static override styles = codeEditorStyles;

  @property() label = 'Driver source';
  /** Where the driver last failed to compile or a handler threw (undefined: nothing to mark). */
  @property({ attribute: false }) problem: SourceProblem | undefined;
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

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('problem')) this.markProblem();
  }

  /** Shows `problem` as the editor's one diagnostic, scrolled into view (a position past its line is put at the line's end). */
  private markProblem(): void {
    const view = this.view;
    if (!view) return;
    const diagnostics: Diagnostic[] = [];
    const problem = this.problem;
    if (problem) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(problem.column - 1, 0), line.to);
      // Underline the rest of the word at the spot, or one character (none at the end of the text).
      const word = view.state.wordAt(from);
      const to = word && word.from === from ? word.to : Math.min(from + 1, doc.length);
      diagnostics.push({ from, to, severity: 'error', message: `Line ${problem.line}, column ${problem.column}: ${problem.message}` });
    }
    // Brought into view (the nearest edge), not selected: the learner's cursor stays where it was.
    const scroll = diagnostics.map((d) => ({ effects: EditorView.scrollIntoView(d.from, { y: 'nearest' }) }));
    view.dispatch(setDiagnostics(view.state, diagnostics), ...scroll);
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
          lintGutter(),
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
