// The application shell: routes between the course page (#/) and a lab (#/lab/<id>), owns the
// progress store and the lab runtime engine, and carries the header's Export progress and Import
// progress and the notices (a stored entry set aside, an import's result or what was wrong).

import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { course, labById } from '../../labs/catalog.ts';
import { ProgressStore, type StoreNotice } from '../../store/progress-store.ts';
import type { DraftRecord, ProgressRecord } from '../../store/records.ts';
import { exportProgress, importProgress, parseExport, courseScores, ImportError } from '../../store/transfer.ts';
import { LabEngine } from '../../engine/lab-engine.ts';
import type { IsolationState } from '../../isolation.ts';
import '../course-page/course-page.ts';
import '../lab-page/lab-page.ts';
import { nicLabAppStyles } from './nic-lab-app.styles.ts';

/** Wall-clock ms without a heartbeat before a driver counts as hung (`?watchdog=ms` overrides). */
export const DEFAULT_WATCHDOG_MS = 5000;

interface Notice {
  id: number;
  kind: 'warn' | 'ok' | 'bad';
  text: string;
  /** Notices of one topic replace each other (an import's result replaces the last import's). */
  topic?: string;
}

function watchdogMs(): number {
  const asked = Number(new URLSearchParams(location.search).get('watchdog'));
  return Number.isFinite(asked) && asked >= 200 ? asked : DEFAULT_WATCHDOG_MS;
}

@customElement('nic-lab-app')
export class NicLabApp extends LitElement {
  static override styles = nicLabAppStyles;

  /** Set by main.ts once isolation is settled; undefined while it is being checked. */
  @property({ attribute: false }) isolation: IsolationState | undefined;

  @state() private route = location.hash;
  @state() private progress = new Map<string, { draft?: DraftRecord; progress?: ProgressRecord }>();
  @state() private notices: Notice[] = [];
  /** Bumped by an import so the lab page reloads what it shows. */
  @state() private generation = 0;

  readonly store = new ProgressStore();
  readonly engine = new LabEngine({ hangAfterMs: watchdogMs() });
  private nextNotice = 1;
  /** The route changed: the next render starts the new page at its top. */
  private routeChanged = false;
  private readonly onHash = () => {
    this.route = location.hash;
    this.routeChanged = true;
    void this.refreshProgress();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    this.store.addEventListener('notice', (e) => this.notify('warn', (e as CustomEvent<StoreNotice>).detail.message));
    this.store.addEventListener('remote-change', () => void this.refreshProgress());
    void this.refreshProgress();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  protected override updated(changed: Map<string, unknown>): void {
    // A lab opened from a scrolled course page (or the way back) starts at the top, with the
    // focus at the start of the new page rather than on a link that is gone.
    if (changed.has('route') && this.routeChanged) {
      this.routeChanged = false;
      window.scrollTo(0, 0);
      this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: true });
    }
    // The lab runtime worker compiles the NIC while the learner reads.
    if (changed.has('isolation') && this.isolation?.isolated) void this.engine.warmUp().catch(() => {});
  }

  private notify(kind: Notice['kind'], text: string, topic?: string): void {
    const kept = topic ? this.notices.filter((n) => n.topic !== topic) : this.notices;
    this.notices = [...kept, { id: this.nextNotice++, kind, text, ...(topic ? { topic } : {}) }];
  }

  private dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  private reconciled = false;

  private async refreshProgress(): Promise<void> {
    // Once per load: edits that a closed tab or a reload left unsaved go into IndexedDB first.
    if (!this.reconciled) {
      this.reconciled = true;
      await this.store.reconcileUnsaved(undefined, new Map(course.labs.map((l) => [l.id, l.starterSource]))).catch(() => undefined);
    }
    this.progress = await this.store.everything();
  }

  private async exportFile(): Promise<void> {
    const file = await exportProgress(this.store);
    const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `nic-lab-progress-${file.exportedAt.slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.notify('ok', `Exported progress for ${file.labs.length} lab(s) to ${a.download}.`, 'transfer');
  }

  private pickFile(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')!.click();
  }

  private async importFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const parsed = parseExport(await file.text(), file.name, courseScores(course.labs));
      const result = await importProgress(this.store, parsed);
      this.notify('ok', `Imported ${file.name}: progress for ${result.labs} lab(s) updated${result.draftsReplaced ? `; ${result.draftsReplaced} older local draft(s) kept as backups` : ''}.`, 'transfer');
      this.generation++;
      await this.refreshProgress();
    } catch (error) {
      this.notify('bad', error instanceof ImportError ? error.message : `Import failed: ${(error as Error).message}; nothing was imported.`, 'transfer');
    }
  }

  private page() {
    const match = /^#\/lab\/([a-z0-9-]+)$/.exec(this.route);
    // Each page has a title of its own (tabs, history, bookmarks tell the labs apart).
    const lab = match ? labById(match[1]!) : undefined;
    document.title = lab ? `${lab.title} — NIC Lab` : match ? 'No such lab — NIC Lab' : 'The course — NIC Lab';
    if (!match) return html`<course-page .labs=${course.labs} .problems=${course.problems} .progress=${this.progress}></course-page>`;
    if (!lab) return html`<h1>No lab "${match[1]}"</h1><p>The labs are listed on <a href="#/">the course page</a>.</p>`;
    const unavailable = this.isolation === undefined ? 'checking that the page is cross-origin isolated…' : this.isolation.isolated ? undefined : this.isolation.reason;
    // Keyed by lab and import generation: a new lab or an import gives a fresh page with fresh data.
    return keyed(`${lab.id}/${this.generation}`, html`<lab-page .lab=${lab} .store=${this.store} .engine=${this.engine} .unavailable=${unavailable}></lab-page>`);
  }

  override render() {
    return html`<header>
        <a class="home" href="#/">NIC Lab</a>
        <span>NDIS 6 drivers against an emulated e1000</span>
        <div class="actions">
          <button type="button" @click=${this.exportFile}>Export progress</button>
          <button type="button" @click=${this.pickFile}>Import progress</button>
          <input type="file" accept=".json,application/json" aria-label="Progress file" @change=${this.importFile}>
        </div>
      </header>
      <div class="notices" role="alert">${this.notices.map((n) => html`<div class="notice ${n.kind}"><p>${n.text}</p><button type="button" @click=${() => this.dismiss(n.id)}>Dismiss</button></div>`)}</div>
      ${this.isolation && !this.isolation.isolated ? html`<div class="notices"><div class="notice bad"><p>This page is not cross-origin isolated, so the virtual machine's shared memory is not available: ${this.isolation.reason}</p></div></div>` : nothing}
      <main tabindex="-1">${this.page()}</main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nic-lab-app': NicLabApp;
  }
}
