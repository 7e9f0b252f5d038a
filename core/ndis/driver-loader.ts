// Loading a learner's driver: TypeScript (or JavaScript) source becomes a module whose only
// import is "ndis". Types are stripped with sucrase (line numbers kept, so stack traces point
// at the learner's lines), the module runs with the `ndis` object it is given, and real timers
// are replaced by errors that point at NDIS's virtual-time timers, so every run can replay.

import { transform } from 'sucrase';
import { virtualTimeOnly } from '../host/sandbox.ts';

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

/** Makes a function of `params` from source text. */
export type FunctionCompiler = (params: string[], body: string, fileName: string) => (...args: unknown[]) => void;

// `new Function` here; the grading sandbox (core/sandbox) switches code generation from strings
// off for the driver's sake and installs a compiler built on node:vm instead.
let compileFunction: FunctionCompiler = (params, body) => new Function(...params, body) as (...args: unknown[]) => void;

/** Replaces how driver modules are compiled (the grading sandbox's child process does). */
export function useFunctionCompiler(compiler: FunctionCompiler): void {
  compileFunction = compiler;
}

/** Compiles `source` (named `fileName` in errors) and runs it with `ndis` as its "ndis" import. */
export function loadDriverModule(source: string, fileName: string, ndis: object): DriverModule {
  let code: string;
  try {
    code = transform(source, { transforms: ['typescript', 'imports'], filePath: fileName, production: true }).code;
  } catch (error) {
    throw new DriverLoadError(fileName, `does not compile: ${(error as Error).message}`);
  }
  let factory: (...args: unknown[]) => void;
  try {
    factory = compileFunction(['exports', 'require', 'module', 'setTimeout', 'setInterval', 'setImmediate'], `${code}\n//# sourceURL=${fileName}`, fileName);
  } catch (error) {
    throw new DriverLoadError(fileName, `does not compile: ${(error as Error).message}`);
  }
  const module = { exports: {} as Record<string, unknown> };
  const requireNdis = (specifier: string) => {
    if (specifier === 'ndis') return ndis;
    throw new DriverLoadError(fileName, `imports "${specifier}"; a driver may import only from "ndis"`);
  };
  try {
    factory(module.exports, requireNdis, module, virtualTimeOnly('setTimeout'), virtualTimeOnly('setInterval'), virtualTimeOnly('setImmediate'));
  } catch (error) {
    if (error instanceof DriverLoadError) throw error;
    throw new DriverLoadError(fileName, `failed while loading: ${(error as Error).message}`);
  }
  const exports = module.exports;
  if (typeof exports.DriverEntry !== 'function') {
    throw new DriverLoadError(fileName, 'exports no DriverEntry function (export function DriverEntry() { ... })');
  }
  return exports as DriverModule;
}
