// The course: a "start here" for a first visit (or where to go on, later), every lab in order,
// each a link named by its title, with where the learner stands (not started, in progress,
// completed) and their best score; then the verifier's rule catalog.

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CourseLab } from '../../labs/catalog.ts';
import type { DraftRecord, ProgressRecord } from '../../store/records.ts';
import { labStatus } from '../../store/lab-status.ts';
import '../rule-catalog/rule-catalog.ts';
import { coursePageStyles } from './course-page.styles.ts';
import { documentNames, ndisDocuments } from '../wording.ts';

@customElement('course-page')
export class CoursePage extends LitElement {
  static override styles = coursePageStyles;

  @property({ attribute: false }) labs: CourseLab[] = [];
  @property({ attribute: false }) problems: string[] = [];
  @property({ attribute: false }) progress = new Map<string, { draft?: DraftRecord; progress?: ProgressRecord }>();

  private start() {
    const statuses = this.labs.map((lab) => ({ lab, ...labStatus(this.progress.get(lab.id)) }));
    if (statuses.length === 0) return nothing;
    const fresh = statuses.every((s) => s.status === 'not started');
    const next = statuses.find((s) => s.status === 'in progress') ?? statuses.find((s) => s.status === 'not started');
    if (fresh) {
      const first = statuses[0]!.lab;
      return html`<section class="start" aria-labelledby="start-heading">
        <h2 id="start-heading">Start here</h2>
        <ol class="steps">
          <li>Open <a href="#/lab/${first.id}">lab 1: ${first.title}</a> and read its instructions (the hints are there if you are stuck).</li>
          <li>Edit the starter driver in the editor. Your text is saved in this browser as you type.</li>
          <li>Press <strong>Run</strong> (Ctrl+Enter) to run one scenario and watch it: the states, the trace, the frames, what your driver printed.</li>
          <li>Press <strong>Grade</strong> when it works: every scenario under several random seeds. Full marks complete the lab.</li>
        </ol>
      </section>`;
    }
    if (!next) return html`<section class="start done" aria-labelledby="start-heading"><h2 id="start-heading">Course completed</h2><p>Every lab has full marks. The rule catalog below is what the verifier checks.</p></section>`;
    return html`<section class="start" aria-labelledby="start-heading">
      <h2 id="start-heading">Go on</h2>
      <p>${next.status === 'in progress' ? 'Pick up' : 'Next'}: <a href="#/lab/${next.lab.id}">lab ${statuses.indexOf(next) + 1}: ${next.lab.title}</a>${next.status === 'in progress' ? ' (in progress)' : ''}.</p>
    </section>`;
  }

  override render() {
    return html`<h1>NIC Lab: NDIS 6 drivers, in your browser</h1>
      <p>Write Windows NDIS 6 protocol and filter drivers in TypeScript against an emulated Intel e1000. Each lab has instructions, a
        starter driver, and scenarios the grader runs under several random seeds. Your drafts and grades stay in this browser.</p>
      ${this.start()}
      <h2>Labs</h2>
      <ol class="labs" aria-label="Labs">${this.labs.map((lab) => {
        const { status, best } = labStatus(this.progress.get(lab.id));
        return html`<li data-lab="${lab.id}">
          <a href="#/lab/${lab.id}">${lab.title}</a>
          <span class="status ${status.replace(' ', '-')}" data-status="${status}">${status}</span>
          ${best ? html`<span class="best">best score ${best.score}/${best.maxScore}</span>` : nothing}
          <p class="summary">${documentNames(lab.summary)}</p>
        </li>`;
      })}</ol>
      ${this.problems.length ? html`<h2>Labs that could not be loaded</h2>${this.problems.map((p) => html`<p class="problem">${p}</p>`)}` : nothing}
      <h2 id="rules">The verifier's rules</h2>
      <p>Every finding names one of these rules. Fatal ones stop the machine with a bug check, as Driver Verifier would.</p>
      <rule-catalog></rule-catalog>
      <h2 id="documents">The NDIS documents the labs cite</h2>
      <p>The labs' instructions and the starters' comments cite five pages of Microsoft's NDIS documentation by number
        (the comments say "seed 003": a document, not the random seed a run takes):</p>
      <ul class="documents">${ndisDocuments().map((d) => html`<li>NDIS doc ${d.number}: <a href=${d.url} target="_blank" rel="noopener">${d.title}</a></li>`)}</ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-page': CoursePage;
  }
}
