// Styles around the editor (CodeMirror styles itself inside the shadow root).
import { css } from 'lit';

export const codeEditorStyles = css`
  :host { display: block; border: 1px solid var(--line, #d0d7de); border-radius: 4px; overflow: hidden; }
  .cm-editor { height: var(--editor-height, 32rem); font-size: 0.85rem; }
  .cm-editor.cm-focused { outline: 2px solid var(--accent, #1f6feb); }
  /* A hover tooltip (the contract, a diagnostic) stays a readable column beside its token. */
  .cm-tooltip.cm-tooltip-hover { max-width: min(34rem, calc(100vw - 1rem)); }
  .cm-tooltip .ndis-doc { max-height: 16rem; overflow: auto; padding: 0.4rem 0.6rem; font: 0.8rem/1.4 system-ui, sans-serif; }
  .ndis-doc code { display: block; font: 0.75rem/1.35 ui-monospace, monospace; white-space: pre-wrap; margin-bottom: 0.3rem; }
  .ndis-doc-text { white-space: pre-wrap; }
  /* The last run's findings: a column of their own beside the language service's marks (finding-marks.ts). */
  .nic-findings-gutter { width: 1.4em; }
  .nic-findings-gutter .cm-gutterElement { padding: 0.2em; }
  .help { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.2rem 1rem; padding: 0.25rem 0.5rem; border-top: 1px solid var(--line, #d0d7de); font: 0.75rem/1.4 system-ui, sans-serif; color: #57606a; background: #f6f8fa; }
  .help kbd { font: 0.7rem ui-monospace, monospace; border: 1px solid #d0d7de; border-radius: 3px; padding: 0 0.2rem; background: #fff; color: #24292f; }
`;
