// Synchronization: NDIS events, spin locks and read-write locks, and the waits (NdisWaitEvent,
// NdisMSleep). JavaScript cannot block, so a wait at PASSIVE_LEVEL runs the scheduler nested:
// the waiting handler stays on the stack while NDIS goes on with other work in virtual time —
// including the completion, on the same driver, that sets the event — until the event is set,
// the wait times out, or nothing is left to run (a deadlock, when the wait has no timeout). The
// nesting is the same in both hosts (a driver in a worker waits inside its NDIS call, and the call
// channel serves the handlers NDIS calls meanwhile), so a seed gives one trace either way.
//
// Every event, lock and lock state a driver holds is an NDIS handle, looked up by identity; what
// they stand for (set or not, held or not, the IRQL to go back to) lives here, in the runtime.

import { PASSIVE_LEVEL, DISPATCH_LEVEL, NDIS_RWL_AT_DISPATCH_LEVEL } from './constants.ts';
import { irqlName, onAnotherThread, type Lock, type Held } from './irql.ts';
import { describe } from './describe.ts';
import type { NdisEngine } from './engine.ts';
import type { DriverRecord } from './driver-record.ts';
import type { NdisHandle } from './handle.ts';

interface NdisEvent {
  driver: DriverRecord;
  signaled: boolean;
}



/** Steps one wait may take before the run is taken to be busy for ever (as NdisEngine.run's bound). */
const WAIT_STEP_LIMIT = 1_000_000;

/**
 * Runs the scheduler nested until `satisfied()`, or `timeoutNs` of virtual time passed (undefined:
 * no limit). Returns whether it was satisfied. The waiting thread's IRQL and NDIS-call depth are
 * put aside meanwhile: what runs is another thread's work, at the level NDIS calls it at.
 */
export function waitNested(runtime: NdisEngine, driver: DriverRecord, call: string, satisfied: () => boolean, timeoutNs: bigint | undefined): boolean {
  const scheduler = runtime.scheduler;
  const deadline = timeoutNs === undefined ? undefined : runtime.machine.clockNs + timeoutNs;
  const started = runtime.machine.clockNs;
  let result = false;
  try {
    result = onAnotherThread(runtime.irql, call, wait);
    return result;
  } finally {
    if (!runtime.verifier.stopped) runtime.trace.record('waited', { driver: driver.name, call, satisfied: result, ns: String(runtime.machine.clockNs - started) });
  }

  function wait(): boolean {
    for (let steps = 0; ; steps++) {
      if (satisfied()) return true;
      runtime.verifier.checkRunning();
      const due = scheduler.earliestDue();
      if (due === undefined && deadline === undefined) {
        runtime.report('WaitDeadlock', { driver: driver.name, message: `${call} waits with no timeout for an event nothing can set: nothing is left to run and no timer is armed` });
        return false;
      }
      if (due === undefined || (deadline !== undefined && due > deadline)) {
        scheduler.advanceTo(deadline!);
        return satisfied();
      }
      if (steps >= WAIT_STEP_LIMIT) throw new Error(`${call} was still waiting after ${WAIT_STEP_LIMIT} steps: ${scheduler.pendingLabels().slice(0, 5).join(', ')}`);
      scheduler.step();
    }
  }
}

