// Grading untrusted code: a child Node process per submission (one more after each hang). The
// child confines driver code with Hardened JavaScript (core/host/confinement.ts); this file is the
// wall around it: Node's permission model (the child may read the NIC's wasm and nothing else; no
// writes, child processes, workers, addons, and on Node 25+ no network), a time limit and a
// memory limit that covers everything the child holds (its resident size, watched from here:
// ArrayBuffers and wasm memory are not in V8's heap limit), then SIGKILL; and a hang watch over
// the child's heartbeat (heartbeat.ts): a driver that keeps control past the hang limit is
// DriverHung in that scenario, the child is killed and a fresh one grades the scenarios after it.
// The child gets only what grading needs (never a reference solution), once. Nothing it sends is
// taken as it comes: each scenario's report is rebuilt from this side's lab (report-check.ts),
// a message out of the protocol (ready, then one per scenario in the lab's order) ends the child,
// and a crash's verdict comes from how it ended (exit code, signal, the memory watch), never from
// text the child wrote after submitted code began to run.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { childProgram } from './bundle.ts';
import type { Readable } from 'node:stream';
import { checkedScenario, labReport, capScenario, ReportMismatch, capText } from './report-check.ts';
import { HeartbeatReader, hangMessage, type Hang } from './heartbeat.ts';
import { traceHashOf } from '../grading/grade.ts';
import { variantValues } from '../scenario/variants.ts';
import type { GradeOptions, GradeReport, ScenarioReport } from '../grading/grade.ts';
import type { ReferenceDrivers } from '../scenario/runner.ts';
import type { Lab, Scenario } from '../scenario/schema.ts';
import type { SourceLocation } from '../verifier/verifier.ts';

export const WASM_PATH = fileURLToPath(new URL('../../wasm/build/nic.wasm', import.meta.url));

/** What the parent sends the child, once: what grading needs, so the child reads no files, and nothing more. */
export interface SandboxJob {
  /** The lab's definition and scenarios, hidden ones included; no solution, starter or instructions. */
  lab: Lab;
  source: string;
  file: string;
  references: ReferenceDrivers;
  options: GradeOptions;
  /** The index of the first scenario to grade (after a hang, the scenario after the one that hung). */
  first: number;
}

/** The fields of a lab grading reads (a LoadedLab also carries its files' text: the solution among them). */
function gradingLab(lab: Lab): Lab {
  const { dir: _dir, instructionsText: _instructions, starterSource: _starter, solutionSource: _solution, ...definition } = lab as Lab & Record<string, unknown>;
  return definition as Lab;
}

export interface SandboxLimits {
  /** Wall-clock limit for the whole grading, child start-up included (milliseconds). */
  timeLimitMs: number;
  /** The child's memory limit (MiB): its resident size, and its V8 heap too. */
  memoryMiB: number;
  /**
   * Wall-clock milliseconds the driver may keep control (one handler call with the NDIS calls and
   * handlers it leads to; or its code NDIS runs outside a handler) before it is DriverHung:
   * DEFAULT_HANG_MS when not given.
   */
  hangMs?: number;
}

/** How often the parent reads the child's resident size (milliseconds). */
const MEMORY_WATCH_MS = 20;
/** The most a child's message may hold (bytes of JSON, as the parent measures it after the fact). */
const MESSAGE_LIMIT = 8 << 20;

/**
 * The hang limit when none is given (SandboxLimits.hangMs). Measured: grading each course lab's
 * solution under 8 seeds, sandboxed, two labs at once on a 2-core machine at load average 8, the
 * longest gap between two heartbeat lines was 0.31 s (a run starting: its drivers compiled and
 * loaded); handlers themselves take microseconds. The page's Run stops a handler after the same
 * 2 s. A driver that hangs in every scenario costs about this much plus a child's start-up (0.2 to
 * 0.4 s) per scenario, so the 30 s time limit covers a lab of 12.
 */
