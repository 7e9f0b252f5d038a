// A driver's own thread. It views the machine's NBL pool directly (zero-copy, like the core),
// reaches NDIS only through the call channel, and has no network, storage or real timers: the
// sandbox strips them before the driver's code runs. Control (load, then serve) comes over
// comlink; once serving, the thread lives in the channel's call loop, blocked in Atomics.wait
// whenever it is not running one of the driver's handlers.

import * as Comlink from 'comlink';
import { threadContext } from './thread.ts';
import { CallChannel, FOR_DRIVER } from './channel.ts';
import { Endpoint, toErrorInfo, type ErrorInfo } from './endpoint.ts';
import { sandboxScope } from './sandbox.ts';
import { NblPool } from '../memory/nbl-pool.ts';
import type { Region } from '../memory/map.ts';
import { NetBufferViews } from '../ndis/net-buffer-list.ts';
import { NdisHandle } from '../ndis/handle.ts';
import { LOCAL_NDIS } from '../ndis/local-api.ts';
import { loadDriverModule, DriverLoadError } from '../ndis/driver-loader.ts';

export interface DriverWorkerData {
  channel: SharedArrayBuffer;
  memory: SharedArrayBuffer;
  pool: { region: Region; bufferBytes: number };
}

export interface DriverWorkerApi {
  /** Compiles and loads the driver; its exports come back encoded (see codec.ts). */
  load(source: string, fileName: string, ndisFunctions: string[]): { exports?: unknown; loadError?: string; error?: ErrorInfo; kept: string[] };
  /** Enters the call loop for good. */
  serve(): void;
}

const { data, port } = await threadContext<DriverWorkerData>();
// The pool's header is rewritten with the values the core wrote: the same layout from the same region.
const views = new NetBufferViews(new NblPool(data.memory, data.pool.region, data.pool.bufferBytes));
const handles = new Map<number, NdisHandle>();
views.handleOf = (id) => handles.get(id);
const endpoint = new Endpoint(new CallChannel(data.channel), {
  side: FOR_DRIVER,
  views,
  handle: (id, kind, label) => {
    let handle = handles.get(id);
    if (!handle) handles.set(id, (handle = new NdisHandle(kind, id, label)));
    return handle;
  },
});

let loading = false;

const api: DriverWorkerApi = {
  load(source, fileName, ndisFunctions) {
    const ndis: Record<string, unknown> = { ...LOCAL_NDIS };
    for (const name of ndisFunctions) {
      ndis[name] = (...args: unknown[]) => {
        // While the module loads the core is not listening on the channel yet; NDIS is for DriverEntry on.
        if (loading) throw new Error(`${name} called while the driver module loads; call NDIS from DriverEntry and the handlers`);
        return endpoint.ndis(name, args);
      };
    }
    const kept = sandboxScope();
    if (kept.length > 0) return { loadError: `this platform would not let the sandbox remove ${kept.join(', ')} from the driver's thread, so the driver was not run`, kept };
    loading = true;
    try {
      return { exports: endpoint.codec.encode(loadDriverModule(source, fileName, ndis)), kept };
    } catch (error) {
      if (error instanceof DriverLoadError) return { loadError: error.reason, kept };
      return { error: toErrorInfo(error), kept };
    } finally {
      loading = false;
    }
  },
  serve() {
    endpoint.serveForever();
  },
};

Comlink.expose(api, await port.comlink());
