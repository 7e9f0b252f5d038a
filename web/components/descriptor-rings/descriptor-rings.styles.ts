// Styles of the descriptor rings: one cell per descriptor, done ones filled, head and tail marked.
import { css } from 'lit';

export const descriptorRingsStyles = css`
  :host { display: block; }
  .nic { margin-bottom: 0.75rem; }
  h4 { margin: 0.25rem 0; font-size: 0.9rem; }
  .ring { display: grid; grid-template-columns: repeat(16, 1fr); gap: 2px; max-width: 360px; }
  .cell { position: relative; height: 14px; border: 1px solid var(--muted, #8a94a6); border-radius: 2px; background: var(--surface, #fff); font-size: 0; }
  .cell.dd { background: var(--ok, #2da44e); border-color: var(--ok, #2da44e); }
  .cell.owned { background: var(--hw, #cfe2ff); }
  .cell.dd.owned { background: var(--ok, #2da44e); }
  .cell.head { outline: 2px solid var(--accent, #1f6feb); outline-offset: 0; }
  .cell.tail { box-shadow: inset 0 -4px 0 var(--warn, #bf8700); }
  .summary { font-size: 0.8rem; margin: 0.2rem 0 0.4rem; font-variant-numeric: tabular-nums; }
  .legend { font-size: 0.75rem; display: flex; gap: 0.75rem; flex-wrap: wrap; }
  .legend span::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; border: 1px solid var(--muted, #8a94a6); }
  .legend .l-dd::before { background: var(--ok, #2da44e); }
  .legend .l-owned::before { background: var(--hw, #cfe2ff); }
  .legend .l-head::before { outline: 2px solid var(--accent, #1f6feb); }
  .legend .l-tail::before { box-shadow: inset 0 -4px 0 var(--warn, #bf8700); }
`;