export const DEFAULT_HANG_MS = 2000;

/**
 * The default limits. Time: what the course's reference solutions need under `nic-lab grade` (8
 * seeds, sandboxed), measured on a 2-core machine already loaded by another test run (load
 * average 5 to 6) with two grades at once, `/usr/bin/time -v node bin/nic-lab.js grade labs/<lab>
 * labs/<lab>/solution.ts` for each lab: 5.2 s (protocol-binding) to 13.4 s (datapath), the child
 * included. 30 s is more than twice the slowest, so a correct driver on a busy grader is not timed
 * out, while a class's hanging submissions cost half what the former 60 s did. Memory: the same
 * runs peaked at 120-130 MiB resident; 512 MiB leaves a correct driver room.
 */
export const DEFAULT_LIMITS: SandboxLimits = { timeLimitMs: 30_000, memoryMiB: 512, hangMs: DEFAULT_HANG_MS };


/**
 * How a sandboxed grading ended. 'grader error' is the grader's own failure, not the submission's:
 * the child died before it said it was ready, that is before any submitted code ran (a Node that
 * refuses a flag, a missing file), so nothing the submission did can produce it or its reason.
 */
export type SandboxOutcome =
  | { status: 'graded'; report: GradeReport; scenarioSeconds?: number[] }
  | { status: 'timed out' | 'out of memory' | 'crashed' | 'grader error'; reason: string };

const FindingSchema = z.object({ rule: z.string(), driver: z.string(), message: z.string(), event: z.number() });
const ScenarioReportSchema = z.object({
  id: z.string(), title: z.string(), hidden: z.boolean(), points: z.number(), maxPoints: z.number(), passed: z.boolean(),
  failingSeed: z.number().optional(), shortestFailingSeed: z.number().optional(), shortestTraceEvents: z.number().optional(),
  failingSeeds: z.array(z.number()).optional(), failures: z.array(z.string()), findings: z.array(FindingSchema),
});
const ReadySchema = z.object({ ready: z.literal(true) }).strict();
const ResultSchema = z.union([z.object({ scenario: ScenarioReportSchema, hashes: z.array(z.string()), seconds: z.number().optional() }).strict(), z.object({ error: z.string() }).strict()]);

/**
 * The permission model's flag for the running Node: Node 20 accepts only --experimental-permission,
 * Node 24 and later only --permission, Node 22 both (a child given the other exits 9, "bad option").
 */
export function permissionFlag(flags: ReadonlySet<string> = process.allowedNodeEnvironmentFlags): string {
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  throw new Error(`this Node (${process.version}) has no permission model; grading needs Node 20.10 or later`);
}

/** The child's command line: the permission model, the heap limit, the program on stdin. */
export function childArguments(limits: SandboxLimits): string[] {
  return [
    permissionFlag(),
    `--allow-fs-read=${WASM_PATH}`,
    // Not --disallow-code-generation-from-strings: SES evaluates each driver in its compartment
    // through eval, and its compartments' own eval and Function take the flag's place (core/grading/README.md, the threat model).
    `--max-old-space-size=${limits.memoryMiB}`,
    '--no-warnings',
    '--input-type=module',
    '-',
  ];
}

/** The resident size of process `pid` in bytes (Linux: /proc; elsewhere undefined, and only the heap limit holds). */
async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8');
    return Number(statm.split(' ')[1]) * PAGE_BYTES;
  } catch {
    return undefined;
  }
}
/** Linux's page size on every platform Node ships for. */
const PAGE_BYTES = 4096;

/** What one child's grading came to: every scenario it was given, a hang, or an outcome for the whole submission. */
type ChildEnd =
  | { kind: 'done' }
  | { kind: 'hung'; hang: Hang; seconds: number }
  | { kind: 'stopped'; outcome: SandboxOutcome };

