// The verifier's findings: each with its rule id, the rule's statement, where NDIS documents it,
// what happened in this run, the seed and trace event, and the call path. A finding from a
// grading run can be replayed: `replay` asks the page to run that scenario under that seed. The
// trace event is a link: `show-event` asks for that event to be selected in the trace (the run
// viewer does it for its own run; the lab page replays a grading run's seed first). A finding made
// while the learner's code was on the stack says the line of the NDIS call that broke the rule:
// "line N" is a link too, and `show-source` asks for that line and column in the editor (a line
// of another file, a reference driver's, is said as file:line:column, with nothing to go to).
// Drivers are called by the names they registered under (`names`).

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { DRIVER_FILE, type FindingView } from '../../engine/protocol.ts';
import { findingsListStyles } from './findings-list.styles.ts';
import { ruleSources } from '../wording.ts';
import { objectLabel } from '../../engine/event-text.ts';

export interface ReplayRequest {
  scenario: string;
  seed: number;
}

/** "Show trace event N" of the run (or, with `scenario`, of that scenario's run under `seed`). */
export interface ShowEventRequest {
  event: number;
  seed: number;
  scenario?: string;
}

/** "Show line N, column C of the learner's driver in the editor." */
export interface ShowSourceRequest {
  line: number;
  column: number;
}

@customElement('findings-list')
export class FindingsList extends LitElement {
  static override styles = findingsListStyles;

  @property({ attribute: false }) findings: FindingView[] = [];
  /** Offer "Replay seed N" buttons. */
  @property({ type: Boolean }) replayable = false;
  /** Registered driver names, by the trace's name. */
  @property({ attribute: false }) names: Readonly<Record<string, string>> = {};
  /** The file name the learner's driver runs under: its lines are links to the editor. */
  @property() sourceFile = DRIVER_FILE;

  private replay(f: FindingView) {
    this.dispatchEvent(new CustomEvent<ReplayRequest>('replay', { detail: { scenario: f.scenario!, seed: f.seed }, bubbles: true, composed: true }));
  }

  private showEvent(f: FindingView) {
    this.dispatchEvent(new CustomEvent<ShowEventRequest>('show-event', { detail: { event: f.event, seed: f.seed, ...(f.scenario ? { scenario: f.scenario } : {}) }, bubbles: true, composed: true }));
  }

  private showSource(f: FindingView) {
    const { line, column } = f.location!;
    this.dispatchEvent(new CustomEvent<ShowSourceRequest>('show-source', { detail: { line, column }, bubbles: true, composed: true }));
  }

  /**
   * Where in the source, if known: the learner's line as a link to it, another file's as text.
   * A finding made with none of the driver's code running (a watchdog, a check after a handler
   * returned, a hung handler) has the line its handler is declared at, and says so.
   */
  private where(f: FindingView) {
    const at = f.location;
    if (!at) return nothing;
    const handler = at.kind === 'handler';
    if (at.file !== this.sourceFile) return html`, ${handler ? 'handler declared ' : ''}at ${at.file}:${at.line}:${at.column}`;
    return html`, ${handler ? 'handler declared at ' : ''}<button type="button" class="link" @click=${() => this.showSource(f)}
      title="Show line ${at.line}, column ${at.column} of your driver in the editor${handler ? ': where the handler this finding is about is declared' : ''}">line ${at.line}</button>`;
  }

  private source(f: FindingView) {
    return ruleSources(f.source).map((doc, i) => html`${i > 0 ? '; ' : ''}${doc.url ? html`<a href=${doc.url} target="_blank" rel="noopener">${doc.title}</a>` : doc.title}${doc.section ? ` (${doc.section})` : ''}`);
  }

  override render() {
    if (this.findings.length === 0) return html`<p class="none">No findings.</p>`;
    return html`<ul aria-label="Findings">${this.findings.map((f) => html`<li class="${f.severity}" data-rule="${f.rule}">
      <div><code class="rule">${f.rule}</code> <span class="meta">(${f.severity}${f.severity === 'fatal' ? `, bug check 0x${f.bugCheck.toString(16).toUpperCase()}` : ''})</span></div>
      <p class="statement">${f.statement}</p>
      <p class="message">${f.message}</p>
      <div class="meta">seed ${f.seed}${f.scenario ? `, scenario ${f.scenario}` : ''}, <button type="button" class="link" @click=${() => this.showEvent(f)}
        title="Show this event in the trace">trace event ${f.event}</button>${this.where(f)}, driver ${this.names[f.driver] ?? f.driver}${f.object ? `, ${objectLabel(f.object, this.names)}` : ''}</div>
      <div class="meta">Where NDIS documents it: ${this.source(f)}</div>
      ${f.seedStatements?.length ? html`<div class="meta seed-statements">The seed says: ${f.seedStatements.map((s, i) => html`${i > 0 ? ' ' : ''}<q>${s.text}</q> (${s.id})`)}</div>` : nothing}
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
