/**
 * Leaving without dropping anyone (SIGTERM: every deploy, every `systemctl restart`). From the
 * first moment `/readyz` answers 503 and the listener is closed, so the proxy in front (Caddy's
 * `lb_try_duration`) sends new connections and reconnections to another instance; socket
 * commands already running finish and are answered; then every socket is closed at the
 * transport, which browsers treat as a network blip: they reconnect at once, through the proxy,
 * to an instance that is staying, and find their place kept (it lives in Redis, not here).
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { WorkInFlight } from './socket/work-in-flight.ts';
import type { AlcoveServer } from './socket/socket-types.ts';

/** Long enough for any command (a few Redis round trips and at most one LiveKit call), twice within the 10 s a stop may take. */
export const DRAIN_WORK_WAIT_MS = 3_000;

export interface InstanceDrain {
  /** True from the moment the drain starts: readiness fails, new sockets are refused. */
  isDraining(): boolean;
  /** Runs the drain once; later calls return the same promise. Never rejects. */
  drain(): Promise<void>;
}

export interface InstanceDrainDeps {
  httpServer: HttpServer;
  io: () => AlcoveServer;
  work: WorkInFlight;
  logger: Logger;
}

export function createInstanceDrain(deps: InstanceDrainDeps): InstanceDrain {
  let draining: Promise<void> | null = null;

  async function run(): Promise<void> {
    const started = performance.now();
    const io = deps.io();
    const sockets = io.of('/').sockets.size;
    // No new connections: a proxy's connect attempt fails at once and it tries the next instance.
    // Idle kept-alive connections are closed too; requests in flight are answered.
    if (deps.httpServer.listening) deps.httpServer.close();
    const finished = await deps.work.settled(DRAIN_WORK_WAIT_MS);
    // Closed at the transport (Engine.IO, this instance's connections only), not with Socket.io's
    // disconnect: a browser takes that as final ("io server disconnect") even with `close`, but
    // reconnects by itself from a closed transport, as from any network blip.
    io.engine.close();
    // Each closed socket's presence bookkeeping (the grace deadline in Redis) before Redis goes.
    const recorded = await deps.work.settled(DRAIN_WORK_WAIT_MS);
    deps.logger.info('instance drained', {
      event: 'server.drained',
      count: sockets,
      reason: finished && recorded ? 'all-finished' : 'timed-out',
      durationMs: Math.round(performance.now() - started),
    });
  }

  return {
    isDraining: () => draining !== null,
    drain() {
      draining ??= run().catch((error: unknown) => {
        deps.logger.error('drain failed', { event: 'server.drained', errorName: error instanceof Error ? error.name : typeof error });
      });
      return draining;
    },
  };
}
