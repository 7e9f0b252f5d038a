// The live device's thread: one instance of the NIC module on the machine's memory, running
// machine_run (transmit rings, the wire, receive) until the machine's RUN word drops to 0.

import { threadContext } from '../host/thread.ts';
import { instantiateNic } from './module.ts';

interface LiveData {
  memory: WebAssembly.Memory;
  header: number;
  module: WebAssembly.Module;
  budget: number;
}

const { data, port } = await threadContext<LiveData>();
const device = await instantiateNic(data.memory, data.module);
device.device_boot(data.header);
port.postMessage({ state: 'running' });
device.machine_run(data.header, data.budget);
port.postMessage({ state: 'stopped' });
