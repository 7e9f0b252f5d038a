// Styles of the Live traffic panel.
import { css } from 'lit';

export const liveTrafficStyles = css`
  :host { display: block; }
  .controls { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.4rem 0; font-size: 0.85rem; }
  progress { width: 100%; height: 0.8rem; }
  .rate { font-variant-numeric: tabular-nums; font-size: 0.9rem; margin: 0.3rem 0; }
  .summary { padding: 0.4rem 0.6rem; border-radius: 4px; border: 1px solid var(--line, #d0d7de); margin: 0.4rem 0; }
  .summary.pass { border-color: var(--ok, #2da44e); }
  .summary.fail { border-color: var(--bad, #cf222e); }
  ul.problems { margin: 0.3rem 0; padding-left: 1.1rem; color: var(--bad, #cf222e); }
  table { border-collapse: collapse; font-size: 0.82rem; margin-top: 0.4rem; }
  th, td { text-align: right; padding: 0.15rem 0.5rem; border-bottom: 1px solid var(--line, #d0d7de); font-variant-numeric: tabular-nums; }
  th:first-child, td:first-child { text-align: left; }
  .meta { color: var(--muted, #57606a); font-size: 0.8rem; }
  bug-check-screen, findings-list { margin-top: 0.4rem; }
`;
