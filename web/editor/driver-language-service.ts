// TypeScript's language service over the learner's driver, as the editor's worker runs it (and the
// Node tests): the driver is one file checked against core/ndis/ndis.d.ts and the ES2022 library
// (no DOM: a driver has none), plus the console it is given. It answers diagnostics (syntax, types,
// and `async` functions, which NDIS refuses at run time as HandlerReturnedPromise), completions
// (with the names "ndis" exports that the driver has not imported yet), the import edit accepting
// one of those needs, and quick info for hover. Positions are offsets into the driver's text.
//
// Every request carries the driver's text, so the worker holds no state the page must keep in
// step: a request about an older text (an edit in flight) is answered about the text it names.

import type * as TS from 'typescript-6';

export const DRIVER_FILE = '/driver.ts';
const NDIS_FILE = '/ndis.d.ts';
const GLOBALS_FILE = '/driver-globals.d.ts';
const LIB_DIR = '/lib/';

/**
 * What a driver's global scope has beyond ES2022 (core/host/confinement.ts: driverConsole). The
 * real timers are not here: a driver calling setTimeout gets "Cannot find name", as it would get
 * an error at run time (time is virtual; NdisSetTimerObject is the timer).
 */
const DRIVER_GLOBALS = `
/** The driver's console: each line goes to the page's console (and \`nic-lab run\` prints it). */
interface DriverConsole {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
declare var console: DriverConsole;
`;

/** The library files the check loads: lib.es2022.d.ts and what it references (lib.es5.d.ts ... ). */
export const LIB_ROOT = 'lib.es2022.d.ts';

export interface DriverDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** TypeScript's error code (TS2339 ...), or 0 for the editor's own rules. */
  code: number;
  /** The name is exported by "ndis" but not imported: importFix has the edit. */
  importable?: boolean;
}

export interface DriverCompletion {
  label: string;
  /** TypeScript's ScriptElementKind ("function", "const", "property", "method" ...). */
  kind: string;
  sortText: string;
  /** For a name from a module the driver has not imported it from: that module ("ndis"). */
  source?: string;
  /** What TypeScript needs to work out the import edit again (an auto-import's export info). */
  data?: unknown;
  insertText?: string;
  /** Offsets the completion replaces when it is not just the word before the cursor. */
  replace?: { from: number; to: number };
}

export interface DriverCompletions {
  /** Whether this is a member list (after a dot): then every entry is a member of the object. */
  member: boolean;
  entries: DriverCompletion[];
}

export interface DriverCompletionDetails {
  display: string;
  documentation: string;
  edits: TextEdit[];
}

export interface TextEdit {
  from: number;
  to: number;
  insert: string;
}

export interface DriverQuickInfo {
  from: number;
  to: number;
  /** The declaration as TypeScript shows it ("function NdisOpenAdapterEx(...): ..."). */
  display: string;
  /** The doc comment, and its tags (@param ...) as lines. */
  documentation: string;
}

export interface DriverLanguageService {
  diagnostics(text: string): DriverDiagnostic[];
  completions(text: string, pos: number, explicit: boolean): DriverCompletions | null;
  /**
   * The declaration and doc comment of `entry` (completed at `pos`), and the edits (an import
   * added to the driver) that accepting it needs beside inserting its name.
   */
  completionDetails(text: string, pos: number, entry: Pick<DriverCompletion, 'label' | 'source' | 'data'>): DriverCompletionDetails | null;
  /** For a diagnostic "Cannot find name" of a name "ndis" exports: the edits that import it (none if there is no such fix). */
  importFix(text: string, diagnostic: Pick<DriverDiagnostic, 'from' | 'to' | 'code'>): TextEdit[];
  quickInfo(text: string, pos: number): DriverQuickInfo | null;
}

export interface DriverLibraries {
  /** TypeScript's library files, by file name ("lib.es5.d.ts" ...): at least LIB_ROOT and what it references. */
  libs: Readonly<Record<string, string>>;
  /** core/ndis/ndis.d.ts. */
  ndis: string;
}

