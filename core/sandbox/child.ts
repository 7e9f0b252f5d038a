// The grading child process (bundled into one program by bundle.ts and started by sandbox.ts).
// It compiles the NIC, locks itself down, says it is ready, takes one job over the IPC channel,
// grades it and sends the report back tagged with the job's nonce. The job carries everything
// (the lab with its hidden scenarios, the reference drivers, the submission), so this process
// needs no file but the NIC's wasm, and nothing it prints is ever read.

import vm from 'node:vm';
import { gradeLab } from '../grading/grade.ts';
import { nicModule } from '../nic/module.ts';
import { useFunctionCompiler } from '../ndis/driver-loader.ts';
import { lockdown } from './lockdown.ts';
import type { SandboxJob } from './sandbox.ts';

await nicModule();
// Code generation from strings is off in this process (so a driver cannot eval its way to
// import()); driver modules are compiled through node:vm, whose functions cannot import() either.
const compileFunction = vm.compileFunction;
// vm's columns on the first line are the body's own (nothing of the compiler's precedes it).
useFunctionCompiler((params, body, fileName) => ({ run: compileFunction(body, params, { filename: fileName }) as (...args: unknown[]) => void, firstLineColumns: 0 }));
// A driver's stray promise must not end the process: what counts is what the trace shows.
process.on('unhandledRejection', () => {});

// The listener goes on before lockdown: Node starts reading the channel when it is added.
let send: ReturnType<typeof lockdown>['send'];
let exit: ReturnType<typeof lockdown>['exit'];
let started = false;
process.on('message', (message: unknown) => {
  if (started) return;
  started = true;
  const job = message as SandboxJob;
  gradeLab(job.lab, job.source, job.file, job.references, job.options).then(
    (report) => {
      send({ nonce: job.nonce, report }, () => exit(0));
    },
    (error: unknown) => {
      send({ nonce: job.nonce, error: error instanceof Error ? error.message : String(error) }, () => exit(1));
    },
  );
});
({ send, exit } = lockdown());
send({ ready: true });
