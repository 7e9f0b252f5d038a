// Where in the learner's source the last run went wrong, read from what the runtime reported, so
// the editor can mark the spot:
//   - a compile error: the loader says "<file>: does not compile: <compiler's message>", ending
//     with "(line:column)" (sucrase's, or for an early error the engine found, acorn's);
//   - a module whose top-level code threw: "<file>: failed while loading: <error>" and the
//     frames, as for a handler;
//   - a handler that threw (HandlerThrew): the first frame of its stack in the file,
//     "(<file>:line:column)", which the runtime has already taken back to the source's own line
//     and column (core/ndis/source-positions.ts).
// And where the verifier's findings were made, for the editor to mark each one's line: a finding
// raised while the learner's code was on the stack carries the place of the NDIS call; one made
// with none of it running, the place its handler is declared (location.kind 'handler').
// Lines and columns are counted from 1.

export interface SourceProblem {
  /** 1-based line of the source. */
  line: number;
  /** 1-based column on that line. */
  column: number;
  /** What went wrong there, without the file name or the position. */
  message: string;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first compile error of `file` in `text` (a failure, a grade's reason, a status line), if any. */
export function compileProblem(text: string, file: string): SourceProblem | undefined {
  const name = escaped(file);
  const found = new RegExp(`${name}: does not compile: (?:Error transforming ${name}: )?(.*?) \\((\\d+):(\\d+)\\)`).exec(text);
  if (!found) return undefined;
  return { message: found[1]!, line: Number(found[2]), column: Number(found[3]) };
}

/**
 * Where a handler threw, from a HandlerThrew finding's message ("<handler> threw <error>\n    at
 * ... (<file>:line:column)"): the innermost frame in `file`, if the stack has one.
 */
export function thrownProblem(message: string, file: string): SourceProblem | undefined {
  const [first = '', ...stack] = message.split('\n');
  const frame = new RegExp(`\\(${escaped(file)}:(\\d+):(\\d+)\\)$|at ${escaped(file)}:(\\d+):(\\d+)$`);
  for (const line of stack) {
    const found = frame.exec(line.trim());
    if (found) return { message: first, line: Number(found[1] ?? found[3]), column: Number(found[2] ?? found[4]) };
  }
  return undefined;
}

/**
 * The spot to mark after a Run, a Grade's scenario or Live traffic: a compile error among
 * `failures` or where the module threw while it loaded, else where the first HandlerThrew
 * finding's handler threw in `file`.
 */
export function sourceProblemOf(failures: readonly string[], findings: readonly { rule: string; message: string }[], file: string): SourceProblem | undefined {
  for (const failure of failures) {
    const compile = compileProblem(failure, file);
    if (compile) return compile;
    // thrownProblem reads the first line as the message and the rest as frames.
    const loading = failure.indexOf(`${file}: failed while loading: `);
    const thrown = loading >= 0 ? thrownProblem(failure.slice(loading + `${file}: `.length), file) : undefined;
    if (thrown) return thrown;
  }
  for (const finding of findings) {
    const thrown = finding.rule === 'HandlerThrew' ? thrownProblem(finding.message, file) : undefined;
    if (thrown) return thrown;
  }
  return undefined;
}

/** A verifier finding at a place in the learner's source, as the editor marks it. */
export interface FindingMark {
  /** 1-based line of the source. */
  line: number;
  /** 1-based column on that line. */
  column: number;
  rule: string;
  message: string;
  /** A fatal rule stops the machine; an error lets the run go on. */
  severity: 'fatal' | 'error';
  /** Trace event number of the finding. */
  event?: number;
}

/**
 * The findings made in `file` (the learner's driver; a reference driver's are not in the editor),
 * one per place and rule: a loop that breaks a rule many times at one call is marked once.
 */
export function findingMarksOf(findings: readonly { rule: string; message: string; severity: 'fatal' | 'error'; event: number; location?: { file: string; line: number; column: number; kind?: 'handler' } }[], file: string): FindingMark[] {
  const marks = new Map<string, FindingMark>();
  for (const f of findings) {
    const at = f.location;
    // A HandlerThrew's place is where it threw, which sourceProblemOf marks already (with the error).
    if (!at || at.file !== file || f.rule === 'HandlerThrew') continue;
    const key = `${at.line}:${at.column}:${f.rule}`;
    // A handler's declaration is not the offending call: the mark says which it is.
    const message = at.kind === 'handler' ? `${f.message} (this finding arose with none of your code running: this is the handler it is about)` : f.message;
    if (!marks.has(key)) marks.set(key, { line: at.line, column: at.column, rule: f.rule, message, severity: f.severity, event: f.event });
  }
  return [...marks.values()];
}
