// Styles of the lab page. Wide screens: the instructions on the left flow with the page; on the
// right the workspace (editor, buttons, the outcome of Run and Grade, the grade, the live views)
// stays in view as a pane of the viewport's height, so what a Run or Grade did is beside the
// editor, not below the fold. Narrow screens (a phone): one column, nothing wider than the screen.
import { css } from 'lit';

export const labPageStyles = css`
  :host { display: block; }
  h1 { font-size: 1.5rem; margin: 0.25rem 0 0.75rem; overflow-wrap: anywhere; }
  .top { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.25rem; align-items: start; }
  .instructions, .workspace { min-width: 0; }
  .instructions { font-size: 0.92rem; overflow-wrap: break-word; }
  .instructions pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--surface-2, #f6f8fa); border: 1px solid var(--line, #d0d7de); border-radius: 4px; padding: 0.5rem 0.6rem; font-size: 0.8rem; }
  .instructions pre code { background: none; padding: 0; }
  .instructions .table-scroll { overflow-x: auto; max-width: 100%; }
  .instructions .table-scroll:focus-visible { outline: 2px solid var(--accent, #1f6feb); }
  .instructions table { border-collapse: collapse; font-size: 0.85rem; }
  .instructions th, .instructions td { border: 1px solid var(--line, #d0d7de); padding: 0.2rem 0.4rem; }
  .instructions code { background: var(--surface-2, #f6f8fa); padding: 0 0.2rem; border-radius: 3px; overflow-wrap: anywhere; }
  .instructions a { color: var(--accent-strong, #0b3d91); }
  .hints { margin-top: 1rem; }
  .hints ol { padding-left: 1.2rem; }
  code-editor { --editor-height: clamp(14rem, 60vh, 32rem); }
  .editor-hint { font-size: 0.78rem; color: var(--muted, #57606a); margin: 0.25rem 0 0; }
  kbd { font: 0.75rem ui-monospace, monospace; border: 1px solid var(--line, #d0d7de); border-bottom-width: 2px; border-radius: 3px; padding: 0 0.25rem; background: var(--surface-2, #f6f8fa); color: var(--text, #1b1f24); }
  .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
  .toolbar label { font-size: 0.85rem; }
  .toolbar select { max-width: 100%; }
  .toolbar label:first-child { max-width: 100%; }
  input[type='number'] { width: 5rem; }
  .save-state { font-size: 0.8rem; color: var(--muted, #57606a); margin-left: auto; }
  .status { padding: 0.5rem 0.75rem; border-radius: 4px; background: var(--surface-2, #f6f8fa); border: 1px solid var(--line, #d0d7de); margin: 0.5rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .status:empty { display: none; }
  .status.pass { border-color: var(--ok, #2da44e); }
  .status.fail { border-color: var(--bad, #cf222e); }
  .banner { padding: 0.5rem 0.75rem; border: 1px solid var(--warn, #bf8700); background: var(--warn-soft, #fff8c5); border-radius: 4px; margin: 0.5rem 0; overflow-wrap: anywhere; }
  .banner p { margin: 0 0 0.4rem; }
  .banner.bad { border-color: var(--bad, #cf222e); background: var(--bad-soft, #ffebe9); }
  h2 { font-size: 1.1rem; margin: 1rem 0 0.4rem; }
  .back { font-size: 0.9rem; margin: 0; }
  .back a { color: var(--accent-strong, #0b3d91); }

  @media (min-width: 64rem) {
    .top { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
    /* The workspace is a pane of the viewport's height that stays in view while the instructions scroll. */
    .workspace { position: sticky; top: 0; max-height: 100vh; overflow: auto; padding: 0 0.25rem 0.5rem 0; box-sizing: border-box; }
    code-editor { --editor-height: clamp(14rem, calc(100vh - 19rem), 36rem); }
  }
`;