/** The driver-facing functions of this file (their contracts are in ndis.d.ts). */
export function synchronizationApi(runtime: NdisEngine, driver: DriverRecord): Record<string, unknown> {
  const enter = <T>(call: string, fields: Record<string, unknown>, body: () => T): T => runtime.enter(driver, call, fields, body);
  const held = runtime.heldLocks;
  const irql = runtime.irql;

  const eventOf = (call: string, handle: unknown): NdisEvent | undefined => {
    const event = runtime.resolve<NdisEvent>(handle, 'event');
    if (!event || event.driver !== driver) {
      runtime.report('InvalidHandle', { driver: driver.name, message: `${call} expects an NDIS_EVENT from NdisInitializeEvent; it got ${describe(handle)}` });
      return undefined;
    }
    return event;
  };

  const lockOf = (call: string, handle: unknown, kind: Lock['kind']): Lock | undefined => {
    const lock = runtime.resolve<Lock>(handle, kind === 'spin' ? 'spinLock' : 'rwLock');
    if (!lock || lock.driver !== driver || lock.freed) {
      const what = kind === 'spin' ? 'an NDIS_SPIN_LOCK from NdisAllocateSpinLock' : 'an NDIS_RW_LOCK_EX from NdisAllocateRWLock';
      runtime.report('InvalidHandle', { driver: driver.name, message: `${call} expects ${what}, not freed; it got ${describe(handle)}` });
      return undefined;
    }
    return lock;
  };

  const heldAt = (lock: Lock): number => held.stack.findIndex((h) => h.lock === lock);

  const acquire = (call: string, handle: NdisHandle, lock: Lock, how: Held['how'], raise: boolean): Held | undefined => {
    const at = heldAt(lock);
    // One processor: a second acquisition would spin for ever (a second reader is fine).
    if (at >= 0 && !(how === 'read' && held.stack[at]!.how === 'read')) {
      runtime.report('LockAcquiredRecursively', { driver: driver.name, message: `${call} on ${handle}, which this processor already holds (${held.stack[at]!.how}): it would spin for ever` });
      return undefined;
    }
    if (!raise && irql.level < DISPATCH_LEVEL) {
      runtime.report('DprLockBelowDispatch', { driver: driver.name, message: `${call}${how === 'read' || how === 'write' ? ' with NDIS_RWL_AT_DISPATCH_LEVEL' : ''} at ${irqlName(irql.level)}: that form is for callers already at DISPATCH_LEVEL` });
    }
    const entry: Held = { lock, handle, how, savedIrql: irql.level, state: undefined };
    held.stack.push(entry);
    if (irql.level < DISPATCH_LEVEL) irql.level = DISPATCH_LEVEL;
    return entry;
  };

  const release = (call: string, handle: NdisHandle, at: number, expected: Held['how'][]): void => {
    const entry = held.stack[at]!;
    if (!expected.includes(entry.how)) {
      runtime.report('SpinLockReleaseMismatch', { driver: driver.name, message: `${call} on ${handle}, acquired with ${entry.how}: NdisAcquireSpinLock pairs with NdisReleaseSpinLock, NdisDprAcquireSpinLock with NdisDprReleaseSpinLock` });
    }
    held.stack.splice(at, 1);
    // NdisReleaseSpinLock and NdisReleaseRWLock go back to the IRQL saved at acquisition; the Dpr form leaves it.
    if (call !== 'NdisDprReleaseSpinLock') irql.level = entry.savedIrql;
  };

  return {
    // ---- events ----
    NdisInitializeEvent: (): NdisHandle =>
      enter('NdisInitializeEvent', {}, () => runtime.newHandle('event', driver.name, { driver, signaled: false } satisfies NdisEvent)),

    NdisSetEvent: (Event: unknown): void =>
      enter('NdisSetEvent', {}, () => {
        const event = eventOf('NdisSetEvent', Event);
        if (event) event.signaled = true;
      }),

    NdisResetEvent: (Event: unknown): void =>
      enter('NdisResetEvent', {}, () => {
        const event = eventOf('NdisResetEvent', Event);
        if (event) event.signaled = false;
      }),

    NdisWaitEvent: (Event: unknown, MsToWait: number): boolean =>
      enter('NdisWaitEvent', { msToWait: MsToWait }, () => {
        const event = eventOf('NdisWaitEvent', Event);
        if (!event) return false;
        if (!Number.isInteger(MsToWait) || MsToWait < 0) {
          runtime.report('InvalidParameter', { driver: driver.name, message: `NdisWaitEvent: MsToWait must be a whole number of milliseconds (0: no limit); it is ${describe(MsToWait)}` });
          return false;
        }
        // The IRQL first: a wait above PASSIVE_LEVEL breaks the page's rule even when the event is
        // already set and the call would return at once (the bug is there, waiting to block).
        if (!waitsAllowed('NdisWaitEvent')) return event.signaled;
        if (event.signaled) return true;
        return waitNested(runtime, driver, 'NdisWaitEvent', () => event.signaled, MsToWait === 0 ? undefined : BigInt(MsToWait) * 1_000_000n);
      }),

    NdisMSleep: (MicrosecondsToSleep: number): void =>
      enter('NdisMSleep', { microseconds: MicrosecondsToSleep }, () => {
        if (!Number.isInteger(MicrosecondsToSleep) || MicrosecondsToSleep < 0) {
          runtime.report('InvalidParameter', { driver: driver.name, message: `NdisMSleep: MicrosecondsToSleep must be a whole number; it is ${describe(MicrosecondsToSleep)}` });
          return;
        }
        if (!waitsAllowed('NdisMSleep')) return;
        waitNested(runtime, driver, 'NdisMSleep', () => false, BigInt(MicrosecondsToSleep) * 1_000n);
      }),

    // ---- spin locks ----
    NdisAllocateSpinLock: (): NdisHandle =>
      enter('NdisAllocateSpinLock', {}, () => runtime.newHandle('spinLock', driver.name, { driver, kind: 'spin', freed: false } satisfies Lock)),

    NdisFreeSpinLock: (SpinLock: unknown): void =>
      enter('NdisFreeSpinLock', {}, () => {
        const lock = lockOf('NdisFreeSpinLock', SpinLock, 'spin');
        if (!lock) return;
        if (heldAt(lock) >= 0) {
          runtime.report('LockFreedWhileHeld', { driver: driver.name, message: `NdisFreeSpinLock on ${SpinLock as NdisHandle} while it is held` });
          return;
        }
        lock.freed = true;
      }),

    NdisAcquireSpinLock: (SpinLock: unknown): void =>
      enter('NdisAcquireSpinLock', {}, () => {
        const lock = lockOf('NdisAcquireSpinLock', SpinLock, 'spin');
        if (lock) acquire('NdisAcquireSpinLock', SpinLock as NdisHandle, lock, 'NdisAcquireSpinLock', true);
      }),

    NdisReleaseSpinLock: (SpinLock: unknown): void =>
      enter('NdisReleaseSpinLock', {}, () => releaseSpin('NdisReleaseSpinLock', SpinLock, ['NdisAcquireSpinLock'])),

    NdisDprAcquireSpinLock: (SpinLock: unknown): void =>
      enter('NdisDprAcquireSpinLock', {}, () => {
        const lock = lockOf('NdisDprAcquireSpinLock', SpinLock, 'spin');
        if (lock) acquire('NdisDprAcquireSpinLock', SpinLock as NdisHandle, lock, 'NdisDprAcquireSpinLock', false);
      }),

    NdisDprReleaseSpinLock: (SpinLock: unknown): void =>
      enter('NdisDprReleaseSpinLock', {}, () => {
        if (irql.level < DISPATCH_LEVEL) runtime.report('DprLockBelowDispatch', { driver: driver.name, message: `NdisDprReleaseSpinLock at ${irqlName(irql.level)}` });
        releaseSpin('NdisDprReleaseSpinLock', SpinLock, ['NdisDprAcquireSpinLock']);
      }),

    // ---- read-write locks ----
    NdisAllocateRWLock: (_NdisHandle: unknown): NdisHandle =>
      enter('NdisAllocateRWLock', {}, () => runtime.newHandle('rwLock', driver.name, { driver, kind: 'rw', freed: false } satisfies Lock)),

    NdisFreeRWLock: (Lock: unknown): void =>
      enter('NdisFreeRWLock', {}, () => {
        const lock = lockOf('NdisFreeRWLock', Lock, 'rw');
        if (!lock) return;
        if (heldAt(lock) >= 0) {
          runtime.report('LockFreedWhileHeld', { driver: driver.name, message: `NdisFreeRWLock on ${Lock as NdisHandle} while it is held` });
          return;
        }
        lock.freed = true;
      }),

    NdisAcquireRWLockRead: (Lock: unknown, Flags = 0): NdisHandle | null => enter('NdisAcquireRWLockRead', {}, () => acquireRw('NdisAcquireRWLockRead', Lock, 'read', Flags)),

    NdisAcquireRWLockWrite: (Lock: unknown, Flags = 0): NdisHandle | null => enter('NdisAcquireRWLockWrite', {}, () => acquireRw('NdisAcquireRWLockWrite', Lock, 'write', Flags)),

    NdisReleaseRWLock: (Lock: unknown, LockState: unknown): void =>
      enter('NdisReleaseRWLock', {}, () => {
        const lock = lockOf('NdisReleaseRWLock', Lock, 'rw');
        if (!lock) return;
        const at = held.stack.findIndex((h) => h.lock === lock && h.state !== undefined && h.state === LockState);
        if (at < 0) {
          runtime.report('LockNotHeld', { driver: driver.name, message: `NdisReleaseRWLock on ${Lock as NdisHandle} with ${describe(LockState)}, which is not the LOCK_STATE_EX of an acquisition of it that is still held` });
          return;
        }
        release('NdisReleaseRWLock', Lock as NdisHandle, at, ['read', 'write']);
      }),

    // ---- IRQL ----
    /** Not traced: a driver may ask on every packet, and the answer changes nothing. */
    KeGetCurrentIrql: (): number => irql.level,
    NDIS_CURRENT_IRQL: (): number => irql.level,
  };

  function waitsAllowed(call: string): boolean {
    if (irql.level === PASSIVE_LEVEL) return true;
    runtime.report('WaitAbovePassive', { driver: driver.name, message: `${call} at ${irqlName(irql.level)}${held.count > 0 ? ` holding ${held.stack.map((h) => String(h.handle)).join(', ')}` : ''}: a wait blocks the processor, which only a PASSIVE_LEVEL thread may do` });
    return false;
  }

  function releaseSpin(call: string, handle: unknown, expected: Held['how'][]): void {
    const lock = lockOf(call, handle, 'spin');
    if (!lock) return;
    const at = heldAt(lock);
    if (at < 0) {
      runtime.report('LockNotHeld', { driver: driver.name, message: `${call} on ${handle as NdisHandle}, which is not held` });
      return;
    }
    release(call, handle as NdisHandle, at, expected);
  }

  function acquireRw(call: string, handle: unknown, how: 'read' | 'write', flags: number): NdisHandle | null {
    const lock = lockOf(call, handle, 'rw');
    if (!lock) return null;
    const entry = acquire(call, handle as NdisHandle, lock, how, (flags & NDIS_RWL_AT_DISPATCH_LEVEL) === 0);
    if (!entry) return null;
    // LOCK_STATE_EX: the caller's storage in C; here NDIS gives it back, to pass to NdisReleaseRWLock.
    entry.state = runtime.newHandle('lockState', `${driver.name} ${how}`, entry);
    return entry.state;
  }
}
