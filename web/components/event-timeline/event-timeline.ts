// The run's trace as a timeline: a scrubber over the event numbers (drag it to look at the
// machine at any point; the other views follow), step back and forward, and a list of events
// around that point, with state changes, frames and findings set apart. The list can be narrowed
// by driver, by kind and by binding, filter module or adapter, and searched; the scheduler's own
// steps ("scheduler runs continue", most of a trace) are hidden unless asked for. The list is
// one tab stop: the arrow keys, Home, End, Page Up and Page Down move through the events shown
// (a roving tabindex), each move scrubbing there. Emits `scrub` with the chosen event number.
// Times are the machine's virtual clock, which many events share (said on the page, since a
// learner expects a step to take time).

import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { TimelineEvent } from '../../engine/protocol.ts';
import { objectLabel } from '../../engine/event-text.ts';
import { eventTimelineStyles } from './event-timeline.styles.ts';

function micros(ns: string): string {
  return `${(Number(ns) / 1000).toFixed(3)} µs`;
}

/** The scheduler's own events: hidden unless the learner asks for them. */
export const SCHEDULER_KINDS: ReadonlySet<string> = new Set(['step', 'choice']);

/** Trace event kinds in the learner's words. */
const KIND_WORDS: Record<string, string> = {
  handler: 'NDIS calls a handler', return: 'a handler returns', ndis: 'a driver calls NDIS', state: 'state changes', frame: 'frames on the wire',
  finding: 'findings', bugcheck: 'bug checks', send: 'sends', receive: 'receives', waited: 'waits end', load: 'driver loads', step: 'scheduler steps', choice: 'scheduler choices',
};

/** Events listed before and after the current one (a list of ~15 visible rows; each step renders them). */
const BEFORE = 30;
const AFTER = 15;
/** Events a Page Up or Page Down moves. */
const PAGE = 20;

export interface TraceFilter {
  driver: string;
  kind: string;
  object: string;
  search: string;
  scheduler: boolean;
}

const NO_FILTER: TraceFilter = { driver: '', kind: '', object: '', search: '', scheduler: false };

export function matchesFilter(e: TimelineEvent, f: TraceFilter): boolean {
  if (!f.scheduler && SCHEDULER_KINDS.has(e.kind) && f.kind !== e.kind) return false;
  if (f.kind && e.kind !== f.kind) return false;
  if (f.driver && e.driver !== f.driver) return false;
  if (f.object && e.object !== f.object && !(e.object ?? '').endsWith(`/${f.object}`)) return false;
  if (f.search && !e.text.toLowerCase().includes(f.search.toLowerCase()) && `#${e.n}` !== f.search.trim()) return false;
  return true;
}

@customElement('event-timeline')
export class EventTimeline extends LitElement {
  static override styles = eventTimelineStyles;

  /** The run's events so far, in order (the array may grow: `count` says how far it has). */
  @property({ attribute: false }) events: TimelineEvent[] = [];
  /** How many of `events` there are now (a new value re-reads the array). */
  @property({ type: Number }) count = 0;
  @property({ type: Number }) position = 0;
  @property({ type: Number }) max = 0;
  /** Registered driver names, by the trace's name (for the driver filter's labels). */
  @property({ attribute: false }) names: Readonly<Record<string, string>> = {};

  @state() private filter: TraceFilter = NO_FILTER;

  /** Indices into `events` of the events the filter lets through, kept up as events arrive. */
  private shownIdx: number[] = [];
  private matchedUpTo = 0;
  private matchedFor: TraceFilter | undefined;
  private matchedEvents: TimelineEvent[] | undefined;
  /** Drivers, kinds and objects seen so far (the filters' choices). */
  private readonly seen = { drivers: new Set<string>(), kinds: new Set<string>(), objects: new Set<string>() };
  private seenUpTo = 0;
  private seenEvents: TimelineEvent[] | undefined;
  /** Focus the current row after the next render (a key moved it). */
  private focusCurrent = false;

  private scrub(n: number) {
    this.dispatchEvent(new CustomEvent<number>('scrub', { detail: n, bubbles: true, composed: true }));
  }

