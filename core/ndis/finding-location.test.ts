// A finding's place in the driver's source (Finding.location): the line and column of the NDIS call
// that broke the rule, the same whichever host runs the driver; none when the driver's code was
// not on the stack; and a driver that tampers with Error to move it, or to break the engine's
// reading of stacks, changes neither the run nor the verdict, and gets no place rather than a
// wrong one.

import { describe, it, expect, afterEach } from 'vitest';
import { NdisRuntime } from './runtime.ts';
import { echoProtocol } from './test-drivers.ts';

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

  it('gives no place to a finding made when the driver\'s code is not running (a handler\'s return checked after it returned)', async () => {
    const { findings } = await pauseWhileSending(echoProtocol({ pause: 'return Promise.resolve(NDIS_STATUS_SUCCESS) as any;' }), 'in-process');
    expect(findings.map((f) => f.rule)).toEqual(['HandlerReturnedPromise']);
    expect(findings[0]!.location).toBeUndefined();
  });
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
        if (location !== undefined) expect(location).toEqual({ file: 'echo.ts', ...truth });
        if (host === 'worker') expect(location).toEqual({ file: 'echo.ts', ...truth }); // SES keeps Error out of its reach
      });
    }
  }
});
