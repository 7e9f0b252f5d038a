// Runs one scenario of a lab against a driver under one seed: builds the machine, loads the
// driver (and the reference drivers the scenario asks for), plays the steps through the runtime
// and checks the expectations against the trace and the machine — never against anything the
// driver says about itself.
//
// Steps run one after another, each to completion, except what an application, the peer or the
// test harness does (traffic, oid, call): it is posted and left to run alongside the next step,
// so a pause or a removal meets frames and requests in flight as the seed decides. The
// application's actions run in the order the scenario gives them (one channel), and so do the
// peer's and the harness's. A pause with afterNs is posted that much later, so it meets what the
// traffic before it has in flight then (with interrupt moderation, whatever the seed).
//
// Per-student variants are resolved first (core/scenario/variants.ts): the scenario's references
// become numbers, and the values become the drivers' configuration (NdisReadConfiguration).

import { NdisRuntime, type DriverRecord, type RuntimeOptions } from '../ndis/runtime.ts';
import { NDIS_DECISIONS, type NdisDecision } from '../ndis/decisions.ts';
import { DriverLoadError } from '../ndis/driver-loader.ts';
import { BugCheck, type Finding } from '../verifier/verifier.ts';
import { numberedFrame } from '../nic/ethernet.ts';
import * as constants from '../ndis/constants.ts';
import { variantValues, resolveScenario } from './variants.ts';
import type { Lab, Scenario, ResolvedScenario, Step, Expectation } from './schema.ts';

export interface ReferenceDrivers {
  protocol: string;
  filter: string;
}

export interface ScenarioRun {
  passed: boolean;
  /** Why it failed: each unmet expectation, or the load error. */
  failures: string[];
  findings: Finding[];
  traceHash: string;
  /** Events in the trace (the shortest failing one is what a learner replays). */
  traceLength: number;
  runtime?: NdisRuntime;
  /** The variant values this run used (the student's, or the defaults). */
  variants: Record<string, number>;
}

export interface RunOptions {
  /** Whose variant values to use; without it, each variant's default. */
  student?: string;
  /** Where the drivers run (default in-process); the trace is the same either way. */
  host?: 'in-process' | 'worker';
  /** Worker host: wall-clock ms a handler call may take before DriverHung. */
  watchdogMs?: number;
  /** Sees the runtime before anything runs (the page's live views and watchdog attach there). */
  observe?: (rt: NdisRuntime) => void;
}

/**
 * The lab's application interface: what a protocol exports so a scenario can make traffic
 * (SendFrames) and OID requests (QueryOid); `call` steps name any other export taking an adapter.
 */
type SendFrames = (index: number, destination: string, count: number, size?: number, first?: number) => number;
type QueryOid = (index: number, oid: number) => number;

/** One virtual second, in ns. */
const NS_PER_SECOND = 1_000_000_000;

const PEER_MAC = '02:00:00:00:00:fe';

export async function runScenario(lab: Lab, authored: Scenario, source: string, file: string, seed: number, references: ReferenceDrivers, options: RunOptions = {}): Promise<ScenarioRun> {
  const variants = variantValues(lab, options.student);
  const { scenario, configuration } = resolveScenario(authored, variants);
  const rt = await NdisRuntime.create({
    nics: scenario.machine.nics, seed, rxRingEntries: 64, txRingEntries: 64, configuration, interruptModerationNs: scenario.machine.interruptModerationNs, // the limits are NDIS's (core/ndis/limits.ts)
    host: options.host, watchdogMs: options.watchdogMs, decisions: decisionPicks(scenario.decisions),
  });
  options.observe?.(rt);
  try {
    const run = await play(rt, lab, scenario, source, file, references, variants);
    // Findings made with none of the driver's code on the stack get the place of their handler's declaration.
    await rt.placeFindings();
    return run;
  } finally {
    await rt.close();
  }
}

