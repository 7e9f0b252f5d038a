// Adding an NDIS name to a driver's import by text (the editor's fallback while the language
// service starts): into the import from "ndis" as it is written, or a new one.

import { describe, it, expect } from 'vitest';
import { ndisImportEdit, type ImportEdit } from './ndis-import.ts';

const apply = (text: string, edit: ImportEdit | null) => (edit ? text.slice(0, edit.from) + edit.insert + text.slice(edit.to) : text);
const added = (text: string, name: string, asType = false) => apply(text, ndisImportEdit(text, name, asType));

describe('ndisImportEdit', () => {
  it('adds to a one-line import, and a type as a type', () => {
    expect(added("import { NDIS_STATUS_SUCCESS } from 'ndis';\nx", 'NdisOpenAdapterEx')).toBe("import { NDIS_STATUS_SUCCESS, NdisOpenAdapterEx } from 'ndis';\nx");
    expect(added('import { A } from "ndis"\n', 'NDIS_HANDLE', true)).toBe('import { A, type NDIS_HANDLE } from "ndis"\n');
    expect(added("import { A, } from 'ndis';", 'B')).toBe("import { A, B, } from 'ndis';");
    expect(added("import {} from 'ndis';", 'B')).toBe("import { B } from 'ndis';");
  });

  it('adds to an import across lines on a line of its own', () => {
    const text = "// header\nimport {\n  A, B,\n  type C,\n} from 'ndis';\n";
    expect(added(text, 'D')).toBe("// header\nimport {\n  A, B,\n  type C,\n  D,\n} from 'ndis';\n");
  });

  it('leaves a name imported already (as a type or renamed) alone', () => {
    for (const text of ["import { A, type B } from 'ndis';", "import { X as B } from 'ndis';", "import {\n  B,\n} from 'ndis';"]) {
      expect(ndisImportEdit(text, 'B', false), text).toBeNull();
    }
  });

  it('writes a new import after the last import, or at the top', () => {
    expect(added("import type { X } from './x';\n\nlet a = 1;\n", 'NdisOpenAdapterEx')).toBe("import type { X } from './x';\nimport { NdisOpenAdapterEx } from 'ndis';\n\nlet a = 1;\n");
    expect(added('let a = 1;\n', 'NdisOpenAdapterEx')).toBe("import { NdisOpenAdapterEx } from 'ndis';\n\nlet a = 1;\n");
  });
});
