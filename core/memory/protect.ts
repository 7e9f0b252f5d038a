// The machine's memory kept out of drivers' reach. A driver is handed views of it — a NET_BUFFER's
// `Data`, what NdisGetDataBuffer returns — and a typed array's `buffer` would give it the whole
// memory: the NIC's registers (the statistics counters a scenario grades), the descriptor rings,
// the NBL pool's records. Once installed (`protectMachineMemory`, just before the realm is locked
// down), `buffer` on a view of protected memory throws, for driver and engine code alike; the
// engine takes the buffer of such a view with `bufferOf`, which drivers cannot reach.
//
// A view still reads and writes its own bytes, and `subarray` cannot reach past them (it is
// relative to the view), so a driver keeps its zero-copy frame access and nothing more.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer')!.get!;
const dataViewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer')!.get!;

/** The buffers of machine memory (each thread registers the SharedArrayBuffer object it holds). */
const protectedBuffers = new WeakSet<object>();
let installed = false;

/** Marks `buffer` as machine memory: from now on (once installed) no view of it gives it out. */
export function protectBuffer(buffer: ArrayBufferLike): void {
  protectedBuffers.add(buffer);
}

/** Whether `buffer` is machine memory. */
export function isProtectedBuffer(buffer: unknown): boolean {
  return typeof buffer === 'object' && buffer !== null && protectedBuffers.has(buffer);
}

/** The buffer of an engine-held view, protected or not (engine code only: drivers never see this function). */
export function bufferOf(view: ArrayBufferView): ArrayBufferLike {
  return (view instanceof DataView ? Reflect.apply(dataViewBuffer, view, []) : Reflect.apply(typedArrayBuffer, view, [])) as ArrayBufferLike;
}

const typedArrayByteOffset = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset')!.get!;
const typedArrayByteLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength')!.get!;

/**
 * Where `view` lies in `memory`: its byte offset and length, read through the typed arrays' own
 * getters (not any the object may carry), or null if it is not a Uint8Array over `memory`. How
 * NDIS tells a view of machine memory a driver passes back from anything else (engine code only).
 */
export function rangeIn(memory: ArrayBufferLike, view: unknown): { offset: number; length: number } | null {
  if (!(view instanceof Uint8Array)) return null;
  let buffer: unknown;
  try {
    buffer = Reflect.apply(typedArrayBuffer, view, []);
  } catch {
    return null;
  }
  if (buffer !== memory) return null;
  return { offset: Reflect.apply(typedArrayByteOffset, view, []) as number, length: Reflect.apply(typedArrayByteLength, view, []) as number };
}

/** What a driver is told when it asks a view of machine memory for its buffer. */
export const PROTECTED_BUFFER_MESSAGE = 'this view is part of the machine\'s memory and does not give out its buffer; read and write the bytes through the view itself (copy them with slice() or new Uint8Array(view) to keep them)';

/**
 * Replaces the `buffer` getters of typed arrays and DataView with ones that refuse protected
 * memory. Once per realm, before lockdown freezes the prototypes (core/host/confinement.ts runs it).
 */
export function protectMachineMemory(): void {
  if (installed) return;
  installed = true;
  const guard = (original: () => unknown) => ({
    get buffer() {
      const buffer = Reflect.apply(original, this, []) as object;
      if (protectedBuffers.has(buffer)) throw new TypeError(PROTECTED_BUFFER_MESSAGE);
      return buffer;
    },
  });
  const typed = Object.getOwnPropertyDescriptor(guard(typedArrayBuffer), 'buffer')!;
  const data = Object.getOwnPropertyDescriptor(guard(dataViewBuffer), 'buffer')!;
  Object.defineProperty(TypedArrayPrototype, 'buffer', { get: typed.get, enumerable: false, configurable: true });
  Object.defineProperty(DataView.prototype, 'buffer', { get: data.get, enumerable: false, configurable: true });
}
