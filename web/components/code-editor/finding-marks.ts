// The last run's verifier findings on the learner's lines: each finding that names a place in the
// driver (the NDIS call that broke the rule) is a lint diagnostic there, beside the language
// service's (underlined, its rule and message on hover, in the lint panel and F8's round, counted
// under the editor; a fatal rule an error, one that lets the run go on a warning), and a marker in
// a gutter of its own, named ("Line N: Rule (fatal): message"; CodeMirror's lint markers have no
// name, and it hides its gutters from assistive technology, so the editor's description says them
// too: findingsSummary). Findings are about the text that ran, so the first edit clears them
// (where a driver failed to compile or threw moves with the edit instead: ts-language.ts).

import { EditorState, RangeSet, StateEffect, StateField, type Text } from '@codemirror/state';
import { GutterMarker, gutter } from '@codemirror/view';
import { forEachDiagnostic, setDiagnosticsEffect, type Diagnostic } from '@codemirror/lint';
import type { FindingMark } from '../../engine/source-problem.ts';

/** A finding's diagnostic is told apart from the language service's by this class. */
export const FINDING_CLASS = 'nic-finding';

/** The span to underline at 1-based `line` and `column`: the rest of the word there, or one character (a column past the line is its end). */
export function spanAt(doc: Text, line: number, column: number, wordAt: (pos: number) => { from: number; to: number } | null): { from: number; to: number } {
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const from = Math.min(at.from + Math.max(column - 1, 0), at.to);
  const word = wordAt(from);
  return { from, to: word && word.from === from ? word.to : Math.min(from + 1, doc.length) };
}

/** What a finding's mark says, for the hover and for a screen reader. */
function describe(mark: FindingMark): string {
  return `${mark.rule} (${mark.severity}${mark.event ? `, trace event ${mark.event}` : ''}): ${mark.message}`;
}

/** A finding's diagnostic, with the finding. */
export interface FindingDiagnostic extends Diagnostic {
  finding: FindingMark;
}

/** The findings as diagnostics of the text in `state`. */
export function findingDiagnostics(state: EditorState, marks: readonly FindingMark[]): FindingDiagnostic[] {
  return marks.map((mark) => ({
    finding: mark,
    ...spanAt(state.doc, mark.line, mark.column, (pos) => state.wordAt(pos)),
    severity: mark.severity === 'fatal' ? 'error' : 'warning',
    message: `Line ${mark.line}, column ${mark.column}: ${describe(mark)}`,
    source: `${mark.rule}, found by the last run`,
    markClass: FINDING_CLASS,
  }));
}

export function isFindingMark(d: Diagnostic): boolean {
  return d.markClass === FINDING_CLASS;
}

/** The findings' diagnostics on the editor now (empty: none, or the text changed since the run). */
export const setFindingMarks = StateEffect.define<readonly FindingDiagnostic[]>();

export const findingMarksField = StateField.define<readonly FindingDiagnostic[]>({
  create: () => [],
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setFindingMarks)) return effect.value;
    return tr.docChanged ? [] : value;
  },
});

/**
 * The edit that clears the findings takes their diagnostics away in the same transaction; the
 * others stay, moved over the edit as CodeMirror moves them (the language service's next check
 * replaces them anyway).
 */
const clearedOnEdit = EditorState.transactionExtender.of((tr) => {
  if (!tr.docChanged || tr.startState.field(findingMarksField).length === 0) return null;
  if (tr.effects.some((e) => e.is(setFindingMarks) || e.is(setDiagnosticsEffect))) return null;
  const kept: Diagnostic[] = [];
  forEachDiagnostic(tr.startState, (d, from, to) => {
    if (isFindingMark(d)) return;
    const start = tr.changes.mapPos(from, 1);
    kept.push({ ...d, from: start, to: Math.max(start, tr.changes.mapPos(to, -1)) });
  });
  return { effects: setDiagnosticsEffect.of(kept) };
});

/** The findings marked now, in words ("" when none), for the line under the editor that describes it. */
export function findingsSummary(state: EditorState): string {
  const marked = state.field(findingMarksField);
  if (marked.length === 0) return '';
  const places = [...marked].sort((a, b) => a.from - b.from).map((d) => `${d.finding.rule} on line ${state.doc.lineAt(d.from).number}`);
  return `The last run's finding${marked.length === 1 ? '' : 's'}: ${places.join(', ')}`;
}

class FindingMarker extends GutterMarker {
  constructor(readonly line: number, readonly diagnostics: readonly Diagnostic[]) {
    super();
  }

  override eq(other: FindingMarker): boolean {
    return other.line === this.line && other.diagnostics.length === this.diagnostics.length && other.diagnostics.every((d, i) => d.message === this.diagnostics[i]!.message);
  }

  override toDOM(): Node {
    const marker = document.createElement('div');
    const severity = this.diagnostics.some((d) => d.severity === 'error') ? 'error' : 'warning';
    marker.className = `cm-lint-marker cm-lint-marker-${severity} nic-finding-marker`;
    marker.setAttribute('role', 'img');
    const said = this.diagnostics.map((d) => d.message.replace(/^Line \d+, column \d+: /, '')).join('; ');
    marker.setAttribute('aria-label', `Line ${this.line}: ${said}`);
    marker.title = this.diagnostics.map((d) => d.message).join('\n');
    return marker;
  }
}

const findingGutter = gutter({
  class: 'nic-findings-gutter',
  markers: (view) => {
    const byLine = new Map<number, Diagnostic[]>();
    for (const d of view.state.field(findingMarksField)) {
      const line = view.state.doc.lineAt(d.from);
      byLine.set(line.from, [...(byLine.get(line.from) ?? []), d]);
    }
    return RangeSet.of([...byLine].map(([from, list]) => new FindingMarker(view.state.doc.lineAt(from).number, list).range(from)), true);
  },
});

/** The extensions: the findings' field, their gutter, and their clearing on the first edit. */
export const findingMarks = [findingMarksField, clearedOnEdit, findingGutter];