/** A driver's name in the engine (and in its handlers' labels): its file name without the folder and extension. */
const driverName = (file: string) => file.replace(/^.*[\\/]/, '').replace(/\.[jt]s$/, '');

/**
 * The report of the scenario a driver hung in: 0 points, a DriverHung finding naming the driver
 * and the handler, the seed it hung under. Its other seeds are not run (they would cost the hang
 * limit again each); every other scenario is graded in a fresh child.
 */
function hungReport(scenario: Scenario, index: number, hang: Hang, hangMs: number, learner: string, seeds: { first: number; count: number }, declaredAt: (handler: string) => SourceLocation | undefined): ScenarioReport {
  const { message, event, handler } = hangMessage(hang, hangMs);
  // Where the handler that did not return is declared. Not where it is stuck: the child's stack
  // is not readable from here (the child is killed, and what it said would be its driver's word),
  // so the place is the handler's declaration, read from the source this side holds. A driver
  // that kept control outside a handler, or ran without end between handlers, has no place.
  const stuck = hang.how !== 'endless' && hang.state.inner !== undefined && hang.state.outermost !== undefined && handler.startsWith(`${learner}!`);
  const location = stuck ? declaredAt(handler) : undefined;
  // The seed is the heartbeat's word, taken when it is one of this scenario's seeds.
  const seed = hang.state.scenario === index && hang.state.seed >= seeds.first && hang.state.seed < seeds.first + seeds.count ? hang.state.seed : undefined;
  return capScenario({
    id: scenario.id, title: scenario.title, hidden: scenario.hidden, points: 0, maxPoints: scenario.points, passed: false,
    ...(seed !== undefined ? { failingSeed: seed, shortestFailingSeed: seed, shortestTraceEvents: event, failingSeeds: [seed] } : {}),
    failures: [`the run${seed !== undefined ? ` under seed ${seed}` : ''} did not finish: the driver hung (the DriverHung finding says where); this scenario scores 0 without its other seeds, and the other scenarios were graded in a fresh process`],
    findings: [{ rule: 'DriverHung', driver: learner, message, event, ...(location ? { location } : {}) }],
  });
}

/**
 * The grading parent's wall clock, in ms. On purpose: the time limit, the hang limit and the
 * resident-size watch guard the grading process against the submission; they are outside the
 * engine and never decide a trace (the child's runs use the virtual clock and seeded scheduler).
 * The parent's own clock, not anything the child reports, decides that a driver hung
 * (core/grading/README.md, threat model).
 */
const wallClockMs = (): number => performance.now();

/**
 * Grades `source` against `lab` in sandboxed child processes. Never throws for what the
 * submission does. One child grades the scenarios in order; when the driver hangs (heartbeat.ts)
 * the child is killed, that scenario gets DriverHung, and a fresh child grades the ones after it.
 * The time limit bounds all of it together.
 */
