// The live views in Chromium, fed with a real recorded run (the reference solution through the
// traffic-and-pause scenario, recorded in Node exactly as the lab runtime worker records it):
// playback moves through the snapshots by itself, Jump to end shows the final machine, and
// scrubbing to the pause shows the binding Pausing, the rings and counters of that moment; a
// whole run plays in a few seconds at normal speed, stopping at every state change.

import { describe, it, expect } from 'vitest';
import { runScenario } from '../../../core/scenario/runner.ts';
import { labById, referenceDrivers } from '../../../core/grading/labs.ts';
import type { NdisRuntime } from '../../../core/ndis/runtime.ts';
import { RunRecorder } from '../../engine/recorder.ts';
import type { RunChunk } from '../../engine/protocol.ts';
import { load, useHarness } from '../../testing/browser.ts';

async function recordedRun(labId = 'protocol-binding', scenarioId?: string) {
  const lab = labById(labId);
  const scenario = scenarioId ? lab.scenarios.find((s) => s.id === scenarioId)! : lab.scenarios.find((s) => s.steps.some((step) => step.op === 'traffic') && s.steps.some((step) => step.op === 'pause'))!;
  const chunks: RunChunk[] = [];
  let rt: NdisRuntime | undefined;
  let recorder: RunRecorder | undefined;
  const run = await runScenario(lab, scenario, lab.solutionSource, 'driver.ts', 2, referenceDrivers(), { observe: (runtime) => {
    rt = runtime;
    recorder = new RunRecorder(runtime, (chunk) => chunks.push(chunk));
  } });
  recorder!.finish();
  return { run, rt: rt!, chunks, scenario };
}

