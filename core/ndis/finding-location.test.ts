// A finding's place in the driver's source (Finding.location): the line and column of the NDIS call
// that broke the rule, the same whichever host runs the driver; when the driver's code was not on
// the stack (a handler's return checked after it returned, a watchdog, a hung thread), the
// declaration of the handler the finding is about (kind 'handler'); and a driver that tampers with
// Error to move it, or to break the engine's reading of stacks, or that registers its handlers
// through getters, a Proxy or functions with their own toString, changes neither the run nor the
// verdict, and gets no place rather than a wrong one.

import { describe, it, expect, afterEach } from 'vitest';
import { NdisRuntime } from './runtime.ts';
import { echoProtocol, countingFilter, send, type EchoModule } from './test-drivers.ts';

type Host = 'in-process' | 'worker';

/** The protocol sends from its pause handler, which ProtocolSendWhileNotRunning stops. */
const SEND_WHILE_PAUSING = { pause: 'b.running = true; sendFrames(0, "02:4e:49:43:00:02", 1); return NDIS_STATUS_SUCCESS;' };

/** Where `token` first is in `source`, 1-based. */
function positionOf(source: string, token: string): { line: number; column: number } {
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes(token));
  if (line < 0) throw new Error(`${token} is not in the source`);
  return { line: line + 1, column: lines[line]!.indexOf(token) + 1 };
}

async function pauseWhileSending(source: string, host: Host) {
  const rt = await NdisRuntime.create({ nics: 2, seed: 1, host, rxRingEntries: 64, txRingEntries: 64, pendingLimitNs: 10_000_000n });
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    await rt.loadDriver(source, 'echo.ts');
    rt.startStack();
    rt.run();
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    await rt.placeFindings();
    return { findings: rt.verifier.findings, hash: await rt.trace.hash() };
  } finally {
    await rt.close();
  }
}

describe('a finding names the line of the NDIS call that broke the rule', () => {
  const source = echoProtocol(SEND_WHILE_PAUSING);
  const call = positionOf(source, 'NdisSendNetBufferLists(b.handle');

  for (const host of ['in-process', 'worker'] as const) {
    it(`ProtocolSendWhileNotRunning points at NdisSendNetBufferLists (${host} host)`, async () => {
      const { findings } = await pauseWhileSending(source, host);
      expect(findings.map((f) => f.rule)).toEqual(['ProtocolSendWhileNotRunning']);
      expect(findings[0]!.location).toEqual({ file: 'echo.ts', ...call });
    });
  }

});

/**
 * Drivers that go after the stack the engine reads, at their module's top level, then send while
 * pausing. In-process the realm is not locked down here (tests), so they reach the real Error; in
 * a worker the realm is locked down, and they reach SES's powerless one.
 */
const ATTACKS: Record<string, string> = {
  'a prepareStackTrace that lies and a stackTraceLimit of 0': `
    (Error as any).prepareStackTrace = () => "Error\\n    at sendFrames (echo.ts:1:1)";
    (Error as any).stackTraceLimit = 0;`,
  'prepareStackTrace and stackTraceLimit as getters that throw, captureStackTrace that throws': `
    for (const key of ["prepareStackTrace", "stackTraceLimit"]) {
      try { Object.defineProperty(Error, key, { get() { throw new Error("no stacks for you"); }, set() { throw new Error("nor this"); }, configurable: true }); } catch {}
    }
    try { (Error as any).captureStackTrace = () => { throw new Error("nor this"); }; } catch {}`,
  'a function named like a frame of another line, through which it sends': `
    const forged = { ["x (echo.ts:2:2)\\n    at y (echo.ts:3:3)"]: (f: () => unknown) => f() };
    const realSend = sendFrames;
    export const viaForged = (a: number, m: string, n: number) => Object.values(forged)[0]!(() => realSend(a, m, n));`,
};

