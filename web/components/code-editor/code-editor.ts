// The driver editor: CodeMirror 6 in TypeScript mode, checked as the learner types by
// TypeScript's language service in a worker against the lab's ndis.d.ts (ts-language.ts):
// diagnostics, completion that adds a name's import from "ndis", hover with the declaration and
// contract. Its text area is named "Driver source" for assistive technology (and tests); lines
// wrap; the line under it says how to leave it (Esc, then Tab: Tab itself indents) and what the
// check found. Emits `change` (detail: the source) on every edit; setting `value` replaces the
// text as one undoable edit, so "Reset to starter" can be undone with Ctrl+Z. `problem` marks
// where the driver last failed to compile or a handler threw (underline, gutter marker, the
// message on hover, scrolled into view) until the next run says otherwise; edits move the mark
// with the text. `findings` marks the line of each verifier finding of the last run (the rule and
// message on hover, a named gutter marker: finding-marks.ts; the first scrolled into view when
// there is no problem) until the text changes. The language service's marks stay beside them.
// `showPosition` puts the cursor at a line and column, in view, and the focus in the editor (a
// finding's "line N").

import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PropertyValues } from 'lit';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { javascript } from '@codemirror/lang-javascript';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { autocompletion } from '@codemirror/autocomplete';
import { setDiagnostics, setDiagnosticsEffect, forEachDiagnostic, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { FindingMark, SourceProblem } from '../../engine/source-problem.ts';
import { driverLanguage, driverCompletions, languageClient, setRunProblem, currentDiagnostics, startChecking, RUN_PROBLEM_CLASS, type LanguageServiceState } from './ts-language.ts';
import { codeEditorStyles } from './code-editor.styles.ts';
import { findingMarks, findingDiagnostics, findingsSummary, isFindingMark, setFindingMarks, spanAt } from './finding-marks.ts';

/** What the check found, for the line under the editor. */
function findings(state: EditorState): string {
  let errors = 0;
  let warnings = 0;
  forEachDiagnostic(state, (d) => {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  });
  if (errors + warnings === 0) return 'No problems found';
  const count = (n: number, what: string) => (n === 0 ? [] : [`${n} ${what}${n === 1 ? '' : 's'}`]);
  return `${[...count(errors, 'error'), ...count(warnings, 'warning')].join(', ')}: hover the marks, F8 goes to the next`;
}

/** After this long without the learner working in the editor, the language service starts anyway. */
const IDLE_START_MS = 4000;

@customElement('code-editor')
export class CodeEditor extends LitElement {
  static override styles = codeEditorStyles;

  @property() label = 'Driver source';
  /** Where the driver last failed to compile or a handler threw (undefined: nothing to mark). */
  @property({ attribute: false }) problem: SourceProblem | undefined;
  /** The last run's findings in this driver, marked on their lines until the text changes. */
  @property({ attribute: false }) findings: readonly FindingMark[] = [];
  /** The language service: off (until the learner works in the editor), starting (about a second), ready, or failed. */
  @property({ reflect: true, attribute: 'language-service' }) languageService: LanguageServiceState = languageClient.state;
  @state() private found = '';
  /** The last run's findings marked now, in words. */
  @state() private runFindings = '';
  private view: EditorView | undefined;
  private pending = '';
  private unlisten: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unlisten = languageClient.onChange(() => {
      this.languageService = languageClient.state;
      // Started (here or by another editor): check the text now rather than at the next edit.
      if (languageClient.state === 'starting' && this.view) startChecking(this.view);
    });
    this.languageService = languageClient.state;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten?.();
    clearTimeout(this.idleStart);
  }

  private idleStart: ReturnType<typeof setTimeout> | undefined;

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

  /** Puts the cursor at 1-based `line` and `column` (clamped to the text), scrolls it to the middle, and focuses the editor. */
  showPosition(line: number, column: number): void {
    const view = this.view;
    if (!view) return;
    const { from } = spanAt(view.state.doc, line, column, () => null);
    view.dispatch({ selection: { anchor: from }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
    view.focus();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('problem') || changed.has('findings')) this.markRun(changed.has('problem'));
  }

  /**
   * Shows `problem` and `findings` beside the language service's diagnostics; a new `problem`,
   * or else the first finding, is scrolled into view (a position past its line is put at the line's end).
   */
  private markRun(scrollToProblem: boolean): void {
    const view = this.view;
    if (!view) return;
    // The language service's marks stay, if they are about this text (else its next check, due
    // after the edit, brings them back).
    const diagnostics = currentDiagnostics(view);
    let mark: Diagnostic | null = null;
    const problem = this.problem;
    if (problem) {
      // Underline the rest of the word at the spot, or one character (none at the end of the text).
      const { from, to } = spanAt(view.state.doc, problem.line, problem.column, (pos) => view.state.wordAt(pos));
      mark = { from, to, severity: 'error', message: `Line ${problem.line}, column ${problem.column}: ${problem.message}`, source: 'the last run', markClass: RUN_PROBLEM_CLASS };
      diagnostics.push(mark);
    }
    // A finding where the problem is (a throw the verifier also saw there) is said once, by the problem.
    const found = findingDiagnostics(view.state, this.findings).filter((d) => !mark || d.from !== mark.from);
    diagnostics.push(...found);
    // Brought into view (the nearest edge), not selected: the learner's cursor stays where it was.
    // A new problem, or else a new run's first finding (CodeMirror draws only the lines in view).
    const first = found.reduce<Diagnostic | undefined>((a, d) => (a && a.from <= d.from ? a : d), undefined);
    const shown = mark && scrollToProblem ? mark : mark ? undefined : first;
    const scroll = shown ? [{ effects: EditorView.scrollIntoView(shown.from, { y: 'nearest' }) }] : [];
    view.dispatch({ effects: [setRunProblem.of(mark), setFindingMarks.of(found)] }, setDiagnostics(view.state, diagnostics), ...scroll);
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
          // The findings have a gutter of their own, whose markers are named (finding-marks.ts).
          lintGutter({ markerFilter: (diagnostics) => diagnostics.filter((d) => !isFindingMark(d)) }),
          findingMarks,
          keymap.of([indentWithTab]),
          javascript({ typescript: true }),
          autocompletion({ override: [driverCompletions] }),
          driverLanguage,
          EditorView.lineWrapping,
          // The text area is in the Tab order by its tabindex as well as by being editable, so that
          // tools (axe-core: scrollable-region-focusable) see the scroller around it reachable.
          EditorView.contentAttributes.of({ 'aria-label': this.label, 'aria-describedby': 'editor-help', tabindex: '0' }),
          // The learner works in the editor: time for the language service.
          EditorView.domEventHandlers({ focus: this.startLanguageService, keydown: this.startLanguageService, pointerdown: this.startLanguageService }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) this.dispatchEvent(new CustomEvent<string>('change', { detail: update.state.doc.toString(), bubbles: true, composed: true }));
            if (update.transactions.some((tr) => tr.effects.some((e) => e.is(setDiagnosticsEffect)))) this.found = findings(update.state);
            this.runFindings = findingsSummary(update.state);
          }),
        ],
      }),
    });
    if (languageClient.started) startChecking(this.view);
    // Or once the page has been idle a while (a draft's problems show without a click).
    else this.idleStart = setTimeout(() => requestIdleCallback(this.startLanguageService, { timeout: 2000 }), IDLE_START_MS);
  }

  /** Starts the language service (once per page), whose start checks the text. */
  private startLanguageService = (): false => {
    clearTimeout(this.idleStart);
    if (!languageClient.started) languageClient.start();
    return false;
  };

  override render() {
    const check = this.languageService === 'failed'
      ? 'Type checking is off: the language service did not start'
      : this.languageService === 'off' ? 'TypeScript checks as you type'
        : this.languageService === 'starting' ? 'TypeScript is starting…' : this.found;
    return html`<div class="host"></div>
      <div class="help" id="editor-help"><span>Tab indents; <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the editor.</span>
        ${this.runFindings ? html`<span class="run-findings">${this.runFindings}.</span>` : ''}
        <span class="check" data-check=${this.languageService}>${check}</span></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'code-editor': CodeEditor;
  }
}
