// Styles of the bug check screen: white on blue, fixed-width, as Windows shows a stop.
import { css } from 'lit';

export const bugCheckScreenStyles = css`
  :host { display: block; }
  pre { margin: 0; padding: 1rem 1.25rem; background: #0000aa; color: #fff; font: 0.85rem/1.45 'Lucida Console', ui-monospace, monospace; white-space: pre-wrap; border-radius: 4px; }
`;
