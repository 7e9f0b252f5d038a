// A short, safe text for a value a driver passed or returned, for findings and refusals: never
// the value's own toString (a driver's object could run code or be huge).

import { NdisHandle } from './handle.ts';

/** A short, safe description of a value a driver passed or returned. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof NdisHandle) return value.toString();
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number') return Number.isInteger(value) && value < 0 ? `${value} (negative)` : String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return String(value);
}
