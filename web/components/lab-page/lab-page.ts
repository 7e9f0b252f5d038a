// A lab: its instructions (Markdown, sanitized) and hints one at a time beside the driver editor;
// Run (one scenario under one seed, watched live), Grade (every public scenario under several
// seeds, in the lab runtime worker), Stop, Reset to starter and Download capture; the result in
// a status region, the grade by scenario, the findings, and the live views; in a filter lab, Live
// traffic through the learner's filter at full speed. The draft is saved as the learner types
// (synchronously to a write-ahead copy, then to IndexedDB) and compared by revision with what other
// tabs saved. The instructions flow with the page; the workspace (editor, buttons, outcome, grade,
// live views) is a pane beside them, so what a Run or Grade did is in view (lab-page.styles.ts).
// After a Run (or a Grade's first failing scenario, or Live traffic) the editor marks where the
// driver failed to compile or threw, and each finding's line; a finding's "line N" puts the
// editor's cursor there.

import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state, query } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { marked } from 'marked';
import DOMPurify from 'dompurify';
import type { CourseLab } from '../../labs/catalog.ts';
import type { ProgressStore, ChannelMessage } from '../../store/progress-store.ts';
import { draftKey } from '../../store/progress-store.ts';
import type { DraftRecord, GradeSummary } from '../../store/records.ts';
import { LabEngine, DriverHungError, RunStoppedError } from '../../engine/lab-engine.ts';
import { RunSession } from '../../engine/run-session.ts';
import { liveProblems } from '../../engine/live-problems.ts';
import { compileError } from '../../../core/grading/reports.ts';
import { apiChangesIn, type ApiChangeNotice } from '../../../core/ndis/api-changes.ts';
import { sourceProblemOf, findingMarksOf, type FindingMark, type SourceProblem } from '../../engine/source-problem.ts';
import { DRIVER_FILE, type FindingView, type GradeProgress, type LiveOutcome, type LiveProgress } from '../../engine/protocol.ts';
import type { LiveStartRequest } from '../live-traffic/live-traffic.ts';
import type { ReplayRequest, ShowEventRequest, ShowSourceRequest } from '../findings-list/findings-list.ts';
import type { CodeEditor } from '../code-editor/code-editor.ts';
import '../code-editor/code-editor.ts';
import '../run-viewer/run-viewer.ts';
import '../findings-list/findings-list.ts';
import { scenarioFindings } from '../grade-report/grade-report.ts';
import '../bug-check-screen/bug-check-screen.ts';
import '../live-traffic/live-traffic.ts';
import { labPageStyles } from './lab-page.styles.ts';
import { documentLinks, failureStory, plainFailure } from '../wording.ts';
import { recallHints, rememberHints } from '../../store/ui-state.ts';
import type { RunViewer } from '../run-viewer/run-viewer.ts';

/** Seeds per scenario when grading in the page (the command line's default too). */
export const GRADE_SEEDS = 8;
/** Milliseconds of quiet typing before a draft is saved. */
export const AUTOSAVE_DELAY_MS = 300;

type Busy = 'run' | 'grade' | 'live' | undefined;

/**
 * Instructions as safe HTML (Markdown, sanitized); a leading `# title` is dropped, the page shows
 * the title. "seed 000" becomes a link to that NDIS document; links open in a new tab; a table
 * sits in a region of its own that scrolls sideways on a narrow screen (and takes the focus, so a
 * keyboard can scroll it).
 */
export function renderInstructions(markdown: string, title: string): string {
  const body = markdown.replace(/^\s*#\s+(.+)\n/, (line, heading: string) => (heading.trim() === title.trim() ? '' : line));
  const html = DOMPurify.sanitize(marked.parse(documentLinks(body), { async: false }));
  return html
    .replace(/<a href="(https?:[^"]*)"/g, '<a target="_blank" rel="noopener" href="$1"')
    .replace(/<table>/g, '<div class="table-scroll" role="region" tabindex="0" aria-label="Table (scrolls sideways)"><table>')
    .replace(/<\/table>/g, '</table></div>');
}

@customElement('lab-page')
export class LabPage extends LitElement {
  static override styles = labPageStyles;

