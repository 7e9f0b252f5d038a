// The worker host: drivers on their own threads give the trace the in-process host gives, and a
// driver that hangs, throws, returns a Promise or reaches for the network stops only its machine.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from '../ndis/runtime.ts';
import { UNUSED_COMPLETE_HANDLERS, OPENS_AND_CLOSES_AT_ONCE } from '../ndis/test-drivers.ts';
import { runScenario } from '../scenario/runner.ts';
import { labById, listLabs, referenceDrivers, type LoadedLab } from '../grading/labs.ts';
import { referenceRun as runReference } from './reference-run.ts';
import { SANDBOX_PROBE } from '../testing/hostile-drivers.ts';

const reference = (name: string) => readFileSync(new URL(`../../labs/reference/${name}`, import.meta.url), 'utf8');
const PROTOCOL = reference('protocol.ts');
const FILTER = reference('counting-filter.ts');

type Host = 'in-process' | 'worker';

const referenceRun = (host: Host, seed: number) => runReference({ protocol: PROTOCOL, filter: FILTER }, host, seed);

const driver = (body: string) => `
import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT, NdisRegisterProtocolDriver, NdisOpenAdapterEx, NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NdisAllocateNetBufferListPool, NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 } from 'ndis';
export function DriverEntry() {
  return NdisRegisterProtocolDriver(null, {
    Header: { Type: NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS, Revision: NDIS_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1, Size: NDIS_SIZEOF_PROTOCOL_DRIVER_CHARACTERISTICS_REVISION_1 },
    MajorNdisVersion: 6,
    MinorNdisVersion: 0,
    Name: 'probe',
    BindAdapterHandlerEx(ctx: unknown, BindContext: unknown) {
      ${body}
    },
    UnbindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },
    ${UNUSED_COMPLETE_HANDLERS}
    NetPnPEventHandler() { return NDIS_STATUS_SUCCESS; },
  }).Status;
}
`;

async function bindWith(body: string, host: Host, watchdogMs = 400) {
  const rt = await NdisRuntime.create({ nics: 1, seed: 1, host, watchdogMs, decisions: OPENS_AND_CLOSES_AT_ONCE });
  await rt.loadDriver(driver(body), 'probe.ts');
  rt.startStack();
  rt.run();
  await rt.close();
  return rt;
}

