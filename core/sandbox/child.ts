// The grading child process (bundled into one program by bundle.ts and started by sandbox.ts).
// It compiles the NIC, locks its realm down (core/host/confinement.ts: from here on every driver
// runs in a compartment of its own and reaches nothing of this process), says it is ready, takes
// one job over the IPC channel, grades its scenarios from the job's `first` on, and sends each
// scenario's report as soon as it is graded. The job carries what grading needs and nothing else
// (the lab's scenarios with the hidden ones, the reference drivers, the submission; never a
// solution), so this process reads no file but the NIC's wasm.
//
// While it grades it writes its heartbeat (heartbeat.ts) to fd 4: the run under way and each
// handler entered and left, so that the parent can name the handler of a driver that never gives
// control back, stop this process and grade the other scenarios in a fresh one.

import { writeSync } from 'node:fs';
import { gradeScenario } from '../grading/grade.ts';
import { nicModule } from '../nic/module.ts';
import { confineDrivers, driverText } from '../host/confinement.ts';
import { capScenario } from './report-check.ts';
import { HeartbeatWriter, HEARTBEAT_FD } from './heartbeat.ts';
import type { SandboxJob } from './sandbox.ts';

await nicModule();
// A driver's stray promise must not end the process: what counts is what the trace shows.
process.on('unhandledRejection', () => {});

const send = process.send!.bind(process) as (message: unknown, sent?: (error: Error | null) => void) => void;
/** Resolves once the message is written to the channel (so it is out before the next driver code runs). */
const sent = (message: unknown) => new Promise<void>((resolve) => send(message, () => resolve()));
const exit = process.exit.bind(process);
const heartbeat = new HeartbeatWriter((line) => {
  try {
    writeSync(HEARTBEAT_FD, line);
  } catch {
    // A line lost is harmless: the next one carries the whole state.
  }
});

async function grade(job: SandboxJob): Promise<void> {
  for (let index = job.first; index < job.lab.scenarios.length; index++) {
    const scenario = job.lab.scenarios[index]!;
    const started = performance.now();
    const { report, hashes } = await gradeScenario(job.lab, scenario, job.source, job.file, job.references, {
      ...job.options,
      observe: (rt, _scenario, seed) => {
        heartbeat.runStarted(index, seed);
        rt.handlerWatch = heartbeat.watch;
      },
    });
    await sent({ scenario: capScenario(report), hashes, seconds: (performance.now() - started) / 1000 });
  }
}

// The listener goes on before lockdown (Node starts reading the channel when it is added); the
// parent sends exactly one job, and this takes exactly one.
process.once('message', (message: unknown) => {
  grade(message as SandboxJob).then(
    () => exit(0),
    (error: unknown) => send({ error: driverText(error instanceof Error ? error.message : error) }, () => exit(1)),
  );
});
confineDrivers();
send({ ready: true });