  @property({ attribute: false }) lab!: CourseLab;
  @property({ attribute: false }) store!: ProgressStore;
  @property({ attribute: false }) engine!: LabEngine;
  /** Why the lab runtime cannot start here (no cross-origin isolation), if it cannot. */
  @property({ attribute: false }) unavailable: string | undefined;

  @state() private loaded = false;
  @state() private hintsShown = 0;
  @state() private scenario = '';
  @state() private seed = 1;
  @state() private busy: Busy;
  @state() private statusText = '';
  @state() private statusKind: 'pass' | 'fail' | '' = '';
  @state() private saveState = '';
  /** Where the driver failed to compile or threw in the last Run, Grade or Live traffic (marked in the editor). */
  @state() private sourceProblem: SourceProblem | undefined;
  /** The findings of that run made in the learner's driver (each marked on its line in the editor, until the text changes). */
  @state() private findingMarks: FindingMark[] = [];
  @state() private conflict: DraftRecord | undefined;
  /** Changes to the `ndis` module that the saved draft may be hit by (core/ndis/api-changes.ts). */
  @state() private apiNotices: ApiChangeNotice[] = [];
  @state() private grade: GradeSummary | undefined;
  @state() private gradeProgress: GradeProgress | undefined;
  @state() private session: RunSession | undefined;
  @state() private hung: { finding: FindingView; screen: string } | undefined;
  @state() private capture: { bytes: Uint8Array; name: string } | undefined;
  @state() private liveProgress: LiveProgress | undefined;
  @state() private liveOutcome: LiveOutcome | undefined;
  /** "Reset to starter" was pressed: the page asks before replacing the learner's text. */
  @state() private confirmingReset = false;
  /** The text a reset replaced, while the page offers to bring it back. */
  @state() private undoReset: string | undefined;
  /** The names drivers registered under (NdisRegisterProtocolDriver's Name...), by the trace's name for them. */
  @state() private driverNames: Record<string, string> = {};

  @query('code-editor') private editor!: CodeEditor;
  @query('run-viewer') private viewer!: RunViewer;

  private source = '';
  private baseRevision = 0;
  /** The text last written to (or read from) the store. */
  private savedSource = '';
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly onRemote = (event: Event) => void this.remoteChange((event as CustomEvent<ChannelMessage>).detail);
  /** Hidden: save now (the tab may never come back). Visible again: another tab may have saved. */
  private readonly onFocus = () => {
    if (document.visibilityState === 'hidden') this.flushSave();
    else void this.recheckDraft();
  };
  private readonly onHide = () => this.flushSave();

  private get dirty(): boolean {
    return this.source !== this.savedSource;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Capture: before the editor's own Mod-Enter binding sees the key.
    this.addEventListener('keydown', this.onKeyDown, { capture: true });
    window.addEventListener('focus', this.onFocus);
    document.addEventListener('visibilitychange', this.onFocus);
    window.addEventListener('pagehide', this.onHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.flushSave();
    this.removeEventListener('keydown', this.onKeyDown, { capture: true });
    window.removeEventListener('focus', this.onFocus);
    document.removeEventListener('visibilitychange', this.onFocus);
    window.removeEventListener('pagehide', this.onHide);
    this.store?.removeEventListener('remote-change', this.onRemote);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('store')) {
      (changed.get('store') as ProgressStore | undefined)?.removeEventListener('remote-change', this.onRemote);
      this.store.addEventListener('remote-change', this.onRemote);
    }
    if (changed.has('lab')) this.scenario = this.lab.scenarios[0]?.id ?? '';
  }