describe('a driver that tampers with Error', () => {
  const saved = Object.getOwnPropertyDescriptors(Error);
  afterEach(() => {
    // The in-process attacks reach this realm's Error: put it back for the tests after.
    for (const key of ['prepareStackTrace', 'stackTraceLimit', 'captureStackTrace']) {
      if (saved[key]) Object.defineProperty(Error, key, saved[key]);
      else delete (Error as unknown as Record<string, unknown>)[key];
    }
  });

  for (const host of ['in-process', 'worker'] as const) {
    for (const [name, prelude] of Object.entries(ATTACKS)) {
      it(`${name} (${host} host): the same run and verdict, and no place but the true one`, async () => {
        const plain = echoProtocol(SEND_WHILE_PAUSING);
        const honest = await pauseWhileSending(plain, host);
        // The prelude goes after the imports (it uses none of them), before the handlers run.
        const hostile = plain.replace('export const bindings', `${prelude}\nexport const bindings`).replace('sendFrames(0, "02:4e', prelude.includes('viaForged') ? 'viaForged(0, "02:4e' : 'sendFrames(0, "02:4e');
        const attacked = await pauseWhileSending(hostile, host);
        expect(attacked.hash).toBe(honest.hash);
        expect(attacked.findings.map((f) => f.rule)).toEqual(['ProtocolSendWhileNotRunning']);
        const truth = positionOf(hostile, 'NdisSendNetBufferLists(b.handle');
        const location = attacked.findings[0]!.location;
        // Where the stack could not be read (the in-process realm is not locked down here), the
        // place is the declaration of the handler the engine was running (its call path, not the
        // driver's word): true, if less exact.
        const handler = { file: 'echo.ts', ...positionOf(hostile, 'NetPnPEventHandler('), kind: 'handler' };
        if (location !== undefined && location.kind === 'handler') expect(location).toEqual(handler);
        else if (location !== undefined) expect(location).toEqual({ file: 'echo.ts', ...truth });
        if (host === 'worker') expect(location).toEqual({ file: 'echo.ts', ...truth }); // SES keeps Error out of its reach
      });
    }
  }
});

/** Runs `protocol` (echo.ts) over `filters` (filter0.ts...) on two NICs, then `then`, in `host`. */
async function runStack(host: Host, protocol: string, filters: string[], then: (rt: NdisRuntime, echo: EchoModule) => void = (rt) => {
  rt.pauseStack(rt.adapters[0]!);
  rt.run();
}) {
  const rt = await NdisRuntime.create({ nics: 2, seed: 1, host, rxRingEntries: 64, txRingEntries: 64, pendingLimitNs: 10_000_000n, watchdogMs: 600 });
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    for (const [i, f] of filters.entries()) await rt.loadDriver(f, `filter${i}.ts`);
    const driver = await rt.loadDriver(protocol, 'echo.ts');
    rt.startStack();
    rt.run();
    then(rt, driver.exports as unknown as EchoModule);
    await rt.placeFindings();
    return { findings: rt.verifier.findings, hash: await rt.trace.hash() };
  } finally {
    await rt.close();
  }
}

/** The protocol with its imports and one handler's first line changed. */
function echoWith(o: Parameters<typeof echoProtocol>[0], from?: string, to?: string): string {
  const source = echoProtocol(o).replace('KeGetCurrentIrql,', 'KeGetCurrentIrql, NdisAllocateSpinLock, NdisAcquireSpinLock,');
  if (from === undefined) return source;
  expect(source).toContain(from);
  return source.replace(from, to!);
}

const BIND = 'BindAdapterHandlerEx(_ctx: unknown, bindContext: unknown, params: { AdapterName: string }) {';

