// Loading a learner's driver: TypeScript (or JavaScript) source becomes a module whose only
// import is "ndis". Types are stripped with sucrase (line numbers kept, so stack traces point
// at the learner's lines; its source map gives back the columns, see source-positions.ts), and the
// module runs in a compartment of its own (core/host/confinement.ts) with the `ndis` object it is
// given, a console made for it, and real timers replaced by errors that point at NDIS's
// virtual-time timers, so every run can replay.

import { transform } from 'sucrase';
import { driverCompartment, driverConsole, driverText, hardenForDrivers, hardenWhenConfined, virtualTimeOnly, FAST_GLOBALS, type ConsoleSink } from '../host/confinement.ts';
import { SourcePositions, driverFrames, type DriverSourceMap } from './source-positions.ts';

export class DriverLoadError extends Error {
  constructor(readonly driver: string, readonly reason: string) {
    super(`${driver}: ${reason}`);
    this.name = 'DriverLoadError';
  }
}
// Thrown into driver code by its `require`.
hardenWhenConfined(DriverLoadError);

/**
 * The `ndis` module as the driver sees it: a frozen object of its own, each function bound (so
 * its source text, and through it where the engine runs, is not the driver's to read; its
 * constructor is SES's inert one), each constant as it is.
 */
function ndisModule(ndis: object): object {
  const module: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ndis)) module[name] = typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(undefined) : value;
  return hardenForDrivers(Object.freeze(module));
}

export interface DriverModule {
  DriverEntry: () => unknown;
  [name: string]: unknown;
}

/** A loaded driver: its exports, and the map from its compiled code back to its source. */
export interface LoadedDriver {
  exports: DriverModule;
  sourceMap: DriverSourceMap;
  /**
   * Reads `key` of an object NDIS handed the driver, as the driver left it (a driver in a worker
   * writes its own copy: DriverObject.DriverUnload). Absent: read the object itself.
   */
  field?: (object: object, key: string) => unknown;
  /**
   * The frames in the driver's file on the stack of the thread the driver runs on, now (a driver
   * in a worker; never throws). Absent: the driver runs on the core's thread, whose stack is read.
   */
  stack?: () => string;
}

/** A file name as a sourceURL comment may carry it: one line. */
function oneLine(fileName: string): string {
  return fileName.replace(/[\r\n\u2028\u2029]/g, ' ');
}

/** What a driver module's function takes, in order: the CommonJS shape sucrase compiles imports to, then the rest. */
const MODULE_PARAMETERS = ['exports', 'require', 'module', 'setTimeout', 'setInterval', 'setImmediate', 'console', ...FAST_GLOBALS];

/** SES's refusals of source it will not evaluate, in the learner's words (SES names the line). */
function refusal(error: unknown): string | undefined {
  const text = driverText((error as { message?: unknown } | null)?.message);
  const line = / at .*:(\d+)\. \(SES_/.exec(text)?.[1];
  const at = line ? ` (line ${line})` : '';
  if (/SES_IMPORT_REJECTED/.test(text)) return `a driver may not import modules at run time: \`import(\` is refused${at}; import from "ndis" at the top of the file`;
  if (/SES_HTML_COMMENT_REJECTED/.test(text)) return `HTML-like comments (<!-- or -->) are refused${at}; in \`x --> 0\` write \`x-- > 0\``;
  if (/SES_EVAL_REJECTED/.test(text)) return `direct eval is refused${at}`;
  return undefined;
}

/**
 * Compiles `source` (named `fileName` in errors) and runs it with `ndis` as its "ndis" import.
 * The module runs before this returns its promise; only an early error's position is awaited
 * (acorn is loaded then, so a driver that compiles never pays for it).
 */
export async function loadDriverModule(source: string, fileName: string, ndis: object, consoleSink: ConsoleSink = dropConsole): Promise<LoadedDriver> {
  let code: string;
  let map: DriverSourceMap['map'];
  try {
    const compiled = transform(source, { transforms: ['typescript', 'imports'], filePath: fileName, production: true, sourceMapOptions: { compiledFilename: fileName } });
    code = compiled.code;
    map = { ...compiled.sourceMap!, version: 3 };
  } catch (error) {
    throw new DriverLoadError(fileName, `does not compile: ${(error as Error).message}`);
  }
  // The module is one function expression whose header shares the code's first line, so line N of
  // a stack frame is line N of the learner's file (columns on line 1 are off by the header's length).
  const compartment = driverCompartment({});
  const header = `(function (${MODULE_PARAMETERS.join(', ')}) {`;
  const firstLineColumns = header.length;
  let factory: (...args: unknown[]) => void;
  try {
    factory = compartment.evaluate(`${header}${code}\n})\n//# sourceURL=${oneLine(fileName)}`) as (...args: unknown[]) => void;
  } catch (error) {
    const refused = refusal(error);
    if (refused) throw new DriverLoadError(fileName, `does not compile: ${refused}`);
    // The engine's SyntaxError names no position; acorn's parse of the same code finds it.
    const { earlyErrorPosition } = await import('./early-error.ts');
    const at = earlyErrorPosition(code, { fileName, map });
    throw new DriverLoadError(fileName, `does not compile: ${errorText(error)}${at ? ` (${at.line}:${at.column})` : ''}`);
  }
  const sourceMap: DriverSourceMap = { fileName, map, firstLineColumns };
  const module = { exports: {} as Record<string, unknown> };
  const ndisForDriver = ndisModule(ndis);
  const requireNdis = hardenForDrivers((specifier: string) => {
    if (specifier === 'ndis') return ndisForDriver;
    throw new DriverLoadError(fileName, `imports "${driverText(specifier, 200)}"; a driver may import only from "ndis"`);
  });
  const timers = hardenForDrivers([virtualTimeOnly('setTimeout'), virtualTimeOnly('setInterval'), virtualTimeOnly('setImmediate')]);
  try {
    factory(module.exports, requireNdis, module, ...timers, driverConsole(consoleSink), ...compartment.fastGlobals());
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

/** What was thrown, as "Name: message" (or the value, if it is not an Error), whatever the value does. */
function errorText(error: unknown): string {
  return error instanceof Error ? `${driverText(error.name, 200)}: ${driverText(error.message)}` : `threw ${driverText(error)}`;
}

/** Console output of a driver nobody reads (the grading child). */
const dropConsole: ConsoleSink = () => {};