async function play(rt: NdisRuntime, lab: Lab, scenario: ResolvedScenario, source: string, file: string, references: ReferenceDrivers, variants: Record<string, number>): Promise<ScenarioRun> {
  if (scenario.machine.cable && scenario.machine.nics >= 2) rt.machine.wire.connect(rt.machine.nic(0).endpoint, rt.machine.nic(1).endpoint);
  let learner: DriverRecord;
  try {
    if (scenario.machine.referenceFilter && lab.kind === 'protocol') await rt.loadDriver(references.filter, 'reference-filter.ts');
    learner = await rt.loadDriver(source, file);
    if (learner.kind !== lab.kind) throw new DriverLoadError(file, `registers as a ${learner.kind} driver; this lab needs a ${lab.kind} driver`);
    if (lab.kind === 'filter' || scenario.machine.referenceProtocol) await rt.loadDriver(references.protocol, 'reference-protocol.ts');
  } catch (error) {
    // A driver that stops the machine in DriverEntry fails the run with its finding and its trace.
    if (error instanceof BugCheck) return { passed: false, failures: [error.message], findings: rt.verifier.findings, traceHash: await rt.trace.hash(), traceLength: rt.trace.length, variants, runtime: rt };
    if (!(error instanceof DriverLoadError)) throw error;
    // What the loader found wrong before the driver could run (RequiredHandlerMissing) goes with the load error.
    return { passed: false, failures: [error.message], findings: rt.verifier.findings, traceHash: await rt.trace.hash(), traceLength: rt.trace.length, variants };
  }
  const app = rt.drivers.find((d) => d.kind === 'protocol')!;
  const sent = new Map<number, number>();
  /** Per adapter: how many frames the peer has sent it (their sequence numbers go on from there). */
  const peerSent = new Map<number, number>();
  /** Per adapter: how many frames the test harness has sent down its stack. */
  const harnessSent = new Map<number, number>();

  // An export the lab's application needs and the driver does not have is the scenario's failure,
  // said once: not a crash of the driver (it never ran), so no HandlerThrew is pinned on it.
  const notExported = new Map<string, string>();
  const exported = <F>(driver: DriverRecord, name: string, signature: string): F | undefined => {
    const fn = driver.exports[name];
    if (typeof fn === 'function') return fn as F;
    if (!notExported.has(name)) {
      notExported.set(name, `the driver exports no ${signature} for the lab's application to call`);
      rt.trace.record('note', { object: `driver ${driver.name}`, text: notExported.get(name)! });
    }
    return undefined;
  };

  const play = (step: Step) => {
    const index = 'adapter' in step ? step.adapter : undefined;
    const adapter = index !== undefined ? rt.adapters[index] : undefined;
    if (index !== undefined && !adapter) throw new Error(`scenario ${scenario.id}: there is no adapter ${index}`);
    switch (step.op) {
      case 'start': return rt.startStack();
      // afterNs: the pause is posted that much later, on the PnP channel, so the traffic before it runs meanwhile.
      case 'pause': return step.afterNs === undefined ? rt.pauseStack(adapter!) : void rt.post(`pause ${adapter!.name} in ${step.afterNs} ns`, () => rt.pauseStack(adapter!), { delayNs: step.afterNs, channel: 'pnp' });
      case 'restart': return rt.restartStack(adapter!);
      case 'unbind': {
        const binding = rt.bindings.find((b) => b.adapter === adapter && b.protocol === app && b.state !== 'Unbound');
        if (binding) rt.removeBinding(binding);
        return;
      }
      case 'bind': return void rt.post(`bind ${app.name} to ${adapter!.name}`, () => void rt.protocols.bind(app, adapter!, () => {}), { channel: 'pnp' });
      case 'pnp': return rt.protocolEvent(app, (constants as unknown as Record<string, number>)[step.event]!, () => {}, step.adapter);
      case 'removeDevice': return rt.operations.removeDevice(adapter!);
      case 'surpriseRemove': return rt.operations.surpriseRemove(adapter!);
      case 'power': return step.state === 'D3' ? rt.operations.sleep(adapter!) : step.state === 'D0' ? rt.operations.wake(adapter!) : rt.operations.powerCycle(adapter!);
      case 'link': return rt.operations.setLink(0, step.up);
      case 'insertFilter': {
        const filter = rt.drivers.find((d) => d.kind === 'filter');
        if (filter) rt.operations.insertFilter(filter, adapter!);
        return;
      }
      case 'removeFilter': {
        const module = rt.filters.modules(adapter!).at(-1);
        if (module) rt.operations.removeFilter(module);
        return;
      }
      case 'unload': return rt.unloadDriver(learner);
      case 'traffic': {
        const other = rt.machine.nics[(step.adapter + 1) % rt.machine.nics.length]!;
        // With a rate, frame i is its own task i/rate seconds on; without, one task sends them all. afterNs puts off the first.
        const start = step.afterNs ?? 0;
        const batches = step.rate === undefined ? [{ delayNs: start, count: step.count }] : Array.from({ length: step.count }, (_, i) => ({ delayNs: start + Math.round((i * NS_PER_SECOND) / step.rate!), count: 1 }));
        if (step.source === 'harness') {
          for (const batch of batches) {
            rt.post('the test harness sends', () => {
              const first = harnessSent.get(step.adapter) ?? 0;
              harnessSent.set(step.adapter, first + rt.harness.send(adapter!, other.permanentAddress, batch.count, step.size, first));
            }, { delayNs: batch.delayNs, channel: 'test harness' });
          }
        } else if (step.source === 'app') {
          for (const batch of batches) {
            rt.post('application sends', () => {
              const send = exported<SendFrames>(app, 'SendFrames', 'SendFrames(adapter, destination, count, size, first)');
              if (send) rt.invoke(app, 'application', undefined, false, () => {
              const first = sent.get(step.adapter) ?? 0;
              sent.set(step.adapter, first + send(step.adapter, other.permanentAddress, batch.count, step.size, first));
              });
            }, { delayNs: batch.delayNs, channel: 'application' });
          }
        } else {
          const target = rt.machine.nic(step.adapter);
          const from = rt.machine.nics.length > 1 ? other.endpoint : target.endpoint;
          let seq = peerSent.get(step.adapter) ?? 0;
          peerSent.set(step.adapter, seq + step.count);
          for (const batch of batches) {
            const firstSeq = seq;
            seq += batch.count;
            rt.post('the peer sends', () => {
              for (let i = 0; i < batch.count; i++) {
                const frame = numberedFrame(step.destination ?? target.permanentAddress, PEER_MAC, firstSeq + i, step.size);
                if (step.etherType !== undefined) frame.set([step.etherType >> 8, step.etherType & 0xff], 12);
                rt.machine.wire.send(from, frame, 'append');
              }
              rt.adapters[step.adapter]!.scheduleDevice();
            }, { delayNs: batch.delayNs, channel: 'peer' });
          }
        }
        return;
      }
      case 'oid': {
        const oid = (constants as unknown as Record<string, number>)[step.oid]!;
        for (let i = 0; i < step.count; i++) {
          rt.post(`application asks for ${step.oid}`, () => {
            const query = exported<QueryOid>(app, 'QueryOid', 'QueryOid(adapter, oid)');
            if (query) rt.invoke(app, 'application', undefined, false, () => query(step.adapter, oid));
          }, { channel: 'application' });
        }
        return;
      }
      case 'call': {
        // The application talks to the protocol: the learner's in a protocol lab, the one above
        // the learner's filter in a filter lab (the lab's own reference protocol can export more).
        rt.post(`application calls ${step.export}(${step.adapter})`, () => {
          const fn = exported<(adapter: number) => unknown>(app, step.export, `${step.export}(adapter)`);
          if (fn) rt.invoke(app, 'application', undefined, false, () => fn(step.adapter));
        }, { channel: 'application' });
        return;
      }
      case 'faults': return rt.machine.wire.setFaults(0, { drop: step.drop, corrupt: step.corrupt, reorder: step.reorder, delayNs: step.delayNs });
      case 'wait': return void rt.post('wait', () => {}, { delayNs: step.ns });
    }
  };

  for (const step of scenario.steps) {
    play(step);
    if (step.op !== 'traffic' && step.op !== 'oid' && step.op !== 'call') rt.run();
    if (rt.stopped) break;
  }
  rt.run();

  const failures = [...notExported.values(), ...scenario.expectations.map((e) => check(rt, app, e)).filter((f): f is string => f !== undefined)];
  return { passed: failures.length === 0, failures, findings: rt.verifier.findings, traceHash: await rt.trace.hash(), traceLength: rt.trace.length, runtime: rt, variants };
}

