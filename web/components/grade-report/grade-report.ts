// A grade: every public scenario with its points, whether it passed under all seeds, and for a
// failing one the first failing seed, what was expected and the findings of that run (each can
// be replayed with the live views), the findings (the cause) before the expectations they broke
// (the effect). A driver that does not compile gets the compiler's message once, and no scenario
// ran. A finding's trace event link replays its seed and selects the event (the lab page does).

import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ruleById } from '../../../core/verifier/rules.ts';
import { compileError } from '../../../core/grading/reports.ts';
import type { GradeSummary } from '../../store/records.ts';
import type { FindingView } from '../../engine/protocol.ts';
import '../findings-list/findings-list.ts';
import type { ReplayRequest } from '../findings-list/findings-list.ts';
import { gradeReportStyles } from './grade-report.styles.ts';
import { failureStory, plainFailure } from '../wording.ts';
import { seedStatementsOf } from '../../../labs/seed-statements.ts';

type ScenarioSummary = GradeSummary['scenarios'][number];

export function scenarioFindings(s: ScenarioSummary, lab?: string): FindingView[] {
  return s.findings.map((f) => {
    const rule = ruleById(f.rule);
    const statements = seedStatementsOf(f.rule, lab);
    return {
      rule: f.rule, statement: rule.statement, source: rule.seed, severity: rule.severity, bugCheck: rule.bugCheck,
      driver: f.driver, message: f.message, event: f.event, callPath: [], seed: s.failingSeed ?? 1, scenario: s.id,
      ...(f.location ? { location: f.location } : {}),
      ...(statements.length > 0 ? { seedStatements: statements } : {}),
    };
  });
}

@customElement('grade-report')
export class GradeReport extends LitElement {
  static override styles = gradeReportStyles;

  @property({ attribute: false }) grade: GradeSummary | undefined;
  /** Registered driver names, by the trace's name (from the last Run). */
  @property({ attribute: false }) names: Readonly<Record<string, string>> = {};
  /** The lab graded: its findings point at the seed statements that lab grades. */
  @property() lab = '';

  private replay(s: ScenarioSummary) {
    this.dispatchEvent(new CustomEvent<ReplayRequest>('replay', { detail: { scenario: s.id, seed: s.failingSeed ?? 1 }, bubbles: true, composed: true }));
  }

  /** A failing scenario's findings and load errors (the cause), then its unmet expectations (the effect). */
  private story(s: ScenarioSummary) {
    const { causes, effects } = failureStory(s.failures, s.findings);
    const loadErrors = causes.slice(0, causes.length - s.findings.length);
    return html`${causes.length ? html`<p class="step">What went wrong:</p>` : nothing}
      ${loadErrors.length ? html`<ul class="failures">${loadErrors.map((c) => html`<li>${c}</li>`)}</ul>` : nothing}
      ${s.findings.length ? html`<findings-list .findings=${scenarioFindings(s, this.lab || undefined)} .names=${this.names}></findings-list>` : nothing}
      ${effects.length ? html`<p class="step">${causes.length ? 'So the scenario did not get what it expects:' : 'What the scenario expected:'}</p>
        <ul class="failures">${effects.map((f) => html`<li>${f}</li>`)}</ul>` : nothing}`;
  }

  override render() {
    const g = this.grade;
    if (!g) return nothing;
    // A driver that does not compile failed every scenario the same way, before any of it ran:
    // said once, with nothing to replay.
    const notCompiled = compileError(g);
    return html`${notCompiled ? html`<p class="fail" role="alert">Not graded: ${plainFailure(notCompiled)}</p>` : nothing}
      <table aria-label="Grade by scenario">
        <thead><tr><th>scenario</th><th>points</th><th>result</th></tr></thead>
        <tbody>${g.scenarios.map((s) => html`<tr data-scenario="${s.id}">
          <td>${s.title}<div class="meta">${s.id}</div></td>
          <td>${s.points}/${s.maxPoints}</td>
          <td>${notCompiled ? html`<span class="fail">not run</span>` : s.passed
            ? html`<span class="pass">passed under ${g.seeds} seeds</span>`
            : html`<span class="fail">failed under seed ${s.failingSeed}</span>
                ${this.story(s)}
                <button type="button" @click=${() => this.replay(s)}>Replay seed ${s.failingSeed}</button>`}</td>
        </tr>`)}</tbody>
      </table>
      <p class="meta">Graded ${new Date(g.at).toLocaleString()}; trace hash ${g.traceHash.slice(0, 16)}…</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'grade-report': GradeReport;
  }
}
