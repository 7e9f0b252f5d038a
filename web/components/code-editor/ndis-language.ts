// What the editor knows about "ndis": completion of every name the module exports (functions,
// constants, types) and of the characteristics' handler names, each with its declaration and
// contract, and the same contract on hover. Built from core/ndis/ndis.d.ts, bundled as text.

import { type CompletionContext, type CompletionResult, type Completion } from '@codemirror/autocomplete';
import { hoverTooltip, type Tooltip } from '@codemirror/view';
import ndisDeclarations from '../../../core/ndis/ndis.d.ts?raw';
import { parseNdisDeclarations, type NdisEntry } from '../../editor/ndis-docs.ts';

export const NDIS_ENTRIES: readonly NdisEntry[] = parseNdisDeclarations(ndisDeclarations);
const BY_NAME = new Map(NDIS_ENTRIES.map((e) => [e.name, e]));

const TYPE_OF: Record<NdisEntry['kind'], Completion['type']> = {
  function: 'function', constant: 'constant', type: 'type', interface: 'interface', handler: 'method',
};

function docNode(entry: NdisEntry): HTMLElement {
  const box = document.createElement('div');
  box.className = 'ndis-doc';
  const code = document.createElement('code');
  code.textContent = entry.declaration;
  box.append(code);
  if (entry.doc) box.append(document.createTextNode(entry.doc));
  return box;
}

const OPTIONS: Completion[] = NDIS_ENTRIES.map((entry) => ({
  label: entry.name,
  type: TYPE_OF[entry.kind],
  detail: entry.kind === 'handler' ? `handler of ${entry.parent}` : entry.kind,
  info: () => docNode(entry),
  boost: entry.kind === 'function' || entry.kind === 'handler' ? 1 : 0,
}));

/** Completion source: NDIS names for the word before the cursor. */
export function ndisCompletions(context: CompletionContext): CompletionResult | null {
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  return { from: word.from, options: OPTIONS, validFor: /^[A-Za-z0-9_]*$/ };
}

/** Hover: the contract of the NDIS name under the pointer. */
export const ndisHover = hoverTooltip((view, pos): Tooltip | null => {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  let start = pos - line.from;
  let end = start;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  while (end < text.length && /[A-Za-z0-9_]/.test(text[end]!)) end++;
  const entry = BY_NAME.get(text.slice(start, end));
  if (!entry) return null;
  return { pos: line.from + start, end: line.from + end, above: true, create: () => ({ dom: docNode(entry) }) };
});

export function ndisEntry(name: string): NdisEntry | undefined {
  return BY_NAME.get(name);
}
