// Styles of the frame list, its field view and hex dump.
import { css } from 'lit';

export const frameListStyles = css`
  :host { display: block; }
  .list { max-height: 16rem; overflow: auto; border: 1px solid var(--line, #d0d7de); }
  table { border-collapse: collapse; width: 100%; font-size: 0.78rem; font-variant-numeric: tabular-nums; }
  th, td { padding: 0.1rem 0.4rem; text-align: left; white-space: nowrap; }
  thead th { position: sticky; top: 0; background: var(--surface-2, #f6f8fa); }
  tbody tr { cursor: pointer; }
  tbody tr:hover { background: var(--surface-2, #f6f8fa); }
  tbody tr[aria-selected='true'] { background: var(--accent-soft, #ddf4ff); }
  tbody tr:focus { outline: 2px solid var(--accent, #1f6feb); outline-offset: -2px; }
  pre:focus-visible { outline: 2px solid var(--accent, #1f6feb); }
  .fault { color: var(--bad, #cf222e); }
  .detail { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(16rem, 100%), 1fr)); gap: 1rem; margin-top: 0.5rem; }
  dd { margin: 0; overflow-wrap: anywhere; }
  dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0.1rem 0.75rem; font-size: 0.8rem; }
  dt { font-weight: 600; }
  pre { margin: 0; font: 0.75rem/1.35 ui-monospace, monospace; overflow: auto; }
  .empty { font-size: 0.85rem; color: var(--muted, #57606a); }
`;
