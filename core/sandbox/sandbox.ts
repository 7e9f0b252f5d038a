// Grading untrusted code: one child Node process per submission. The child confines driver code
// with Hardened JavaScript (core/host/confinement.ts); this file is the wall around it: Node's
// permission model (the child may read the NIC's wasm and nothing else; no writes, child
// processes, workers, addons, and on Node 25+ no network), a time limit and a memory limit
// that covers everything the child holds (its resident size, watched from here: ArrayBuffers and
// wasm memory are not in V8's heap limit), then SIGKILL. The child gets only what grading needs
// (never a reference solution), once. Nothing it sends is taken as it comes: the report is
// rebuilt from this side's lab (report-check.ts), every message past the two the protocol has
// ends the child, and a crash's verdict comes from how it ended (exit code, signal, the memory
// watch), never from text the child wrote after submitted code began to run.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { childProgram } from './bundle.ts';
import { checkedReport, ReportMismatch, capText } from './report-check.ts';
import { variantValues } from '../scenario/variants.ts';
import type { GradeOptions, GradeReport } from '../grading/grade.ts';
import type { ReferenceDrivers } from '../scenario/runner.ts';
import type { Lab } from '../scenario/schema.ts';

export const WASM_PATH = fileURLToPath(new URL('../../wasm/build/nic.wasm', import.meta.url));

/** What the parent sends the child, once: what grading needs, so the child reads no files, and nothing more. */
export interface SandboxJob {
  /** The lab's definition and scenarios, hidden ones included; no solution, starter or instructions. */
  lab: Lab;
  source: string;
  file: string;
  references: ReferenceDrivers;
  options: GradeOptions;
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
}

/** How often the parent reads the child's resident size (milliseconds). */
const MEMORY_WATCH_MS = 20;
/** The most a child's message may hold (bytes of JSON, as the parent measures it after the fact). */
const MESSAGE_LIMIT = 8 << 20;

/**
 * The default limits. Time: what the course's reference solutions need under `nic-lab grade` (8
 * seeds, sandboxed), measured on a 2-core machine already loaded by another test run (load
 * average 5 to 6) with two grades at once, `/usr/bin/time -v node bin/nic-lab.js grade labs/<lab>
 * labs/<lab>/solution.ts` for each lab: 5.2 s (protocol-binding) to 13.4 s (datapath), the child
 * included. 30 s is more than twice the slowest, so a correct driver on a busy grader is not timed
 * out, while a class's hanging submissions cost half what the former 60 s did. Memory: the same
 * runs peaked at 120-130 MiB resident; 512 MiB leaves a correct driver room.
 */
export const DEFAULT_LIMITS: SandboxLimits = { timeLimitMs: 30_000, memoryMiB: 512 };

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
const GradeReportSchema = z.object({ lab: z.string(), score: z.number(), maxScore: z.number(), scenarios: z.array(ScenarioReportSchema), variants: z.record(z.string(), z.number()), traceHash: z.string() });
const ReadySchema = z.object({ ready: z.literal(true) }).strict();
const ResultSchema = z.union([z.object({ report: GradeReportSchema, seconds: z.array(z.number()).optional() }).strict(), z.object({ error: z.string() }).strict()]);

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

