/** The IPC messages between the bench driver and the server processes it starts. */
export type DriverMessage = { type: 'sample'; collectGarbage: boolean; resetLoopDelay: boolean } | { type: 'stop' };

export interface ProcessSample {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Event-loop delay since the last reset, from perf_hooks. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export type ChildMessage = { type: 'ready'; port: number } | { type: 'sample'; sample: ProcessSample };
