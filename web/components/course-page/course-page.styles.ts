// Styles of the course page.
import { css } from 'lit';

export const coursePageStyles = css`
  :host { display: block; }
  ol.labs { padding-left: 1.2rem; display: grid; gap: 0.6rem; }
  ol.labs a { font-weight: 600; font-size: 1.05rem; }
  .summary { margin: 0.15rem 0; }
  .status { font-size: 0.8rem; padding: 0.05rem 0.45rem; border-radius: 999px; border: 1px solid var(--line, #d0d7de); margin-left: 0.4rem; }
  .status.completed { background: var(--ok-soft, #dafbe1); border-color: var(--ok, #2da44e); }
  .status.in-progress { background: var(--warn-soft, #fff8c5); border-color: var(--warn, #bf8700); }
  .best { font-size: 0.85rem; color: var(--muted, #57606a); margin-left: 0.4rem; }
  .problem { color: var(--bad, #cf222e); white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 0.8rem; }
`;
