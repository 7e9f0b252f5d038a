// The grading child process (bundled into one program by bundle.ts and started by sandbox.ts).
// It compiles the NIC, locks its realm down (core/host/confinement.ts: from here on every driver
// runs in a compartment of its own and reaches nothing of this process), says it is ready, takes
// one job over the IPC channel, grades it and sends the report back. The job carries what grading
// needs and nothing else (the lab's scenarios with the hidden ones, the reference drivers, the
// submission; never a solution), so this process reads no file but the NIC's wasm.

import { gradeLab } from '../grading/grade.ts';
import { nicModule } from '../nic/module.ts';
import { confineDrivers, driverText } from '../host/confinement.ts';
import { capReport } from './report-check.ts';
import type { SandboxJob } from './sandbox.ts';

await nicModule();
// A driver's stray promise must not end the process: what counts is what the trace shows.
process.on('unhandledRejection', () => {});

const send = process.send!.bind(process) as (message: unknown, sent?: () => void) => void;
const exit = process.exit.bind(process);

// The listener goes on before lockdown (Node starts reading the channel when it is added); the
// parent sends exactly one job, and this takes exactly one.
process.once('message', (message: unknown) => {
  const job = message as SandboxJob;
  const seconds: number[] = [];
  gradeLab(job.lab, job.source, job.file, job.references, { ...job.options, onScenarioTime: (i, t) => { seconds[i] = t; } }).then(
    (report) => send({ report: capReport(report), seconds }, () => exit(0)),
    (error: unknown) => send({ error: driverText(error instanceof Error ? error.message : error) }, () => exit(1)),
  );
});
confineDrivers();
send({ ready: true });