describe('<run-viewer>', () => {
  const harnessed = useHarness();

  it('plays a run, jumps to its end and scrubs back to the pause', async () => {
    const { run, rt, chunks, scenario } = await recordedRun();
    expect(run.passed).toBe(true);
    const plain = chunks.map((c) => ({ ...c, frames: c.frames.map((f) => ({ ...f, bytes: Array.from(f.bytes) })) }));
    await load(harnessed.page, '/engine/run-session.ts');
    await load(harnessed.page, '/components/run-viewer/run-viewer.ts');
    await harnessed.page.evaluate(`import('/engine/run-session.ts').then((m) => { window.RunSession = m.RunSession; })`);
    await harnessed.page.evaluate(async ({ plain, scenario, last }) => {
      const { RunSession } = window as unknown as { RunSession: new (lab: string, scenario: string, seed: number) => EventTarget & { add(c: unknown): void; finish(o: unknown): void } };
      const session = new RunSession('protocol-binding', scenario, 2);
      const viewer = document.createElement('run-viewer') as HTMLElement & { session: unknown; updateComplete: Promise<unknown> };
      viewer.session = session;
      document.body.replaceChildren(viewer);
      // The first chunk arrives, playback starts; the rest follow.
      session.add({ ...plain[0], frames: plain[0]!.frames.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })) });
      for (const chunk of plain.slice(1)) session.add({ ...chunk, frames: chunk.frames.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })) });
      session.finish({ lab: 'protocol-binding', scenario, seed: 2, passed: true, failures: [], findings: [], traceHash: '', traceLength: last, pcapng: new Uint8Array(0), eventsShown: last });
      await viewer.updateComplete;
    }, { plain, scenario: scenario.id, last: rt.trace.length });

    const slider = harnessed.page.getByRole('slider', { name: 'Trace position' });
    expect(await slider.getAttribute('max')).toBe(String(rt.trace.length));
    // Playback moves on its own.
    await expect.poll(async () => Number(await slider.inputValue()), { timeout: 10_000 }).toBeGreaterThan(1);
    const first = Number(await slider.inputValue());
    await expect.poll(async () => Number(await slider.inputValue()), { timeout: 10_000 }).toBeGreaterThan(first);

    await harnessed.page.getByRole('button', { name: 'Jump to end' }).click();
    expect(await slider.inputValue()).toBe(String(rt.trace.length));
    const binding = harnessed.page.locator('run-viewer state-diagram[data-object="binding driver/nic0"]');
    expect(await binding.locator('.state').textContent()).toBe('Running');
    const nic0 = rt.machine.nic(0);
    expect(await harnessed.page.locator('run-viewer [data-summary="nic0-tx"]').textContent()).toMatch(new RegExp(`^TDH \\(head\\) ${nic0.peek('TDH')}, TDT \\(tail\\) ${nic0.peek('TDT')},`));
    expect(await harnessed.page.locator('run-viewer [data-counter="nic0-GPTC"]').textContent()).toBe(String(nic0.statistics().GPTC));
    expect(await harnessed.page.locator('run-viewer frame-list tbody tr').count()).toBe(Math.min(200, rt.frames.length));

    // Scrub to where the binding starts pausing.
    const pausing = rt.trace.events.find((e) => e.kind === 'state' && e.object === 'binding driver/nic0' && e.to === 'Pausing')!;
    await slider.fill(String(pausing.n));
    expect(await binding.locator('.state').textContent()).toBe('Pausing');
    expect(await binding.locator('path.edge.taken').getAttribute('data-transition')).toBe('Running-Pause-Pausing');
    expect(await harnessed.page.locator('run-viewer event-timeline li.current').textContent()).toContain('binding protocol-binding/nic0: Running → Pausing (Pause)');
    const framesByThen = rt.trace.events.filter((e) => e.kind === 'frame' && e.n <= pausing.n).length;
    expect(await harnessed.page.locator('run-viewer frame-list tbody tr').count()).toBe(framesByThen);
  });

  it('plays a whole run in a few seconds at normal speed, showing every state change on the way', async () => {
    // A long run: thousands of events of traffic.
    const { rt, chunks, scenario } = await recordedRun('datapath', 'sustained-receive');
    const plain = chunks.map((c) => ({ ...c, frames: c.frames.map((f) => ({ ...f, bytes: Array.from(f.bytes) })) }));
    await load(harnessed.page, '/engine/run-session.ts');
    await load(harnessed.page, '/components/run-viewer/run-viewer.ts');
    await harnessed.page.evaluate(`import('/engine/run-session.ts').then((m) => { window.RunSession = m.RunSession; })`);
    const { seen } = await harnessed.page.evaluate(async ({ plain, scenario, last }) => {
      const { RunSession } = window as unknown as { RunSession: new (lab: string, scenario: string, seed: number) => EventTarget & { add(c: unknown): void; finish(o: unknown): void } };
      const session = new RunSession('datapath', scenario, 2);
      for (const chunk of plain) session.add({ ...chunk, frames: chunk.frames.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })) });
      session.finish({ lab: 'protocol-binding', scenario, seed: 2, passed: true, failures: [], findings: [], traceHash: '', traceLength: last, pcapng: new Uint8Array(0), eventsShown: last });
      const viewer = document.createElement('run-viewer') as HTMLElement & { session: unknown; position: number };
      const positions = new Set<number>();
      const ended = new Promise<void>((resolve) => viewer.addEventListener('playback-end', () => resolve(), { once: true }));
      viewer.session = session;
      document.body.replaceChildren(viewer);
      const watch = () => { positions.add(viewer.position); requestAnimationFrame(watch); };
      requestAnimationFrame(watch);
      await ended;
      return { seen: [...positions] };
    }, { plain, scenario: scenario.id, last: rt.trace.length });
    expect(rt.trace.length).toBeGreaterThan(1000);
    // A bounded number of steps, whatever the run's length (tests assert behaviour, not speed): at
    // most SPEEDS.normal x LONGEST_PLAYBACK_S.normal (4 s of steps), plus a stop at each state change
    // and finding; one per snapshot before (some 370 here, 18 s at 20 a second).
    const stops = rt.trace.events.filter((e) => e.kind === 'state' || e.kind === 'finding').length;
    expect(chunks.flatMap((c) => c.snapshots).length).toBeGreaterThan(300);
    expect(seen.length).toBeLessThanOrEqual(20 * 4 + stops + 3);
    for (const change of rt.trace.events.filter((e) => e.kind === 'state')) expect(seen, `state change at event ${change.n}`).toContain(change.n);
  });
});
