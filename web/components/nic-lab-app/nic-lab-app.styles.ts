// Styles of the application shell: header, notices, the page.
import { css } from 'lit';

export const nicLabAppStyles = css`
  :host { display: block; }
  header { display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1.25rem; border-bottom: 1px solid var(--line, #d0d7de); background: var(--surface-2, #f6f8fa); flex-wrap: wrap; }
  header a.home { font-weight: 700; color: inherit; text-decoration: none; }
  header .actions { margin-left: auto; display: flex; gap: 0.5rem; }
  main { padding: 0.75rem 1.25rem 3rem; max-width: 90rem; margin: 0 auto; }
  main:focus { outline: none; }
  @media (max-width: 40rem) { main, header, .notices { padding-left: 0.75rem; padding-right: 0.75rem; } }
  .notices { padding: 0 1.25rem; }
  .notice { margin: 0.5rem 0; padding: 0.5rem 0.75rem; border: 1px solid var(--warn, #bf8700); background: var(--warn-soft, #fff8c5); border-radius: 4px; display: flex; gap: 0.75rem; align-items: start; }
  .notice.ok { border-color: var(--ok, #2da44e); background: var(--ok-soft, #dafbe1); }
  .notice.bad { border-color: var(--bad, #cf222e); background: var(--bad-soft, #ffebe9); }
  .notice p { margin: 0; flex: 1; min-width: 0; overflow-wrap: anywhere; }
  input[type='file'] { display: none; }
`;
