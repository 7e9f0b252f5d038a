// Live mode end to end: a stack brought up deterministically in the worker host goes live and moves
// frames protocol -> counting filter -> miniport -> NIC -> cable -> NIC -> miniport -> filter ->
// protocol on its own threads; every NBL comes home; stopping leaves no thread behind; a driver
// that returns an NBL twice stops the machine with NblNotOwned.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime, type DriverRecord } from '../ndis/runtime.ts';
import { LiveStack } from './live-stack.ts';
import type { MiniportStats } from './miniport-pump.ts';
import type { TrafficReport } from '../../labs/reference/stack-protocol.ts';

const FILTER = readFileSync(new URL('../../labs/reference/counting-filter.ts', import.meta.url), 'utf8');
const PROTOCOL = readFileSync(new URL('../../labs/reference/stack-protocol.ts', import.meta.url), 'utf8');

async function runningStack(protocolSource = PROTOCOL) {
  const rt = await NdisRuntime.create({ nics: 2, seed: 4, host: 'worker', rxRingEntries: 256, txRingEntries: 256, poolBytes: 4 << 20, spscBytes: 1 << 20, captureBytes: 0 });
  rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  const filter = await rt.loadDriver(FILTER, 'counting-filter.ts');
  const protocol = await rt.loadDriver(protocolSource, 'stack-protocol.ts');
  rt.startStack();
  rt.run();
  expect(rt.bindings.map((b) => b.state)).toEqual(['Running', 'Running']);
  return { rt, filter, protocol };
}

