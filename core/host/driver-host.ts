// Where a driver's code runs. The runtime loads every driver through a DriverHost and from then on
// calls its handlers as plain functions: in the in-process host they are the driver's functions;
// in the worker host (worker-host.ts) they are stubs that cross to the driver's own thread. The
// runtime cannot tell the two apart, which is what makes their traces equal.

import { loadDriverModule, type LoadedDriver } from '../ndis/driver-loader.ts';
import type { ConsoleSink } from './confinement.ts';
import type { NetBufferViews } from '../ndis/net-buffer-list.ts';
import type { Region } from '../memory/map.ts';

export interface DriverLoad {
  source: string;
  fileName: string;
  /** The driver's "ndis" module as the core implements it (createNdisApi). */
  ndis: Record<string, unknown>;
  /** The NBL pool, which a driver in a worker views directly. */
  memory: ArrayBufferLike;
  pool: { region: Region; bufferBytes: number };
  views: NetBufferViews;
  /** The NdisHandle with this id, or undefined. */
  handleById(id: number): unknown;
  /** Stops the machine with `rule` (DriverHung, SharedMemoryCorrupted) when the driver's thread fails. */
  fail(rule: 'DriverHung' | 'SharedMemoryCorrupted', message: string): never;
  /** Errors that unwind the core instead of being answered (the machine stopped). */
  unwinds(error: unknown): boolean;
  /** Whether the machine has stopped (a stopped machine calls no driver). */
  stopped(): boolean;
}

/** Where drivers' console output goes: the driver's file, the level, the line (text, capped). */
export type DriverConsoleSink = (fileName: string, level: Parameters<ConsoleSink>[0], text: string) => void;

/** The name a driver's thread sends its console lines under over the call channel (no NDIS function has it). */
export const DRIVER_CONSOLE_CALL = ' console';

export interface DriverHost {
  readonly kind: 'in-process' | 'worker';
  /**
   * Where the drivers' console output goes (unset: nowhere). Lines come in order with the trace,
   * while the driver runs; none enters the trace, so the trace is the same with or without it.
   */
  console?: DriverConsoleSink;
  /** Compiles and loads a driver; resolves to its exports (DriverEntry and the rest) and source map. Throws DriverLoadError. */
  load(request: DriverLoad): Promise<LoadedDriver>;
  /** Stops every driver thread this host started. */
  close(): Promise<void>;
}

/** The driver runs on the core's own thread: fastest, for batch grading and tests. */
export class InProcessHost implements DriverHost {
  readonly kind = 'in-process';
  console?: DriverConsoleSink;

  async load(request: DriverLoad): Promise<LoadedDriver> {
    return loadDriverModule(request.source, request.fileName, request.ndis, (level, text) => this.console?.(request.fileName, level, text));
  }

  async close(): Promise<void> {}
}
