// What the page and the lab runtime worker say to each other: the requests, the sampled views
// a run streams while it goes (trace events, snapshots of states, rings and counters, frames),
// and the outcomes. Plain data only, so it crosses postMessage unchanged.

import type { SeedStatement } from '../../labs/seed-statements.ts';
import type { Finding, SourceLocation } from '../../core/verifier/verifier.ts';
import type { GradeReport } from '../../core/grading/grade.ts';

/** The name the learner's driver runs under (findings, traces and compile errors cite it). */
export const DRIVER_FILE = 'driver.ts';

/** One trace event, as the timeline shows it. */
export interface TimelineEvent {
  /** Trace event number (from 1). */
  n: number;
  /** Virtual time, nanoseconds, as a decimal string (bigints do not cross every boundary). */
  t: string;
  kind: string;
  text: string;
  /** The driver the event is about (the trace's name for it), when there is one. */
  driver?: string;
  /** The binding, filter module or adapter the event is about, when there is one. */
  object?: string;
}

/** One line a driver printed with console.log (info, warn...), where the run was then. */
export interface ConsoleLine {
  /** The last trace event before the line (0: before the first). */
  n: number;
  /** The trace's name for the driver. */
  driver: string;
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
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
  console: ConsoleLine[];
  /** Names drivers registered under (NdisRegisterProtocolDriver's Name, a filter's FriendlyName), by the trace's name, as they register. */
  names: Record<string, string>;
}

/** A verifier finding as the page lists it: the verifier's Finding, with its seed document as `source` and the run's seed. */
export interface FindingView extends Omit<Finding, 'seed'> {
  /** Where the NDIS documentation states the rule (seed document and section). */
  source: string;
  /** The scheduler seed of the run that found it. */
  seed: number;
  scenario?: string;
  /** The seed statements the rule grades in this lab (labs/seed-statements.ts): the sentences the driver broke. */
  seedStatements?: readonly SeedStatement[];
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

/** Live traffic: the learner's filter between the traffic protocol and the NIC, running freely. */
export interface LiveRequest {
  lab: string;
  source: string;
  frames: number;
  /** Frame length without FCS: 60 to 1514 bytes. */
  frameBytes: number;
}

/** The traffic protocol's counts while a live run goes (about every 100 ms). */
export interface LiveProgress {
  sent: number;
  completed: number;
  received: number;
  /** Wall-clock ms since the first send. */
  elapsedMs: number;
}

/** What one thread of the live stack did. */
export interface LiveThreadView {
  thread: string;
  /** Wall-clock ns per frame the thread spent in passes that moved something. */
  busyNsPerFrame: number;
  /** Times it ran out of work and slept. */
  parks: number;
  /** NBL chains it took from its rings. */
  chains: number;
}

export interface LiveOutcome {
  lab: string;
  frames: number;
  frameBytes: number;
  sent: number;
  completed: number;
  received: number;
  /** Frames that arrived damaged, of the wrong length or out of order, and the first of them. */
  damaged: number;
  firstDamage?: string;
  /** Wall-clock ms from the first send to the last frame received (0 unless every frame arrived). */
  elapsedMs: number;
  framesPerSecond: number;
  /** On the wire, FCS included. */
  bitsPerSecond: number;
  threads: LiveThreadView[];
  /** NBLs not back with their owner after the run (a filter that keeps or loses NBLs). */
  outstanding: number;
  /** The filter registered no datapath handlers: NDIS passed the frames around it. */
  filterBypassed: boolean;
  /** The verifier's finding that stopped the run, with its bug check screen. */
  finding?: FindingView;
  bugCheck?: string;
  /** Why the traffic ended before every frame arrived, when no finding did (a stall, Stop). */
  cutShort?: string;
  /** Why the stack could not go live at all (a compile error, a datapath handler missing). */
  problem?: string;
}

/** The lab runtime worker's interface (exposed with comlink). */
export interface LabWorkerApi {
  /** Hands the worker the shared heartbeat the page's watchdog reads. */
  init(heartbeat: SharedArrayBuffer): void;
  run(request: RunRequest, onChunk: (chunk: RunChunk) => void): Promise<RunOutcome>;
  grade(request: GradeRequest, onProgress: (progress: GradeProgress) => void): Promise<GradeOutcome>;
  live(request: LiveRequest, onProgress: (progress: LiveProgress) => void): Promise<LiveOutcome>;
  /**
   * Where the learner's handler `label` ("driver!ProtocolBindAdapterEx") is declared in `source`
   * (core/ndis/handler-places.ts), for a DriverHung finding the page makes after the worker that
   * ran the driver was stopped; undefined for another driver's handler or one without a place.
   */
  handlerDeclaration(source: string, label: string): Promise<SourceLocation | undefined>;
}
