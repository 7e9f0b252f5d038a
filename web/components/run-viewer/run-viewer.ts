// The live views of one run: state diagrams of every binding, filter module and miniport adapter,
// the event timeline with its scrubber, the descriptor rings, the counters, the frames, and the
// bug check screen when a fatal finding stops the machine, and the console: what the drivers
// printed with console.log, each line at the trace event it came after. While the run streams in,
// playback moves from snapshot to snapshot at a pace a person can follow; the scrubber goes
// anywhere, and a finding's "trace event N" link selects that event (selectEvent).

import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state, query } from 'lit/decorators.js';
import type { RunSession } from '../../engine/run-session.ts';
import type { ObjectState, ConsoleLine, Snapshot } from '../../engine/protocol.ts';
import type { EventTimeline } from '../event-timeline/event-timeline.ts';
import type { ShowEventRequest } from '../findings-list/findings-list.ts';
import '../state-diagram/state-diagram.ts';
import '../event-timeline/event-timeline.ts';
import '../descriptor-rings/descriptor-rings.ts';
import '../counters-view/counters-view.ts';
import '../frame-list/frame-list.ts';
import '../findings-list/findings-list.ts';
import '../bug-check-screen/bug-check-screen.ts';
import { runViewerStyles } from './run-viewer.styles.ts';

/** Playback speeds, in snapshots per second. */
export const SPEEDS: Record<string, number> = { slow: 4, normal: 20, fast: 80 };
/**
 * The longest a whole run's playback takes at each speed, in seconds: a long run moves more than
 * one snapshot a step rather than playing for ever (a 2,000-event run took 10 s at normal).
 */
export const LONGEST_PLAYBACK_S: Record<string, number> = { slow: 30, normal: 4, fast: 1.5 };
const MACHINE_ORDER = { binding: 0, module: 1, adapter: 2 } as const;

@customElement('run-viewer')
export class RunViewer extends LitElement {
  static override styles = runViewerStyles;

  @property({ attribute: false }) session: RunSession | undefined;
  /** Trace event number the views show. */
  @state() position = 0;
  @state() playing = true;
  @state() speed = 'normal';
  @query('event-timeline') private timeline!: EventTimeline;
  private frame = 0;
  private lastTick = 0;
  /** After Jump to end: the position stays at the end as the last events arrive. */
  private followEnd = false;
  private readonly onUpdate = () => {
    if (this.followEnd && this.session) this.position = this.session.lastEvent;
    this.requestUpdate();
    this.play();
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session')) {
      (changed.get('session') as RunSession | undefined)?.removeEventListener('update', this.onUpdate);
      this.session?.addEventListener('update', this.onUpdate);
      this.position = 0;
      this.playing = true;
      this.followEnd = false;
      this.play();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.session?.removeEventListener('update', this.onUpdate);
  }

  /** Stops playback on trace event `n` and brings its row, focused, into view (a finding's link). */
  async selectEvent(n: number): Promise<void> {
    this.playing = false;
    this.followEnd = false;
    // A finished run's last events may still be on their way (they come apart from its outcome).
    const session = this.session;
    if (session?.done) {
      await session.settled();
      if (session !== this.session) return;
    }
    this.position = Math.max(1, Math.min(n, this.session?.lastEvent ?? n));
    await this.updateComplete;
    const timeline = this.timeline;
    if (!timeline) return;
    timeline.reveal(this.position);
    await timeline.updateComplete;
    timeline.scrollIntoView({ block: 'nearest' });
  }

  private onShowEvent(event: CustomEvent<ShowEventRequest>): void {
    // This run's own findings: select here. A grading run's (with a scenario) goes to the page.
    if (event.detail.scenario !== undefined && event.detail.scenario !== this.session?.scenario) return;
    event.stopPropagation();
    void this.selectEvent(event.detail.event);
  }

  /** Shows the run's end at once. */
  jumpToEnd(): void {
    this.playing = false;
    this.followEnd = true;
    this.position = this.session?.lastEvent ?? 0;
  }

  private play(): void {
    if (!this.playing || this.frame) return;
    this.lastTick = performance.now();
    this.frame = requestAnimationFrame((now) => this.tick(now));
  }

  /** Whether playback must stop at `snapshot`: something changed state there, or a finding came. */
  private marks(snapshot: Snapshot, before: Snapshot | undefined): boolean {
    return snapshot.objects.some((o) => o.changedAt === snapshot.n) || (before !== undefined && snapshot.findings > before.findings);
  }

