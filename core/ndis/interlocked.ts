// The NDIS interlocked functions. A PLONG in C is a one-element Int32Array here (a PULONG a
// Uint32Array): element 0 is the variable, changed with Atomics. They run where the driver runs,
// on memory the driver owns (a driver in a worker has its own), so NDIS neither sees nor checks
// them; nothing they do decides a finding.

function addendOf<T extends Int32Array | Uint32Array>(call: string, Addend: unknown, type: { new (n: number): T; name: string }): T {
  if (!(Addend instanceof type) || Addend.length < 1) {
    throw new TypeError(`${call}: Addend must be a ${type.name} (its element 0 is the variable: new ${type.name}(1))`);
  }
  return Addend;
}

/** InterlockedIncrement: adds 1 to Addend[0] atomically; returns the new value. Any IRQL. */
export function NdisInterlockedIncrement(Addend: Int32Array): number {
  return (Atomics.add(addendOf('NdisInterlockedIncrement', Addend, Int32Array), 0, 1) + 1) | 0;
}

/** InterlockedDecrement: subtracts 1 from Addend[0] atomically; returns the new value. Any IRQL. */
export function NdisInterlockedDecrement(Addend: Int32Array): number {
  return (Atomics.sub(addendOf('NdisInterlockedDecrement', Addend, Int32Array), 0, 1) - 1) | 0;
}

/**
 * Adds Increment to Addend[0] (a ULONG) atomically; returns nothing, as the macro does. SpinLock
 * is the caller's NDIS_SPIN_LOCK in C; Atomics needs no lock, so it is taken as given.
 */
export function NdisInterlockedAddUlong(Addend: Uint32Array, Increment: number, _SpinLock?: unknown): void {
  Atomics.add(addendOf('NdisInterlockedAddUlong', Addend, Uint32Array), 0, Increment >>> 0);
}
