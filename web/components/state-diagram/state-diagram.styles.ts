// Styles of the state diagram: states as boxes, the current one lit, the transition just taken
// drawn as a moving dash so the eye follows it.
import { css } from 'lit';

export const stateDiagramStyles = css`
  :host { display: block; }
  figure { margin: 0; }
  svg { width: 100%; max-width: 380px; height: auto; display: block; }
  .edge { stroke: var(--muted, #8a94a6); stroke-width: 1.2; fill: none; opacity: 0.55; }
  .edge.taken { stroke: var(--accent, #1f6feb); stroke-width: 2.6; opacity: 1; stroke-dasharray: 6 4; animation: flow 0.8s linear 3; }
  .node rect { fill: var(--surface, #fff); stroke: var(--muted, #8a94a6); stroke-width: 1.2; transition: fill 0.3s, stroke 0.3s; }
  .node text { font: 11px system-ui, sans-serif; fill: var(--text, #1b1f24); text-anchor: middle; dominant-baseline: central; }
  .node.current rect { fill: var(--accent, #1f6feb); stroke: var(--accent-strong, #0b3d91); }
  .node.current text { fill: #fff; font-weight: 600; }
  .node.previous rect { stroke: var(--accent, #1f6feb); stroke-dasharray: 3 2; }
  marker path { fill: var(--muted, #8a94a6); }
  figcaption { font-size: 0.85rem; margin-top: 0.25rem; }
  .state { font-weight: 600; }
  @keyframes flow { to { stroke-dashoffset: -20; } }
  @media (prefers-reduced-motion: reduce) { .edge.taken { animation: none; } .node rect { transition: none; } }
`;
