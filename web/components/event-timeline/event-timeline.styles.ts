// Styles of the event timeline: the scrubber, the filters and the events around its position.
import { css } from 'lit';

export const eventTimelineStyles = css`
  :host { display: block; }
  .scrubber { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
  input[type='range'] { flex: 1; min-width: 8rem; }
  .where { font-variant-numeric: tabular-nums; font-size: 0.85rem; }
  .filters { display: flex; flex-wrap: wrap; gap: 0.4rem 0.75rem; align-items: center; margin: 0.4rem 0; font-size: 0.85rem; }
  .filters select { max-width: 14rem; }
  .filters input[type='search'] { width: 10rem; }
  .shown, .empty { font-size: 0.8rem; color: var(--muted, #57606a); margin: 0.2rem 0; }
  ol { list-style: none; margin: 0.4rem 0 0; padding: 0; max-height: 16rem; overflow: auto; font: 0.75rem/1.4 ui-monospace, monospace; border: 1px solid var(--line, #d0d7de); }
  ol.none { display: none; }
  li { padding: 0 0.4rem; display: grid; grid-template-columns: 4.5rem 6.5rem minmax(0, 1fr); gap: 0.4rem; cursor: pointer; }
  li .text { overflow-wrap: anywhere; }
  li:hover { background: var(--surface-2, #f6f8fa); }
  li:focus { outline: 2px solid var(--accent, #1f6feb); outline-offset: -2px; }
  li.current { background: var(--accent-soft, #ddf4ff); font-weight: 600; }
  li.after { color: var(--muted, #57606a); }
  li.k-state { color: var(--accent-strong, #0b3d91); }
  li.k-finding, li.k-bugcheck { color: var(--bad-text, #a40e26); }
  li.k-frame { color: var(--ok-strong, #116329); }
  .n, .t { text-align: right; color: var(--muted, #57606a); }
  @media (max-width: 40rem) {
    li { grid-template-columns: 3.5rem minmax(0, 1fr); }
    li .t { display: none; }
  }
`;
