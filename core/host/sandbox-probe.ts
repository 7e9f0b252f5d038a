// A hostile driver for the sandbox tests: at load it reaches for the network, storage, other
// threads, the process and real timers, and its Reached() export lists whatever it got hold of.

import { REMOVED_GLOBALS } from './sandbox.ts';

export const SANDBOX_PROBE = `
import { NdisRegisterProtocolDriver, NDIS_STATUS_SUCCESS } from 'ndis';
const reached: string[] = [];
const g = globalThis as any;
for (const name of ${JSON.stringify(REMOVED_GLOBALS)}) {
  if (typeof g[name] !== 'undefined') reached.push(name);
}
if ((0, Function)('return typeof process')() !== 'undefined') reached.push('process via Function');
for (const name of ['setTimeout', 'setInterval']) {
  try { g[name](() => {}, 1); reached.push(name); } catch (e) { if (!/NdisSetTimerObject/.test((e as Error).message)) reached.push(name + ' (other error)'); }
}
export function Reached() { return reached.join(','); }
export function DriverEntry() {
  return NdisRegisterProtocolDriver(null, {
    Name: 'hostile',
    BindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },
    UnbindAdapterHandlerEx() { return NDIS_STATUS_SUCCESS; },
    NetPnPEventHandler() { return NDIS_STATUS_SUCCESS; },
  }).Status;
}
`;
