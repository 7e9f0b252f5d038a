// Styles of the findings list.
import { css } from 'lit';

export const findingsListStyles = css`
  :host { display: block; }
  ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
  li { border-left: 4px solid var(--bad, #cf222e); padding: 0.35rem 0.6rem; background: var(--surface-2, #f6f8fa); }
  li.error { border-left-color: var(--warn, #bf8700); }
  code.rule { font-weight: 700; }
  .statement { margin: 0.15rem 0; }
  .message { margin: 0.15rem 0; font-family: ui-monospace, monospace; font-size: 0.8rem; white-space: pre-wrap; }
  .meta { font-size: 0.8rem; color: var(--muted, #57606a); }
  button { margin-top: 0.25rem; }
  button.link { margin: 0; padding: 0; border: 0; background: none; font: inherit; color: var(--accent-strong, #0b3d91); text-decoration: underline; cursor: pointer; }
  a { color: var(--accent-strong, #0b3d91); }
  li { overflow-wrap: anywhere; }
  .none { color: var(--muted, #57606a); font-size: 0.9rem; }
`;
