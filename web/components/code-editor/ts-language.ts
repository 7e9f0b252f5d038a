// The editor's TypeScript: CodeMirror's linter, completion and hover over the language service
// worker (web/editor/language-service.worker.ts, reached with comlink). Diagnostics come as the
// learner types (syntax, types against ndis.d.ts, `async` handlers) beside the marks of the last
// run (`problemField`, and its findings: finding-marks.ts); accepting a completion of a name "ndis" exports adds it to the driver's
// import; hover shows the declaration and doc comment of the name under the pointer.
//
// The worker (4 MB: TypeScript and its library files) starts when the learner first works in the
// editor (focus, a key, hover, completion) or when the page has been idle a few seconds, not
// while the page loads, so it never slows the page or a first Run. Until it answers (about a
// second), completion and hover use the NDIS names bundled with the page (ndis-language.ts), and
// accepting one of those adds its import by text (web/editor/ndis-import.ts). If the worker
// cannot start, the editor goes on with those alone.

import * as Comlink from 'comlink';
import { ChangeSet, Compartment, StateEffect, StateField, type EditorState, type Text } from '@codemirror/state';
import { EditorView, ViewPlugin, hoverTooltip, type Tooltip, type ViewUpdate } from '@codemirror/view';
import { linter, forEachDiagnostic, forceLinting, type Diagnostic, type Action } from '@codemirror/lint';
import { insertCompletionText, pickedCompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import type { LanguageServiceWorkerApi } from '../../editor/language-service.worker.ts';
import type { DriverCompletion, DriverDiagnostic, TextEdit } from '../../editor/driver-language-service.ts';
import { ndisImportEdit } from '../../editor/ndis-import.ts';
import { NDIS_ENTRIES, docNode, ndisEntry } from './ndis-language.ts';
import { findingMarksField, isFindingMark } from './finding-marks.ts';

export type LanguageServiceState = 'off' | 'starting' | 'ready' | 'failed';

/** The page's one language service worker, started on first use. */
class LanguageClient {
  state: LanguageServiceState = 'off';
  /** Milliseconds from the worker's start to its first diagnostics (undefined until then). */
  firstDiagnosticsMs: number | undefined;
  private remote: Comlink.Remote<LanguageServiceWorkerApi> | undefined;
  private startedAt = 0;
  private failed!: Promise<undefined>;
  private readonly listeners = new Set<() => void>();

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: LanguageServiceState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  get started(): boolean {
    return this.remote !== undefined;
  }

  start(): Comlink.Remote<LanguageServiceWorkerApi> {
    if (this.remote) return this.remote;
    this.startedAt = performance.now();
    performance.mark('nic-lab:language-service-start');
    const worker = new Worker(new URL('../../editor/language-service.worker.ts', import.meta.url), { type: 'module', name: 'language service' });
    this.failed = new Promise((resolve) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        console.warn('nic-lab: the editor\'s language service did not start; completion and hover go on with the NDIS names alone', event.message);
        this.set('failed');
        resolve(undefined);
      });
    });
    this.remote = Comlink.wrap<LanguageServiceWorkerApi>(worker);
    this.set('starting');
    return this.remote;
  }

  /** `ask` of the worker, or undefined if it failed (then every later call is undefined at once). */
  async call<T>(ask: (remote: Comlink.Remote<LanguageServiceWorkerApi>) => Promise<T>): Promise<T | undefined> {
    if (this.state === 'failed') return undefined;
    const remote = this.start();
    try {
      const answer = await Promise.race([ask(remote), this.failed]);
      if (answer !== undefined) this.set('ready');
      return answer;
    } catch (error) {
      console.warn('nic-lab: the editor\'s language service failed a request', error);
      return undefined;
    }
  }

  async diagnostics(text: string): Promise<DriverDiagnostic[] | undefined> {
    const found = await this.call((r) => r.diagnostics(text));
    if (found && this.firstDiagnosticsMs === undefined) {
      this.firstDiagnosticsMs = performance.now() - this.startedAt;
      performance.measure('nic-lab:first-diagnostics', 'nic-lab:language-service-start');
    }
    return found;
  }
}

export const languageClient = new LanguageClient();

// ---- the last run's mark -------------------------------------------------------------------------

/** Where the last run went wrong, as a diagnostic (null: nothing to mark); moves with edits. */
export const setRunProblem = StateEffect.define<Diagnostic | null>();

export const problemField = StateField.define<Diagnostic | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setRunProblem)) return effect.value;
    if (!value || !tr.docChanged) return value;
    const from = tr.changes.mapPos(value.from, 1);
    const to = Math.max(from, tr.changes.mapPos(value.to, -1));
    return { ...value, from, to };
  },
});

/** The run's mark is told apart from the language service's by this class. */
export const RUN_PROBLEM_CLASS = 'nic-run-problem';

