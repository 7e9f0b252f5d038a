// Styles of the event timeline: the scrubber and the events up to its position.
import { css } from 'lit';

export const eventTimelineStyles = css`
  :host { display: block; }
  .scrubber { display: flex; gap: 0.5rem; align-items: center; }
  input[type='range'] { flex: 1; }
  .where { font-variant-numeric: tabular-nums; min-width: 9rem; font-size: 0.85rem; }
  ol { list-style: none; margin: 0.4rem 0 0; padding: 0; max-height: 14rem; overflow: auto; font: 0.75rem/1.4 ui-monospace, monospace; border: 1px solid var(--line, #d0d7de); }
  li { padding: 0 0.4rem; display: grid; grid-template-columns: 4.5rem 6.5rem 1fr; gap: 0.4rem; cursor: pointer; }
  li:hover { background: var(--surface-2, #f6f8fa); }
  li.current { background: var(--accent-soft, #ddf4ff); font-weight: 600; }
  li.k-state { color: var(--accent-strong, #0b3d91); }
  li.k-finding, li.k-bugcheck { color: var(--bad, #cf222e); }
  li.k-frame { color: var(--ok-strong, #116329); }
  .n, .t { text-align: right; color: var(--muted, #57606a); }
`;