/** Polls the protocol's counters until `frames` have arrived and their sends completed, a finding stops the run, or 20 s pass. */
async function untilReceived(live: LiveStack, protocol: DriverRecord, frames: number): Promise<TrafficReport> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const report = [...live.call<TrafficReport>(protocol, 'TrafficReport')] as TrafficReport;
    if ((report[2] >= frames && report[1] >= Math.min(frames, report[0])) || live.finding || performance.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('live mode', () => {
  it('delivers 50,000 frames intact and in order through filter, NICs and cable, and every NBL comes home', async () => {
    const { rt, filter, protocol } = await runningStack();
    try {
      const live = await LiveStack.start(rt);
      live.call(protocol, 'StartTraffic', 0, 1, 50_000, 60, 64, 16);
      const [sent, completed, received, errors, firstError] = await untilReceived(live, protocol, 50_000);
      expect({ sent, completed, received, errors, firstError, finding: live.finding }).toEqual({ sent: 50_000, completed: 50_000, received: 50_000, errors: 0, firstError: null, finding: undefined });
      expect(await live.settle()).toBe(0);
      const report = await live.stop();
      expect(report.finding).toBeUndefined();
      expect(report.outstanding).toBe(0);
      expect(report.threads.map((t) => t.thread)).toEqual(['miniport', 'counting-filter', 'stack-protocol']);
      const miniport = report.threads[0]!.stats as MiniportStats;
      expect(miniport.sent).toEqual([50_000, 0]);
      expect(miniport.indicated).toEqual([0, 50_000]);
      // The filter saw each frame on its way down (nic0) and on its way up (nic1), as its own counters say.
      const modules = filter.exports.modules as { sent: number; received: number; inFlight: number }[];
      expect([modules[0]!.sent, modules[1]!.received, modules[0]!.inFlight, modules[1]!.inFlight]).toEqual([50_000, 50_000, 0, 0]);
      expect(rt.machine.nic(1).peek('MPC')).toBe(0);
      expect(rt.stopped).toBeUndefined();
    } finally {
      await rt.close();
    }
  }, 30_000);

  it('stops cleanly with frames in flight: every thread leaves, no finding, the NBLs still away are counted', async () => {
    const { rt, protocol } = await runningStack();
    try {
      const live = await LiveStack.start(rt);
      live.call(protocol, 'StartTraffic', 0, 1, 100_000_000, 60, 64, 16);
      await untilReceived(live, protocol, 1000);
      const report = await live.stop();
      expect(report.finding).toBeUndefined();
      expect(report.threads).toHaveLength(3);
      for (const thread of report.threads) expect(thread.stats!.liveMs).toBeGreaterThan(0);
      // Whatever was away when the threads stopped is counted, and no more than the window and the rings could hold.
      const miniport = report.threads[0]!.stats as MiniportStats;
      expect(miniport.sent[0]).toBeGreaterThanOrEqual(1000);
      expect(report.outstanding).toBeLessThanOrEqual(64 + 256);
      expect(live.live).toBe(false);
      expect(await live.stop()).toBe(report);
      // Traffic stopped with the threads: nothing moves any more.
      const [, , received] = [...live.call<TrafficReport>(protocol, 'TrafficReport')];
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(live.call<TrafficReport>(protocol, 'TrafficReport')[2]).toBe(received);
    } finally {
      await rt.close();
    }
  }, 30_000);

  it('stops the machine with NblNotOwned when a driver returns a receive twice', async () => {
    const twice = PROTOCOL.replace(
      'if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) NdisReturnNetBufferLists(b.handle!, nbls, 0);',
      'if ((flags & NDIS_RECEIVE_FLAGS_RESOURCES) === 0) { NdisReturnNetBufferLists(b.handle!, nbls, 0); if (received > 500) NdisReturnNetBufferLists(b.handle!, nbls, 0); }',
    );
    expect(twice).not.toBe(PROTOCOL);
    const { rt, protocol } = await runningStack(twice);
    try {
      const live = await LiveStack.start(rt);
      live.call(protocol, 'StartTraffic', 0, 1, 100_000, 60, 64, 16);
      await untilReceived(live, protocol, 100_000);
      const report = await live.stop();
      expect(report.finding?.rule).toBe('NblNotOwned');
      expect(report.finding?.driver).toBe('stack-protocol');
      expect(report.finding?.message).toMatch(/returned by stack-protocol, which it does not hold/);
      expect(rt.stopped?.rule).toBe('NblNotOwned');
    } finally {
      await rt.close();
    }
  }, 30_000);
  /** The stack protocol with its receive handler taking a spin lock (`release` says how it lets go). */
  const withLock = (release: string) => {
    const locked = PROTOCOL
      .replace("} from 'ndis';", "  NdisAllocateSpinLock, NdisDprAcquireSpinLock, NdisDprReleaseSpinLock, KeGetCurrentIrql, DISPATCH_LEVEL,\n} from 'ndis';\nlet lock: NDIS_HANDLE | null = null;")
      .replace('bindings.push(b);', 'bindings.push(b);\n      lock ??= NdisAllocateSpinLock();')
      .replace('for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) check(nbl);',
        `if (KeGetCurrentIrql() !== DISPATCH_LEVEL) errors++;\n      NdisDprAcquireSpinLock(lock!);\n      for (let nbl: NET_BUFFER_LIST | null = nbls; nbl; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) check(nbl);\n      ${release}`);
    expect(locked).not.toBe(PROTOCOL);
    return locked;
  };

  it('serves spin locks and KeGetCurrentIrql on the datapath thread: receives run at DISPATCH_LEVEL, locks balance', async () => {
    const { rt, protocol } = await runningStack(withLock('NdisDprReleaseSpinLock(lock!);'));
    try {
      const live = await LiveStack.start(rt);
      live.call(protocol, 'StartTraffic', 0, 1, 5_000, 60, 64, 16);
      const [sent, , received, errors] = await untilReceived(live, protocol, 5_000);
      expect({ sent, received, errors, finding: live.finding }).toEqual({ sent: 5_000, received: 5_000, errors: 0, finding: undefined });
      const report = await live.stop();
      expect(report.finding).toBeUndefined();
    } finally {
      await rt.close();
    }
  }, 30_000);

  it('stops the machine with HandlerReturnedWithLockHeld when a live receive handler keeps its spin lock', async () => {
    const { rt, protocol } = await runningStack(withLock('if (received < 300) NdisDprReleaseSpinLock(lock!);'));
    try {
      const live = await LiveStack.start(rt);
      live.call(protocol, 'StartTraffic', 0, 1, 5_000, 60, 64, 16);
      await untilReceived(live, protocol, 5_000);
      const report = await live.stop();
      expect(report.finding?.rule).toBe('HandlerReturnedWithLockHeld');
      expect(report.finding?.driver).toBe('stack-protocol');
    } finally {
      await rt.close();
    }
  }, 30_000);
});
