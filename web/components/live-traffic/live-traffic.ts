// Live traffic: the learner's filter in both NICs' stacks, under the traffic protocol, with the
// NIC and every driver running freely on their own threads (core/live). The panel asks how many
// frames of which size, shows the rate while they flow, then says whether every frame arrived
// intact and in order and every NBL came home, how fast, what each thread spent per frame, and
// any finding with its bug check screen. The lab page owns the engine; this component only asks
// (`live-start`) and shows what it is given.

import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { LiveOutcome, LiveProgress } from '../../engine/protocol.ts';
import { plainFailure } from '../wording.ts';
import { liveProblems } from '../../engine/live-problems.ts';
import '../findings-list/findings-list.ts';
import '../bug-check-screen/bug-check-screen.ts';
import { liveTrafficStyles } from './live-traffic.styles.ts';

export interface LiveStartRequest {
  frames: number;
  /** Without FCS. */
  frameBytes: number;
}

/** Frame counts offered, and sizes with the FCS (as the wire counts them) against what the protocol sends. */
export const FRAME_COUNTS = [100_000, 1_000_000, 10_000_000] as const;
export const FRAME_SIZES = [{ label: '64 bytes', frameBytes: 60 }, { label: '1518 bytes', frameBytes: 1514 }] as const;

const count = (n: number) => n.toLocaleString('en-US');
const mpps = (framesPerSecond: number) => `${(framesPerSecond / 1e6).toFixed(2)} Mpps`;
const gbps = (bitsPerSecond: number) => `${(bitsPerSecond / 1e9).toFixed(2)} Gb/s`;

@customElement('live-traffic')
export class LiveTraffic extends LitElement {
  static override styles = liveTrafficStyles;

  /** Whether the Start button may be used (the engine is idle and the page can run drivers). */
  @property({ type: Boolean }) disabled = false;
  @property({ type: Boolean }) running = false;
  @property({ attribute: false }) progress: LiveProgress | undefined;
  @property({ attribute: false }) outcome: LiveOutcome | undefined;

  @state() private frames: number = FRAME_COUNTS[1];
  @state() private frameBytes: number = FRAME_SIZES[0].frameBytes;

  private start(): void {
    this.dispatchEvent(new CustomEvent<LiveStartRequest>('live-start', { detail: { frames: this.frames, frameBytes: this.frameBytes }, bubbles: true, composed: true }));
  }

  private renderProgress() {
    const p = this.progress;
    if (!this.running) return nothing;
    if (!p) return html`<p class="rate">Bringing the stack up and going live…</p>`;
    const rate = p.elapsedMs > 0 ? (p.received / p.elapsedMs) * 1000 : 0;
    return html`<progress max=${this.frames} .value=${p.received} aria-label="Frames received"></progress>
      <p class="rate">${count(p.received)} of ${count(this.frames)} frames received, ${count(p.sent - p.received)} in flight; ${mpps(rate)} so far</p>`;
  }

  private renderOutcome() {
    const o = this.outcome;
    if (!o || this.running) return nothing;
    const problems = liveProblems(o);
    const size = `${o.frameBytes + 4}-byte`;
    return html`<div class="summary ${problems.length ? 'fail' : 'pass'}" aria-live="polite">
        ${problems.length === 0
          ? html`${count(o.frames)} ${size} frames ${o.filterBypassed ? 'past' : 'through'} your filter in ${(o.elapsedMs / 1000).toFixed(2)} s: <strong>${mpps(o.framesPerSecond)}</strong> (${gbps(o.bitsPerSecond)}). Every frame arrived intact and in order; every NBL came home.`
          : html`${count(o.received)} of ${count(o.frames)} ${size} frames arrived.<ul class="problems">${problems.map((p) => html`<li>${plainFailure(p)}</li>`)}</ul>`}
      </div>
      ${o.filterBypassed ? html`<p class="meta bypassed">Your filter registered no datapath handlers (FilterSendNetBufferLists, FilterReceiveNetBufferLists and their completions), so NDIS bypassed its modules: the frames never reached it.</p>` : nothing}
      ${o.bugCheck ? html`<bug-check-screen .screen=${o.bugCheck}></bug-check-screen>` : nothing}
      ${o.finding ? html`<findings-list .findings=${[o.finding]}></findings-list>` : nothing}
      ${o.threads.length ? html`<table aria-label="Threads">
          <thead><tr><th>thread</th><th>busy ns per frame</th><th>parks</th><th>chains taken</th></tr></thead>
          <tbody>${o.threads.map((t) => html`<tr data-thread="${t.thread}"><td>${t.thread}</td><td>${count(t.busyNsPerFrame)}</td><td>${count(t.parks)}</td><td>${count(t.chains)}</td></tr>`)}</tbody>
        </table>
        <p class="meta">Busy time is wall-clock time in passes that moved frames; a thread parks when its rings are empty. Two cores run three threads here, so the figures include waiting for a core.</p>` : nothing}`;
  }

  override render() {
    return html`<p class="meta">Your filter in both NICs' stacks, with the traffic protocol above and the e1000 below, each driver in its own worker and the NIC on its own thread: no scheduler, no trace, frames as fast as the threads can move them. The protocol checks every frame's length and sequence number; every NBL must come home.</p>
      <div class="controls">
        <label>Frames <select ?disabled=${this.running} @change=${(e: Event) => { this.frames = Number((e.target as HTMLSelectElement).value); }}>
          ${FRAME_COUNTS.map((n) => html`<option value=${n} ?selected=${n === this.frames}>${count(n)}</option>`)}
        </select></label>
        <label>Size <select ?disabled=${this.running} @change=${(e: Event) => { this.frameBytes = Number((e.target as HTMLSelectElement).value); }}>
          ${FRAME_SIZES.map((s) => html`<option value=${s.frameBytes} ?selected=${s.frameBytes === this.frameBytes}>${s.label}</option>`)}
        </select></label>
        <button type="button" ?disabled=${this.disabled || this.running} @click=${this.start}>Start live traffic</button>
      </div>
      ${this.renderProgress()}
      ${this.renderOutcome()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'live-traffic': LiveTraffic;
  }
}
