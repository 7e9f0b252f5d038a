// Styles of the counters table.
import { css } from 'lit';

export const countersViewStyles = css`
  :host { display: block; }
  table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
  th, td { padding: 0.15rem 0.6rem; border-bottom: 1px solid var(--line, #d0d7de); text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  td.changed { color: var(--accent, #1f6feb); font-weight: 600; }
  caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
`;
