// Samples a run for the live views, inside the lab runtime worker: every trace event becomes a
// timeline line; a snapshot of the state machines, the descriptor rings and the counters is taken
// at every state change and finding and otherwise every few events (the views sample, they do
// not copy the machine at every step); frames the taps saw are kept with their bytes. What has
// been gathered is handed to `flush` in chunks while the run goes, so the page can show it live.
//
// Console lines the drivers print are kept with the trace event they came after, and the names
// drivers register under (NdisRegisterProtocolDriver's Name) are sent along for the page's text.
//
// Sampling is by trace event number, so the same run gives the same snapshots; only the moments
// chunks are flushed depend on the wall clock.

import type { NdisRuntime } from '../../core/ndis/runtime.ts';
import type { TraceEvent } from '../../core/trace/trace.ts';
import { txStatus, rxStatus, DESC_SIZE } from '../../core/nic/descriptors.ts';
import { TXD_STAT_DD, RXD_STAT_DD } from '../../wasm/e1000/registers.ts';
import type { Nic } from '../../core/nic/nic.ts';
import type { RegisterName } from '../../core/nic/registers.ts';
import { describeEvent } from './event-text.ts';
import type { ConsoleLine, FrameView, MachineKind, NicView, ObjectState, RingView, RunChunk, Snapshot, TimelineEvent } from './protocol.ts';

/** Statistics registers the counters view shows. */
export const SHOWN_COUNTERS: readonly RegisterName[] = ['GPTC', 'GPRC', 'TPT', 'TPR', 'BPRC', 'MPRC', 'CRCERRS', 'MPC', 'RNBC', 'RUC', 'ROC'];

export interface RecorderLimits {
  /** Timeline events kept (later events are counted, not kept). */
  events: number;
  /** Frames kept with their bytes. */
  frames: number;
  /** Snapshots kept; past it, sampling thins out. */
  snapshots: number;
  /** Events between two periodic snapshots at the start. */
  sampleEvery: number;
  /** Wall-clock milliseconds between two flushes. */
  flushMs: number;
  /** Console lines kept (later ones are counted, and said so). */
  console: number;
}

const DEFAULT_LIMITS: RecorderLimits = { events: 50_000, frames: 5_000, snapshots: 4_000, sampleEvery: 16, flushMs: 40, console: 2_000 };

/** The NDIS calls that register a driver, and the field of their trace event that carries its name. */
const REGISTRATIONS: ReadonlySet<string> = new Set(['NdisRegisterProtocolDriver', 'NdisFRegisterFilterDriver']);
/** The longest registered name the page shows (a driver writes it). */
const NAME_LIMIT = 64;

const emptyChunk = (): RunChunk => ({ events: [], snapshots: [], frames: [], console: [], names: {} });

function machineOf(object: string): MachineKind | undefined {
  if (object.startsWith('binding ')) return 'binding';
  if (object.startsWith('filter module ')) return 'module';
  if (object.startsWith('adapter ')) return 'adapter';
  return undefined;
}

function ring(sizeBytes: number, head: number, tail: number, isDone: (i: number) => boolean): RingView {
  const entries = sizeBytes / DESC_SIZE;
  let done = '';
  for (let i = 0; i < entries; i++) done += isDone(i) ? '1' : '0';
  return { entries, head, tail, done };
}

export class RunRecorder {
  private readonly limits: RecorderLimits;
  private readonly objects = new Map<string, ObjectState>();
  private pending: RunChunk = emptyChunk();
  private consoleKept = 0;
  private consoleDropped = 0;
  /** Registered names by the trace's driver names. */
  private readonly names: Record<string, string> = {};
  private eventsKept = 0;
  private framesKept = 0;
  private snapshotsKept = 0;
  private sampleEvery: number;
  private lastSnapshot = 0;
  private lastFlush = performance.now();

  constructor(private readonly rt: NdisRuntime, private readonly flush: (chunk: RunChunk) => void, limits: Partial<RecorderLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.sampleEvery = this.limits.sampleEvery;
    rt.trace.onEvent((event) => this.onEvent(event));
  }

  /** Timeline events kept so far. */
  get eventsShown(): number {
    return this.eventsKept;
  }

  /** A line a driver printed (the host's console sink): kept with the last trace event. */
  console(fileName: string, level: ConsoleLine['level'], text: string): void {
    if (this.consoleKept >= this.limits.console) {
      this.consoleDropped++;
      return;
    }
    this.consoleKept++;
    const driver = fileName.replace(/^.*[\\/]/, '').replace(/\.[jt]s$/, '');
    this.pending.console.push({ n: this.rt.trace.length, driver, level, text });
  }

