// Loading a learner's driver: TypeScript (or JavaScript) source becomes a module whose only
// import is "ndis". Types are stripped with sucrase (line numbers kept, so stack traces point
// at the learner's lines; its source map gives back the columns, see source-positions.ts), the
// module runs with the `ndis` object it is given, and real timers are replaced by errors that
// point at NDIS's virtual-time timers, so every run can replay.

import { transform } from 'sucrase';
import { virtualTimeOnly } from '../host/sandbox.ts';
import { SourcePositions, driverFrames, type DriverSourceMap } from './source-positions.ts';

export class DriverLoadError extends Error {
  constructor(readonly driver: string, readonly reason: string) {
    super(`${driver}: ${reason}`);
    this.name = 'DriverLoadError';
  }
}

export interface DriverModule {
  DriverEntry: () => unknown;
  [name: string]: unknown;
}

/** A compiled driver body, and how many columns of the compiler's own precede its first line in stack frames. */
export interface CompiledBody {
  run: (...args: unknown[]) => void;
  firstLineColumns: number;
}

/**
 * Makes a function of `params` whose body is `code`, named `fileName` in stack traces, with
 * line N of a stack frame being line N of `code`.
 */
export type FunctionCompiler = (params: string[], code: string, fileName: string) => CompiledBody;

/** A loaded driver: its exports, and the map from its compiled code back to its source. */
export interface LoadedDriver {
  exports: DriverModule;
  sourceMap: DriverSourceMap;
}

/** A file name as a sourceURL comment may carry it: one line. */
function oneLine(fileName: string): string {
  return fileName.replace(/[\r\n\u2028\u2029]/g, ' ');
}

// A function expression whose header shares the code's first line, evaluated in the global scope
// (what `new Function` does, but `new Function` writes two lines of its own above the body, so
// every line in a driver's stack trace pointed two lines below the one that threw). The grading
// sandbox (core/sandbox) switches code generation from strings off for the driver's sake and
// installs a compiler built on node:vm's compileFunction instead, which keeps the lines too.
let compileFunction: FunctionCompiler = (params, code, fileName) => {
  const header = `(function (${params.join(', ')}) {`;
  return { run: (0, eval)(`${header}${code}\n})\n//# sourceURL=${oneLine(fileName)}`) as (...args: unknown[]) => void, firstLineColumns: header.length };
};

/** Replaces how driver modules are compiled (the grading sandbox's child process does). */
export function useFunctionCompiler(compiler: FunctionCompiler): void {
  compileFunction = compiler;
}

/**
 * Compiles `source` (named `fileName` in errors) and runs it with `ndis` as its "ndis" import.
 * The module runs before this returns its promise; only an early error's position is awaited
 * (acorn is loaded then, so a driver that compiles never pays for it).
 */
export async function loadDriverModule(source: string, fileName: string, ndis: object): Promise<LoadedDriver> {
  let code: string;
  let map: DriverSourceMap['map'];
  try {
    const compiled = transform(source, { transforms: ['typescript', 'imports'], filePath: fileName, production: true, sourceMapOptions: { compiledFilename: fileName } });
    code = compiled.code;
    map = { ...compiled.sourceMap!, version: 3 };
  } catch (error) {
    throw new DriverLoadError(fileName, `does not compile: ${(error as Error).message}`);
  }
  let factory: (...args: unknown[]) => void;
  let firstLineColumns: number;
  try {
    ({ run: factory, firstLineColumns } = compileFunction(['exports', 'require', 'module', 'setTimeout', 'setInterval', 'setImmediate'], code, fileName));
  } catch (error) {
    // The engine's SyntaxError names no position; acorn's parse of the same code finds it.
    const { earlyErrorPosition } = await import('./early-error.ts');
    const at = earlyErrorPosition(code, { fileName, map });
    throw new DriverLoadError(fileName, `does not compile: ${errorText(error)}${at ? ` (${at.line}:${at.column})` : ''}`);
  }
  const sourceMap: DriverSourceMap = { fileName, map, firstLineColumns };
  const module = { exports: {} as Record<string, unknown> };
  const requireNdis = (specifier: string) => {
    if (specifier === 'ndis') return ndis;
    throw new DriverLoadError(fileName, `imports "${specifier}"; a driver may import only from "ndis"`);
  };
  try {
    factory(module.exports, requireNdis, module, virtualTimeOnly('setTimeout'), virtualTimeOnly('setInterval'), virtualTimeOnly('setImmediate'));
  } catch (error) {
    if (error instanceof DriverLoadError) throw error;
    // Where in the module's top-level code it threw, at the source's lines and columns.
    const frames = driverFrames(error, new SourcePositions(sourceMap));
    throw new DriverLoadError(fileName, `failed while loading: ${errorText(error)}${frames}`);
  }
  const exports = module.exports;
  if (typeof exports.DriverEntry !== 'function') {
    throw new DriverLoadError(fileName, 'exports no DriverEntry function (export function DriverEntry() { ... })');
  }
  return { exports: exports as DriverModule, sourceMap };
}

/** What was thrown, as "Name: message" (or the value, if it is not an Error). */
function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `threw ${String(error)}`;
}
