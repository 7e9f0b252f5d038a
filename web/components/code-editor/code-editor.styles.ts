// Styles around the editor (CodeMirror styles itself inside the shadow root).
import { css } from 'lit';

export const codeEditorStyles = css`
  :host { display: block; border: 1px solid var(--line, #d0d7de); border-radius: 4px; overflow: hidden; }
  .cm-editor { height: var(--editor-height, 32rem); font-size: 0.85rem; }
  .cm-editor.cm-focused { outline: 2px solid var(--accent, #1f6feb); }
  .cm-tooltip.ndis-doc { max-width: 32rem; padding: 0.4rem 0.6rem; font: 0.8rem/1.4 system-ui, sans-serif; }
  .ndis-doc code { display: block; font: 0.75rem/1.35 ui-monospace, monospace; white-space: pre-wrap; margin-bottom: 0.3rem; }
`;
