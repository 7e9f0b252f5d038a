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
`;
