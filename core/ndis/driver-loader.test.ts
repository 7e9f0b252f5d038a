// The loader's errors name the spot in the learner's source: an early error that sucrase lets
// through and the engine refuses without a position (a `let` declared twice, `await` outside an
// async function), and a module whose top-level code throws, under the default compiler and the
// grading sandbox's (node:vm).

import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadDriverModule, useFunctionCompiler, DriverLoadError } from './driver-loader.ts';

const ENTRY = 'export function DriverEntry(): number { return 0; }';

async function loadError(lines: string[]): Promise<string> {
  try {
    await loadDriverModule(lines.join('\n'), 'driver.ts', { NdisFreeNetBufferList: () => undefined });
  } catch (error) {
    if (error instanceof DriverLoadError) return error.message;
    throw error;
  }
  throw new Error('it loaded');
}

/** `line:column` (1-based) of the `nth` (from 0) `token` on line `line` of `lines`. */
function at(lines: string[], line: number, token: string, nth = 0): string {
  let column = -1;
  for (let i = 0; i <= nth; i++) column = lines[line - 1]!.indexOf(token, column + 1);
  return `${line}:${column + 1}`;
}

async function checkCompiler(): Promise<void> {
  const twice = [ENTRY, "import { NdisFreeNetBufferList } from 'ndis';", 'export function f(x: number): void { let seen: number = x; NdisFreeNetBufferList(null); let seen = 2; }'];
  expect(await loadError(twice)).toBe(`driver.ts: does not compile: SyntaxError: Identifier 'seen' has already been declared (${at(twice, 3, 'seen', 1)})`);

  const awaits = [ENTRY, 'export function g(p: Promise<number>): number { return await p; }'];
  expect(await loadError(awaits)).toMatch(new RegExp(`^driver\\.ts: does not compile: SyntaxError: .*await.* \\(${at(awaits, 2, 'await')}\\)$`));

  const assigns = [ENTRY, 'const limit: number = 3;', 'if (limit as number > 2) (globalThis as unknown as { gone: { on(): void } }).gone.on();'];
  expect(await loadError(assigns)).toBe(`driver.ts: failed while loading: TypeError: Cannot read properties of undefined (reading 'on')\n    at driver.ts:${at(assigns, 3, 'on()', 1)}`);

  expect(await loadError([ENTRY, 'throw 42;'])).toBe('driver.ts: failed while loading: threw 42');
}

describe('loadDriverModule', () => {
  it('names the source line and column of an early error and of a throw while the module loads', async () => {
    await checkCompiler();
  });

  // Last: the compiler stays switched for the rest of this file.
  it('does the same under the grading sandbox\'s compiler (node:vm)', async () => {
    useFunctionCompiler((params, body, fileName) => ({ run: vm.compileFunction(body, params, { filename: fileName }) as (...args: unknown[]) => void, firstLineColumns: 0 }));
    await checkCompiler();
  });
});
