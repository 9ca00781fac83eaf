/**
 * A client's waiting-room connection while it lasts: recorded in the ledger every instance
 * sweeps, its device lease renewed on a heartbeat, and — when it goes — the grace period
 * started. The deadline lives in Redis (presence-sweeper.ts), so it holds even if this instance
 * dies next.
 */
import type { Logger } from '../../observability/logger.ts';
import type { ClientConnection, ClientPresence } from '../../waiting-room/client-presence.ts';
import type { PresenceSweeper } from '../../waiting-room/presence-sweeper.ts';
import type { AlcoveSocket } from './socket-types.ts';
import type { WorkInFlight } from './work-in-flight.ts';

export interface ClientLivenessDeps {
  clients: ClientPresence;
  liveness: Pick<PresenceSweeper, 'connectionOpened' | 'connectionClosed'>;
  logger: Logger;
  graceMs: number;
  inFlight: WorkInFlight;
}

export interface ClientLiveness {
  /** The client's socket is connected: keep its lease and presence alive until it disconnects. */
  watch(socket: AlcoveSocket, conn: ClientConnection): void;
  /** The connection is gone (disconnected, or closed before Socket.io connected it). */
  gone(conn: ClientConnection): void;
}

export function createClientLiveness(deps: ClientLivenessDeps): ClientLiveness {
  const gone = (conn: ClientConnection) => {
    deps.liveness.connectionClosed(conn);
    void deps.inFlight.track(
      deps.clients
        .disconnected(conn)
        .catch((error: Error) => deps.logger.warn('could not record disconnect', { participantId: conn.participantId, errorName: error.name })),
    );
  };
  return {
    gone,
    watch(socket, conn) {
      deps.liveness.connectionOpened(conn);
      // A third of the grace period: a lease outlives two missed beats.
      const heartbeat = setInterval(() => {
        deps.clients.heartbeat(conn).catch((error: Error) => deps.logger.warn('lease renewal failed', { participantId: conn.participantId, errorName: error.name }));
      }, Math.max(1000, Math.floor(deps.graceMs / 3)));
      heartbeat.unref();
      socket.on('disconnect', () => {
        clearInterval(heartbeat);
        gone(conn);
      });
    },
  };
}
