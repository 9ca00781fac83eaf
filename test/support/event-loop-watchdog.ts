/**
 * Turns a starved event loop into a bounded, explained failure. A test process
 * whose event loop is stuck (say, a Redis client retrying in a tight promise
 * loop) never fires mocha's timeouts; a worker thread still runs, so it watches
 * a heartbeat the main thread bumps and, when the beat stops, says why and ends
 * the process instead of letting the run hang until CI kills it.
 */
import { Worker } from 'node:worker_threads';

const BEAT_INTERVAL_MS = 100;

export interface EventLoopWatchdog {
  stop(): Promise<void>;
}

export function watchEventLoop(what: string, stallLimitMs = 10_000): EventLoopWatchdog {
  const beats = new Int32Array(new SharedArrayBuffer(4));
  const beat = setInterval(() => Atomics.add(beats, 0, 1), BEAT_INTERVAL_MS);
  beat.unref();
  const worker = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const { beats, stallLimitMs, what } = workerData;
    let last = Atomics.load(beats, 0);
    let lastChange = Date.now();
    setInterval(() => {
      const now = Atomics.load(beats, 0);
      if (now !== last) { last = now; lastChange = Date.now(); return; }
      if (Date.now() - lastChange < stallLimitMs) return;
      // fd 2 directly: the main thread, which normally relays a worker's stderr, is stuck.
      writeSync(2, '\\nevent-loop watchdog: the main thread has not run for ' + stallLimitMs + ' ms during ' + what + '; ending the test process.\\n');
      // SIGKILL: a signal listener on the stuck main thread could never run.
      process.kill(process.pid, 'SIGKILL');
    }, 250);
    `,
    { eval: true, workerData: { beats, stallLimitMs, what } },
  );
  worker.unref();
  return {
    async stop() {
      clearInterval(beat);
      await worker.terminate();
    },
  };
}
