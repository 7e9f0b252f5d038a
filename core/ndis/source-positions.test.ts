// Stack positions of a loaded driver taken back to its source: a throw on the first line (where the
// loader's function header shares the line), one after an imported NDIS function (which sucrase
// rewrites to a longer call), and a map from a driver's worker that does not decode.

import { describe, expect, it } from 'vitest';
import { loadDriverModule } from './driver-loader.ts';
import { SourcePositions } from './source-positions.ts';

const SOURCE = [
  "export function first(m: Map<string, number>): number { return (m as unknown as { a: { b: number } }).a.b; } import { NdisFreeNetBufferList, type NET_BUFFER_LIST } from 'ndis';",
  'export function DriverEntry(): number { return 0; }',
  'export function later(nbl: NET_BUFFER_LIST | null): void { NdisFreeNetBufferList(nbl!); const n: Record<string, number> = {}; (n as any).missing.call(); }',
].join('\n');

const NDIS = { NdisFreeNetBufferList: () => undefined };

/** The first frame in `file` of what `run` threw, as the runtime's findings show it. */
function thrownFrame(run: () => unknown, file: string): string {
  try {
    run();
  } catch (error) {
    const frame = (error as Error).stack!.split('\n').find((l) => l.includes(`${file}:`));
    if (frame) return frame.trim();
  }
  throw new Error('nothing threw');
}

function position(frame: string, file: string): string {
  return new RegExp(`${file.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(frame)![0];
}

/** Where `token` is in SOURCE, as `file:line:column` (1-based). */
function sourceAt(file: string, line: number, token: string): string {
  return `${file}:${line}:${SOURCE.split('\n')[line - 1]!.indexOf(token) + 1}`;
}

async function checkCompiler(file: string): Promise<void> {
  const loaded = await loadDriverModule(SOURCE, file, NDIS);
  const positions = new SourcePositions(loaded.sourceMap);
  const exports = loaded.exports as unknown as { first: (m: Map<string, number>) => number; later: (nbl: null) => void };

  const onFirstLine = thrownFrame(() => exports.first(new Map()), file);
  expect(position(positions.remap(onFirstLine), file)).toBe(sourceAt(file, 1, 'b; }'));
  const afterImport = thrownFrame(() => exports.later(null), file);
  // Without the map the column would be the compiled code's, well to the right of the source's.
  expect(position(afterImport, file)).not.toBe(sourceAt(file, 3, 'call()'));
  expect(position(positions.remap(afterImport), file)).toBe(sourceAt(file, 3, 'call()'));
}

describe('SourcePositions', () => {
  it('takes stack frames of the default compiler back to the learner\'s lines and columns', async () => {
    await checkCompiler('positions.ts');
  });

  it('leaves a frame of another file, and one with a longer name ending in this one, alone', async () => {
    const positions = new SourcePositions((await loadDriverModule(SOURCE, 'positions.ts', NDIS)).sourceMap);
    const text = '    at f (other.ts:3:90)\n    at g (my-positions.ts:3:90)';
    expect(positions.remap(text)).toBe(text);
  });

  it('keeps the engine\'s position when the map (sent by a driver\'s worker) does not decode', () => {
    const positions = new SourcePositions({ fileName: 'd.ts', map: { version: 3, sources: ['d.ts'], names: [], mappings: '!!not base64 vlq' }, firstLineColumns: 0 });
    expect(positions.remap('    at f (d.ts:3:90)')).toBe('    at f (d.ts:3:90)');
  });

});
