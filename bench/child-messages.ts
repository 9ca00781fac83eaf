/** The IPC messages between the bench driver and the server processes it starts. */
export type DriverMessage =
  | { type: 'sample'; collectGarbage: boolean; resetLoopDelay: boolean }
  /** Write a V8 heap snapshot to `path` (after two full GCs) and say when it is on disk. */
  | { type: 'heap-snapshot'; path: string }
  | { type: 'stop' };

export interface ProcessSample {
  rssBytes: number;
  heapUsedBytes: number;
  /** What V8 has committed for its heap (used or not): part of RSS. */
  heapTotalBytes: number;
  /** Memory outside the V8 heap that V8 knows of (Buffers, ArrayBuffers, native objects it tracks). */
  externalBytes: number;
  /** Event-loop delay since the last reset, from perf_hooks. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type ChildMessage = { type: 'ready'; port: number } | { type: 'sample'; sample: ProcessSample } | { type: 'heap-snapshot'; path: string };