export async function gradeInSandbox(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions, limits: SandboxLimits = DEFAULT_LIMITS, nodeArguments: string[] = childArguments(limits)): Promise<SandboxOutcome> {
  if (!existsSync(WASM_PATH)) throw new Error(`the virtual NIC is not built (${WASM_PATH} is missing): run \`npm run build\` first`);
  const program = await childProgram();
  const variants = variantValues(lab, options.student);
  const hangMs = limits.hangMs ?? DEFAULT_HANG_MS;
  const deadline = wallClockMs() + limits.timeLimitMs;
  const learner = driverName(file);
  const scenarios: ScenarioReport[] = [];
  const hashes: string[] = [];
  const seconds: (number | undefined)[] = [];
  const firstSeed = options.firstSeed ?? 1;
  while (scenarios.length < lab.scenarios.length) {
    const first = scenarios.length;
    const job: SandboxJob = { lab: gradingLab(lab), source, file, references, options: { seeds: options.seeds, firstSeed: options.firstSeed, student: options.student }, first };
    const end = await gradeInChild(lab, job, program, limits, deadline, hangMs, nodeArguments, (report, runHashes, t) => {
      scenarios.push(report);
      hashes.push(...runHashes);
      seconds.push(t);
    });
    if (end.kind === 'stopped') return end.outcome;
    if (end.kind === 'hung') {
      const index = scenarios.length;
      const scenario = lab.scenarios[index]!;
      // Read from the source only now that a driver hung (acorn and a compile: a driver that does not hang never pays).
      const modules = await Promise.all([import('../ndis/handler-places.ts'), import('../ndis/handler-labels.ts')]).catch(() => undefined);
      let places: ReturnType<typeof import('../ndis/handler-places.ts').handlerPlaces> | undefined;
      const declaredAt = (handler: string) => (modules ? modules[1].handlerLocation((places ??= modules[0].handlerPlaces(source, file)), file, handler) : undefined);
      scenarios.push(hungReport(scenario, index, end.hang, hangMs, learner, { first: firstSeed, count: scenario.seeds ?? options.seeds ?? 8 }, declaredAt));
      hashes.push(`hung ${scenario.id}`);
      seconds.push(end.seconds);
    }
  }
  const report = labReport(lab, scenarios, variants, await traceHashOf(hashes));
  // Timings are the child's word (the parent's for a hang), used only for JUnit's `time`: kept
  // when each is one plausible figure, else dropped.
  const plausible = seconds.every((t) => t !== undefined && Number.isFinite(t) && t >= 0 && t <= limits.timeLimitMs / 1000);
  return { status: 'graded', report, ...(plausible ? { scenarioSeconds: seconds as number[] } : {}) };
}

/**
 * One child: started, sent `job`, read until it has reported every scenario from `job.first` on
 * (each checked and handed to `onScenario`), the driver hangs, or it ends otherwise.
 */
