// The spot in the learner's source, read from the runtime's real messages: the loader's compile
// errors (sucrase's, through loadDriverModule) and a HandlerThrew finding from a real run, so a
// change of any of their wording shows here; and which findings the editor marks, by their place.

import { describe, it, expect } from 'vitest';
import { loadDriverModule, DriverLoadError } from '../../core/ndis/driver-loader.ts';
import { compileProblem, thrownProblem, sourceProblemOf, findingMarksOf } from './source-problem.ts';
import { NdisRuntime } from '../../core/ndis/runtime.ts';
import { UNUSED_COMPLETE_HANDLERS } from '../../core/ndis/test-drivers.ts';

async function loadError(source: string): Promise<string> {
  try {
    await loadDriverModule(source, 'driver.ts', {});
  } catch (error) {
    if (error instanceof DriverLoadError) return error.message;
    throw error;
  }
  throw new Error('it loaded');
}

describe('compileProblem', () => {
  it('gives the line, the 1-based column and the message of a compile error', async () => {
    const message = await loadError('let a = 1;\nconst x = ;\n');
    expect(message).toBe('driver.ts: does not compile: Error transforming driver.ts: Unexpected token (2:11)');
    expect(compileProblem(message, 'driver.ts')).toEqual({ line: 2, column: 11, message: 'Unexpected token' });
    expect(compileProblem(`Run failed:\n• ${await loadError('export function DriverEntry( {\n')}`, 'driver.ts')).toEqual({ line: 2, column: 1, message: 'Unexpected token, expected ","' });
  });

  it('gives nothing for another file, an error that is not a compile error, or one without a position', async () => {
    expect(compileProblem(await loadError('const x = ;'), 'other.ts')).toBeUndefined();
    expect(compileProblem(await loadError('export const y = 1;'), 'driver.ts')).toBeUndefined();
    expect(compileProblem('driver.ts: does not compile: Unexpected end of input', 'driver.ts')).toBeUndefined();
  });
});

describe('thrownProblem', () => {
  it('gives the line of the learner\'s source where a handler threw, and the handler and error', async () => {
    const source = [
      "import { NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS } from 'ndis';",
      'export function DriverEntry() {',
      '  return NdisRegisterProtocolDriver(null, {',
      "    Name: 'thrower', Header: { Type: 0x95, Revision: 1, Size: 120 }, MajorNdisVersion: 6, MinorNdisVersion: 0,",
      '    BindAdapterHandlerEx() {',
      "      const when: string = 'bind';",
      '      throw new RangeError(`boom at ${when}`);',
      '    },',
      '    UnbindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },',
      '    NetPnPEventHandler() { return NDIS_STATUS_SUCCESS; },',
      `    ${UNUSED_COMPLETE_HANDLERS}`,
      '  }).Status;',
      '}',
    ].join('\n');
    const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
    await rt.loadDriver(source, 'driver.ts');
    rt.startStack();
    rt.run();
    await rt.close();
    expect(rt.stopped?.rule).toBe('HandlerThrew');
    expect(thrownProblem(rt.stopped!.message, 'driver.ts')).toEqual({ line: 7, column: 13, message: 'ProtocolBindAdapterEx threw RangeError: boom at bind' });
    expect(thrownProblem(rt.stopped!.message, 'other.ts')).toBeUndefined();
    expect(thrownProblem('ProtocolBindAdapterEx threw 42', 'driver.ts')).toBeUndefined();
  });
});

describe('sourceProblemOf', () => {
  const thrown = { rule: 'HandlerThrew', message: 'ProtocolBindAdapterEx threw Error: x\n    at BindAdapterHandlerEx (driver.ts:12:5)' };
  const compile = 'driver.ts: does not compile: Error transforming driver.ts: Unexpected token (3:4)';

  it('where a module threw while it loaded, from the loader\'s real message', async () => {
    const message = await loadError('export function DriverEntry() { return 0; }\nconst table: number[] = [];\ntable[2]!.toFixed();');
    expect(sourceProblemOf([`your driver did not load: ${message}`], [], 'driver.ts')).toEqual({ line: 3, column: 11, message: "failed while loading: TypeError: Cannot read properties of undefined (reading 'toFixed')" });
  });

  it('an early error the engine found, with the position acorn gives it', async () => {
    const message = await loadError('export function DriverEntry() { return 0; }\nlet a = 1;\nlet a = 2;');
    expect(sourceProblemOf([message], [], 'driver.ts')).toEqual({ line: 3, column: 5, message: "SyntaxError: Identifier 'a' has already been declared" });
  });

  it('a compile error first, else where the first HandlerThrew threw, else nothing', () => {
    expect(sourceProblemOf(['expected Running', compile], [thrown], 'driver.ts')).toEqual({ line: 3, column: 4, message: 'Unexpected token' });
    expect(sourceProblemOf(['expected Running'], [{ rule: 'NblNotOwned', message: 'at (driver.ts:1:1)' }, thrown], 'driver.ts')).toEqual({ line: 12, column: 5, message: 'ProtocolBindAdapterEx threw Error: x' });
    expect(sourceProblemOf(['expected Running'], [{ rule: 'NblNotOwned', message: 'NBL 3' }], 'driver.ts')).toBeUndefined();
  });
});

describe('findingMarksOf', () => {
  const at = (file: string, line: number, column: number) => ({ file, line, column });
  const finding = (rule: string, event: number, location?: ReturnType<typeof at>) => ({ rule, message: `${rule} at ${event}`, severity: 'error' as const, event, ...(location ? { location } : {}) });

  it('marks the findings made in the learner\'s file, once per place and rule, and no other', () => {
    expect(findingMarksOf([
      finding('ProtocolSendWhileNotRunning', 40, at('driver.ts', 73, 3)),
      finding('ProtocolSendWhileNotRunning', 44, at('driver.ts', 73, 3)),
      finding('NblNotOwned', 45, at('driver.ts', 73, 3)),
      finding('PnPNotSupportedReturned', 50),
      finding('HandlerThrew', 60, at('reference.ts', 9, 14)),
    ], 'driver.ts')).toEqual([
      { line: 73, column: 3, rule: 'ProtocolSendWhileNotRunning', message: 'ProtocolSendWhileNotRunning at 40', severity: 'error', event: 40 },
      { line: 73, column: 3, rule: 'NblNotOwned', message: 'NblNotOwned at 45', severity: 'error', event: 45 },
    ]);
  });

  it('leaves a HandlerThrew to the source problem, which marks where it threw with the error', () => {
    expect(findingMarksOf([finding('HandlerThrew', 60, at('driver.ts', 12, 5))], 'driver.ts')).toEqual([]);
  });

  it('says of a mark at a handler\'s declaration that it is the handler, not the call', () => {
    const declared = { ...finding('PnPPendingNeverCompleted', 70), location: { file: 'driver.ts', line: 112, column: 5, kind: 'handler' as const } };
    expect(findingMarksOf([declared], 'driver.ts')).toEqual([
      { line: 112, column: 5, rule: 'PnPPendingNeverCompleted', message: 'PnPPendingNeverCompleted at 70 (this finding arose with none of your code running: this is the handler it is about)', severity: 'error', event: 70 },
    ]);
  });
});
