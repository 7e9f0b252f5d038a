// liveRun as the web lab's Live traffic uses it: a filter that keeps the receives returned to it
// stalls the protocol's window, and the run ends on the stall (not at its deadline) saying how far
// it got, with the NBLs still away counted; a filter stuck in a handler is stopped by the watchdog
// (DriverHung); one whose datapath handler throws is stopped with HandlerThrew naming the line and
// column in its source; a filter that breaks a rule while the stack comes up gives
// LiveBringUpError carrying the verifier's finding.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { liveRun, LiveBringUpError, TEST_SHAPE } from './live-run.ts';

const FILTER = readFileSync(new URL('../../labs/reference/counting-filter.ts', import.meta.url), 'utf8');
const PROTOCOL = readFileSync(new URL('../../labs/reference/stack-protocol.ts', import.meta.url), 'utf8');

const RETURN = 'NdisFReturnNetBufferLists(m.handle, nbls, flags);\n      finishPauseIfIdle(m);';

describe('liveRun', () => {
  it('ends a run whose filter keeps the receives returned to it when no frame has arrived for stallMs', async () => {
    expect(FILTER).toContain(RETURN);
    const keeps = FILTER.replace(RETURN, 'finishPauseIfIdle(m); // keeps them');
    const progress: number[] = [];
    const run = await liveRun({ filter: keeps, protocol: PROTOCOL, filterFile: 'driver.ts' }, 20_000, TEST_SHAPE, {
      stallMs: 500, progressMs: 50, onProgress: (traffic) => progress.push(traffic[2]),
    });
    const [sent, , received, damaged] = run.traffic;
    // The receive ring's 256 buffers go up and never come back: the NIC then drops what arrives.
    expect(received).toBeLessThan(20_000);
    expect(damaged).toBe(0);
    expect(run.cutShort).toBe(`no frame arrived for 0.5 s: ${received} of 20000 received, ${sent - received} sent and not received, ${sent - run.traffic[1]} sends not completed`);
    expect(run.elapsedMs).toBe(0);
    expect(run.report.finding).toBeUndefined();
    expect(run.report.outstanding).toBeGreaterThanOrEqual(received);
    expect(run.report.threads.map((t) => t.thread)).toEqual(['miniport', 'driver', 'stack-protocol']);
    expect(run.filterBypassed).toBe(false);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(received);
  });

  it('delivers every frame past a filter with no datapath handlers, which NDIS bypasses', async () => {
    let bypassing = FILTER;
    for (const handler of ['SendNetBufferListsHandler', 'SendNetBufferListsCompleteHandler', 'ReceiveNetBufferListsHandler', 'ReturnNetBufferListsHandler']) {
      expect(bypassing).toContain(`    ${handler}(`);
      bypassing = bypassing.replace(`    ${handler}(`, `    unused${handler}(`);
    }
    const run = await liveRun({ filter: bypassing, protocol: PROTOCOL, filterFile: 'driver.ts' }, 5000);
    expect(run.traffic.slice(0, 4)).toEqual([5000, 5000, 5000, 0]);
    expect(run.filterBypassed).toBe(true);
    expect(run.report.threads.map((t) => t.thread)).toEqual(['miniport', 'stack-protocol']);
  });

  it('stops a filter stuck in a datapath handler with DriverHung once the traffic stalls', async () => {
    const head = 'ReturnNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, flags: number): void {';
    expect(FILTER).toContain(head);
    const hangs = FILTER.replace(head, `${head}\n      while (true) {}`);
    const run = await liveRun({ filter: hangs, protocol: PROTOCOL, filterFile: 'driver.ts' }, 20_000, TEST_SHAPE, { stallMs: 500, watchdogMs: 1000 });
    expect(run.traffic[2]).toBeLessThan(20_000);
    expect(run.report.finding?.rule).toBe('DriverHung');
    expect(run.report.finding?.message).toBe('driver.ts did not return within 1000 ms (wall clock); its thread was stopped');
    // The finding explains the end of the run; the stall is not reported beside it.
    expect(run.cutShort).toBeUndefined();
  });

  it('stops a filter whose datapath handler throws while live with HandlerThrew, naming the line and column that threw', async () => {
    const head = 'ReceiveNetBufferListsHandler(m: Module, nbls: NET_BUFFER_LIST, port: number, n: number, flags: number): void {';
    expect(FILTER).toContain(head);
    const thrower = 'if (m.received > 1000) (m as unknown as { gone: { boom(): void } }).gone.boom();';
    const throws = FILTER.replace(head, `${head}\n      ${thrower}`);
    const lines = throws.split('\n');
    const line = lines.findIndex((l) => l.includes(thrower)) + 1;
    const column = lines[line - 1]!.lastIndexOf('boom()') + 1;
    const run = await liveRun({ filter: throws, protocol: PROTOCOL, filterFile: 'driver.ts' }, 20_000, TEST_SHAPE, { stallMs: 2000 });
    expect(run.report.finding?.rule).toBe('HandlerThrew');
    expect(run.report.finding?.message).toMatch(new RegExp(`^filter module \\S+: a datapath handler threw TypeError: Cannot read properties of undefined \\(reading 'boom'\\)\\n\\s+at ReceiveNetBufferListsHandler \\(driver\\.ts:${line}:${column}\\)`));
  });

  it('gives LiveBringUpError with the finding when the filter breaks a rule coming up', async () => {
    const throws = FILTER.replace('AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {', 'AttachHandler(handle: NDIS_HANDLE): NDIS_STATUS {\n      throw new Error("attach is broken");');
    const error = await liveRun({ filter: throws, protocol: PROTOCOL, filterFile: 'driver.ts' }, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveBringUpError);
    const finding = (error as LiveBringUpError).finding;
    expect(finding.rule).toBe('HandlerThrew');
    expect(finding.driver).toBe('driver');
    expect(finding.message).toContain('attach is broken');
  });
});
