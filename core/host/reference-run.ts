// One run of the reference drivers that exercises every kind of call between NDIS and drivers:
// start, traffic both ways through the counting filter, a pause with frames in flight, a restart,
// PnP events and unbind. The worker host's tests run it in Node and in Chromium, in both hosts,
// and compare the traces.

import { NdisRuntime } from '../ndis/runtime.ts';
import { NetEventReconfigure, NetEventBindsComplete } from '../ndis/constants.ts';

export interface ReferenceSources {
  protocol: string;
  filter: string;
}

export interface ReferenceRunResult {
  hash: string;
  events: number;
  findings: string[];
  states: string[];
  received: number[];
}

export async function referenceRun(sources: ReferenceSources, host: 'in-process' | 'worker', seed: number): Promise<ReferenceRunResult> {
  const rt = await NdisRuntime.create({ nics: 2, seed, rxRingEntries: 32, txRingEntries: 32, pendingLimitNs: 50_000_000n, host });
  try {
    rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
    await rt.loadDriver(sources.filter, 'counting-filter.ts');
    const protocol = await rt.loadDriver(sources.protocol, 'protocol.ts');
    const sendFrames = protocol.exports.SendFrames as (i: number, to: string, n: number, size: number, first: number) => number;
    const traffic = (from: number, count: number, first: number) =>
      rt.post(`traffic ${from}`, () => rt.invoke(protocol, 'application', undefined, false, () => sendFrames(from, rt.machine.nic(1 - from).permanentAddress, count, 100, first)));
    rt.startStack();
    rt.run();
    traffic(0, 12, 0);
    traffic(1, 7, 0);
    rt.pauseStack(rt.adapters[0]!);
    rt.run();
    rt.restartStack(rt.adapters[0]!);
    // After the restart has finished, so these frames always flow (the ones above race the pause).
    rt.run();
    traffic(0, 5, 100);
    rt.protocolEvent(protocol, NetEventReconfigure);
    rt.protocolEvent(protocol, NetEventBindsComplete);
    rt.run();
    const received = (protocol.exports.bindings as unknown as { received: number[] }[]).map((b) => b.received.length);
    for (const b of rt.bindings) rt.removeBinding(b);
    rt.run();
    return { hash: await rt.trace.hash(), events: rt.trace.length, findings: rt.verifier.findings.map((f) => f.rule), states: rt.bindings.map((b) => b.state), received };
  } finally {
    await rt.close();
  }
}
