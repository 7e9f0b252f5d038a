// Styles of the rule catalog table: fixed columns, so a narrow screen wraps the text instead of
// widening the page.
import { css } from 'lit';

export const ruleCatalogStyles = css`
  :host { display: block; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 0.85rem; }
  th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line, #d0d7de); vertical-align: top; overflow-wrap: anywhere; }
  th:nth-child(1) { width: 28%; }
  th:nth-child(3) { width: 9rem; }
  code { font-weight: 600; overflow-wrap: normal; }
  .fatal { color: var(--bad-text, #a40e26); }
  .error { color: var(--warn-text, #7d4e00); } /* --warn (#bf8700) is 3.1:1 on white: too light for text */
  .source { color: var(--muted, #57606a); font-size: 0.8rem; overflow-wrap: break-word; }
  a { color: var(--accent-strong, #0b3d91); }
  @media (max-width: 40rem) {
    table { font-size: 0.78rem; }
    th, td { padding: 0.25rem 0.3rem; }
    th:nth-child(1) { width: 34%; }
    th:nth-child(3) { width: 5.5rem; }
  }
`;
