// The live views' sampler on a real run (Node): a traffic scenario with the reference solution,
// recorded through runScenario's observer. The timeline has every trace event; every state change
// has its snapshot; the last snapshot shows the rings and counters the machine ends with; frames
// come with their bytes; and the same seed samples the same run identically.

import { describe, it, expect } from 'vitest';
import { runScenario } from '../../core/scenario/runner.ts';
import { labById, referenceDrivers } from '../../core/grading/labs.ts';
import type { NdisRuntime } from '../../core/ndis/runtime.ts';
import { RunRecorder } from './recorder.ts';
import type { RunChunk } from './protocol.ts';

const lab = labById('protocol-binding');
const scenario = lab.scenarios.find((s) => s.steps.some((step) => step.op === 'traffic'))!;

async function record(seed: number, limits = {}) {
  const chunks: RunChunk[] = [];
  let runtime: NdisRuntime | undefined;
  let recorder: RunRecorder | undefined;
  const run = await runScenario(lab, scenario, lab.solutionSource, 'driver.ts', seed, referenceDrivers(), { observe: (rt) => {
    runtime = rt;
    recorder = new RunRecorder(rt, (chunk) => chunks.push(chunk), limits);
  } });
  recorder!.finish();
  return {
    run, rt: runtime!,
    events: chunks.flatMap((c) => c.events), snapshots: chunks.flatMap((c) => c.snapshots), frames: chunks.flatMap((c) => c.frames),
  };
}

describe('the run recorder', () => {
  it('samples a traffic scenario faithfully', async () => {
    expect(scenario).toBeDefined();
    const { run, rt, events, snapshots, frames } = await record(3);
    expect(run.passed).toBe(true);
    expect(events.map((e) => e.n)).toEqual(rt.trace.events.map((e) => e.n));
    expect(events.map((e) => e.kind)).toEqual(rt.trace.events.map((e) => e.kind));

    // Each state change has a snapshot at its event, showing the new state.
    for (const change of rt.trace.events.filter((e) => e.kind === 'state')) {
      const snapshot = snapshots.find((s) => s.n === change.n);
      expect(snapshot, `snapshot at state event ${change.n}`).toBeDefined();
      expect(snapshot!.objects.find((o) => o.object === change.object)).toMatchObject({ state: change.to, from: change.from, on: change.on, changedAt: change.n });
    }
    expect(snapshots.map((s) => s.n)).toEqual([...snapshots.map((s) => s.n)].sort((a, b) => a - b));

    // The last snapshot is the machine as it ended.
    const last = snapshots.at(-1)!;
    expect(last.n).toBe(rt.trace.length);
    const nic0 = rt.machine.nic(0);
    expect(last.nics[0]!.tx).toMatchObject({ head: nic0.peek('TDH'), tail: nic0.peek('TDT'), entries: 64 });
    expect(last.nics[0]!.rx).toMatchObject({ head: nic0.peek('RDH'), tail: nic0.peek('RDT'), entries: 64 });
    expect(last.nics[0]!.counters.GPTC).toBe(nic0.statistics().GPTC);
    expect(last.nics[0]!.counters.GPTC).toBeGreaterThanOrEqual(5);
    expect(last.nics[0]!.tx.done.replace(/0/g, '').length).toBeGreaterThan(0);
    expect(last.objects.find((o) => o.object === 'binding driver/nic0')?.state).toBe('Running');
    expect(last.wire?.frames).toBeGreaterThan(0);

    // Frames with their bytes, at their trace events.
    expect(frames.length).toBe(rt.frames.length);
    expect(frames.length).toBeGreaterThan(0);
    frames.forEach((f, i) => {
      expect(f.bytes).toEqual(rt.frames[i]!.bytes);
      expect(rt.trace.events[f.n - 1]!.kind).toBe('frame');
    });
  });

  it('samples the same run the same way', async () => {
    const a = await record(5);
    const b = await record(5);
    expect(b.snapshots).toEqual(a.snapshots);
    expect(b.events).toEqual(a.events);
  });

  it('thins periodic samples past its budget but keeps every state change', async () => {
    const { rt, snapshots } = await record(3, { snapshots: 10, sampleEvery: 2 });
    const stateEvents = rt.trace.events.filter((e) => e.kind === 'state').map((e) => e.n);
    for (const n of stateEvents) expect(snapshots.some((s) => s.n === n)).toBe(true);
    expect(snapshots.length).toBeLessThan(rt.trace.length / 2);
  });
});
