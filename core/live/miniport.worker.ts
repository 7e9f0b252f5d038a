// The live miniport's thread: one instance of the NIC module on the machine's memory and the
// MiniportPump (miniport-pump.ts) over it, until the live run stops. It says 'ready' with its heap
// figures once set up, and 'stopped' with its counters, heap figures and the collections it made
// while live when it leaves.

import { threadContext } from '../host/thread.ts';
import { instantiateNic } from '../nic/module.ts';
import { NblPool } from '../memory/nbl-pool.ts';
import type { Region } from '../memory/map.ts';
import { LiveControl } from './control.ts';
import { MiniportPump } from './miniport-pump.ts';
import type { LivePorts } from './driver-pump.ts';
import type { MiniportLivePlan } from './plan.ts';
import { heapFigures, countCollections, loadHeapStatistics } from './heap.ts';

export interface MiniportWorkerData {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  control: SharedArrayBuffer;
  pool: { region: Region; bufferBytes: number };
  plan: MiniportLivePlan;
  /** postMessage baseline only: the ports of this thread's links, by ring offset. */
  ports?: { out: [number, MessagePort][]; in: [number, MessagePort][] };
}

const { data, port } = await threadContext<MiniportWorkerData>();
const device = await instantiateNic(data.memory, data.module);
const memory = data.memory.buffer as unknown as SharedArrayBuffer;
const pool = new NblPool(memory, data.pool.region, data.pool.bufferBytes);
pool.mdlTableLive = false; // the core holds the MDL table
const control = new LiveControl(data.control, pool.layout.nblCount);
let ports: LivePorts | undefined;
if (data.ports) {
  const { receiveMessageOnPort } = await import('node:worker_threads');
  ports = { out: new Map(data.ports.out), in: new Map(data.ports.in), receive: receiveMessageOnPort as unknown as LivePorts['receive'] };
}
const pump = new MiniportPump(data.plan, control, memory, pool, device, ports);
port.postMessage({ state: 'ready', heap: await heapFigures() });
const stopCounting = countCollections(await loadHeapStatistics());
pump.run();
const gc = stopCounting?.();
port.postMessage({ state: 'stopped', stats: pump.stats, gc, heap: await heapFigures() });
