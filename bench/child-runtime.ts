/**
 * What both bench servers (the app and the bare ceiling) do as child processes:
 * say when they listen, answer samples (memory, event-loop delay, optional GC)
 * and stop on request or SIGTERM.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import type { ChildMessage, DriverMessage, ProcessSample } from './child-messages.ts';

const send = (message: ChildMessage) => process.send?.(message);

export function serveDriver(port: number, stop: () => Promise<void>): void {
  if (!process.send) throw new Error('bench server processes are started by bench/run.ts (they need an IPC channel)');
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    // A normal exit, so `--cpu-prof` can write its profile.
    stop().finally(() => process.exit(0));
  };

  process.on('message', (message: DriverMessage) => {
    if (message.type === 'stop') return shutdown();
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.type === 'heap-snapshot') {
      gc?.();
      gc?.();
      // Synchronous: the event loop stands still while V8 walks the heap, so the picture is of one moment.
      send({ type: 'heap-snapshot', path: writeHeapSnapshot(message.path) });
      return;
    }
    if (message.type === 'sample') {
      if (message.collectGarbage && gc) {
        gc();
        gc();
      }
      const memory = process.memoryUsage();
      const sample: ProcessSample = {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        // `arrayBuffers` is part of `external` already.
        externalBytes: memory.external,
        loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
      };
      if (message.resetLoopDelay) loopDelay.reset();
      send({ type: 'sample', sample });
    }
  });
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The driver died: do not linger.
  process.on('disconnect', shutdown);
  send({ type: 'ready', port });
}