  protected override async firstUpdated(): Promise<void> {
    // An edit that had not reached IndexedDB when a page closed (this lab's, any tab's) goes there first.
    await this.store.reconcileUnsaved(this.lab.id, new Map([[this.lab.id, this.lab.starterSource]]));
    const recovered = this.store.recovered.get(this.lab.id);
    const [draft, progress] = await Promise.all([this.store.readDraft(this.lab.id), this.store.readProgress(this.lab.id)]);
    this.source = draft?.source ?? this.lab.starterSource;
    this.savedSource = draft ? draft.source : '';
    this.baseRevision = draft?.revision ?? 0;
    this.editor.value = this.source;
    // A draft written before a change to the ndis module opens as it was; the page says what changed.
    this.apiNotices = draft ? apiChangesIn(draft.source) : [];
    this.saveState = recovered && draft?.revision === recovered.revision
      ? `Recovered your last edit (${new Date(recovered.updatedAt).toLocaleTimeString()}): it had not been saved when the page closed`
      : draft ? `Draft saved ${new Date(draft.updatedAt).toLocaleTimeString()}` : 'Starter driver (not changed yet)';
    if (!draft) this.savedSource = this.source;
    this.hintsShown = Math.min(recallHints(this.lab.id), this.lab.hints.length);
    this.grade = progress?.lastGrade ?? undefined;
    if (this.grade) this.setStatus(`Last grade: score ${this.grade.score}/${this.grade.maxScore} (${new Date(this.grade.at).toLocaleString()})`, this.grade.score === this.grade.maxScore ? 'pass' : 'fail');
    this.loaded = true;
  }

  // ---- drafts -------------------------------------------------------------------------------

