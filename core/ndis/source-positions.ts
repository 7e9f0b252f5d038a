// Where in the learner's own source a position in their compiled driver is. The loader strips
// TypeScript and rewrites imports with sucrase, which keeps every line where it was but not every
// column: `n as Map<string, number>` loses its type, `NdisFSendNetBufferLists(` becomes
// `_ndis.NdisFSendNetBufferLists.call(void 0, `. A stack frame of the running driver therefore
// names the right line and often the wrong column. sucrase's source map (one segment per token)
// takes each frame back to the learner's column, so a HandlerThrew finding, the command line's
// report and the editor's mark all point at the token that threw.

import { TraceMap, originalPositionFor, type EncodedSourceMap } from '@jridgewell/trace-mapping';
import { stackOf, driverText } from '../host/confinement.ts';

/** What the loader hands back about a compiled driver (plain data: it crosses from a driver's worker). */
export interface DriverSourceMap {
  /** The name the driver's code runs under in stack traces. */
  fileName: string;
  /** sucrase's source map of the compiled code (version 3). */
  map: EncodedSourceMap;
  /**
   * Columns the compiler put in front of the code's first line (the loader's function header
   * shares that line so that lines match); stack columns on line 1 include them.
   */
  firstLineColumns: number;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class SourcePositions {
  readonly fileName: string;
  private traced: TraceMap | undefined;
  private readonly frame: RegExp;

  constructor(private readonly source: DriverSourceMap) {
    this.fileName = source.fileName;
    // Only where a frame names the file: after "(", "at " or a line's start, not inside a longer name.
    this.frame = new RegExp(`(?<=^|[\\s(])${escaped(source.fileName)}:(\\d+):(\\d+)`, 'gm');
  }

  /**
   * The learner's 1-based line and column for a 1-based position in a stack frame of the
   * compiled code; the position itself where the map has nothing for that line.
   */
  original(line: number, column: number): { line: number; column: number } {
    const generatedColumn = column - 1 - (line === 1 ? this.source.firstLineColumns : 0);
    if (generatedColumn < 0) return { line, column };
    try {
      // Decoded on first use: most drivers never throw.
      this.traced ??= new TraceMap(this.source.map);
      const found = originalPositionFor(this.traced, { line, column: generatedColumn });
      // sucrase keeps lines, so a segment on another line would mean a map that is not sucrase's.
      return found.line === line ? { line, column: found.column + 1 } : { line, column };
    } catch {
      // A map that does not decode (it came from a driver's worker): the engine's position stands.
      return { line, column };
    }
  }

  /** `text` with every `<fileName>:line:column` in it turned into the learner's line and column. */
  remap(text: string): string {
    return text.replace(this.frame, (_whole, line: string, column: string) => {
      const at = this.original(Number(line), Number(column));
      return `${this.source.fileName}:${at.line}:${at.column}`;
    });
  }
}

/**
 * The frames of a thrown error's stack that are in the driver's own code (at most three), at the
 * learner's lines and columns, each on its own line after a newline ('' when there are none), so
 * a finding points at the token that threw and reads the same whichever thread ran the driver.
 */
export function driverFrames(error: unknown, positions: SourcePositions): string {
  const stack = stackOf(error);
  if (stack === '') return '';
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line) && line.includes(`${positions.fileName}:`)).slice(0, 3)
    // The module's body is an anonymous function evaluated in a compartment: V8 calls it "eval".
    // V8 indents frames by four spaces, SES's getStackString (a locked-down realm) by two.
    .map((line) => `    ${line.trim()}`.replace(/^(\s+at )eval \((.*)\)$/, '$1$2'));
  return frames.length > 0 ? `\n${positions.remap(frames.join('\n'))}` : '';
}

/**
 * What a driver's code threw, as "Name: message" (or the value itself), followed by its frames
 * in the driver's source when the positions are known: the text of a HandlerThrew finding, the
 * same from the runtime and from a driver's worker running live.
 */
export function thrownByDriver(error: unknown, positions: SourcePositions | undefined): string {
  const message = error instanceof Error ? `${driverText(error.name, 200)}: ${driverText(error.message)}` : driverText(error);
  return `${message}${positions ? driverFrames(error, positions) : ''}`;
}
