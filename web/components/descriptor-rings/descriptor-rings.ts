// The NICs' transmit and receive descriptor rings as the device sees them: one cell per legacy
// descriptor, the ones between head and tail (owned by the hardware) shaded, those with DD
// (descriptor done) written back filled, and the head (TDH/RDH) and tail (TDT/RDT) marked.

import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NicView, RingView } from '../../engine/protocol.ts';
import { descriptorRingsStyles } from './descriptor-rings.styles.ts';

/** Descriptors the hardware owns: from head up to (not including) tail, going round. */
export function ownedByHardware(ring: RingView, index: number): boolean {
  const { head, tail } = ring;
  if (head === tail) return false;
  return head < tail ? index >= head && index < tail : index >= head || index < tail;
}

@customElement('descriptor-rings')
export class DescriptorRings extends LitElement {
  static override styles = descriptorRingsStyles;

  @property({ attribute: false }) nics: NicView[] = [];

  private ring(nic: NicView, which: 'TX' | 'RX', ring: RingView) {
    const headReg = which === 'TX' ? 'TDH' : 'RDH';
    const tailReg = which === 'TX' ? 'TDT' : 'RDT';
    const done = [...ring.done].filter((c) => c === '1').length;
    const cells = [...ring.done].map((bit, i) => {
      const cls = [bit === '1' ? 'dd' : '', ownedByHardware(ring, i) ? 'owned' : '', i === ring.head ? 'head' : '', i === ring.tail ? 'tail' : ''].join(' ');
      const notes = [bit === '1' ? 'DD' : '', i === ring.head ? headReg : '', i === ring.tail ? tailReg : ''].filter(Boolean).join(', ');
      return html`<div class="cell ${cls}" title="descriptor ${i}${notes ? `: ${notes}` : ''}">${i}</div>`;
    });
    return html`<section aria-label="${which} ring of ${nic.name}">
      <h4>${which} ring, ${nic.name}</h4>
      <div class="ring" data-ring="${nic.name}-${which.toLowerCase()}">${cells}</div>
      <p class="summary" data-summary="${nic.name}-${which.toLowerCase()}">${headReg} (head) ${ring.head}, ${tailReg} (tail) ${ring.tail}, ${done} of ${ring.entries} with DD</p>
    </section>`;
  }

  override render() {
    return html`${this.nics.map((nic) => html`<div class="nic">
        ${this.ring(nic, 'TX', nic.tx)}${this.ring(nic, 'RX', nic.rx)}
      </div>`)}
      <p class="legend"><span class="l-owned">owned by the NIC (head to tail)</span><span class="l-dd">DD written back</span><span class="l-head">head</span><span class="l-tail">tail</span></p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'descriptor-rings': DescriptorRings;
  }
}