  /** Shows event `n` (a finding's link): clears filters that hide it, and puts the focus on its row. */
  reveal(n: number): void {
    const event = this.events.find((e) => e.n === n);
    if (event && !matchesFilter(event, this.filter)) this.filter = { ...NO_FILTER, scheduler: SCHEDULER_KINDS.has(event.kind) };
    this.focusCurrent = true;
    this.requestUpdate();
  }

  private refresh(): void {
    const events = this.events;
    if (this.matchedFor !== this.filter || this.matchedEvents !== events || this.matchedUpTo > events.length) {
      this.shownIdx = [];
      this.matchedUpTo = 0;
      this.matchedFor = this.filter;
      this.matchedEvents = events;
    }
    for (let i = this.matchedUpTo; i < events.length; i++) if (matchesFilter(events[i]!, this.filter)) this.shownIdx.push(i);
    this.matchedUpTo = events.length;
    if (this.seenEvents !== events || this.seenUpTo > events.length) {
      this.seen.drivers.clear();
      this.seen.kinds.clear();
      this.seen.objects.clear();
      this.seenUpTo = 0;
      this.seenEvents = events;
    }
    for (let i = this.seenUpTo; i < events.length; i++) {
      const e = events[i]!;
      this.seen.kinds.add(e.kind);
      if (e.driver) this.seen.drivers.add(e.driver);
      if (e.object) this.seen.objects.add(e.object);
    }
    this.seenUpTo = events.length;
  }

  /** Index into `matches` of the last matching event at or before the position (-1: none). */
  private currentIndex(): number {
    let lo = 0;
    let hi = this.shownIdx.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[this.shownIdx[mid]!]!.n <= this.position) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Scrubs to the matching event `delta` steps from the current one. */
  private step(delta: number): void {
    if (this.shownIdx.length === 0) return;
    const current = this.currentIndex();
    // On an event the filters hide, the one shown before it counts as a step back already.
    const between = current >= 0 && this.events[this.shownIdx[current]!]!.n < this.position;
    const target = current < 0 ? (delta > 0 ? delta - 1 : 0) : delta < 0 && between ? current + delta + 1 : current + delta;
    this.scrub(this.events[this.shownIdx[Math.min(this.shownIdx.length - 1, Math.max(0, target))]!]!.n);
  }

