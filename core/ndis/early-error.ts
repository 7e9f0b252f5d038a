// Where an early error of a driver's compiled code is. sucrase parses the learner's TypeScript but
// does not apply all of JavaScript's early-error rules (a `let` declared twice in one scope,
// `await` outside an async function...), so such code gets past it and the engine refuses it when
// the loader compiles it, with a SyntaxError that names no line. acorn, which applies those rules,
// parses the same compiled code to find the spot, and the source map takes it back to the
// learner's line and column.

import { parse } from 'acorn';
import { SourcePositions, type DriverSourceMap } from './source-positions.ts';

/**
 * The source position (1-based) of the first early error acorn finds in `code` (the compiled
 * driver, a function body), or undefined if it finds none.
 */
export function earlyErrorPosition(code: string, sourceMap: Omit<DriverSourceMap, 'firstLineColumns'>): { line: number; column: number } | undefined {
  // As a module first: the code is strict either way (sucrase puts "use strict" on top), and there
  // `await` is a keyword, so one outside an async function is named where it is rather than at the
  // token after it. A top-level `await` is fine in a module, not in the loader's function body:
  // the script parse finds that one.
  for (const sourceType of ['module', 'script'] as const) {
    try {
      parse(code, { ecmaVersion: 'latest', sourceType, allowReturnOutsideFunction: true, locations: true });
    } catch (error) {
      const loc = (error as { loc?: { line?: unknown; column?: unknown } }).loc;
      if (typeof loc?.line !== 'number' || typeof loc.column !== 'number') return undefined;
      // acorn's positions are in the code itself: nothing of a compiler's stands before line 1.
      return new SourcePositions({ ...sourceMap, firstLineColumns: 0 }).original(loc.line, loc.column + 1);
    }
  }
  return undefined;
}