  private onEdit(source: string): void {
    if (!this.loaded) return;
    this.source = source;
    if (this.undoReset !== undefined && source !== this.lab.starterSource) this.undoReset = undefined;
    if (!this.dirty) {
      this.store.unsaved.discard(this.lab.id);
      return;
    }
    // Synchronously, before anything else: a reload or a closed tab right after this keeps it.
    this.store.unsaved.record(this.lab.id, source, this.baseRevision);
    this.saveState = 'Editing…';
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.flushSave(), AUTOSAVE_DELAY_MS);
  }

  /** Saves now if there is something to save (also on pagehide, so a closing tab keeps it). */
  private flushSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.loaded || !this.dirty || this.conflict) return;
    this.saving = this.saving.then(() => this.save());
  }

  private async save(): Promise<void> {
    if (!this.dirty || this.conflict) return;
    const source = this.source;
    try {
      const result = await this.store.saveDraft(this.lab.id, source, this.baseRevision);
      if ('conflict' in result && result.newer.source === source) {
        // Another tab stored this very text (it reconciled this tab's write-ahead copy): no conflict.
        this.baseRevision = result.newer.revision;
        this.savedSource = source;
        this.store.unsaved.committed(this.lab.id, source);
        this.saveState = `Draft saved ${new Date(result.newer.updatedAt).toLocaleTimeString()}`;
        return;
      }
      if ('conflict' in result) {
        this.conflict = result.newer;
        this.saveState = 'Not saved: another tab saved a newer draft';
        return;
      }
      this.baseRevision = result.revision;
      this.savedSource = source;
      this.store.unsaved.committed(this.lab.id, source);
      this.saveState = `Draft saved ${new Date(result.updatedAt).toLocaleTimeString()}`;
    } catch (error) {
      this.saveState = `Not saved: ${(error as Error).message} (your text is still in the editor)`;
    }
  }

  private async remoteChange(message: ChannelMessage): Promise<void> {
    if (message.kind === 'draft' && message.lab === this.lab.id) await this.recheckDraft();
    if (message.kind === 'import') await this.recheckDraft();
    if ((message.kind === 'progress' && message.lab === this.lab.id) || message.kind === 'import') {
      const progress = await this.store.readProgress(this.lab.id);
      if (progress?.lastGrade && progress.lastGrade.at !== this.grade?.at) this.grade = progress.lastGrade;
    }
  }

  /** Another tab may have saved: take its draft if we have nothing unsaved, else ask. */
  private async recheckDraft(): Promise<void> {
    if (!this.loaded || document.visibilityState === 'hidden') return;
    const stored = await this.store.readDraft(this.lab.id);
    if (!stored || stored.revision <= this.baseRevision) return;
    if (stored.source === this.source) {
      this.baseRevision = stored.revision;
      this.savedSource = stored.source;
      this.store.unsaved.committed(this.lab.id, stored.source);
      return;
    }
    if (!this.dirty) {
      this.adopt(stored);
      this.saveState = `Updated from another tab (${new Date(stored.updatedAt).toLocaleTimeString()})`;
    } else {
      this.conflict = stored;
    }
  }

  private adopt(draft: DraftRecord): void {
    this.apiNotices = apiChangesIn(draft.source);
    this.baseRevision = draft.revision;
    this.savedSource = draft.source;
    this.source = draft.source;
    this.editor.value = draft.source;
    this.sourceProblem = undefined;
    this.findingMarks = [];
    this.conflict = undefined;
  }

  private async loadOtherTab(): Promise<void> {
    const newer = this.conflict!;
    // What this tab had is kept, never just dropped.
    const backupKey = await this.store.backup(draftKey(this.lab.id), { source: this.source }, 'replaced by a newer draft from another tab');
    this.store.unsaved.discard(this.lab.id);
    this.adopt(newer);
    this.saveState = `Loaded the other tab's draft; yours is kept under backup key ${backupKey}`;
  }

  private keepMine(): void {
    this.baseRevision = this.conflict!.revision;
    this.conflict = undefined;
    this.flushSave();
  }

  /** After the learner confirmed: the starter in the editor (one undoable edit), their text kept for Undo and as a backup. */
  private async resetToStarter(): Promise<void> {
    this.confirmingReset = false;
    const replaced = this.source;
    if (replaced === this.lab.starterSource) return;
    await this.store.backup(draftKey(this.lab.id), { source: replaced }, 'reset to starter');
    this.editor.value = this.lab.starterSource;
    this.undoReset = replaced;
    this.sourceProblem = undefined;
    this.findingMarks = [];
    this.apiNotices = [];
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[aria-label="Reset done"] button')?.focus();
  }

  private undoResetToStarter(): void {
    if (this.undoReset === undefined) return;
    this.editor.value = this.undoReset;
    this.undoReset = undefined;
    this.editor.focus();
  }

  // ---- running and grading ------------------------------------------------------------------

  private setStatus(text: string, kind: 'pass' | 'fail' | '' = ''): void {
    this.statusText = text;
    this.statusKind = kind;
  }

  /**
   * Brings the outcome into view and moves focus to it: the status when a run starts and ends (the
   * Run button the focus was on is disabled meanwhile, which would drop focus to the body), the
   * grade report when a grade ends. At 1366x768 both lie below the editor.
   */
  private async showOutcome(what: 'status' | 'grade'): Promise<void> {
    await this.updateComplete;
    const target = this.renderRoot.querySelector<HTMLElement>(what === 'grade' && this.grade ? '#grade-heading' : '.status');
    if (!target) return;
    target.scrollIntoView({ block: 'nearest' });
    target.focus({ preventScroll: true });
  }

  /** Ctrl+Enter (Cmd+Enter on a Mac) runs the selected scenario, from the editor too. */
  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    void this.run();
  };


  private async run(scenarioId = this.scenario, seed = this.seed): Promise<void> {
    if (this.busy) return;
    this.flushSave();
    const scenario = this.lab.scenarios.find((s) => s.id === scenarioId);
    if (!scenario) return;
    this.busy = 'run';
    this.hung = undefined;
    const session = new RunSession(this.lab.id, scenario.id, seed);
    this.session = session;
    this.driverNames = {};
    this.setStatus(`Running "${scenario.title}" under seed ${seed}…`);
    void this.showOutcome('status');
    const ran = this.source;
    try {
      const outcome = await this.engine.run({ lab: this.lab.id, scenario: scenario.id, source: ran, seed }, (chunk) => session.add(chunk));
      session.finish(outcome);
      this.sourceProblem = sourceProblemOf(outcome.failures, outcome.findings, DRIVER_FILE);
      this.markFindings(outcome.findings, ran);
      this.capture = outcome.pcapng.length > 0 ? { bytes: outcome.pcapng, name: `${this.lab.id}-${scenario.id}-seed${seed}.pcapng` } : undefined;
      this.setStatus(outcome.passed
        ? `Run: "${scenario.title}" passed under seed ${seed} (${outcome.traceLength} trace events).`
        : `Run: "${scenario.title}" failed under seed ${seed}.\n${this.story(outcome.failures, outcome.findings)}`, outcome.passed ? 'pass' : 'fail');
    } catch (error) {
      this.stopped(error, session);
      this.markFindings(error instanceof DriverHungError ? [error.finding] : [], ran);
    } finally {
      this.driverNames = session.driverNames;
      this.busy = undefined;
      void this.showOutcome('status');
    }
  }

  /**
   * Marks `findings`' lines in the editor, if it still holds the text that ran (`ran`): lines of a
   * text edited since would be wrong, and an edit clears the marks anyway.
   */
  private markFindings(findings: readonly FindingView[], ran: string): void {
    this.findingMarks = this.source === ran ? findingMarksOf(findings, DRIVER_FILE) : [];
  }

  /** A failed run's findings (the cause) before its unmet expectations (the effect). */
  private story(failures: readonly string[], findings: readonly FindingView[]): string {
    const { causes, effects } = failureStory(failures, findings);
    return [
      ...(causes.length ? ['What went wrong:', ...causes.map((c) => `• ${c}`)] : []),
      ...(effects.length ? [causes.length ? 'So the scenario did not get what it expects:' : 'What the scenario expected:', ...effects.map((e) => `• ${e}`)] : []),
    ].join('\n');
  }

  private stopped(error: unknown, session?: RunSession): void {
    if (error instanceof DriverHungError) {
      this.hung = { finding: error.finding, screen: error.screen };
      session?.fail(error.message);
      this.setStatus(`Stopped: DriverHung. ${error.message}. Your draft is safe; a fresh lab runtime is ready.`, 'fail');
    } else if (error instanceof RunStoppedError) {
      session?.fail('stopped');
      this.setStatus('Stopped. A fresh lab runtime is ready.');
    } else {
      session?.fail((error as Error).message);
      this.setStatus(`The lab runtime failed: ${(error as Error).message}`, 'fail');
    }
  }

  private async gradeNow(): Promise<void> {
    if (this.busy) return;
    this.flushSave();
    this.busy = 'grade';
    this.hung = undefined;
    this.gradeProgress = undefined;
    this.setStatus(`Grading: ${this.lab.scenarios.length} scenarios under ${GRADE_SEEDS} seeds each…`);
    void this.showOutcome('status');
    const graded = this.source;
    try {
      const report = await this.engine.grade({ lab: this.lab.id, source: graded, seeds: GRADE_SEEDS }, (p) => { this.gradeProgress = p; });
      const summary: GradeSummary = { at: Date.now(), score: report.score, maxScore: report.maxScore, seeds: GRADE_SEEDS, traceHash: report.traceHash, scenarios: report.scenarios };
      this.grade = summary;
      const full = report.score === report.maxScore;
      const notCompiled = compileError(report);
      const firstFailed = report.scenarios.find((s) => !s.passed);
      this.sourceProblem = firstFailed ? sourceProblemOf(firstFailed.failures, firstFailed.findings, DRIVER_FILE) : undefined;
      this.markFindings(firstFailed ? scenarioFindings(firstFailed) : [], graded);
      this.setStatus(notCompiled
        ? `Grade: score 0/${report.maxScore}: your driver does not compile, so no scenario ran.\n${plainFailure(notCompiled)}`
        : `Grade: score ${report.score}/${report.maxScore}${full ? ': full marks, lab completed.' : `. ${report.scenarios.filter((s) => !s.passed).length} scenario(s) failed; replay a failing seed below.`}`, full ? 'pass' : 'fail');
      await this.store.recordGrade(this.lab.id, summary);
    } catch (error) {
      this.stopped(error);
    } finally {
      this.busy = undefined;
      this.gradeProgress = undefined;
      void this.showOutcome('grade');
    }
  }

  private async runLive(request: LiveStartRequest): Promise<void> {
    if (this.busy) return;
    this.flushSave();
    this.busy = 'live';
    this.hung = undefined;
    this.liveProgress = undefined;
    this.liveOutcome = undefined;
    this.setStatus(`Live traffic: ${request.frames.toLocaleString('en-US')} frames through your filter…`);
    const ran = this.source;
    try {
      const outcome = await this.engine.live({ lab: this.lab.id, source: ran, ...request }, (p) => { this.liveProgress = p; });
      this.liveOutcome = outcome;
      this.sourceProblem = sourceProblemOf(outcome.problem ? [outcome.problem] : [], outcome.finding ? [outcome.finding] : [], DRIVER_FILE);
      this.markFindings(outcome.finding ? [outcome.finding] : [], ran);
      const clean = liveProblems(outcome).length === 0;
      this.setStatus(clean
        ? `Live traffic: ${outcome.frames.toLocaleString('en-US')} frames at ${(outcome.framesPerSecond / 1e6).toFixed(2)} Mpps, all intact.`
        : 'Live traffic did not finish cleanly; see below.', clean ? 'pass' : 'fail');
    } catch (error) {
      this.stopped(error);
    } finally {
      this.busy = undefined;
    }
  }

  private replay(request: ReplayRequest): Promise<void> {
    this.scenario = request.scenario;
    this.seed = request.seed;
    return this.run(request.scenario, request.seed);
  }

  /**
   * A finding's "trace event N": in the run on show, select it; a grading run's is replayed first
   * (the same seed gives the same trace, so event N is the same event).
   */
  private async showEvent(request: ShowEventRequest): Promise<void> {
    const session = this.session;
    const sameRun = session && (request.scenario === undefined || (session.scenario === request.scenario && session.seed === request.seed && session.outcome));
    if (!sameRun) {
      if (request.scenario === undefined || this.busy) return;
      await this.replay({ scenario: request.scenario, seed: request.seed });
      if (!this.session?.outcome) return;
    }
    await this.updateComplete;
    await this.viewer?.selectEvent(request.event);
  }

  private downloadCapture(): void {
    if (!this.capture) return;
    const url = URL.createObjectURL(new Blob([this.capture.bytes as Uint8Array<ArrayBuffer>], { type: 'application/x-pcapng' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = this.capture.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // ---- rendering ------------------------------------------------------------------------------

  private showHint(): void {
    this.hintsShown++;
    rememberHints(this.lab.id, this.hintsShown);
  }

  private statusBlock() {
    return html`<div class="status ${this.statusKind}" role="status" tabindex="-1">${this.statusText}${this.gradeProgress
        ? ` Scenario ${this.gradeProgress.scenarioIndex + 1} of ${this.gradeProgress.scenarioCount} (${this.gradeProgress.scenario}), seed ${this.gradeProgress.seed}.`
        : ''}</div>`;
  }

  private resetControls() {
    if (this.confirmingReset) {
      return html`<div class="banner" role="group" aria-label="Reset to starter">
        <p>Replace your driver with the lab's starter? Your text is kept (Undo brings it back, and a backup is kept in this browser).</p>
        <button type="button" @click=${this.resetToStarter}>Replace with the starter</button>
        <button type="button" @click=${() => { this.confirmingReset = false; }}>Keep my driver</button></div>`;
    }
    if (this.undoReset !== undefined) {
      return html`<div class="banner" role="group" aria-label="Reset done">
        <p>The editor now holds the starter driver.</p>
        <button type="button" @click=${this.undoResetToStarter}>Undo reset</button>
        <button type="button" @click=${() => { this.undoReset = undefined; }}>Dismiss</button></div>`;
    }
    return nothing;
  }

  override render() {
    const lab = this.lab;
    const disabled = !this.loaded || this.busy !== undefined || this.unavailable !== undefined;
    const mac = /Mac|iPhone|iPad/.test(navigator.platform);
    return html`<p class="back"><a href="#/">← All labs</a></p>
      <h1>${lab.title}</h1>
      <div class="top" @show-event=${(e: CustomEvent<ShowEventRequest>) => void this.showEvent(e.detail)}
        @show-source=${(e: CustomEvent<ShowSourceRequest>) => this.editor.showPosition(e.detail.line, e.detail.column)}>
        <article class="instructions" aria-label="Instructions">
          ${unsafeHTML(renderInstructions(lab.instructionsText, lab.title))}
          <section class="hints" aria-label="Hints">
            <h2>Hints</h2>
            ${lab.hints.length === 0 ? html`<p>This lab has no hints.</p>` : html`
              <ol>${lab.hints.slice(0, this.hintsShown).map((h) => html`<li>${h}</li>`)}</ol>
              ${this.hintsShown < lab.hints.length
                ? html`<button type="button" @click=${this.showHint}>Show hint ${this.hintsShown + 1} of ${lab.hints.length}</button>`
                : html`<p>That was the last hint.</p>`}`}
          </section>
        </article>
        <section class="workspace" aria-label="Your driver and its results">
          ${this.conflict ? html`<div class="banner" role="alert">Another tab saved a newer draft of this lab (${new Date(this.conflict.updatedAt).toLocaleTimeString()}). This tab's text has not been saved over it.
            <button type="button" @click=${this.loadOtherTab}>Load the other tab's draft</button>
            <button type="button" @click=${this.keepMine}>Keep this tab's draft</button></div>` : nothing}
          ${this.apiNotices.length > 0 ? html`<div class="banner api-changes" role="note" aria-label="What changed in the ndis module">
            <p>The <code>ndis</code> module changed since this draft was saved. Your draft is as you left it; these lines may need updating:</p>
            <ul>${this.apiNotices.map((n) => html`<li><strong>Line${n.lines.length > 1 ? 's' : ''} ${n.lines.join(', ')}</strong> (since ${n.change.since}): ${n.change.what} ${n.change.how}</li>`)}</ul>
            <button type="button" @click=${() => { this.apiNotices = []; }}>Dismiss</button></div>` : nothing}
          ${this.unavailable ? html`<div class="banner bad" role="alert">Drivers cannot run on this page: ${this.unavailable}</div>` : nothing}
          <code-editor .problem=${this.sourceProblem} .findings=${this.findingMarks} @change=${(e: CustomEvent<string>) => this.onEdit(e.detail)}></code-editor>
          <p class="editor-hint" id="editor-hint">In the editor, Tab indents: press <kbd>Esc</kbd> then <kbd>Tab</kbd> to move on. <kbd>${mac ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> runs.</p>
          <div class="toolbar">
            <label>Scenario <select @change=${(e: Event) => { this.scenario = (e.target as HTMLSelectElement).value; }}>
              ${lab.scenarios.map((s) => html`<option value="${s.id}" ?selected=${s.id === this.scenario}>${s.title}</option>`)}
            </select></label>
            <label title="The scheduler's random seed: the same seed gives the same run">Random seed <input type="number" min="1" step="1" .value=${String(this.seed)} @change=${(e: Event) => { this.seed = Math.max(1, Math.floor(Number((e.target as HTMLInputElement).value)) || 1); }}></label>
          </div>
          <div class="toolbar">
            <button type="button" ?disabled=${disabled} @click=${() => this.run()} title="Run the scenario (${mac ? 'Cmd' : 'Ctrl'}+Enter)" aria-keyshortcuts="Control+Enter Meta+Enter">Run</button>
            <button type="button" ?disabled=${disabled} @click=${this.gradeNow}>Grade</button>
            <button type="button" ?disabled=${this.busy === undefined} @click=${() => this.engine.stop()}>Stop</button>
            <button type="button" ?disabled=${!this.loaded || this.confirmingReset} @click=${() => { this.confirmingReset = true; this.undoReset = undefined; }}>Reset to starter</button>
            <button type="button" ?disabled=${!this.capture} @click=${this.downloadCapture}>Download capture</button>
            <span class="save-state" aria-live="polite">${this.saveState}</span>
          </div>
          ${this.resetControls()}
          ${this.statusBlock()}
          ${this.hung ? html`<bug-check-screen .screen=${this.hung.screen}></bug-check-screen>` : nothing}
          ${this.hung ? html`<findings-list .findings=${[this.hung.finding]} .names=${this.driverNames}></findings-list>` : nothing}
          ${this.grade ? html`<h2 id="grade-heading" tabindex="-1">Grade</h2><grade-report .grade=${this.grade} .names=${this.driverNames} .lab=${lab.id}
            @replay=${(e: CustomEvent<ReplayRequest>) => this.replay(e.detail)}></grade-report>` : nothing}
          ${lab.kind === 'filter' ? html`<h2>Live traffic</h2>
            <live-traffic ?disabled=${disabled} ?running=${this.busy === 'live'} .progress=${this.liveProgress} .outcome=${this.liveOutcome}
              @live-start=${(e: CustomEvent<LiveStartRequest>) => void this.runLive(e.detail)}></live-traffic>` : nothing}
          <h2 id="views-heading">Live views</h2>
          <run-viewer .session=${this.session}></run-viewer>
        </section>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-page': LabPage;
  }
}
