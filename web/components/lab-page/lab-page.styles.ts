// Styles of the lab page: instructions beside the editor, the results and live views below.
import { css } from 'lit';

export const labPageStyles = css`
  :host { display: block; }
  .top { display: grid; grid-template-columns: minmax(18rem, 2fr) minmax(24rem, 3fr); gap: 1.25rem; align-items: start; }
  @media (max-width: 900px) { .top { grid-template-columns: 1fr; } }
  .instructions { max-height: 40rem; overflow: auto; padding-right: 0.5rem; font-size: 0.92rem; }
  .instructions table { border-collapse: collapse; font-size: 0.85rem; }
  .instructions th, .instructions td { border: 1px solid var(--line, #d0d7de); padding: 0.2rem 0.4rem; }
  .instructions code { background: var(--surface-2, #f6f8fa); padding: 0 0.2rem; border-radius: 3px; }
  .hints { margin-top: 1rem; }
  .hints ol { padding-left: 1.2rem; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
  .toolbar label { font-size: 0.85rem; }
  input[type='number'] { width: 5rem; }
  .save-state { font-size: 0.8rem; color: var(--muted, #57606a); margin-left: auto; }
  .status { padding: 0.5rem 0.75rem; border-radius: 4px; background: var(--surface-2, #f6f8fa); border: 1px solid var(--line, #d0d7de); margin: 0.5rem 0; white-space: pre-wrap; }
  .status.pass { border-color: var(--ok, #2da44e); }
  .status.fail { border-color: var(--bad, #cf222e); }
  .banner { padding: 0.5rem 0.75rem; border: 1px solid var(--warn, #bf8700); background: var(--warn-soft, #fff8c5); border-radius: 4px; margin: 0.5rem 0; }
  .banner.bad { border-color: var(--bad, #cf222e); background: var(--bad-soft, #ffebe9); }
  h2 { font-size: 1.1rem; margin: 1rem 0 0.4rem; }
  .back { font-size: 0.9rem; }
`;