/** Each mistake that is noticed with none of the driver's code on the stack, and the handler it is about. */
const HANDLER_MISTAKES: { rule: string; hosts?: Host[]; file: 'echo.ts' | 'filter0.ts'; handler: string; protocol: string; filter?: string; then?: (rt: NdisRuntime, echo: EchoModule) => void }[] = [
  { rule: 'HandlerReturnedPromise', file: 'echo.ts', handler: 'NetPnPEventHandler(', protocol: echoWith({ pause: 'return Promise.resolve(NDIS_STATUS_SUCCESS) as any;' }) },
  { rule: 'HandlerReturnedWithLockHeld', file: 'echo.ts', handler: 'NetPnPEventHandler(', protocol: echoWith({ pause: 'NdisAcquireSpinLock(NdisAllocateSpinLock()); return NDIS_STATUS_SUCCESS;' }) },
  { rule: 'PnPPendingNeverCompleted', file: 'echo.ts', handler: 'NetPnPEventHandler(', protocol: echoWith({ pause: 'return NDIS_STATUS_PENDING;' }) },
  { rule: 'BindPendingNeverCompleted', file: 'echo.ts', handler: 'BindAdapterHandlerEx(', protocol: echoWith({}, BIND, `${BIND}\n      if (bindings.length >= 0) return NDIS_STATUS_PENDING;`), then: () => {} },
  { rule: 'FilterPauseNeverCompleted', file: 'filter0.ts', handler: 'PauseHandler(', protocol: echoWith({}), filter: countingFilter({ pause: 'return NDIS_STATUS_PENDING;' }) },
  {
    rule: 'SendNotCompletedInTime', file: 'filter0.ts', handler: 'SendNetBufferListsHandler(', protocol: echoWith({}), filter: countingFilter({ send: 'm.held.push(nbls);' }),
    then: (rt, echo) => {
      send(rt, rt.drivers.find((d) => d.name === 'echo')!, echo, 3);
      rt.run();
    },
  },
  { rule: 'HandlerReturnedInvalidStatus', file: 'echo.ts', handler: 'NetPnPEventHandler(', protocol: echoWith({ pause: 'return "paused" as any;' }) },
  {
    rule: 'UnbindPendingNeverCompleted', file: 'echo.ts', handler: 'UnbindAdapterHandlerEx(',
    protocol: echoWith({}, 'NdisCloseAdapterEx(b.handle);\n      return NDIS_STATUS_SUCCESS;', 'NdisCloseAdapterEx(b.handle);\n      return NDIS_STATUS_PENDING;'),
    then: (rt) => {
      rt.removeBinding(rt.binding('echo')!);
      rt.run();
    },
  },
  {
    rule: 'UnloadWithoutDeregistering', file: 'echo.ts', handler: 'forgetful(',
    protocol: echoWith({}, 'export function DriverEntry(): number {', 'function forgetful() {}\nexport function DriverEntry(DriverObject: { DriverUnload?: unknown }): number {\n  DriverObject.DriverUnload = forgetful;'),
    then: (rt) => {
      rt.unloadDriver(rt.drivers.find((d) => d.name === 'echo')!);
      rt.run();
    },
  },
  {
    rule: 'FilterRestartNeverCompleted', file: 'filter0.ts', handler: 'RestartHandler(', protocol: echoWith({}),
    filter: countingFilter().replace('RestartHandler(m: Module) { m.state = "Running"; return NDIS_STATUS_SUCCESS; }', 'RestartHandler(m: Module) { return NDIS_STATUS_PENDING; }'), then: () => {},
  },
  {
    rule: 'ReceiveNotReturnedInTime', file: 'filter0.ts', handler: 'ReceiveNetBufferListsHandler(', protocol: echoWith({}), filter: countingFilter({ receive: 'm.held.push(nbls);' }),
    then: (rt, echo) => {
      send(rt, rt.drivers.find((d) => d.name === 'echo')!, echo, 2);
      rt.run();
    },
  },
  {
    rule: 'OidNotCompletedInTime', file: 'filter0.ts', handler: 'OidRequestHandler(', protocol: echoWith({}), then: () => {},
    filter: countingFilter().replace('DetachHandler(m: Module) { m.state = "Detached"; },', 'DetachHandler(m: Module) { m.state = "Detached"; },\n    OidRequestHandler(m: Module, request: unknown) { return NDIS_STATUS_PENDING; },'),
  },
  // A handler that never returns: the worker host's watchdog stops its thread (the in-process host
  // has no watchdog of its own: the grading parent kills the child, core/sandbox).
  { rule: 'DriverHung', hosts: ['worker'], file: 'echo.ts', handler: 'NetPnPEventHandler(', protocol: echoWith({ pause: 'for (;;) {}' }) },
];

