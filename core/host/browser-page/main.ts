// Runs the reference drivers in a real browser: the core in a worker of its own (it waits for
// drivers with Atomics.wait, which a page's main thread may not do), each driver in a nested
// worker. window.__referenceRun(sources, host, seed) and the others are what the test calls.

import * as Comlink from 'comlink';
import type { CoreWorkerApi } from './core-worker.ts';

const core = Comlink.wrap<CoreWorkerApi>(new Worker(new URL('./core-worker.ts', import.meta.url), { type: 'module' }));
Object.assign(window, { __referenceRun: core.referenceRun, __probeSandbox: core.probeSandbox, __hungDriver: core.hungDriver, __liveRun: core.liveRun, __runWithWorkerAhead: core.runWithWorkerAhead, __ready: true });