  private onEvent(event: TraceEvent): void {
    const fields = event as Record<string, unknown>;
    if (event.kind === 'ndis' && REGISTRATIONS.has(String(fields.call)) && typeof fields.name === 'string' && typeof fields.driver === 'string' && fields.name.trim() !== '') {
      const name = fields.name.trim().slice(0, NAME_LIMIT);
      this.names[fields.driver] = name;
      this.pending.names[fields.driver] = name;
    }
    if (this.eventsKept < this.limits.events) {
      const driver = typeof fields.driver === 'string' ? fields.driver : undefined;
      const object = typeof fields.object === 'string' ? fields.object : typeof fields.adapter === 'string' ? fields.adapter : undefined;
      this.pending.events.push({
        n: event.n, t: event.t.toString(), kind: event.kind, text: describeEvent(event, this.names),
        ...(driver !== undefined ? { driver } : {}), ...(object !== undefined ? { object } : {}),
      } satisfies TimelineEvent);
      this.eventsKept++;
    }
    let significant = event.kind === 'finding' || event.kind === 'bugcheck';
    if (event.kind === 'state') {
      const object = String(event.object);
      const machine = machineOf(object);
      if (machine) {
        this.objects.set(object, { object, machine, state: String(event.to), from: String(event.from), on: String(event.on), changedAt: event.n });
        significant = true;
      }
    }
    if (event.kind === 'frame' && this.framesKept < this.limits.frames) {
      const record = this.rt.frames.at(-1);
      if (record) {
        this.pending.frames.push({
          n: event.n, t: record.timestampNs.toString(), nic: record.nic, direction: record.direction, bytes: record.bytes.slice(),
          corrupted: record.corrupted, delayed: record.delayed, reordered: record.reordered,
        } satisfies FrameView);
        this.framesKept++;
      }
    }
    if (significant || event.n - this.lastSnapshot >= this.sampleEvery) this.snapshot(event.n, event.t);
    if (performance.now() - this.lastFlush >= this.limits.flushMs) this.send();
  }

  private snapshot(n: number, t: bigint): void {
    this.lastSnapshot = n;
    this.snapshotsKept++;
    // Past the budget, periodic samples come half as often (state changes and findings always count).
    if (this.snapshotsKept > this.limits.snapshots) {
      this.sampleEvery *= 2;
      this.snapshotsKept = 0;
    }
    const machine = this.rt.machine;
    const nics = machine.nics.map((nic) => this.nicView(nic));
    const link = machine.nics.length > 0 ? machine.wire.linkAt(machine.nic(0).endpoint) : undefined;
    const snapshot: Snapshot = {
      n, t: t.toString(),
      objects: [...this.objects.values()].map((o) => ({ ...o })),
      nics,
      findings: this.rt.verifier.findings.length,
      ...(link !== undefined ? { wire: { ...machine.wire.stats(link) } } : {}),
    };
    this.pending.snapshots.push(snapshot);
  }

  private nicView(nic: Nic): NicView {
    const bytes = this.rt.machine.bytes;
    const tx = nic.regions.txRing;
    const rx = nic.regions.rxRing;
    const stats = nic.statistics();
    const counters: Record<string, number> = {};
    for (const name of SHOWN_COUNTERS) counters[name] = stats[name] ?? 0;
    return {
      index: nic.index,
      name: `nic${nic.index}`,
      mac: nic.permanentAddress,
      tx: ring(tx.bytes, nic.peek('TDH'), nic.peek('TDT'), (i) => (txStatus(bytes, tx.base, i) & TXD_STAT_DD) !== 0),
      rx: ring(rx.bytes, nic.peek('RDH'), nic.peek('RDT'), (i) => (rxStatus(bytes, rx.base, i) & RXD_STAT_DD) !== 0),
      counters,
    };
  }

  private send(): void {
    this.lastFlush = performance.now();
    const chunk = this.pending;
    if (chunk.events.length === 0 && chunk.snapshots.length === 0 && chunk.frames.length === 0 && chunk.console.length === 0 && Object.keys(chunk.names).length === 0) return;
    this.pending = emptyChunk();
    this.flush(chunk);
  }

  /** The run ended: one last snapshot of where it stopped, and everything not yet sent. */
  finish(): void {
    const last = this.rt.trace.events.at(-1);
    if (last && last.n !== this.lastSnapshot) this.snapshot(last.n, last.t);
    if (this.consoleDropped > 0) {
      this.pending.console.push({ n: this.rt.trace.length, driver: '', level: 'info', text: `(${this.consoleDropped} more console lines were not kept: the page keeps the first ${this.limits.console})` });
      this.consoleDropped = 0;
    }
    this.send();
  }
}
