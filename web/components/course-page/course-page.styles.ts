// Styles of the course page.
import { css } from 'lit';

export const coursePageStyles = css`
  :host { display: block; }
  h1 { font-size: 1.6rem; overflow-wrap: anywhere; }
  a { color: var(--accent-strong, #0b3d91); }
  .start { border: 1px solid var(--accent, #1f6feb); background: var(--accent-soft, #ddf4ff); border-radius: 6px; padding: 0.25rem 1rem 0.5rem; margin: 1rem 0; }
  .start h2 { margin: 0.5rem 0 0.25rem; font-size: 1.1rem; }
  .start .steps { padding-left: 1.2rem; margin: 0.25rem 0; }
  .start p { margin: 0.25rem 0 0.5rem; }
  ol.labs { padding-left: 1.2rem; display: grid; gap: 0.6rem; }
  ol.labs a { font-weight: 600; font-size: 1.05rem; }
  ol.labs li { overflow-wrap: break-word; }
  .summary { margin: 0.15rem 0; }
  .status { font-size: 0.8rem; padding: 0.05rem 0.45rem; border-radius: 999px; border: 1px solid var(--line, #d0d7de); margin-left: 0.4rem; white-space: nowrap; display: inline-block; }
  .status.completed { background: var(--ok-soft, #dafbe1); border-color: var(--ok, #2da44e); }
  .status.in-progress { background: var(--warn-soft, #fff8c5); border-color: var(--warn, #bf8700); }
  .best { font-size: 0.85rem; color: var(--muted, #57606a); margin-left: 0.4rem; white-space: nowrap; display: inline-block; }
  .problem { color: var(--bad-text, #a40e26); white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 0.8rem; }
`;
