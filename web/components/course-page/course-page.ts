// The course: every lab in order, each a link named by its title, with where the learner stands
// (not started, in progress, completed) and their best score; then the verifier's rule catalog.

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CourseLab } from '../../labs/catalog.ts';
import type { DraftRecord, ProgressRecord } from '../../store/records.ts';
import { labStatus } from '../../store/lab-status.ts';
import '../rule-catalog/rule-catalog.ts';
import { coursePageStyles } from './course-page.styles.ts';

@customElement('course-page')
export class CoursePage extends LitElement {
  static override styles = coursePageStyles;

  @property({ attribute: false }) labs: CourseLab[] = [];
  @property({ attribute: false }) problems: string[] = [];
  @property({ attribute: false }) progress = new Map<string, { draft?: DraftRecord; progress?: ProgressRecord }>();

  override render() {
    return html`<h1>NIC Lab: NDIS 6 drivers, in your browser</h1>
      <p>Write Windows NDIS 6 protocol and filter drivers in TypeScript against an emulated Intel e1000. Each lab has instructions, a
        starter driver, and scenarios the grader runs under several seeds. Your drafts and grades stay in this browser.</p>
      <h2>Labs</h2>
      <ol class="labs" aria-label="Labs">${this.labs.map((lab) => {
        const { status, best } = labStatus(this.progress.get(lab.id));
        return html`<li data-lab="${lab.id}">
          <a href="#/lab/${lab.id}">${lab.title}</a>
          <span class="status ${status.replace(' ', '-')}" data-status="${status}">${status}</span>
          ${best ? html`<span class="best">best score ${best.score}/${best.maxScore}</span>` : nothing}
          <p class="summary">${lab.summary}</p>
        </li>`;
      })}</ol>
      ${this.problems.length ? html`<h2>Labs that could not be loaded</h2>${this.problems.map((p) => html`<p class="problem">${p}</p>`)}` : nothing}
      <h2 id="rules">The verifier's rules</h2>
      <p>Every finding names one of these rules. Fatal ones stop the machine with a bug check, as Driver Verifier would.</p>
      <rule-catalog></rule-catalog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-page': CoursePage;
  }
}
