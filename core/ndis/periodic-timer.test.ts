// A periodic timer (NdisSetTimerObject with MillisecondsPeriod > 0) always has a next firing, so
// it cannot keep a run going by itself: a run ends when only such firings are left, and they fire
// as virtual time passes for other work (a scenario's wait, traffic spaced by a rate, a watchdog
// still watching something pending). Before, a driver written the natural periodic way made every
// run "still busy after 1000000 steps" and grading threw instead of giving a verdict.

import { describe, it, expect } from 'vitest';
import { NdisRuntime } from './runtime.ts';
import { listLabs, referenceDrivers } from '../grading/labs.ts';
import { gradeScenario } from '../grading/grade.ts';

/** A filter whose FilterRestart sets a 1 ms periodic timer that counts its ticks; `pause` is its FilterPause body. */
const filter = (pause: string) => `
import { NdisFRegisterFilterDriver, NdisFSetAttributes, NdisAllocateTimerObject, NdisSetTimerObject, NdisCancelTimerObject,
  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS,
  NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, NDIS_FILTER_ATTRIBUTES_REVISION_1, NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 } from 'ndis';
export const ticks = [];
export function DriverEntry(DriverObject) {
  return NdisFRegisterFilterDriver(DriverObject, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6, MinorNdisVersion: 0,
    AttachHandler(h) {
      const m = { h, timer: null };
      m.timer = NdisAllocateTimerObject(h, { Header: { Type: 0x97, Revision: 1, Size: 24 }, TimerFunction: () => ticks.push(1), FunctionContext: m }).TimerObject;
      return NdisFSetAttributes(h, m, { Header: { Type: NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES, Revision: NDIS_FILTER_ATTRIBUTES_REVISION_1, Size: NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 }, Flags: 0 });
    },
    DetachHandler() {},
    RestartHandler(m) { NdisSetTimerObject(m.timer, -10000n, 1, m); return NDIS_STATUS_SUCCESS; },
    PauseHandler(m) { ${pause} },
  }).Status;
}`;

async function started(source: string) {
  const rt = await NdisRuntime.create({ nics: 1, seed: 3 });
  const driver = await rt.loadDriver(source, 'ticker.js');
  rt.startStack();
  rt.run();
  return { rt, ticks: driver.exports.ticks as number[] };
}

describe('a periodic timer', () => {
  it('does not keep a run going by itself, and ticks once a millisecond while time passes for other work', async () => {
    const { rt, ticks } = await started(filter('NdisCancelTimerObject(m.timer); return NDIS_STATUS_SUCCESS;'));
    try {
      expect(ticks).toHaveLength(0);
      rt.post('wait', () => {}, { delayNs: 5_500_000 });
      rt.run();
      expect(ticks).toHaveLength(5);
      expect(rt.verifier.findings).toEqual([]);
    } finally {
      await rt.close();
    }
  });

  it('ticks on while a watchdog still waits for what the driver never completed, so the finding comes at its limit (FilterPause pended, never completed: 10 s, 10,000 ticks)', async () => {
    const { rt, ticks } = await started(filter('return NDIS_STATUS_PENDING;'));
    try {
      rt.pauseStack(rt.adapters[0]!);
      rt.run();
      expect(rt.verifier.findings.map((f) => f.rule)).toEqual(['FilterPauseNeverCompleted']);
      expect(ticks.length).toBeGreaterThanOrEqual(9_999);
      expect(ticks.length).toBeLessThanOrEqual(10_001);
    } finally {
      await rt.close();
    }
  });

  it('a filter-timer solution rewritten around a periodic timer is graded, with a verdict that says what differs', async () => {
    const lab = listLabs().find((l) => l.id === 'filter-timer')!;
    const once = '      if (!m.timerArmed) {\n        m.timerArmed = true;\n        NdisSetTimerObject(m.timer, COALESCE_DUE_TIME, 0, m);\n      }\n';
    const restart = "    RestartHandler(m: Module): NDIS_STATUS {\n      m.state = 'Running';\n";
    expect(lab.solutionSource).toContain(once);
    expect(lab.solutionSource).toContain(restart);
    const periodic = lab.solutionSource.replace(once, '').replace(restart, `${restart}      NdisSetTimerObject(m.timer, COALESCE_DUE_TIME, 1, m);\n`);
    const scenario = lab.scenarios.find((s) => s.id === 'coalesced-and-announced')!;
    const { report } = await gradeScenario(lab, scenario, periodic, 'periodic.ts', referenceDrivers(), { seeds: 8 });
    expect(report.failures.join('\n')).not.toMatch(/still busy/);
    expect(report.passed).toBe(false);
    // Announced on every tick from the restart on, not only a tick after something was queued.
    expect(report.failures.join('\n')).toMatch(/expected exactly 12 GPTC on nic0; there were 1[3-9]/);
  });
});

describe('NdisAllocateTimerObject', () => {
  /** A protocol-less driver whose DriverEntry allocates a timer with `characteristics` and keeps the Status. */
  const allocating = (characteristics: string) => `
import { NdisAllocateTimerObject, NdisFRegisterFilterDriver, NDIS_STATUS_SUCCESS, NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, NDIS_FILTER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1,
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_TIMER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 } from 'ndis';
export const result = {};
export function DriverEntry(DriverObject) {
  const { Status, TimerObject } = NdisAllocateTimerObject(null, ${characteristics});
  result.status = Status; result.timer = TimerObject;
  return NdisFRegisterFilterDriver(DriverObject, null, {
    Header: { Type: NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS, Revision: NDIS_FILTER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6, MinorNdisVersion: 0, AttachHandler() { return 0; }, DetachHandler() {}, RestartHandler() { return 0; }, PauseHandler() { return 0; },
  }).Status;
}`;

  async function allocate(characteristics: string) {
    const rt = await NdisRuntime.create({ nics: 1, seed: 1 });
    try {
      const driver = await rt.loadDriver(allocating(characteristics), 'alloc.js');
      const refused = rt.trace.events.filter((e) => e.kind === 'refused').map((e) => e.why);
      return { ...(driver.exports.result as { status: number; timer: unknown }), refused };
    } finally {
      await rt.close();
    }
  }

  it('fails with NDIS_STATUS_BAD_CHARACTERISTICS and no timer for characteristics without their Header, or without a TimerFunction; the trace says why', async () => {
    const noHeader = await allocate('{ TimerFunction() {} }');
    expect([noHeader.status >>> 0, noHeader.timer]).toEqual([0xc0010005, null]);
    expect(noHeader.refused).toEqual(['NdisAllocateTimerObject: TimerCharacteristics.Header is missing: set it to { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision, Size } (Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1)']);
    const wrongType = await allocate('{ Header: { Type: 0x96, Revision: 1, Size: 24 }, TimerFunction() {} }');
    expect(wrongType.status >>> 0).toBe(0xc0010005);
    const noFunction = await allocate('{ Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 } }');
    expect([noFunction.status >>> 0, noFunction.timer]).toEqual([0xc0010005, null]);
    expect(noFunction.refused).toEqual(['NdisAllocateTimerObject: TimerCharacteristics.TimerFunction is undefined, not a function']);
  });

  it('allocates a timer for characteristics as ndis.h declares them', async () => {
    const good = await allocate('{ Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 }, AllocationTag: 0x6d697446, TimerFunction() {} }');
    expect(good.status).toBe(0);
    expect(good.timer).not.toBeNull();
    expect(good.refused).toEqual([]);
  });
});
