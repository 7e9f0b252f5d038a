// Styles of the rule catalog table.
import { css } from 'lit';

export const ruleCatalogStyles = css`
  :host { display: block; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
  th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line, #d0d7de); vertical-align: top; }
  code { font-weight: 600; }
  .fatal { color: var(--bad, #cf222e); }
  .error { color: var(--warn-text, #7d4e00); } /* --warn (#bf8700) is 3.1:1 on white: too light for text */
  .source { color: var(--muted, #57606a); font-size: 0.8rem; }
`;