// ---- edits that come later (an import the worker works out) ----------------------------------------

/** Tells those waiting for a worker's edit what changed in the meantime. */
const changeTracker = ViewPlugin.fromClass(class {
  readonly waiting = new Set<(changes: ChangeSet) => void>();
  update(update: ViewUpdate): void {
    if (update.docChanged) for (const w of this.waiting) w(update.changes);
  }
});

/**
 * Applies `edits` (offsets into `doc`, the text as it is now) when they arrive, moved over what
 * was typed meanwhile. Call it before dispatching anything else that is part of the same action.
 */
function applyWhenReady(view: EditorView, doc: Text, edits: Promise<readonly TextEdit[] | undefined>): void {
  const tracker = view.plugin(changeTracker);
  let since = ChangeSet.empty(doc.length);
  const listen = (changes: ChangeSet) => void (since = since.compose(changes));
  tracker?.waiting.add(listen);
  void edits.then((list) => {
    tracker?.waiting.delete(listen);
    if (!list || list.length === 0 || !tracker) return;
    const changes = ChangeSet.of(list.map((e) => ({ from: e.from, to: e.to, insert: e.insert })), doc.length).map(since);
    view.dispatch({ changes, userEvent: 'input.complete', scrollIntoView: false });
  });
}

// ---- diagnostics -------------------------------------------------------------------------------------

function asDiagnostic(d: DriverDiagnostic, state: EditorState): Diagnostic {
  const length = state.doc.length;
  const from = Math.min(d.from, length);
  const diagnostic: Diagnostic = {
    from,
    to: Math.min(Math.max(d.to, from), length),
    severity: d.severity,
    message: d.message,
    source: d.code > 0 ? `TypeScript ${d.code}` : 'NIC Lab',
  };
  if (d.importable) {
    const action: Action = {
      name: 'Import from "ndis"',
      apply: (view, at, to) => {
        const doc = view.state.doc;
        applyWhenReady(view, doc, languageClient.call((r) => r.importFix(doc.toString(), { from: at, to, code: d.code })));
      },
    };
    diagnostic.actions = [action];
  }
  return diagnostic;
}

/** Diagnostics while typing: the language service's and the last run's marks, together. */
const driverLinter = linter(async (view) => {
  const state = view.state;
  const found = await languageClient.diagnostics(state.doc.toString());
  const diagnostics = (found ?? []).map((d) => asDiagnostic(d, state));
  // The linter's answer replaces every diagnostic, so the run's marks go with it: the marks as
  // they are now (a run may have ended while the service checked). CodeMirror drops the answer if
  // the text changed meanwhile, so its offsets are this text's.
  if (view.state.doc === state.doc) {
    checked.set(view, state.doc);
    const problem = view.state.field(problemField);
    if (problem) diagnostics.push(problem);
    diagnostics.push(...view.state.field(findingMarksField));
  }
  return diagnostics;
}, { delay: 300 });

/** The text each editor's language service diagnostics are about. */
const checked = new WeakMap<EditorView, Text>();

/**
 * The language service's diagnostics on the editor now, if they are about its text (after an
 * edit they are about the text before it until the next check, which comes 300 ms later).
 */
export function currentDiagnostics(view: EditorView): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (checked.get(view) !== view.state.doc) return diagnostics;
  forEachDiagnostic(view.state, (d, from, to) => {
    if (d.markClass !== RUN_PROBLEM_CLASS && !isFindingMark(d)) diagnostics.push({ ...d, from, to });
  });
  return diagnostics;
}

// ---- completion ------------------------------------------------------------------------------------

/** CodeMirror's completion icon for TypeScript's kinds of names. */
const TYPE_OF_KIND: Record<string, string> = {
  function: 'function', 'local function': 'function', method: 'method', construct: 'method', call: 'method',
  property: 'property', getter: 'property', setter: 'property', 'JSX attribute': 'property',
  const: 'constant', 'enum member': 'constant', let: 'variable', var: 'variable', 'local var': 'variable',
  parameter: 'variable', alias: 'variable', using: 'variable', class: 'class', 'local class': 'class',
  interface: 'interface', type: 'type', 'type parameter': 'type', primitive: 'type', enum: 'enum', module: 'namespace',
  keyword: 'keyword',
};