  private tick(now: number): void {
    this.frame = 0;
    const session = this.session;
    if (!session || !this.playing) return;
    const interval = 1000 / SPEEDS[this.speed]!;
    if (now - this.lastTick >= interval) {
      // Keep the cadence (a frame comes a little after the interval, not on it), never a backlog.
      this.lastTick = now - this.lastTick < 2 * interval ? this.lastTick + interval : now;
      const index = this.position === 0 ? -1 : session.snapshotIndexAt(this.position);
      const stride = Math.max(1, Math.ceil(session.snapshots.length / (SPEEDS[this.speed]! * LONGEST_PLAYBACK_S[this.speed]!)));
      // Up to `stride` snapshots on, but never past a state change or a finding: those are shown.
      let to = index + 1;
      while (to < index + stride && to + 1 < session.snapshots.length && !this.marks(session.snapshots[to]!, session.snapshots[to - 1])) to++;
      const next = session.snapshots[to];
      const moved = next !== undefined && next.n > this.position;
      if (moved) {
        this.position = next.n;
      } else if (session.done) {
        this.position = session.lastEvent;
        this.playing = false;
        this.dispatchEvent(new Event('playback-end', { bubbles: true, composed: true }));
        return;
      }
    }
    this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  private scrub(n: number) {
    this.playing = false;
    this.followEnd = false;
    this.position = n;
  }

  private togglePlay() {
    this.followEnd = false;
    if (this.playing) {
      this.playing = false;
    } else {
      if (this.session && this.position >= this.session.lastEvent) this.position = 0;
      this.playing = true;
      this.play();
    }
  }

  private renderConsole(all: ConsoleLine[], lines: ConsoleLine[], names: Readonly<Record<string, string>>) {
    return html`<section aria-label="Console">
      <h3>Console</h3>
      ${all.length === 0
        ? html`<p class="waiting">No console output. What a driver prints with <code>console.log</code> shows here, at the trace event it came after.</p>`
        : html`<p class="waiting">${lines.length} of ${all.length} lines printed by trace event ${this.position}.</p>
          <ol class="console" aria-label="Console output" tabindex="0">${lines.map((l) => html`<li class="level-${l.level}">
            <button type="button" class="link" title="Show trace event ${l.n}" @click=${() => void this.selectEvent(Math.max(1, l.n))}>#${l.n}</button>
            <span class="who">${l.driver ? names[l.driver] ?? l.driver : ''}</span>${l.level === 'log' ? '' : html`<span class="level">${l.level}</span>`}<span class="text">${l.text}</span></li>`)}</ol>`}
    </section>`;
  }

  override render() {
    const session = this.session;
    if (!session) return html`<p class="waiting">Press Run to watch a scenario.</p>`;
    const snapshot = this.position > 0 ? session.snapshotAt(this.position) : undefined;
    const index = snapshot ? session.snapshotIndexAt(this.position) : 0;
    const previous = index > 0 ? session.snapshots[index - 1] : undefined;
    const objects = [...(snapshot?.objects ?? [])].sort((a, b) => MACHINE_ORDER[a.machine] - MACHINE_ORDER[b.machine]);
    const outcome = session.outcome;
    const findings = (outcome?.findings ?? []).filter((f) => f.event <= this.position);
    const stopped = outcome?.bugCheck && findings.some((f) => f.severity === 'fatal');
    return html`<div class="controls">
        <button type="button" @click=${this.togglePlay}>${this.playing ? 'Pause playback' : 'Play'}</button>
        <label>Playback speed <select @change=${(e: Event) => { this.speed = (e.target as HTMLSelectElement).value; }}>
          ${Object.keys(SPEEDS).map((s) => html`<option value="${s}" ?selected=${s === this.speed}>${s}</option>`)}
        </select></label>
        <button type="button" @click=${this.jumpToEnd}>Jump to end</button>
      </div>
      ${stopped ? html`<bug-check-screen .screen=${outcome!.bugCheck!}></bug-check-screen>` : nothing}
      <section aria-label="State diagrams">
        <h3>States</h3>
        <div class="diagrams">${objects.length
          ? objects.map((o: ObjectState) => html`<state-diagram .machine=${o.machine} .object=${o} data-object="${o.object}"></state-diagram>`)
          : html`<p class="waiting">Nothing has changed state yet.</p>`}</div>
      </section>
      <section aria-label="Timeline">
        <h3>Trace</h3>
        <event-timeline .events=${session.events} .count=${session.events.length} .position=${this.position} .max=${session.lastEvent} .names=${session.driverNames}
          @scrub=${(e: CustomEvent<number>) => this.scrub(e.detail)}></event-timeline>
      </section>
      ${findings.length ? html`<section aria-label="Findings so far" @show-event=${this.onShowEvent}><h3>Findings</h3><findings-list .findings=${findings} .names=${session.driverNames}></findings-list></section>` : nothing}
      ${this.renderConsole(session.console, session.consoleUpTo(this.position), session.driverNames)}
      <div class="grid">
        <section aria-label="Descriptor rings"><h3>Descriptor rings</h3><descriptor-rings .nics=${snapshot?.nics ?? []}></descriptor-rings></section>
        <section aria-label="Counters"><h3>Counters</h3><counters-view .nics=${snapshot?.nics ?? []} .previous=${previous?.nics ?? []} .wire=${snapshot?.wire}></counters-view></section>
      </div>
      <section aria-label="Frames"><h3>Frames</h3><frame-list .frames=${session.framesUpTo(this.position)}></frame-list></section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-viewer': RunViewer;
  }
}