describe('a finding made with no driver code on the stack names the declaration of the handler it is about', () => {
  for (const mistake of HANDLER_MISTAKES) {
    for (const host of mistake.hosts ?? (['in-process', 'worker'] as const)) {
      it(`${mistake.rule}: the line of ${mistake.handler.slice(0, -1)} (${host} host)`, async () => {
        const { findings } = await runStack(host, mistake.protocol, mistake.filter ? [mistake.filter] : [], mistake.then);
        expect(findings.map((f) => f.rule)).toEqual([mistake.rule]);
        const source = mistake.file === 'echo.ts' ? mistake.protocol : mistake.filter!;
        expect(findings[0]!.location).toEqual({ file: mistake.file, ...positionOf(source, mistake.handler), kind: 'handler' });
      });
    }
  }

  for (const host of ['in-process', 'worker'] as const) {
    it(`HandlerThrew: the place it threw, not its handler's declaration (${host} host)`, async () => {
      // TypeScript before the throw on its line: the compiled column is not the source's.
      const thrower = "const code = 7 as number satisfies number; if (code) throw new Error('boom');";
      const source = echoWith({ pause: thrower });
      const { findings } = await runStack(host, source, []);
      expect(findings.map((f) => f.rule)).toEqual(['HandlerThrew']);
      expect(findings[0]!.location).toEqual({ file: 'echo.ts', ...positionOf(source, "new Error('boom')") });
    });

    it(`the correct driver, paused and sending through the filter: no finding (${host} host)`, async () => {
      const { findings } = await runStack(host, echoWith({}), [countingFilter()], (rt, echo) => {
        send(rt, rt.drivers.find((d) => d.name === 'echo')!, echo, 3);
        rt.run();
        rt.pauseStack(rt.adapters[0]!);
        rt.run();
      });
      expect(findings).toEqual([]);
    });
  }

  it('the place is display only: the same mistake declared lower down has the same trace, and its own line', async () => {
    const mistake = HANDLER_MISTAKES.find((m) => m.rule === 'PnPPendingNeverCompleted')!;
    const lower = mistake.protocol.replace('export const bindings', '\n\n\nexport const bindings');
    const [a, b] = [await runStack('in-process', mistake.protocol, []), await runStack('in-process', lower, [])];
    expect(b.hash).toBe(a.hash);
    expect(b.findings[0]!.location!.line).toBe(a.findings[0]!.location!.line + 3);
  });
});

/**
 * Drivers that make the same mistake (a pause pended and never completed) and register their
 * handlers in ways meant to mislead or break the finding path: it reads the source, never the
 * running driver's objects, so none of it is called, and the verdict is the honest driver's.
 */
const HOSTILE_REGISTRATIONS: Record<string, { from: string; to: string; truth?: string }> = {
  'a characteristics object whose handler is a getter': {
    from: 'NetPnPEventHandler(b: Binding,',
    to: 'get NetPnPEventHandler() { if ((observed.length as number) > 1000) throw new Error("read too often"); observed.length; return pnp; },\n    _unused(b: Binding,',
  },
  'a Proxy for the characteristics': { from: 'NdisRegisterProtocolDriver(null, {', to: 'NdisRegisterProtocolDriver(null, new Proxy({' },
  'handlers whose toString throws, in characteristics held in a const, and decoys named like the handler elsewhere in the file': {
    from: '  const r = NdisRegisterProtocolDriver(null, {',
    to: '  const characteristics = {',
    truth: 'NetPnPEventHandler(b: Binding,',
  },
};

describe('a driver that registers its handlers to mislead or break the finding path', () => {
  const honest = echoWith({ pause: 'return NDIS_STATUS_PENDING;' });
  for (const host of ['in-process', 'worker'] as const) {
    for (const [name, attack] of Object.entries(HOSTILE_REGISTRATIONS)) {
      it(`${name} (${host} host): the same rule, and no place but the true one`, async () => {
        let hostile = honest.replace(attack.from, attack.to);
        expect(hostile).not.toBe(honest);
        if (name.startsWith('a Proxy')) hostile = hostile.replace('  });\n  protocolHandle', '  }, {}));\n  protocolHandle');
        // What the attacks use: a second PnP handler for the getter, the object for the toString one, decoys.
        const extra = `function pnp(b: Binding, event: { NetPnPEvent: { NetEvent: number } }) { if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true; return event.NetPnPEvent.NetEvent === NetEventPause ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS; }
function NetPnPEventHandler() { return "NetPnPEventHandler(b: Binding, event"; }
`;
        hostile = hostile.replace('export const bindings', `${extra}export const bindings`);
        if (name.startsWith('handlers whose toString')) {
          hostile = hostile.replace('  });\n  protocolHandle', `  };
  for (const f of Object.values(characteristics)) if (typeof f === "function") Object.defineProperty(f, "toString", { value: () => { throw new Error("no source for you"); } });
  const r = NdisRegisterProtocolDriver(null, characteristics);
  protocolHandle`);
        }
        const { findings } = await runStack(host, hostile, []);
        expect(findings.map((f) => f.rule)).toEqual(['PnPPendingNeverCompleted']);
        const location = findings[0]!.location;
        if (attack.truth) {
          const lines = hostile.split('\n');
          const line = lines.findIndex((l) => l.includes(attack.truth!) && l.trimStart().startsWith('NetPnPEventHandler(b: Binding,')) + 1;
          expect(location).toEqual({ file: 'echo.ts', line, column: lines[line - 1]!.indexOf('NetPnPEventHandler') + 1, kind: 'handler' });
        } else {
          expect(location).toBeUndefined();
        }
      });
    }
  }
});
