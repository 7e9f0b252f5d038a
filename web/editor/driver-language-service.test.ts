// The editor's language service over a driver, in Node with the files its worker bundles
// (TypeScript 6, the ES2022 library, ndis.d.ts): every lab's starter and solution and the
// reference drivers check clean; the usual mistakes are diagnosed where they are; accepting a
// name "ndis" exports adds its import; quick info shows a declaration and its contract.

import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript-6';
import { createDriverLanguageService, libraryFileNames, LIB_ROOT, type TextEdit } from './driver-language-service.ts';

const libDir = join(dirname(createRequire(import.meta.url).resolve('typescript-6/package.json')), 'lib');
const readLib = (name: string) => readFileSync(join(libDir, name), 'utf8');
const names = libraryFileNames(readLib);
const service = createDriverLanguageService(ts, {
  libs: Object.fromEntries(names.map((n) => [n, readLib(n)])),
  ndis: readFileSync(new URL('../../core/ndis/ndis.d.ts', import.meta.url), 'utf8'),
});
const repo = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repo), 'utf8');

function applied(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.from - a.from).reduce((t, e) => t.slice(0, e.from) + e.insert + t.slice(e.to), text);
}

/** The diagnostics of `text`, each with the text it marks and its line. */
function diagnosed(text: string) {
  return service.diagnostics(text).map((d) => ({ severity: d.severity, message: d.message, marks: text.slice(d.from, d.to), line: text.slice(0, d.from).split('\n').length }));
}

const starter = read('labs/protocol-binding/starter.ts');
const solution = read('labs/protocol-binding/solution.ts');