/** The library files LIB_ROOT needs, read with `read` (by file name): for bundling and for tests. */
export function libraryFileNames(read: (name: string) => string): string[] {
  const names: string[] = [];
  const visit = (name: string): void => {
    if (names.includes(name)) return;
    names.push(name);
    for (const m of read(name).matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"/gm)) visit(`lib.${m[1]!.toLowerCase()}.d.ts`);
  };
  visit(LIB_ROOT);
  return names;
}

/** "Cannot find name 'x'" (and "... Did you mean 'y'?"). */
const CANNOT_FIND_NAME = new Set([2304, 2552]);

const SEVERITY = ['warning', 'error', 'info', 'info'] as const; // ts.DiagnosticCategory: Warning, Error, Suggestion, Message

/**
 * TypeScript's changes to the driver as edits in order, insertions at one place joined (TypeScript
 * gives "," and "\n  Name" apart, whose order an editor applying them at once may not keep).
 */
function edits(changes: readonly TS.FileTextChanges[]): TextEdit[] {
  const list = changes
    .filter((change) => change.fileName === DRIVER_FILE)
    .flatMap((change) => change.textChanges)
    .map((c) => ({ from: c.span.start, to: c.span.start + c.span.length, insert: c.newText }))
    .sort((a, b) => a.from - b.from);
  const joined: TextEdit[] = [];
  for (const edit of list) {
    const last = joined.at(-1);
    if (last && last.from === edit.from && last.to === last.from) joined[joined.length - 1] = { from: last.from, to: edit.to, insert: last.insert + edit.insert };
    else joined.push(edit);
  }
  return joined;
}

/** The check a learner's driver gets: strict, as `tsc` checks the labs' drivers, without the rules that only nag while typing. */
function compilerOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: [LIB_ROOT],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    noFallthroughCasesInSwitch: true,
    isolatedModules: true,
    allowImportingTsExtensions: true,
    noEmit: true,
  };
}

const PREFERENCES: TS.UserPreferences = {
  includeCompletionsForModuleExports: true,
  includeCompletionsWithInsertText: true,
  includeCompletionsForImportStatements: true,
  importModuleSpecifierPreference: 'non-relative',
  // The labs' style; TypeScript follows an import already in the file.
  quotePreference: 'single',
};

