// Grading untrusted code: one child Node process per submission, under Node's permission model
// (it may read the NIC's wasm and nothing else; no writes, no child processes, no workers),
// code generation from strings switched off, a heap limit and a wall-clock limit (then SIGKILL).
// The parent reads the lab, its hidden scenarios, the reference drivers and the submission and
// hands them over the IPC channel; the report comes back over that channel, tagged with a nonce
// only the parent and the child's own code know. The child's stdout is never read and its stderr
// only to tell an out-of-memory death from another crash, so nothing a driver prints or reads can
// reach a report.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { childProgram } from './bundle.ts';
import type { GradeOptions, GradeReport } from '../grading/grade.ts';
import type { ReferenceDrivers } from '../scenario/runner.ts';
import type { Lab } from '../scenario/schema.ts';

export const WASM_PATH = fileURLToPath(new URL('../../wasm/build/nic.wasm', import.meta.url));

/** What the parent sends the child: everything grading needs, so the child reads no files. */
export interface SandboxJob {
  nonce: string;
  lab: Lab;
  source: string;
  file: string;
  references: ReferenceDrivers;
  options: GradeOptions;
}

export interface SandboxLimits {
  /** Wall-clock limit for the whole grading, child start-up included (milliseconds). */
  timeLimitMs: number;
  /** V8 old-space limit of the child (MiB). */
  memoryMiB: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeLimitMs: 60_000, memoryMiB: 512 };

/**
 * How a sandboxed grading ended. 'grader error' is the grader's own failure, not the submission's:
 * the child died before it said it was ready, that is before any submitted code ran (a Node that
 * refuses a flag, a missing file), so nothing the submission did can produce it or its reason.
 */
export type SandboxOutcome =
  | { status: 'graded'; report: GradeReport }
  | { status: 'timed out' | 'out of memory' | 'crashed' | 'grader error'; reason: string };

const FindingSchema = z.object({ rule: z.string(), driver: z.string(), message: z.string(), event: z.number() });
const ScenarioReportSchema = z.object({
  id: z.string(), title: z.string(), hidden: z.boolean(), points: z.number(), maxPoints: z.number(), passed: z.boolean(),
  failingSeed: z.number().optional(), shortestFailingSeed: z.number().optional(), shortestTraceEvents: z.number().optional(),
  failingSeeds: z.array(z.number()).optional(), failures: z.array(z.string()), findings: z.array(FindingSchema),
});
const GradeReportSchema = z.object({ lab: z.string(), score: z.number(), maxScore: z.number(), scenarios: z.array(ScenarioReportSchema), variants: z.record(z.string(), z.number()), traceHash: z.string() });
const ReplySchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ nonce: z.string(), report: GradeReportSchema }),
  z.object({ nonce: z.string(), error: z.string() }),
]);

/**
 * The permission model's flag for the running Node: Node 20 accepts only --experimental-permission,
 * Node 24 and later only --permission, Node 22 both (a child given the other exits 9, "bad option").
 */
export function permissionFlag(flags: ReadonlySet<string> = process.allowedNodeEnvironmentFlags): string {
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  throw new Error(`this Node (${process.version}) has no permission model; grading needs Node 20.10 or later`);
}

/** The child's command line: the permission model, no code from strings, the heap limit, the program on stdin. */
export function childArguments(limits: SandboxLimits): string[] {
  return [
    permissionFlag(),
    `--allow-fs-read=${WASM_PATH}`,
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${limits.memoryMiB}`,
    '--no-warnings',
    '--input-type=module',
    '-',
  ];
}

/** Grades `source` against `lab` in a sandboxed child process. Never throws for what the submission does. */
export async function gradeInSandbox(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions, limits: SandboxLimits = DEFAULT_LIMITS, nodeArguments: string[] = childArguments(limits)): Promise<SandboxOutcome> {
  if (!existsSync(WASM_PATH)) throw new Error(`the virtual NIC is not built (${WASM_PATH} is missing): run \`npm run build\` first`);
  const program = await childProgram();
  const nonce = randomBytes(16).toString('hex');
  const job: SandboxJob = { nonce, lab, source, file, references, options };

  return new Promise<SandboxOutcome>((resolve) => {
    const child = spawn(process.execPath, nodeArguments, { stdio: ['pipe', 'ignore', 'pipe', 'ipc'], env: {}, cwd: '/', serialization: 'advanced' });
    let settled = false;
    let ready = false;
    let stderrTail = '';
    let engineError: string | undefined;
    const finish = (outcome: SandboxOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 'timed out', reason: `timed out: no result within ${limits.timeLimitMs / 1000} s` }), limits.timeLimitMs);

    child.stdin!.on('error', () => {}); // a child that dies early closes the pipe; its exit says why
    child.stdin!.end(program);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4096);
    });
    child.on('message', (message: unknown) => {
      const reply = ReplySchema.safeParse(message);
      if (!reply.success) return; // not the child's own code speaking
      const data = reply.data;
      if ('ready' in data) {
        ready = true;
        child.send(job);
      }
      else if (data.nonce !== nonce) return;
      else if ('report' in data) finish({ status: 'graded', report: data.report });
      else engineError = data.error;
    });
    child.on('error', (error) => finish({ status: 'grader error', reason: `grader error: the grading process could not start (${error.message})` }));
    child.on('close', (code, signal) => {
      // Before "ready" no submitted code has run, so what the child printed is Node's or the grader's own.
      if (!ready) finish({ status: 'grader error', reason: `grader error: the grading process ended before grading began (${signal ? `signal ${signal}` : `exit code ${code}`})${stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}` });
      else if (/heap out of memory|Reached heap limit/.test(stderrTail)) finish({ status: 'out of memory', reason: `out of memory: the ${limits.memoryMiB} MiB heap limit was reached` });
      else if (engineError !== undefined) finish({ status: 'crashed', reason: `crashed: grading stopped with an error (${engineError})` });
      else finish({ status: 'crashed', reason: `crashed: the grading process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})` });
    });
  });
}
