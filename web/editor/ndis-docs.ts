// The editor's knowledge of the "ndis" module, read from core/ndis/ndis.d.ts (the lab's ndis.h,
// bundled as text): every exported function, constant, type and interface, and every handler of
// the characteristics interfaces, with its declaration and doc comment. Completion offers these
// names; hovering one shows its contract.

export type NdisEntryKind = 'function' | 'constant' | 'type' | 'interface' | 'handler';

export interface NdisEntry {
  name: string;
  kind: NdisEntryKind;
  /** The declaration, as written (one line, types included). */
  declaration: string;
  /** The doc comment's text, if it has one. */
  doc: string;
  /** The interface a handler or field belongs to. */
  parent?: string;
}

const EXPORT = /^export\s+(const|function|interface|type)\s+([A-Za-z_][A-Za-z0-9_]*)/;
const MEMBER = /^([A-Za-z_][A-Za-z0-9_]*)(\??)\s*[(:<]/;

function docText(lines: string[]): string {
  return lines
    .map((l) => l.replace(/^\s*\/\*\*\s?/, '').replace(/\s*\*\/\s*$/, '').replace(/^\s*\*\s?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Parses the declaration file's text. */
export function parseNdisDeclarations(text: string): NdisEntry[] {
  const entries: NdisEntry[] = [];
  const seen = new Set<string>();
  let doc: string[] | undefined;
  let inDoc = false;
  let parent: string | undefined;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inDoc) {
      doc!.push(line);
      if (line.endsWith('*/')) inDoc = false;
      continue;
    }
    if (line.startsWith('/**')) {
      doc = [line];
      inDoc = !line.endsWith('*/');
      continue;
    }
    if (line.startsWith('//') || line === '') {
      if (line.startsWith('// ----')) doc = undefined;
      continue;
    }
    const exported = EXPORT.exec(line);
    const member = depth === 2 && parent ? MEMBER.exec(line) : null;
    if (exported) {
      const kind = ({ const: 'constant', function: 'function', interface: 'interface', type: 'type' } as const)[exported[1] as 'const' | 'function' | 'interface' | 'type'];
      const name = exported[2]!;
      if (!seen.has(name)) {
        seen.add(name);
        entries.push({ name, kind, declaration: line.replace(/\s*\{$/, '').replace(/^export\s+/, ''), doc: doc ? docText(doc) : '' });
      }
      if (kind === 'interface') parent = name;
    } else if (member && /Characteristics|CHARACTERISTICS/.test(parent!) && !seen.has(member[1]!)) {
      seen.add(member[1]!);
      entries.push({ name: member[1]!, kind: 'handler', declaration: line.replace(/;$/, ''), doc: doc ? docText(doc) : '', parent: parent! });
    }
    doc = undefined;
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    if (depth <= 1) parent = undefined;
  }
  return entries;
}
