// compileProblem reads the position out of the loader's real messages (sucrase's, through
// loadDriverModule), so a change of either's wording shows here.

import { describe, it, expect } from 'vitest';
import { loadDriverModule, DriverLoadError } from '../../core/ndis/driver-loader.ts';
import { compileProblem } from './compile-problem.ts';

function loadError(source: string): string {
  try {
    loadDriverModule(source, 'driver.ts', {});
  } catch (error) {
    if (error instanceof DriverLoadError) return error.message;
    throw error;
  }
  throw new Error('it loaded');
}

describe('compileProblem', () => {
  it('gives the line, the 1-based column and the message of a compile error', () => {
    const message = loadError('let a = 1;\nconst x = ;\n');
    expect(message).toBe('driver.ts: does not compile: Error transforming driver.ts: Unexpected token (2:11)');
    expect(compileProblem(message, 'driver.ts')).toEqual({ line: 2, column: 11, message: 'Unexpected token' });
    expect(compileProblem(`Run failed:\n• ${loadError('export function DriverEntry( {\n')}`, 'driver.ts')).toEqual({ line: 2, column: 1, message: 'Unexpected token, expected ","' });
  });

  it('gives nothing for another file, an error that is not a compile error, or one without a position', () => {
    expect(compileProblem(loadError('const x = ;'), 'other.ts')).toBeUndefined();
    expect(compileProblem(loadError('export const y = 1;'), 'driver.ts')).toBeUndefined();
    expect(compileProblem('driver.ts: does not compile: Unexpected end of input', 'driver.ts')).toBeUndefined();
  });
});
