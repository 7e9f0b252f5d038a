// Adding a name to the driver's import from "ndis", by text: what accepting an NDIS completion
// does while the language service (which makes the same edit itself) is still starting.

export interface ImportEdit {
  from: number;
  to: number;
  insert: string;
}

const NDIS_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*(['"])ndis\2\s*;?/m;
const ANY_IMPORT = /^import\b[^;]*?from\s*(['"])[^'"]+\1\s*;?[ \t]*$/gm;

/**
 * The edit that imports `name` from "ndis" into `text` (`type name` for a type), or null when the
 * text imports it already: into an existing `import { ... } from 'ndis'`, else a new import after
 * the last import (or at the top, followed by a blank line, as TypeScript adds one).
 */
export function ndisImportEdit(text: string, name: string, asType: boolean): ImportEdit | null {
  const entry = asType ? `type ${name}` : name;
  const existing = NDIS_IMPORT.exec(text);
  if (existing) {
    const names = existing[1]!.split(',').map((s) => s.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim());
    if (names.includes(name)) return null;
    const body = existing[1]!;
    const open = existing.index + existing[0].indexOf('{') + 1;
    const trimmedEnd = body.replace(/[\s,]*$/, '').length;
    const end = open + trimmedEnd;
    if (body.trim() === '') return { from: open, to: open + body.length, insert: ` ${entry} ` };
    // A list across lines gets the name on a line of its own, indented as its last line is.
    if (body.includes('\n')) {
      const lastLine = body.slice(0, trimmedEnd).split('\n').pop()!;
      const indent = /^\s*/.exec(lastLine)![0] || '  ';
      return { from: end, to: end, insert: `,\n${indent}${entry}` };
    }
    return { from: end, to: end, insert: `, ${entry}` };
  }
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(ANY_IMPORT)) last = m;
  const statement = `import { ${entry} } from 'ndis';`;
  if (last) {
    const at = last.index + last[0].length;
    return { from: at, to: at, insert: `\n${statement}` };
  }
  return { from: 0, to: 0, insert: `${statement}\n\n` };
}
