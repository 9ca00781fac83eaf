/**
 * Which listening socket fills up. The kernel's ListenOverflows counter is one
 * number for the whole machine; this samples each named listener's accept queue
 * (`ss -ltn`: Recv-Q is the connections waiting for accept(), Send-Q the backlog)
 * while a surge runs, so a cliff can be pinned on the app, LiveKit or Redis.
 */
import { execFile } from 'node:child_process';

export interface ListenQueueFigures {
  /** The listen backlog the process asked for (capped by net.core.somaxconn). */
  backlog: number;
  /** The longest accept queue seen. */
  maxQueued: number;
  /** Samples in which the queue was full: new handshakes were being dropped. */
  fullSamples: number;
  samples: number;
}

export interface ListenQueueSampler {
  stop(): Promise<Record<string, ListenQueueFigures>>;
}

function readListeners(): Promise<Map<number, { queued: number; backlog: number }>> {
  return new Promise((resolve) => {
    execFile('ss', ['-ltnH'], { encoding: 'utf8', timeout: 2_000 }, (error, stdout) => {
      const byPort = new Map<number, { queued: number; backlog: number }>();
      if (error) return resolve(byPort);
      for (const line of stdout.split('\n')) {
        // LISTEN <Recv-Q> <Send-Q> <local address:port> <peer>
        const [, queued, backlog, local] = line.trim().split(/\s+/u);
        const port = Number(local?.slice(local.lastIndexOf(':') + 1));
        if (Number.isInteger(port)) byPort.set(port, { queued: Number(queued), backlog: Number(backlog) });
      }
      resolve(byPort);
    });
  });
}

/** Samples every `intervalMs` until stopped; one `ss` at a time, so a slow machine samples less, never piles up. */
export function sampleListenQueues(ports: Record<string, number>, intervalMs = 50): ListenQueueSampler {
  const figures: Record<string, ListenQueueFigures> = Object.fromEntries(
    Object.keys(ports).map((name) => [name, { backlog: 0, maxQueued: 0, fullSamples: 0, samples: 0 }]),
  );
  let running = true;
  const loop = (async () => {
    while (running) {
      const listeners = await readListeners();
      for (const [name, port] of Object.entries(ports)) {
        const seen = listeners.get(port);
        const figure = figures[name]!;
        if (!seen) continue;
        figure.samples += 1;
        figure.backlog = seen.backlog;
        figure.maxQueued = Math.max(figure.maxQueued, seen.queued);
        // The kernel drops a handshake once the queue holds more than the backlog.
        if (seen.queued >= seen.backlog) figure.fullSamples += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return figures;
    },
  };
}