describe('the editor\'s language service', () => {
  it('bundles ES2022 and what it references, and no DOM', () => {
    expect(names[0]).toBe(LIB_ROOT);
    expect(names).toContain('lib.es5.d.ts');
    expect(names).toContain('lib.es2022.array.d.ts');
    expect(names.some((n) => /dom|webworker|scripthost/.test(n))).toBe(false);
  });

  it('finds nothing wrong with every lab\'s starter and solution and the reference drivers', () => {
    const labs = readdirSync(new URL('labs/', repo)).filter((d) => existsSync(new URL(`labs/${d}/starter.ts`, repo)));
    expect(labs.length).toBeGreaterThan(5);
    const files = [...labs.flatMap((lab) => [`labs/${lab}/starter.ts`, `labs/${lab}/solution.ts`]), 'labs/reference/counting-filter.ts', 'labs/reference/stack-protocol.ts'];
    for (const file of files) expect(diagnosed(read(file)), file).toEqual([]);
  });

  it('diagnoses a misspelt member, a missing argument, an async handler, a missing import, a syntax error and a timer', () => {
    expect(diagnosed(starter.replace('binding.running = true', 'binding.runing = true'))).toEqual([
      { severity: 'error', message: "Property 'runing' does not exist on type 'Binding'. Did you mean 'running'?", marks: 'runing', line: starter.split('\n').findIndex((l) => l.includes('binding.running = true')) + 1 },
    ]);
    const closes = solution.replace(/NdisCloseAdapterEx\([^)]*\)/, 'NdisCloseAdapterEx()');
    expect(diagnosed(closes)).toEqual([{ severity: 'error', message: 'Expected 1 arguments, but got 0.', marks: 'NdisCloseAdapterEx', line: expect.any(Number) }]);

    const async = diagnosed(starter.replace('BindAdapterHandlerEx(', 'async BindAdapterHandlerEx('));
    expect(async.map((d) => [d.severity, d.marks])).toEqual([['warning', 'async'], ['error', 'NDIS_STATUS']]);
    expect(async[0]!.message).toMatch(/HandlerReturnedPromise.*NDIS_STATUS_PENDING/);
    // A handler NDIS expects nothing from (void) type-checks async; the rule still says why not.
    const receive = diagnosed(`import { type NET_BUFFER_LIST } from 'ndis';\nexport const h = { async ReceiveNetBufferListsHandler(_b: unknown, _n: NET_BUFFER_LIST): Promise<void> {} };\n`);
    expect(receive.map((d) => [d.severity, d.marks])).toEqual([['warning', 'async']]);

    const unimported = starter.replace('NdisRegisterProtocolDriver, ', '');
    const [missing] = service.diagnostics(unimported);
    expect(missing).toMatchObject({ severity: 'error', code: 2304, importable: true });
    expect(missing!.message).toMatch(/^Cannot find name 'NdisRegisterProtocolDriver'\. "ndis" exports NdisRegisterProtocolDriver/);
    const fixed = applied(unimported, service.importFix(unimported, missing!));
    expect(fixed).toContain('  NdisRegisterProtocolDriver');
    expect(diagnosed(fixed)).toEqual([]);

    expect(diagnosed('export function DriverEntry( {\n')).toEqual([{ severity: 'error', message: "'}' expected.", marks: '', line: 2 }]);
    // A driver's time is virtual: the real timers are not there (they throw at run time).
    expect(diagnosed('setTimeout(() => {}, 10);\nconsole.log("ok");\n').map((d) => d.message)).toEqual(["Cannot find name 'setTimeout'."]);
  });

  it('completes names "ndis" exports with the import they need, members of the driver\'s own types, and handler names', () => {
    const text = 'const status: number = 0;\nNdisOpenAd';
    const found = service.completions(text, text.length, false)!;
    const entry = found.entries.find((e) => e.label === 'NdisOpenAdapterEx')!;
    expect(entry).toMatchObject({ kind: 'function', source: 'ndis' });
    const details = service.completionDetails(text, text.length, entry)!;
    expect(details.display).toMatch(/^function NdisOpenAdapterEx<Binding>\(NdisProtocolHandle: NDIS_HANDLE/);
    expect(details.documentation).toMatch(/^Only within a bind in progress/);
    expect(applied(text, details.edits)).toBe("import { NdisOpenAdapterEx } from 'ndis';\n\nconst status: number = 0;\nNdisOpenAd");

    // Into the starter's own import list, across lines as it is written.
    const at = starter.indexOf('// TODO: open the adapter');
    const open = service.completions(starter, at, true)!.entries.find((e) => e.label === 'NdisOpenAdapterEx')!;
    const withImport = applied(starter, service.completionDetails(starter, at, open)!.edits);
    expect(withImport).toContain('NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1,\n  NdisOpenAdapterEx,\n} from \'ndis\';');

    const member = `${starter}\nfunction f(b: Binding) { b. }\n`;
    const members = service.completions(member, member.lastIndexOf('b.') + 2, false)!;
    expect(members.member).toBe(true);
    expect(members.entries.map((e) => e.label).sort()).toEqual(['handle', 'running']);

    // A handler the starter does not have yet.
    expect(starter).not.toContain('StatusHandlerEx');
    const handler = starter.replace("    Name: 'protocol-binding',\n", "    Name: 'protocol-binding',\n    Status\n");
    const handlers = service.completions(handler, handler.indexOf('    Status\n') + 10, false)!;
    expect(handlers.entries.map((e) => e.label)).toContain('StatusHandlerEx');
  });

  it('gives the declaration and contract of the name at a position', () => {
    const info = service.quickInfo(starter, starter.indexOf('NdisRegisterProtocolDriver<') + 3)!;
    expect(info.display).toMatch(/^\(alias\) NdisRegisterProtocolDriver<Binding>\(ProtocolDriverContext: unknown/);
    expect(info.documentation).toBe('Call from DriverEntry.');
    expect(starter.slice(info.from, info.to)).toBe('NdisRegisterProtocolDriver');
    // A name TypeScript cannot resolve has none (the editor shows ndis.d.ts's entry instead).
    expect(service.quickInfo('NdisCloseAdapterEx(h);', 3)).toBeNull();
  });
});
