// Styles of the live views' layout.
import { css } from 'lit';

export const runViewerStyles = css`
  :host { display: block; }
  .controls { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin-bottom: 0.5rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
  section { min-width: 0; }
  h3 { font-size: 0.95rem; margin: 0.5rem 0 0.3rem; }
  .diagrams { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0.5rem; }
  .waiting { color: var(--muted, #57606a); }
  bug-check-screen { margin: 0.5rem 0; }
  .grid { grid-template-columns: repeat(auto-fit, minmax(min(20rem, 100%), 1fr)); }
  .diagrams { grid-template-columns: repeat(auto-fit, minmax(min(16rem, 100%), 1fr)); }
  ol.console { list-style: none; margin: 0.3rem 0 0; padding: 0.2rem 0.4rem; max-height: 12rem; overflow: auto; font: 0.75rem/1.45 ui-monospace, monospace; border: 1px solid var(--line, #d0d7de); background: var(--surface, #fff); }
  ol.console:focus { outline: 2px solid var(--accent, #1f6feb); }
  ol.console li { display: flex; gap: 0.5rem; align-items: baseline; }
  ol.console .text { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 0; }
  ol.console .who { color: var(--muted, #57606a); }
  ol.console .level { font-weight: 700; }
  ol.console .level-warn .level { color: var(--warn-text, #7d4e00); }
  ol.console .level-error .level, ol.console .level-error .text { color: var(--bad-text, #a40e26); }
  button.link { margin: 0; padding: 0; border: 0; background: none; font: inherit; color: var(--accent-strong, #0b3d91); text-decoration: underline; cursor: pointer; }
`;
