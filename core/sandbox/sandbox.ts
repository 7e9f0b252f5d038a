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

export type SandboxOutcome =
  | { status: 'graded'; report: GradeReport }
  | { status: 'timed out' | 'out of memory' | 'crashed'; reason: string };

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

/** The child's command line: the permission model, no code from strings, the heap limit, the program on stdin. */
export function childArguments(limits: SandboxLimits): string[] {
  return [
    '--experimental-permission',
    `--allow-fs-read=${WASM_PATH}`,
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${limits.memoryMiB}`,
    '--no-warnings',
    '--input-type=module',
    '-',
  ];
}

/** Grades `source` against `lab` in a sandboxed child process. Never throws for what the submission does. */
export async function gradeInSandbox(lab: Lab, source: string, file: string, references: ReferenceDrivers, options: GradeOptions, limits: SandboxLimits = DEFAULT_LIMITS): Promise<SandboxOutcome> {
  if (!existsSync(WASM_PATH)) throw new Error(`the virtual NIC is not built (${WASM_PATH} is missing): run \`npm run build\` first`);
  const program = await childProgram();
  const nonce = randomBytes(16).toString('hex');
  const job: SandboxJob = { nonce, lab, source, file, references, options };

  return new Promise<SandboxOutcome>((resolve) => {
    const child = spawn(process.execPath, childArguments(limits), { stdio: ['pipe', 'ignore', 'pipe', 'ipc'], env: {}, cwd: '/', serialization: 'advanced' });
    let settled = false;
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
      if ('ready' in data) child.send(job);
      else if (data.nonce !== nonce) return;
      else if ('report' in data) finish({ status: 'graded', report: data.report });
      else engineError = data.error;
    });
    child.on('error', (error) => finish({ status: 'crashed', reason: `crashed: the grading process could not run (${error.message})` }));
    child.on('close', (code, signal) => {
      if (/heap out of memory|Reached heap limit/.test(stderrTail)) finish({ status: 'out of memory', reason: `out of memory: the ${limits.memoryMiB} MiB heap limit was reached` });
      else if (engineError !== undefined) finish({ status: 'crashed', reason: `crashed: grading stopped with an error (${engineError})` });
      else finish({ status: 'crashed', reason: `crashed: the grading process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})` });
    });
  });
}
