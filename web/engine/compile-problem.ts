// Where the learner's driver failed to compile, read from the loader's message so the editor can
// mark the spot. The loader says "<file>: does not compile: <compiler's message>", and sucrase
// ends its message with "(line:column)", both counted from 1; a compile error without a position
// (the engine's own parse of the compiled code) gives none.

export interface SourceProblem {
  /** 1-based line of the source. */
  line: number;
  /** 1-based column on that line. */
  column: number;
  /** The compiler's message without the file name or the position. */
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
