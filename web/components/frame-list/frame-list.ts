// The frames the NICs' ports saw on the wire up to the current point of a run: a list (time,
// NIC, direction, length, addresses, EtherType, faults), and for the selected frame its Ethernet
// fields and a hex dump of the bytes as they were on the wire (FCS included). The rows are one tab
// stop: the arrow keys, Home and End move through them and select (a roving tabindex).

import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { formatMac } from '../../../core/nic/machine.ts';
import type { FrameView } from '../../engine/protocol.ts';
import { frameListStyles } from './frame-list.styles.ts';

/** Rows listed at most (the latest ones); the capture file has them all. */
const SHOWN = 200;
const FCS_BYTES = 4;

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${text}`);
  }
  return lines.join('\n');
}

export interface EthernetFields {
  destination: string;
  source: string;
  etherType: string;
  payloadBytes: number;
  fcs: string;
}

export function ethernetFields(bytes: Uint8Array): EthernetFields {
  const type = ((bytes[12] ?? 0) << 8) | (bytes[13] ?? 0);
  const fcs = bytes.subarray(Math.max(14, bytes.length - FCS_BYTES));
  return {
    destination: formatMac(bytes.subarray(0, 6)),
    source: formatMac(bytes.subarray(6, 12)),
    etherType: `0x${type.toString(16).padStart(4, '0')}${type === 0x88b5 ? ' (local experimental)' : type === 0x0800 ? ' (IPv4)' : type === 0x0806 ? ' (ARP)' : ''}`,
    payloadBytes: Math.max(0, bytes.length - 14 - FCS_BYTES),
    fcs: Array.from(fcs, (b) => b.toString(16).padStart(2, '0')).join(' '),
  };
}

function micros(ns: string): string {
  return (Number(ns) / 1000).toFixed(3);
}

@customElement('frame-list')
export class FrameList extends LitElement {
  static override styles = frameListStyles;

  @property({ attribute: false }) frames: FrameView[] = [];
  /** Trace event number of the selected frame. */
  @state() private selected: number | undefined;

  /** Focus the selected row after the next render (a key moved it). */
  private focusSelected = false;

  private select(frame: FrameView) {
    this.selected = frame.n;
  }

  private onKey(event: KeyboardEvent, shown: FrameView[]): void {
    const at = Math.max(0, shown.findIndex((f) => f.n === this.selected));
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: shown.length - 1 }[event.key]
      ?? (event.key === 'Enter' || event.key === ' ' ? at : undefined);
    if (to === undefined) return;
    event.preventDefault();
    const frame = shown[Math.max(0, Math.min(shown.length - 1, to))];
    if (!frame) return;
    this.selected = frame.n;
    this.focusSelected = true;
  }

  protected override updated(): void {
    if (!this.focusSelected) return;
    this.focusSelected = false;
    this.renderRoot.querySelector<HTMLElement>('tbody tr[aria-selected="true"]')?.focus();
  }

  override render() {
    if (this.frames.length === 0) return html`<p class="empty">No frame on the wire yet.</p>`;
    const shown = this.frames.slice(-SHOWN);
    const selected = this.frames.find((f) => f.n === this.selected);
    const tabStop = shown.some((f) => f.n === this.selected) ? this.selected : shown.at(-1)?.n;
    return html`<div class="list"><table aria-label="Frames on the wire">
        <thead><tr><th>event</th><th>time (µs)</th><th>NIC</th><th>dir</th><th>bytes</th><th>destination</th><th>source</th><th>type</th><th>faults</th></tr></thead>
        <tbody @keydown=${(e: KeyboardEvent) => this.onKey(e, shown)}>${repeat(shown, (f) => f.n, (f) => {
          const e = ethernetFields(f.bytes);
          const faults = [f.corrupted ? 'corrupted' : '', f.delayed ? 'delayed' : '', f.reordered ? 'reordered' : ''].filter(Boolean).join(', ');
          return html`<tr aria-selected="${f.n === this.selected}" tabindex=${f.n === tabStop ? '0' : '-1'} @click=${() => this.select(f)} data-frame="${f.n}">
            <td>${f.n}</td><td>${micros(f.t)}</td><td>nic${f.nic}</td><td>${f.direction}</td><td>${f.bytes.length}</td>
            <td>${e.destination}</td><td>${e.source}</td><td>${e.etherType.slice(0, 6)}</td><td class="fault">${faults}</td>
          </tr>`;
        })}</tbody>
      </table></div>
      ${this.frames.length > SHOWN ? html`<p class="empty">The latest ${SHOWN} of ${this.frames.length} frames; Download capture has them all.</p>` : nothing}
      ${selected ? this.detail(selected) : html`<p class="empty">Select a frame (click it, or the arrow keys in the list) to see its fields and bytes.</p>`}`;
  }

  private detail(frame: FrameView) {
    const e = ethernetFields(frame.bytes);
    return html`<div class="detail" aria-label="Selected frame">
      <dl>
        <dt>Destination</dt><dd>${e.destination}</dd>
        <dt>Source</dt><dd>${e.source}</dd>
        <dt>EtherType</dt><dd>${e.etherType}</dd>
        <dt>Payload</dt><dd>${e.payloadBytes} bytes</dd>
        <dt>FCS</dt><dd>${e.fcs}${frame.corrupted ? ' (does not match: a bit was flipped on the wire)' : ''}</dd>
        <dt>Seen</dt><dd>nic${frame.nic} ${frame.direction === 'tx' ? 'sending' : 'receiving'}, ${micros(frame.t)} µs</dd>
      </dl>
      <pre role="region" aria-label="Hex dump" tabindex="0">${hexDump(frame.bytes)}</pre>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'frame-list': FrameList;
  }
}
