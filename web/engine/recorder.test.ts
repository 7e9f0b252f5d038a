// The live views' sampler on a real run (Node): a traffic scenario with the reference solution,
// recorded through runScenario's observer. The timeline has every trace event; every state change
// has its snapshot; the last snapshot shows the rings and counters the machine ends with; frames
// come with their bytes; and the same seed samples the same run identically. Events carry their
// driver and object (the trace's filters); the learner's driver is called by the name it
// registered; console lines come with the trace event they followed, capped.

import { describe, it, expect } from 'vitest';
import { runScenario } from '../../core/scenario/runner.ts';
import { labById, referenceDrivers } from '../../core/grading/labs.ts';
import type { NdisRuntime } from '../../core/ndis/runtime.ts';
import { RunRecorder } from './recorder.ts';
import type { RunChunk } from './protocol.ts';

const lab = labById('protocol-binding');
const scenario = lab.scenarios.find((s) => s.steps.some((step) => step.op === 'traffic'))!;

async function record(seed: number, limits = {}, source = lab.solutionSource) {
  const chunks: RunChunk[] = [];
  let runtime: NdisRuntime | undefined;
  let recorder: RunRecorder | undefined;
  const run = await runScenario(lab, scenario, source, 'driver.ts', seed, referenceDrivers(), { observe: (rt) => {
    runtime = rt;
    const recording = new RunRecorder(rt, (chunk) => chunks.push(chunk), limits);
    recorder = recording;
    rt.host.console = (file, level, text) => recording.console(file, level, text);
  } });
  recorder!.finish();
  return {
    run, rt: runtime!,
    events: chunks.flatMap((c) => c.events), snapshots: chunks.flatMap((c) => c.snapshots), frames: chunks.flatMap((c) => c.frames),
    console: chunks.flatMap((c) => c.console), names: Object.assign({}, ...chunks.map((c) => c.names)) as Record<string, string>,
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

  it('gives events their driver and object, calls the learner\'s driver by its registered name, and keeps console lines where they were printed', async () => {
    const printing = lab.solutionSource.replace(/(BindAdapterHandlerEx\([^)]*\)[^{]*\{)/, "$1\n      console.log('bind', params.AdapterName);");
    expect(printing).not.toBe(lab.solutionSource);
    const { rt, events, console: lines, names } = await record(3, { console: 1 }, printing);
    expect(names.driver).toBe('protocol-binding');
    const bind = events.find((e) => e.kind === 'handler' && e.text.includes('ProtocolBindAdapterEx'))!;
    expect(bind).toMatchObject({ driver: 'driver', object: expect.stringMatching(/^binding driver\/nic\d$/) });
    expect(bind.text).toMatch(/^NDIS calls protocol-binding!ProtocolBindAdapterEx \(binding protocol-binding\/nic\d\)$/);
    // The first bind's line comes right after its handler event; the second is over the cap of 1.
    const binds = rt.trace.events.filter((e) => e.kind === 'handler' && e.handler === 'ProtocolBindAdapterEx');
    expect(binds.length).toBeGreaterThan(1);
    expect(lines[0]).toEqual({ n: binds[0]!.n, driver: 'driver', level: 'log', text: 'bind nic0' });
    expect(lines.at(-1)!.text).toMatch(/^\(\d+ more console lines were not kept: the page keeps the first 1\)$/);
    expect(lines).toHaveLength(2);
  });
});
