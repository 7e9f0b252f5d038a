// Where in the learner's own source a position in their compiled driver is. The loader strips
// TypeScript and rewrites imports with sucrase, which keeps every line where it was but not every
// column: `n as Map<string, number>` loses its type, `NdisFSendNetBufferLists(` becomes
// `_ndis.NdisFSendNetBufferLists.call(void 0, `. A stack frame of the running driver therefore
// names the right line and often the wrong column. sucrase's source map (one segment per token)
// takes each frame back to the learner's column, so a HandlerThrew finding, the command line's
// report and the editor's mark all point at the token that threw.
//
// Every other finding gets a place too (`locationIn`): when the verifier records one, the stack of
// the thread that runs the driver is read once (`stackHere`, on that thread: the core's for the
// in-process host, the driver's worker for the worker host) and its innermost frame in the
// driver's file, mapped back, is where the driver made the NDIS call that broke the rule. Only the
// reporting path pays for a stack; a place is for the learner to read, and no verdict reads it.

import { TraceMap, originalPositionFor, type EncodedSourceMap } from '@jridgewell/trace-mapping';
import { stackOf, driverText, readCallSites } from '../host/confinement.ts';
import type { SourceLocation } from '../verifier/verifier.ts';

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

export type { SourceLocation };

/** Frames read above the reporting point: the verifier, the NDIS function and its checks sit between it and the driver's call. */
const STACK_FRAMES = 64;
/** Frame lines of the driver's file a worker sends back for locating (the innermost is the one used). */
const FRAME_LINES = 16;
/** Longest frame line kept: a driver names its own functions, and a name can be long. */
const FRAME_TEXT = 1000;

/** The V8 call site methods read (the attenuated call sites SES hands a start-compartment prepareStackTrace have them too). */
interface CallSite {
  /** A driver's module is evaluated code named by its sourceURL comment: this gives that name, getFileName none. */
  getScriptNameOrSourceURL?(): unknown;
  getFileName(): unknown;
  getLineNumber(): unknown;
  getColumnNumber(): unknown;
}

/**
 * This thread's stack here, one `    at <file>:<line>:<column>` per frame, '' when it cannot be
 * read. Built from V8's call sites (confinement.ts readCallSites), not from a stack's text, so no
 * function's name (which a driver chooses, "x (driver.ts:1:1)\n    at ..." included) can pose as
 * a frame. Never throws.
 */
export function stackHere(): string {
  const lines: string[] = [];
  readCallSites((sites) => {
    for (const site of Array.isArray(sites) ? (sites as CallSite[]) : []) {
      try {
        const file = typeof site.getScriptNameOrSourceURL === 'function' ? site.getScriptNameOrSourceURL() : site.getFileName();
        const line = site.getLineNumber();
        const column = site.getColumnNumber();
        if (typeof file === 'string' && Number.isSafeInteger(line) && Number.isSafeInteger(column)) lines.push(`    at ${file.replace(/[\r\n\u2028\u2029]/g, ' ').slice(0, FRAME_TEXT)}:${line as number}:${column as number}`);
      } catch {
        // A call site that cannot be read (before lockdown a driver can reach their prototype): skipped.
      }
    }
  }, STACK_FRAMES);
  return lines.join('\n');
}

/** The lines of `stack` that are frames in `fileName` (at most FRAME_LINES, each capped): what a driver's worker sends for locating. */
export function framesOf(stack: string, fileName: string): string {
  return stack.split('\n').filter((line) => /^\s+at /.test(line) && line.includes(`${fileName}:`)).slice(0, FRAME_LINES).map((line) => line.slice(0, FRAME_TEXT)).join('\n');
}

/**
 * The learner's line and column of the innermost frame of `stack` in the driver's file, or
 * undefined when no frame is there (the finding did not arise in the driver's code). `stack` is
 * stackHere's (from a driver's worker, any text: it is only searched); the position is read at the
 * end of a frame line.
 */
export function locationIn(stack: unknown, positions: SourcePositions): SourceLocation | undefined {
  if (typeof stack !== 'string' || stack === '') return undefined;
  const frame = new RegExp(`[\\s(]${escaped(positions.fileName)}:(\\d+):(\\d+)\\)?$`);
  for (const line of stack.split('\n', 256)) {
    if (!/^\s+at /.test(line)) continue;
    const found = frame.exec(line.slice(-FRAME_TEXT));
    if (!found) continue;
    const at = positions.original(Number(found[1]), Number(found[2]));
    if (Number.isSafeInteger(at.line) && at.line > 0 && Number.isSafeInteger(at.column) && at.column > 0) return { file: positions.fileName, ...at };
    return undefined;
  }
  return undefined;
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