/** Grades `source` against `lab` in a sandboxed child process. Never throws for what the submission does. */
export async function gradeInSandbox(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions, limits: SandboxLimits = DEFAULT_LIMITS, nodeArguments: string[] = childArguments(limits)): Promise<SandboxOutcome> {
  if (!existsSync(WASM_PATH)) throw new Error(`the virtual NIC is not built (${WASM_PATH} is missing): run \`npm run build\` first`);
  const program = await childProgram();
  const job: SandboxJob = { lab: gradingLab(lab), source, file, references, options: { seeds: options.seeds, firstSeed: options.firstSeed, student: options.student } };
  const variants = variantValues(lab, options.student);
  const memoryLimitBytes = limits.memoryMiB * 1024 * 1024;

  return new Promise<SandboxOutcome>((resolve) => {
    const child = spawn(process.execPath, nodeArguments, { stdio: ['pipe', 'ignore', 'pipe', 'ipc'], env: {}, cwd: '/', serialization: 'advanced' });
    let settled = false;
    let ready = false;
    let answered = false;
    /** Set when this side ended the child, so that its exit is read as this side's verdict. */
    let verdict: SandboxOutcome | undefined;
    let stderrTail = '';
    let engineError: string | undefined;
    const finish = (outcome: SandboxOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    /** Ends the child now; `outcome` is the verdict whatever it does next. */
    const stop = (outcome: SandboxOutcome) => {
      verdict ??= outcome;
      finish(verdict);
    };
    const timer = setTimeout(() => stop({ status: 'timed out', reason: `timed out: no result within ${limits.timeLimitMs / 1000} s` }), limits.timeLimitMs);
    // V8's heap limit does not cover ArrayBuffers or wasm memory: the resident size does.
    let reading = false;
    const watch = setInterval(() => {
      if (reading || child.pid === undefined) return;
      reading = true;
      void residentBytes(child.pid).then((bytes) => {
        reading = false;
        if (bytes !== undefined && bytes > memoryLimitBytes) stop({ status: 'out of memory', reason: `out of memory: the grading process held ${Math.round(bytes / 1048576)} MiB, over the ${limits.memoryMiB} MiB limit` });
      });
    }, MEMORY_WATCH_MS);

    child.stdin!.on('error', () => {}); // a child that dies early closes the pipe; its exit says why
    child.stdin!.end(program);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      // Read only while no submitted code has run (then it is Node's or the grader's own text).
      if (!ready) stderrTail = (stderrTail + chunk).slice(-4096);
    });
    const brokeProtocol = (what: string) => stop({ status: 'crashed', reason: `crashed: the grading process ${what}, so nothing it said was used` });
    child.on('message', (message: unknown) => {
      if (answered) return brokeProtocol('sent more than one result');
      if (!ready) {
        if (!ReadySchema.safeParse(message).success) return brokeProtocol('spoke before it was ready');
        ready = true;
        child.send(job);
        return;
      }
      answered = true;
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
      try {
        const report = checkedReport(lab, data.report as GradeReport, variants);
        // Timings are the child's word, used only for JUnit's `time`: kept when they are one
        // plausible figure per scenario, else dropped.
        const seconds = data.seconds;
        const plausible = seconds?.length === lab.scenarios.length && seconds.every((t) => Number.isFinite(t) && t >= 0 && t <= limits.timeLimitMs / 1000);
        finish({ status: 'graded', report, ...(plausible ? { scenarioSeconds: seconds } : {}) });
      } catch (error) {
        if (!(error instanceof ReportMismatch)) throw error;
        brokeProtocol(`sent a report that is not one of this lab (${error.message})`);
      }
    });
    child.on('error', (error) => finish({ status: 'grader error', reason: `grader error: the grading process could not start (${error.message})` }));
    child.on('close', (code, signal) => {
      if (verdict) return finish(verdict);
      const ended = signal ? `signal ${signal}` : `exit code ${code}`;
      // Before "ready" no submitted code has run, so what the child printed is Node's or the grader's own.
      if (!ready) finish({ status: 'grader error', reason: `grader error: the grading process ended before grading began (${ended})${stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}` });
      // V8 aborts the process when the heap limit is reached (SIGABRT; exit code 134 through a shell).
      else if (signal === 'SIGABRT' || code === 134) finish({ status: 'out of memory', reason: `out of memory: the ${limits.memoryMiB} MiB heap limit was reached` });
      else if (engineError !== undefined) finish({ status: 'crashed', reason: `crashed: grading stopped with an error (${engineError})` });
      else finish({ status: 'crashed', reason: `crashed: the grading process ended without a result (${ended})` });
    });
  });
}
