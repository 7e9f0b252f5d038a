// What the page and the lab runtime worker say to each other: the requests, the sampled views
// a run streams while it goes (trace events, snapshots of states, rings and counters, frames),
// and the outcomes. Plain data only, so it crosses postMessage unchanged.

import type { Finding } from '../../core/verifier/verifier.ts';
import type { GradeReport } from '../../core/grading/grade.ts';

/** One trace event, as the timeline shows it. */
export interface TimelineEvent {
  /** Trace event number (from 1). */
  n: number;
  /** Virtual time, nanoseconds, as a decimal string (bigints do not cross every boundary). */
  t: string;
  kind: string;
  text: string;
}

export type MachineKind = 'binding' | 'module' | 'adapter';

/** A state machine object (binding, filter module, miniport adapter) at one point of a run. */
export interface ObjectState {
  /** The trace's name for it, e.g. "binding driver-nic0". */
  object: string;
  machine: MachineKind;
  state: string;
  /** The transition that led here, if any. */
  from?: string;
  on?: string;
  /** Trace event number of that transition. */
  changedAt?: number;
}

export interface RingView {
  entries: number;
  head: number;
  tail: number;
  /** One character per descriptor: '1' when its DD (descriptor done) bit is set. */
  done: string;
}

export interface NicView {
  index: number;
  name: string;
  mac: string;
  tx: RingView;
  rx: RingView;
  /** Statistics registers (read without clearing them). */
  counters: Record<string, number>;
}

/** The sampled state of the machine at trace event `n`. */
export interface Snapshot {
  n: number;
  t: string;
  objects: ObjectState[];
  nics: NicView[];
  /** Counters of the cable between the NICs, when there is one. */
  wire?: Record<string, number | boolean>;
  findings: number;
}

/** A frame one of the NIC ports saw on the wire. */
export interface FrameView {
  /** Trace event number of the frame event. */
  n: number;
  t: string;
  nic: number;
  direction: 'tx' | 'rx';
  bytes: Uint8Array;
  corrupted: boolean;
  delayed: boolean;
  reordered: boolean;
}

/** What a run streams to the page while it goes. */
export interface RunChunk {
  events: TimelineEvent[];
  snapshots: Snapshot[];
  frames: FrameView[];
}

/** A verifier finding as the page lists it: the verifier's Finding, with its seed document as `source` and the run's seed. */
export interface FindingView extends Omit<Finding, 'seed'> {
  /** Where the NDIS documentation states the rule (seed document and section). */
  source: string;
  /** The scheduler seed of the run that found it. */
  seed: number;
  scenario?: string;
}

export interface RunRequest {
  lab: string;
  scenario: string;
  source: string;
  seed: number;
}

export interface RunOutcome {
  lab: string;
  scenario: string;
  seed: number;
  passed: boolean;
  failures: string[];
  findings: FindingView[];
  traceHash: string;
  traceLength: number;
  /** The bug check screen when a fatal finding stopped the machine. */
  bugCheck?: string;
  /** The run's frames as a pcapng capture. */
  pcapng: Uint8Array;
  /** The timeline was cut at this many events (the trace itself is complete). */
  eventsShown: number;
}

export interface GradeRequest {
  lab: string;
  source: string;
  seeds: number;
}

export interface GradeProgress {
  scenario: string;
  scenarioIndex: number;
  scenarioCount: number;
  seed: number;
}

export type GradeOutcome = GradeReport;

/** The lab runtime worker's interface (exposed with comlink). */
export interface LabWorkerApi {
  /** Hands the worker the shared heartbeat the page's watchdog reads. */
  init(heartbeat: SharedArrayBuffer): void;
  run(request: RunRequest, onChunk: (chunk: RunChunk) => void): Promise<RunOutcome>;
  grade(request: GradeRequest, onProgress: (progress: GradeProgress) => void): Promise<GradeOutcome>;
}
