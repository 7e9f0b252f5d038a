// Styles of the grade report.
import { css } from 'lit';

export const gradeReportStyles = css`
  :host { display: block; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
  th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line, #d0d7de); vertical-align: top; }
  .pass { color: var(--ok-strong, #116329); font-weight: 600; }
  .fail { color: var(--bad, #cf222e); font-weight: 600; }
  ul.failures { margin: 0.2rem 0; padding-left: 1.1rem; }
  .meta { color: var(--muted, #57606a); font-size: 0.8rem; }
  findings-list { margin: 0.2rem 0 0.4rem; }
  .step { margin: 0.3rem 0 0.1rem; font-size: 0.8rem; font-weight: 600; }
  td { overflow-wrap: anywhere; }
  .fail { color: var(--bad-text, #a40e26); }
`;