  private onListKey(event: KeyboardEvent): void {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE, PageUp: -PAGE, Home: -Infinity, End: Infinity };
    const delta = moves[event.key];
    if (delta === undefined) return;
    event.preventDefault();
    this.focusCurrent = true;
    if (delta === -Infinity) this.scrub(this.events[this.shownIdx[0]!]?.n ?? 1);
    else if (delta === Infinity) this.scrub(this.events[this.shownIdx.at(-1)!]?.n ?? this.max);
    else this.step(delta);
  }

  private setFilter(change: Partial<TraceFilter>): void {
    this.filter = { ...this.filter, ...change };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('events') && changed.get('events') !== undefined && changed.get('events') !== this.events) this.filter = { ...this.filter, driver: '', object: '' };
  }

  protected override updated(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('ol');
    const row = list?.querySelector<HTMLElement>('li.current');
    if (!list) return;
    if (row) {
      // Keep the current row in view inside the list, without scrolling the page.
      const top = row.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top + row.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top - list.clientHeight / 2;
      if (this.focusCurrent) row.focus({ preventScroll: true });
    }
    this.focusCurrent = false;
  }

  private label(driver: string): string {
    return this.names[driver] ? `${this.names[driver]} (${driver})` : driver;
  }

  override render() {
    this.refresh();
    const ci = this.currentIndex();
    const current = ci >= 0 ? this.events[this.shownIdx[ci]!] : undefined;
    const exact = current?.n === this.position;
    const from = Math.max(0, ci - BEFORE);
    const to = Math.min(this.shownIdx.length, Math.max(ci, 0) + AFTER + 1);
    const rows = this.shownIdx.slice(from, to).map((i) => this.events[i]!);
    const focusRow = current ?? rows[0];
    const hiddenScheduler = !this.filter.scheduler;
    // Events are numbered from 1 in order: event n is at index n - 1 (the search is a fallback).
    const atEvent = (this.events[this.position - 1]?.n === this.position ? this.events[this.position - 1] : this.events.find((e) => e.n === this.position)) ?? current;
    return html`<div class="scrubber">
        <label for="scrub">Trace position</label>
        <input id="scrub" type="range" min="1" max="${Math.max(1, this.max)}" .value=${String(Math.max(1, this.position))}
          @input=${(e: Event) => this.scrub(Number((e.target as HTMLInputElement).value))} ?disabled=${this.max === 0}>
        <span class="where" title="Virtual time: steps of NDIS, the drivers and the NIC take none; it moves for timers, waits, paced traffic and the cable's delay">event ${this.position} of ${this.max}${atEvent ? `, virtual time ${micros(atEvent.t)}` : ''}</span>
      </div>
      <div class="filters" role="group" aria-label="Trace filters">
        <button type="button" @click=${() => this.step(-1)} ?disabled=${this.shownIdx.length === 0} aria-label="Previous event">◀ Previous</button>
        <button type="button" @click=${() => this.step(1)} ?disabled=${this.shownIdx.length === 0} aria-label="Next event">Next ▶</button>
        <label for="f-driver">Driver</label> <select id="f-driver" @change=${(e: Event) => this.setFilter({ driver: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!this.filter.driver}>every driver</option>
          ${[...this.seen.drivers].map((d) => html`<option value=${d} ?selected=${d === this.filter.driver}>${this.label(d)}</option>`)}
        </select>
        <label for="f-kind">Kind</label> <select id="f-kind" @change=${(e: Event) => this.setFilter({ kind: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!this.filter.kind}>every kind</option>
          ${[...this.seen.kinds].filter((k) => this.filter.scheduler || !SCHEDULER_KINDS.has(k)).map((k) => html`<option value=${k} ?selected=${k === this.filter.kind}>${KIND_WORDS[k] ?? k}</option>`)}
        </select>
        <label for="f-object">Object</label> <select id="f-object" @change=${(e: Event) => this.setFilter({ object: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!this.filter.object}>every binding, module and adapter</option>
          ${[...this.seen.objects].sort().map((o) => html`<option value=${o} ?selected=${o === this.filter.object}>${objectLabel(o, this.names)}</option>`)}
        </select>
        <label for="f-search">Search</label> <input id="f-search" type="search" .value=${this.filter.search} placeholder="text or #event"
          @input=${(e: Event) => this.setFilter({ search: (e.target as HTMLInputElement).value })}>
        <label class="check"><input type="checkbox" .checked=${this.filter.scheduler} @change=${(e: Event) => this.setFilter({ scheduler: (e.target as HTMLInputElement).checked })}> Show scheduler steps</label>
      </div>
      <p class="shown" aria-live="polite">${this.shownIdx.length} of ${this.events.length} events shown${hiddenScheduler ? '; the scheduler\'s steps are hidden' : ''}${current && !exact ? `; the position, event ${this.position}, is hidden by the filters` : ''}.</p>
      ${rows.length === 0 ? html`<p class="empty">${this.events.length === 0 ? 'No events yet.' : 'No event matches the filters.'}</p>` : nothing}
      <ol role="listbox" aria-label="Trace events" @keydown=${this.onListKey} class=${rows.length === 0 ? 'none' : ''}>${repeat(rows, (e) => e.n, (e) => html`<li role="option"
        id="event-${e.n}" data-n="${e.n}" aria-selected=${e === current ? 'true' : 'false'} tabindex=${e === focusRow ? '0' : '-1'}
        class="k-${e.kind} ${e === current ? 'current' : ''} ${current && e.n > current.n ? 'after' : ''}"
        @click=${() => { this.focusCurrent = true; this.scrub(e.n); }}>
        <span class="n">#${e.n}</span><span class="t">${micros(e.t)}</span><span class="text">${e.text}</span></li>`)}</ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'event-timeline': EventTimeline;
  }
}
