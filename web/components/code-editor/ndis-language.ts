// What the editor knows about "ndis" without the language service: every name the module exports
// (functions, constants, types) and the characteristics' handler names, each with its declaration
// and contract, read from core/ndis/ndis.d.ts (bundled as text). Completion offers them and hover
// shows them while the language service starts (ts-language.ts), and for a name not imported yet.

import ndisDeclarations from '../../../core/ndis/ndis.d.ts?raw';
import { parseNdisDeclarations, type NdisEntry } from '../../editor/ndis-docs.ts';

export const NDIS_ENTRIES: readonly NdisEntry[] = parseNdisDeclarations(ndisDeclarations);
const BY_NAME = new Map(NDIS_ENTRIES.map((e) => [e.name, e]));

/** A declaration and its doc comment, as completion info and hover show them. */
export function docNode(entry: { declaration: string; doc: string }): HTMLElement {
  const box = document.createElement('div');
  box.className = 'ndis-doc';
  const code = document.createElement('code');
  code.textContent = entry.declaration;
  box.append(code);
  if (entry.doc) {
    const doc = document.createElement('div');
    doc.className = 'ndis-doc-text';
    doc.textContent = entry.doc;
    box.append(doc);
  }
  return box;
}

export function ndisEntry(name: string): NdisEntry | undefined {
  return BY_NAME.get(name);
}