function option(entry: DriverCompletion, text: string, pos: number): Completion {
  const ndis = entry.source === 'ndis' || entry.source === undefined ? ndisEntry(entry.label) : undefined;
  const rank = Number.parseInt(entry.sortText, 10);
  const completion: Completion = {
    label: entry.label,
    type: TYPE_OF_KIND[entry.kind] ?? 'text',
    detail: entry.source ? `${entry.kind}, imports it from "${entry.source}"` : entry.kind,
    boost: Number.isNaN(rank) ? -20 : Math.max(-99, Math.min(99, 16 - rank)),
  };
  completion.info = ndis
    ? () => docNode(ndis)
    : async () => {
      const details = await languageClient.call((r) => r.completionDetails(text, pos, entry));
      if (!details || (!details.display && !details.documentation)) return null;
      return docNode({ declaration: details.display, doc: details.documentation });
    };
  if (entry.source !== undefined || entry.insertText !== undefined) {
    const insert = entry.insertText ?? entry.label;
    completion.apply = (view, picked, from, to) => {
      const doc = view.state.doc;
      if (entry.source !== undefined) {
        const at = view.state.selection.main.head;
        applyWhenReady(view, doc, languageClient.call((r) => r.completionDetails(doc.toString(), at, entry)).then((d) => d?.edits));
      }
      view.dispatch({ ...insertCompletionText(view.state, insert, from, to), annotations: pickedCompletion.of(picked) });
    };
  }
  return completion;
}

/** Before the language service answers: the NDIS names, each adding its import when accepted. */
const FALLBACK: Completion[] = NDIS_ENTRIES.map((entry) => ({
  label: entry.name,
  type: ({ function: 'function', constant: 'constant', type: 'type', interface: 'interface', handler: 'method' } as const)[entry.kind],
  detail: entry.kind === 'handler' ? `handler of ${entry.parent}` : entry.kind,
  info: () => docNode(entry),
  boost: entry.kind === 'function' || entry.kind === 'handler' ? 1 : 0,
  ...(entry.kind === 'handler' ? {} : {
    apply: (view: EditorView, picked: Completion, from: number, to: number) => {
      const text = view.state.doc.toString();
      // Is it imported already, or declared here (a handler's or local name)?
      const edit = new RegExp(`\\b(?:const|let|var|function|interface|type|class)\\s+${entry.name}\\b`).test(text)
        ? null : ndisImportEdit(text, entry.name, entry.kind === 'type' || entry.kind === 'interface');
      // One transaction: the name and its import (offsets of the text before either).
      view.dispatch({ ...insertCompletionText(view.state, entry.name, from, to), annotations: pickedCompletion.of(picked) }, ...(edit ? [{ changes: edit }] : []));
    },
  }),
}));

async function driverCompletions(context: CompletionContext): Promise<CompletionResult | null> {
  const word = context.matchBefore(/[A-Za-z_$][\w$]*/);
  const before = context.state.sliceDoc(Math.max(0, context.pos - 1), context.pos);
  const member = !word && (before === '.' || before === '?');
  if (!word && !member && !context.explicit) return null;
  const from = word ? word.from : context.pos;
  if (languageClient.state === 'ready') {
    const text = context.state.doc.toString();
    const found = await languageClient.call((r) => r.completions(text, context.pos, context.explicit));
    if (context.aborted) return null;
    if (found) return { from, options: found.entries.map((e) => option(e, text, context.pos)), validFor: /^[\w$]*$/ };
  } else {
    // Start it (its first answer makes it ready for the next completion).
    void languageClient.call((r) => r.startupMs());
  }
  if (member) return null;
  return { from, options: FALLBACK, validFor: /^[\w$]*$/ };
}

// ---- hover ----------------------------------------------------------------------------------------

const driverHover = hoverTooltip(async (view, pos): Promise<Tooltip | null> => {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  let start = pos - line.from;
  let end = start;
  while (start > 0 && /[\w$]/.test(text[start - 1]!)) start--;
  while (end < text.length && /[\w$]/.test(text[end]!)) end++;
  if (start === end) return null;
  const info = languageClient.state === 'failed' ? undefined : await languageClient.call((r) => r.quickInfo(view.state.doc.toString(), pos));
  if (info) {
    return { pos: info.from, end: info.to, above: true, create: () => ({ dom: docNode({ declaration: info.display, doc: info.documentation }) }) };
  }
  // Not known to TypeScript (not imported yet, or the service is starting): the NDIS name's contract.
  const entry = ndisEntry(text.slice(start, end));
  if (!entry) return null;
  return { pos: line.from + start, end: line.from + end, above: true, create: () => ({ dom: docNode(entry) }) };
});

/** The extensions: diagnostics while typing, completion (give it to `autocompletion({ override })`), hover. */
/** Holds the linter once the language service has started; nothing is linted before. */
const checking = new Compartment();

export const driverLanguage = [problemField, changeTracker, checking.of([]), driverHover];

/** Checks the editor's text as the learner types from now on (once the language service has started), and now. */
export function startChecking(view: EditorView): void {
  if (checking.get(view.state) !== driverLinter) view.dispatch({ effects: checking.reconfigure(driverLinter) });
  forceLinting(view);
}
export { driverCompletions };

// Exported for the element's status line.
export function languageServiceState(): LanguageServiceState {
  return languageClient.state;
}