function gradeInChild(lab: Lab, job: SandboxJob, program: Uint8Array, limits: SandboxLimits, deadline: number, hangMs: number, nodeArguments: string[], onScenario: (report: ScenarioReport, hashes: string[], seconds: number | undefined) => void): Promise<ChildEnd> {
  const memoryLimitBytes = limits.memoryMiB * 1024 * 1024;
  const defaultSeeds = job.options.seeds ?? 8;
  let next = job.first;
  return new Promise<ChildEnd>((resolve) => {
    if (deadline - wallClockMs() <= 0) return resolve({ kind: 'stopped', outcome: timedOut(limits) });
    const child = spawn(process.execPath, nodeArguments, { stdio: ['pipe', 'ignore', 'pipe', 'ipc', 'pipe'], env: {}, cwd: '/', serialization: 'advanced' });
    let settled = false;
    let ready = false;
    /** Set when this side ended the child, so that its exit is read as this side's verdict. */
    let verdict: ChildEnd | undefined;
    let stderrTail = '';
    let engineError: string | undefined;
    const heartbeat = new HeartbeatReader();
    /** When the scenario now being graded began, as this side saw it. */
    let scenarioStarted = wallClockMs();
    const finish = (end: ChildEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      child.kill('SIGKILL');
      resolve(end);
    };
    /** Ends the child now; `end` is the verdict whatever it does next. */
    const stop = (end: ChildEnd) => {
      verdict ??= end;
      finish(verdict);
    };
    const stopWith = (outcome: SandboxOutcome) => stop({ kind: 'stopped', outcome });
    const timer = setTimeout(() => stopWith(timedOut(limits)), deadline - wallClockMs());
    // V8's heap limit does not cover ArrayBuffers or wasm memory: the resident size does.
    let reading = false;
    const watch = setInterval(() => {
      const now = wallClockMs();
      const hang = heartbeat.hung(now, hangMs);
      if (hang) return stop({ kind: 'hung', hang, seconds: (now - scenarioStarted) / 1000 });
      if (reading || child.pid === undefined) return;
      reading = true;
      void residentBytes(child.pid).then((bytes) => {
        reading = false;
        if (bytes !== undefined && bytes > memoryLimitBytes) stopWith({ status: 'out of memory', reason: `out of memory: the grading process held ${Math.round(bytes / 1048576)} MiB, over the ${limits.memoryMiB} MiB limit` });
      });
    }, MEMORY_WATCH_MS);

    child.stdin!.on('error', () => {}); // a child that dies early closes the pipe; its exit says why
    child.stdin!.end(program);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Read only while no submitted code has run (then it is Node's or the grader's own text).
      if (!ready) stderrTail = (stderrTail + chunk).slice(-4096);
    });
    const beats = child.stdio[4] as Readable | null;
    beats?.on('error', () => {});
    beats?.on('data', (chunk: Buffer) => {
      if (ready) heartbeat.feed(chunk, wallClockMs());
    });
    const brokeProtocol = (what: string) => stopWith({ status: 'crashed', reason: `crashed: the grading process ${what}, so nothing it said was used` });
    child.on('message', (message: unknown) => {
      if (settled) return;
      if (!ready) {
        if (!ReadySchema.safeParse(message).success) return brokeProtocol('spoke before it was ready');
        ready = true;
        scenarioStarted = wallClockMs();
        child.send(job);
        return;
      }
      if (engineError !== undefined || next >= lab.scenarios.length) return brokeProtocol('sent more than it was asked for');
      heartbeat.touch(wallClockMs());
      let size: number;
      try {
        size = JSON.stringify(message).length;
      } catch {
        return brokeProtocol('sent a result that is not data');
      }
      if (size > MESSAGE_LIMIT) return brokeProtocol(`sent a result of ${size} bytes (the limit is ${MESSAGE_LIMIT})`);
      const reply = ResultSchema.safeParse(message);
      if (!reply.success) return brokeProtocol('sent a result that is not a report');
      const data = reply.data;
      if ('error' in data) {
        engineError = capText(data.error);
        return;
      }
      const scenario = lab.scenarios[next]!;
      const seeds = scenario.seeds ?? defaultSeeds;
      if (data.hashes.length !== seeds || !data.hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) return brokeProtocol(`sent scenario "${scenario.id}" without one trace hash per seed`);
      let report: ScenarioReport;
      try {
        report = checkedScenario(scenario, data.scenario as ScenarioReport);
      } catch (error) {
        if (!(error instanceof ReportMismatch)) throw error;
        return brokeProtocol(`sent a report that is not one of this lab (${error.message})`);
      }
      onScenario(report, data.hashes, data.seconds);
      next++;
      scenarioStarted = wallClockMs();
      if (next === lab.scenarios.length) finish({ kind: 'done' });
    });
    child.on('error', (error) => finish({ kind: 'stopped', outcome: { status: 'grader error', reason: `grader error: the grading process could not start (${error.message})` } }));
    child.on('close', (code, signal) => {
      if (verdict) return finish(verdict);
      const ended = signal ? `signal ${signal}` : `exit code ${code}`;
      // Before "ready" no submitted code has run, so what the child printed is Node's or the grader's own.
      if (!ready) stopWith({ status: 'grader error', reason: `grader error: the grading process ended before grading began (${ended})${stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}` });
      // V8 aborts the process when the heap limit is reached (SIGABRT; exit code 134 through a shell).
      else if (signal === 'SIGABRT' || code === 134) stopWith({ status: 'out of memory', reason: `out of memory: the ${limits.memoryMiB} MiB heap limit was reached` });
      else if (engineError !== undefined) stopWith({ status: 'crashed', reason: `crashed: grading stopped with an error (${engineError})` });
      else stopWith({ status: 'crashed', reason: `crashed: the grading process ended before it had reported every scenario (${ended})` });
    });
  });
}

function timedOut(limits: SandboxLimits): SandboxOutcome {
  return { status: 'timed out', reason: `timed out: no result within ${limits.timeLimitMs / 1000} s` };
}