/** undefined if the expectation holds, else what was expected and what happened. */
function check(rt: NdisRuntime, app: DriverRecord, e: Expectation): string | undefined {
  switch (e.expect) {
    case 'noFindings':
      return rt.verifier.findings.length === 0 ? undefined : `expected no finding; got ${rt.verifier.findings.map((f) => `${f.rule} (${f.message})`).join('; ')}`;
    case 'finding':
      return rt.verifier.findings.some((f) => f.rule === e.rule) ? undefined : `expected the finding ${e.rule}; got ${rt.verifier.findings.map((f) => f.rule).join(', ') || 'none'}`;
    case 'bindingState': {
      const adapter = rt.adapters[e.adapter];
      const binding = rt.bindings.filter((b) => b.adapter === adapter && b.protocol === app).at(-1);
      const state = binding?.state ?? 'Unbound';
      return state === e.state ? undefined : `expected the binding on nic${e.adapter} to be ${e.state}; it is ${state}`;
    }
    case 'moduleState': {
      const module = rt.filters.modules(rt.adapters[e.adapter]!).at(-1);
      const state = module?.state ?? 'Detached';
      return state === e.state ? undefined : `expected the filter module on nic${e.adapter} to be ${e.state}; it is ${state}`;
    }
    case 'framesDelivered': {
      const name = rt.bindings.filter((b) => b.adapter === rt.adapters[e.adapter] && b.protocol === app).map((b) => b.name);
      let frames = 0;
      for (const event of rt.trace.events) {
        if (event.kind === 'receive' && Array.isArray(event.to) && (event.to as string[]).some((t) => name.includes(t))) frames += event.nbls as number;
      }
      return bounded(frames, e, `frames delivered to the protocol on nic${e.adapter}`);
    }
    case 'oidCompleted': {
      const names = rt.bindings.filter((b) => b.adapter === rt.adapters[e.adapter] && b.protocol === app).map((b) => `binding ${b.name}`);
      const oid = `0x${(((constants as unknown as Record<string, number>)[e.oid]!) >>> 0).toString(16).padStart(8, '0')}`;
      let n = 0;
      for (const event of rt.trace.events) {
        if (event.kind !== 'oid-done' || !names.includes(event.object as string) || event.oid !== oid) continue;
        if (e.request !== undefined && event.request !== e.request) continue;
        // statusName gives "NDIS_STATUS_SUCCESS (0x00000000)": the name is the first word.
        if (e.status !== undefined && String(event.status).split(' ')[0] !== e.status) continue;
        if (e.bytesWritten !== undefined && event.bytesWritten !== e.bytesWritten) continue;
        if (e.bytesRead !== undefined && event.bytesRead !== e.bytesRead) continue;
        if (e.bytesNeeded !== undefined && event.bytesNeeded !== e.bytesNeeded) continue;
        n++;
      }
      const what = [e.request, e.oid].filter(Boolean).join(' ') + ' requests completed to the protocol on nic' + e.adapter
        + (e.status ? ` with ${e.status}` : '') + (e.bytesWritten !== undefined ? `, BytesWritten ${e.bytesWritten}` : '') + (e.bytesRead !== undefined ? `, BytesRead ${e.bytesRead}` : '') + (e.bytesNeeded !== undefined ? `, BytesNeeded ${e.bytesNeeded}` : '');
      return bounded(n, e, what);
    }
    case 'statusIndicated': {
      const name = rt.adapters[e.adapter]?.name;
      const n = rt.trace.events.filter((event) => event.kind === 'status' && event.adapter === name && String(event.status).split(' ')[0] === e.status).length;
      return bounded(n, e, `${e.status} indications that came up to the protocols on nic${e.adapter}`);
    }
    case 'counter': {
      const stats = rt.machine.nic(e.adapter).statistics();
      const value = stats[e.register];
      if (value === undefined) return `there is no statistics register ${e.register}`;
      return bounded(value, e, `${e.register} on nic${e.adapter}`);
    }
  }
}

/** undefined if `value` meets every bound given, else what was expected of `what` and what it was. */
function bounded(value: number, e: { atLeast?: number; atMost?: number; exactly?: number }, what: string): string | undefined {
  if (e.exactly !== undefined && value !== e.exactly) return `expected exactly ${e.exactly} ${what}; there were ${value}`;
  if (e.atLeast !== undefined && value < e.atLeast) return `expected at least ${e.atLeast} ${what}; there were ${value}`;
  if (e.atMost !== undefined && value > e.atMost) return `expected at most ${e.atMost} ${what}; there were ${value}`;
  return undefined;
}

/** A scenario's decisions ({ "oid-completion": "pends" }) as the runtime takes them (picks by index). */
function decisionPicks(decisions: Scenario['decisions']): RuntimeOptions['decisions'] {
  if (!decisions) return undefined;
  const picks: NonNullable<RuntimeOptions['decisions']> = {};
  for (const [name, label] of Object.entries(decisions)) {
    if (label === undefined) continue;
    const decision = name as NdisDecision;
    picks[decision] = (NDIS_DECISIONS[decision] as readonly string[]).indexOf(label);
  }
  return picks;
}