describe('worker host', () => {
  it('gives the in-process trace, byte for byte, for the reference drivers under several seeds', async () => {
    for (const seed of [1, 2, 7]) {
      const inProcess = await referenceRun('in-process', seed);
      const worker = await referenceRun('worker', seed);
      expect(inProcess.findings).toEqual([]);
      expect(inProcess.received.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(worker).toEqual(inProcess);
    }
  });

  it('gives the in-process trace for every scenario of every lab, with the solution (and a starter)', async () => {
    const runs: [LoadedLab, string, string][] = listLabs().map((lab) => [lab, lab.solution, lab.solutionSource]);
    const binding = labById('protocol-binding');
    runs.push([binding, binding.starter, binding.starterSource]);
    for (const [lab, file, source] of runs) {
      // Each lab's own reference drivers, where it names them (filter-oid's protocol).
      const references = referenceDrivers(lab);
      for (const scenario of lab.scenarios) {
        const a = await runScenario(lab, scenario, source, file, 3, references, { host: 'in-process' });
        const b = await runScenario(lab, scenario, source, file, 3, references, { host: 'worker' });
        expect({ lab: lab.id, scenario: scenario.id, hash: b.traceHash, passed: b.passed }).toEqual({ lab: lab.id, scenario: scenario.id, hash: a.traceHash, passed: a.passed });
      }
    }
  }, 180_000);

  it('NDIS\'s writes into its own structure during a call reach the driver\'s copy: a clone\'s results when NdisFOidRequest completes it at once', async () => {
    // filter-oid's solution reads the clone's BytesWritten right after NdisFOidRequest returned
    // the final status (no FilterOidRequestComplete comes): the clone is NDIS's object, and the
    // driver in its worker holds a copy, refreshed by the call's answer.
    const lab = labById('filter-oid');
    const scenario = lab.scenarios.find((s) => s.id === 'requests-complete-at-once')!;
    for (const host of ['in-process', 'worker'] as const) {
      const run = await runScenario(lab, scenario, lab.solutionSource, lab.solution, 1, referenceDrivers(lab), { host });
      expect({ host, failures: run.failures }).toEqual({ host, failures: [] });
    }
  });

  it('stops a handler that never returns with DriverHung, and the next run starts clean', async () => {
    const rt = await bindWith('for (;;) {}', 'worker');
    expect(rt.stopped?.rule).toBe('DriverHung');
    expect(rt.stopped?.message).toMatch(/probe\.ts did not return within 400 ms/);
    expect(rt.stopped?.callPath).toEqual(['probe!ProtocolBindAdapterEx']);
    const next = await referenceRun('worker', 1);
    expect(next.findings).toEqual([]);
    expect(next.states).toEqual(['Unbound', 'Unbound']);
  });

  it('counts NDIS calls made inside a handler against its watchdog', async () => {
    const rt = await bindWith('for (;;) NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });', 'worker');
    expect(rt.stopped?.rule).toBe('DriverHung');
  });

  it('reports a throw as HandlerThrew with the driver\'s own lines, as the in-process host does', async () => {
    const body = 'const table: number[] = [];\n      return table[3]!.toFixed(1);';
    const lines = driver(body).split('\n');
    const line = lines.findIndex((l) => l.includes('toFixed')) + 1;
    // The engine points at `toFixed`; in the compiled code the `!` before it is gone, and the
    // source map (sent from the worker with the exports) puts the column back on the learner's line.
    const column = lines[line - 1]!.indexOf('toFixed') + 1;
    const [a, b] = [await bindWith(body, 'in-process'), await bindWith(body, 'worker')];
    expect(b.stopped?.rule).toBe('HandlerThrew');
    expect(b.stopped?.message).toMatch(new RegExp(`^ProtocolBindAdapterEx threw TypeError: Cannot read properties of undefined \\(reading 'toFixed'\\)\\n\\s+at .*probe\\.ts:${line}:${column}\\)`));
    expect(b.stopped?.message).toBe(a.stopped?.message);
    expect(await b.trace.hash()).toBe(await a.trace.hash());
  });

  it('reports a handler that returns a Promise as HandlerReturnedPromise', async () => {
    const rt = await bindWith('return Promise.resolve(NDIS_STATUS_SUCCESS);', 'worker');
    expect(rt.verifier.findings.map((f) => f.rule)).toContain('HandlerReturnedPromise');
  });

  it('gives a driver in its worker no network, storage, other threads, process, real clock or way out through NDIS\'s functions', async () => {
    const rt = await NdisRuntime.create({ nics: 1, seed: 1, host: 'worker' });
    const loaded = await rt.loadDriver(SANDBOX_PROBE, 'hostile.ts');
    expect((loaded.exports.Reached as () => string)()).toBe('');
    await rt.close();
    // The probe does find a way out where the realm is not locked down (this test's own thread).
    const unlocked = await NdisRuntime.create({ nics: 1, seed: 1 });
    const reached = ((await unlocked.loadDriver(SANDBOX_PROBE, 'hostile.ts')).exports.Reached as () => string)();
    expect(reached.split(',')).toContain('process via an NDIS function\'s constructor');
  });

  it('runs two machines side by side in one process without disturbing each other', async () => {
    const solo = [await referenceRun('worker', 4), await referenceRun('worker', 5)];
    const together = await Promise.all([referenceRun('worker', 4), referenceRun('worker', 5)]);
    expect(together).toEqual(solo);
  });

  it('reports an NBL the driver does not own, written from its thread, as NblNotOwned', async () => {
    const body = `const pool = NdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });
      const nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, null, 0, 60);
      NdisFreeNetBufferList(nbl);
      NdisFreeNetBufferList(nbl);
      NdisFreeNetBufferList({ index: 3 });
      return NDIS_STATUS_SUCCESS;`;
    const source = driver(body).replace('import {', 'import { NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,');
    const rt = await NdisRuntime.create({ nics: 1, seed: 1, host: 'worker', demote: ['NblNotOwned'] });
    await rt.loadDriver(source, 'probe.ts');
    rt.startStack();
    rt.run();
    await rt.close();
    expect(rt.verifier.findings.map((f) => [f.rule, f.message.replace(/\(.*/, '')])).toEqual([
      ['NblNotOwned', 'NdisFreeNetBufferList with an NBL the driver does not own '],
      ['NblNotOwned', 'NdisFreeNetBufferList with an NBL the driver does not own '],
    ]);
  });

  it('refuses NDIS calls made while the module loads, in both hosts alike', async () => {
    const source = `import { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_PROTOCOL_ID_DEFAULT, NdisAllocateNetBufferListPool } from 'ndis';\nNdisAllocateNetBufferListPool(null, { Header: { Type: NDIS_OBJECT_TYPE_DEFAULT, Revision: NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, Size: NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 }, ProtocolId: NDIS_PROTOCOL_ID_DEFAULT, fAllocateNetBuffer: true, ContextSize: 0, PoolTag: 0, DataSize: 0 });\nexport function DriverEntry() { return 0; }`;
    for (const host of ['in-process', 'worker'] as const) {
      const rt = await NdisRuntime.create({ nics: 1, host });
      await expect(rt.loadDriver(source, 'eager.ts')).rejects.toThrow('eager.ts: failed while loading: Error: NdisAllocateNetBufferListPool called while the driver module loads');
      await rt.close();
    }
  });

  it('carries a driver\'s console output to the host\'s sink in order with the trace, in both hosts alike, and leaves the trace as it was', async () => {
    const body = "console.log('bind', 1, { a: 2 }); console.warn('twice'); return NDIS_STATUS_SUCCESS;";
    const source = `console.info('module loads');\n${driver(body)}`;
    const runs = [];
    for (const host of ['in-process', 'worker'] as const) {
      const rt = await NdisRuntime.create({ nics: 1, seed: 1, host });
      const lines: string[] = [];
      rt.host.console = (file, level, text) => lines.push(`${file} ${level} ${text} @${rt.trace.length}`);
      await rt.loadDriver(source, 'probe.ts');
      rt.startStack();
      rt.run();
      await rt.close();
      runs.push({ lines, hash: await rt.trace.hash() });
    }
    const [inProcess, worker] = runs;
    expect(inProcess!.lines.map((l) => l.replace(/ @\d+$/, ''))).toEqual(['probe.ts info module loads', 'probe.ts log bind 1 [object Object]', 'probe.ts warn twice']);
    expect(worker).toEqual(inProcess);
    // The same driver with no console: the same trace.
    const quiet = await NdisRuntime.create({ nics: 1, seed: 1, host: 'worker' });
    await quiet.loadDriver(source, 'probe.ts');
    quiet.startStack();
    quiet.run();
    await quiet.close();
    expect(await quiet.trace.hash()).toBe(inProcess!.hash);
  });
});
