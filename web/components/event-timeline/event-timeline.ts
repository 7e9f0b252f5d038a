// The run's trace as a timeline: a scrubber over the event numbers (drag it to look at the
// machine at any point; the other views follow) and the events leading up to that point, with
// state changes, frames and findings set apart. Emits `scrub` with the chosen event number.
// Times are the machine's virtual clock, which many events share (said on the page, since a
// learner expects a step to take time).

import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TimelineEvent } from '../../engine/protocol.ts';
import { eventTimelineStyles } from './event-timeline.styles.ts';

function micros(ns: string): string {
  return `${(Number(ns) / 1000).toFixed(3)} µs`;
}

@customElement('event-timeline')
export class EventTimeline extends LitElement {
  static override styles = eventTimelineStyles;

  /** The events to list (those up to `position`, the latest last). */
  @property({ attribute: false }) events: TimelineEvent[] = [];
  @property({ type: Number }) position = 0;
  @property({ type: Number }) max = 0;

  private scrub(n: number) {
    this.dispatchEvent(new CustomEvent<number>('scrub', { detail: n, bubbles: true, composed: true }));
  }

  protected override updated(): void {
    const list = this.renderRoot.querySelector('ol');
    if (list) list.scrollTop = list.scrollHeight;
  }

  override render() {
    const current = this.events.at(-1);
    return html`<div class="scrubber">
        <label for="scrub">Trace position</label>
        <input id="scrub" type="range" min="1" max="${Math.max(1, this.max)}" .value=${String(Math.max(1, this.position))}
          @input=${(e: Event) => this.scrub(Number((e.target as HTMLInputElement).value))} ?disabled=${this.max === 0}>
        <span class="where" title="Virtual time: steps of NDIS, the drivers and the NIC take none; it moves for timers, waits, paced traffic and the cable's delay">event ${this.position} of ${this.max}${current ? `, virtual time ${micros(current.t)}` : ''}</span>
      </div>
      <ol aria-label="Trace events">${this.events.map((e) => html`<li class="k-${e.kind} ${e.n === current?.n ? 'current' : ''}" @click=${() => this.scrub(e.n)}>
        <span class="n">#${e.n}</span><span class="t">${micros(e.t)}</span><span>${e.text}</span></li>`)}</ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'event-timeline': EventTimeline;
  }
}
