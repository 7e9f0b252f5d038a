// The loader's errors name the spot in the learner's source: an early error that sucrase lets
// through and the engine refuses without a position (a `let` declared twice, `await` outside an
// async function), a module whose top-level code throws, and source SES refuses to evaluate.

import { describe, expect, it } from 'vitest';
import { loadDriverModule, DriverLoadError } from './driver-loader.ts';

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

  it('refuses a module other than "ndis", import() included, and what SES will not evaluate, by line', async () => {
    const loaded = await loadDriverModule([ENTRY, 'export const m = () => import("node:fs");'].join('\n'), 'driver.ts', {});
    await expect((loaded.exports.m as () => Promise<unknown>)()).rejects.toThrow('driver.ts: imports "node:fs"; a driver may import only from "ndis"');
    expect(await loadError([ENTRY, 'const text = "import(x)";'])).toBe('driver.ts: does not compile: a driver may not import modules at run time: `import(` is refused (line 2); import from "ndis" at the top of the file');
    expect(await loadError([ENTRY, '(0, eval)("imp" + "ort(\'node:fs\')");'])).toMatch(/^driver\.ts: failed while loading: SyntaxError: Possible import expression rejected/);
    expect(await loadError([ENTRY, 'let n = 3;', 'while (n --> 0) {}'])).toBe('driver.ts: does not compile: HTML-like comments (<!-- or -->) are refused (line 3); in `x --> 0` write `x-- > 0`');
  });

  it('says what a driver threw even when its toString throws or its message is huge', async () => {
    expect(await loadError([ENTRY, 'throw { toString() { throw new Error("no"); } };'])).toBe('driver.ts: failed while loading: threw [object Object]');
    const huge = await loadError([ENTRY, 'throw new Error("x".repeat(50_000_000));']);
    expect(huge.length).toBeLessThan(5000);
    expect(huge).toMatch(/^driver\.ts: failed while loading: Error: x{4096}… \(49995904 more characters\)/);
  });

  it('gives each module a global object of its own: what one run leaves there, the next does not see', async () => {
    const source = [ENTRY, 'export const before = (globalThis as any).left;', '(globalThis as any).left = "from the last run";'].join('\n');
    const first = await loadDriverModule(source, 'driver.ts', {});
    const second = await loadDriverModule(source, 'driver.ts', {});
    expect([first.exports.before, second.exports.before]).toEqual([undefined, undefined]);
  });
});
