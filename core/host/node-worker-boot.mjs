// Entry of every Node worker thread: lets the thread import TypeScript (through tsx, as the main
// thread does) and then loads the module the parent asked for. Browsers load the module directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