export function createDriverLanguageService(ts: typeof TS, libraries: DriverLibraries): DriverLanguageService {
  const fixed = new Map<string, TS.IScriptSnapshot>();
  for (const [name, text] of Object.entries(libraries.libs)) fixed.set(`${LIB_DIR}${name}`, ts.ScriptSnapshot.fromString(text));
  fixed.set(NDIS_FILE, ts.ScriptSnapshot.fromString(libraries.ndis));
  fixed.set(GLOBALS_FILE, ts.ScriptSnapshot.fromString(DRIVER_GLOBALS));
  let driver = '';
  let snapshot = ts.ScriptSnapshot.fromString(driver);
  let version = 0;
  const options = compilerOptions(ts);
  const formatOptions: TS.FormatCodeSettings = { ...ts.getDefaultFormatCodeSettings('\n'), indentSize: 2, tabSize: 2, convertTabsToSpaces: true, semicolons: ts.SemicolonPreference.Insert };

  const read = (file: string): string | undefined => {
    if (file === DRIVER_FILE) return driver;
    const known = fixed.get(file);
    return known ? known.getText(0, known.getLength()) : undefined;
  };
  const host: TS.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [DRIVER_FILE, NDIS_FILE, GLOBALS_FILE],
    getScriptVersion: (file) => (file === DRIVER_FILE ? String(version) : '0'),
    getScriptSnapshot: (file) => (file === DRIVER_FILE ? snapshot : fixed.get(file)),
    getCurrentDirectory: () => '/',
    getDefaultLibFileName: () => `${LIB_DIR}${LIB_ROOT}`,
    fileExists: (file) => file === DRIVER_FILE || fixed.has(file),
    readFile: read,
    directoryExists: (dir) => dir === '/' || dir === LIB_DIR.slice(0, -1),
    getDirectories: () => [],
    useCaseSensitiveFileNames: () => true,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());

  const sync = (text: string): void => {
    if (text === driver) return;
    driver = text;
    snapshot = ts.ScriptSnapshot.fromString(text);
    version++;
  };

  const asDiagnostic = (d: TS.Diagnostic): DriverDiagnostic => {
    const from = d.start ?? 0;
    const to = from + (d.length ?? 0);
    let message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    let importable = false;
    if (CANNOT_FIND_NAME.has(d.code) && fixesOf(from, to, d.code).length > 0) {
      importable = true;
      message = `${message} "ndis" exports ${driver.slice(from, to)}: import it (the fix below, or accept it from the completion list).`;
    }
    return { from, to, severity: SEVERITY[d.category] ?? 'error', message, code: d.code, ...(importable ? { importable } : {}) };
  };

  /** The "import from ndis" fixes TypeScript offers for the diagnostic at from..to. */
  const fixesOf = (from: number, to: number, code: number): TextEdit[] =>
    service.getCodeFixesAtPosition(DRIVER_FILE, from, to, [code], formatOptions, PREFERENCES)
      .filter((fix) => fix.fixName === 'import' && /["']ndis["']/.test(fix.description))
      .slice(0, 1)
      .flatMap((fix) => edits(fix.changes));

  const documentationOf = (documentation: TS.SymbolDisplayPart[] | undefined, tags: TS.JSDocTagInfo[] | undefined): string =>
    [ts.displayPartsToString(documentation ?? []), ...(tags ?? []).map((tag) => `@${tag.name}${tag.text ? ` ${ts.displayPartsToString(tag.text)}` : ''}`)]
      .filter((s) => s !== '').join('\n');

  /** `async` functions: a handler that is one returns a Promise, which NDIS refuses. */
  const asyncFunctions = (file: TS.SourceFile): DriverDiagnostic[] => {
    const found: DriverDiagnostic[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isFunctionLike(node)) {
        const modifier = ts.canHaveModifiers(node) ? ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword) : undefined;
        if (modifier) {
          found.push({
            from: modifier.getStart(file), to: modifier.getEnd(), severity: 'warning', code: 0,
            message: 'An async function returns a Promise. NDIS calls a driver synchronously and refuses a handler that returns a Promise (HandlerReturnedPromise): return NDIS_STATUS_PENDING and call the completion function when the work is done.',
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    return found;
  };

  return {
    diagnostics(text) {
      sync(text);
      const syntactic = service.getSyntacticDiagnostics(DRIVER_FILE);
      // After a syntax error the types say little that helps: the syntax comes first.
      if (syntactic.length > 0) return syntactic.map(asDiagnostic);
      const file = service.getProgram()?.getSourceFile(DRIVER_FILE);
      return [...service.getSemanticDiagnostics(DRIVER_FILE).map(asDiagnostic), ...(file ? asyncFunctions(file) : [])].sort((a, b) => a.from - b.from);
    },

    completions(text, pos, explicit) {
      sync(text);
      const info = service.getCompletionsAtPosition(DRIVER_FILE, pos, { ...PREFERENCES, triggerKind: explicit ? ts.CompletionTriggerKind.Invoked : ts.CompletionTriggerKind.TriggerCharacter }, formatOptions);
      if (!info) return null;
      return {
        member: info.isMemberCompletion,
        entries: info.entries
          .filter((e) => e.kind !== ts.ScriptElementKind.warning && (e.source === undefined || e.source === 'ndis'))
          .map((e) => ({
            label: e.name,
            kind: e.kind,
            sortText: e.sortText,
            ...(e.source !== undefined ? { source: e.source } : {}),
            ...(e.data !== undefined ? { data: e.data } : {}),
            ...(e.insertText !== undefined ? { insertText: e.insertText } : {}),
            ...(e.replacementSpan ? { replace: { from: e.replacementSpan.start, to: e.replacementSpan.start + e.replacementSpan.length } } : {}),
          })),
      };
    },

    completionDetails(text, pos, entry) {
      sync(text);
      const details = service.getCompletionEntryDetails(DRIVER_FILE, pos, entry.label, formatOptions, entry.source, PREFERENCES, entry.data as TS.CompletionEntryData | undefined);
      if (!details) return null;
      return {
        display: ts.displayPartsToString(details.displayParts),
        documentation: documentationOf(details.documentation, details.tags),
        edits: (details.codeActions ?? []).flatMap((action) => edits(action.changes)),
      };
    },

    importFix(text, diagnostic) {
      sync(text);
      return CANNOT_FIND_NAME.has(diagnostic.code) ? fixesOf(diagnostic.from, diagnostic.to, diagnostic.code) : [];
    },

    quickInfo(text, pos) {
      sync(text);
      const info = service.getQuickInfoAtPosition(DRIVER_FILE, pos);
      // A name TypeScript cannot resolve has no declaration to show (it says "any").
      if (!info || info.kind === ts.ScriptElementKind.unknown || !info.displayParts || info.displayParts.length === 0) return null;
      return {
        from: info.textSpan.start,
        to: info.textSpan.start + info.textSpan.length,
        display: ts.displayPartsToString(info.displayParts),
        documentation: documentationOf(info.documentation, info.tags),
      };
    },
  };
}
