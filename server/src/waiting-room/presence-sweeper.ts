/**
 * Presence that never lies, whichever instance held the socket. Every instance beats
 * in the shared ledger each second and sweeps, for all instances:
 * - instances silent for INSTANCE_SILENCE_MS (killed, frozen, drained by a deploy):
 *   each of their client connections is recorded as dropped at the instance's last
 *   beat, so the therapist sees "reconnecting" within seconds, not never;
 * - presence deadlines that are due: a client who has not come back within the grace
 *   period loses its waiting place.
 * Each item is claimed atomically, so two instances never act on the same one.
 */
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ClientConnection, ClientPresence } from './client-presence.ts';
import type { PresenceLedger } from './presence-ledger.ts';

export const INSTANCE_BEAT_MS = 1_000;
export const INSTANCE_SILENCE_MS = 5_000;
const DEADLINES_PER_SWEEP = 200;

export interface PresenceSweeper {
  readonly instanceId: string;
  connectionOpened(conn: ClientConnection): void;
  connectionClosed(conn: ClientConnection): void;
  /** Stops beating and hands this instance's connections to the others (graceful shutdown). */
  retire(): Promise<void>;
  /** One beat and sweep now (tests; the timer does the same every second). */
  sweep(): Promise<void>;
  /** The client connections this instance holds now. */
  connections(): ClientConnection[];
}

export interface PresenceSweeperDeps {
  ledger: PresenceLedger;
  clients: Pick<ClientPresence, 'disconnected' | 'expireIfGone' | 'reaffirm'>;
  logger: Logger;
  now: () => number;
  instanceId: string;
  metrics?: Pick<Metrics, 'countTakeOver'>;
}

export function startPresenceSweeper(deps: PresenceSweeperDeps): PresenceSweeper {
  const { ledger, clients, logger, instanceId } = deps;
  const live = new Map<string, ClientConnection>();
  let failing = false;
  let retired = false;
  /** The first beat adds this instance to the ledger; only a later beat that has to add it again means we were swept. */
  let hasBeaten = false;
  /** When this instance's beats started failing (Redis down, stalled, failing over); null while they work. */
  let cutOffSinceMs: number | null = null;
  /** When this instance's beats worked again after failing. */
  let rejoinedAtMs = Number.NEGATIVE_INFINITY;

  const quietly = (work: Promise<unknown>, what: string) =>
    work.catch((error: Error) => logger.debug('presence ledger write failed', { reason: what, errorName: error.name }));

  async function sweep(): Promise<void> {
    const now = deps.now();
    let wasListed: boolean;
    try {
      wasListed = await ledger.beat(instanceId, now);
    } catch (error) {
      cutOffSinceMs ??= now;
      throw error;
    }
    if (cutOffSinceMs !== null) {
      rejoinedAtMs = now;
      cutOffSinceMs = null;
    }
    const firstBeat = !hasBeaten;
    hasBeaten = true;
    if (!wasListed && !firstBeat) {
      // We were taken for dead (a pause longer than INSTANCE_SILENCE_MS) and our clients marked
      // as dropped; they are still here, so say so again.
      logger.warn('this instance was taken for dead; reaffirming its connections', { event: 'presence.reaffirmed', count: live.size });
      for (const conn of live.values()) {
        await ledger.connectionOpened(instanceId, conn);
        await clients.reaffirm(conn);
      }
    }
    // Right after this instance could not reach the ledger itself, the others' silence says nothing
    // about them (they could not beat either): they get a full silence window to beat again before
    // any is taken for dead; only those that announced their shutdown (last beat 0) are swept
    // meanwhile. Otherwise the first instance back from a Redis failover longer than
    // INSTANCE_SILENCE_MS would mark every other instance's clients as dropped.
    const silentBeforeMs = now - rejoinedAtMs >= INSTANCE_SILENCE_MS ? now - INSTANCE_SILENCE_MS : 0;
    for (const dead of await ledger.claimDeadInstances(silentBeforeMs, instanceId)) {
      const conns = await ledger.takeConnections(dead.instanceId);
      logger.info('swept the connections of a silent app instance', { event: 'presence.instance-swept', count: conns.length });
      // A retired instance's last beat is written as 0 (presence-ledger-store.ts): a drain, not a death.
      deps.metrics?.countTakeOver(dead.lastBeatMs === 0 ? 'drained' : 'silent');
      for (const conn of conns) await clients.disconnected(conn, dead.lastBeatMs || now);
    }
    for (const conn of await ledger.claimDueDeadlines(now, DEADLINES_PER_SWEEP)) await clients.expireIfGone(conn);
  }

  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= sweep()
      .then(() => {
        if (failing) logger.info('presence sweeps working again', { event: 'presence.sweep-recovered' });
        failing = false;
      })
      .catch((error: Error) => {
        // Logged once per failure streak: a Redis outage is logged by redis-health.ts already.
        if (!failing) logger.warn('presence sweep failed; retrying every second', { event: 'presence.sweep-failed', errorName: error.name });
        failing = true;
      })
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, INSTANCE_BEAT_MS);
  timer.unref();
  tick();

  return {
    instanceId,
    connectionOpened(conn) {
      live.set(conn.connectionId, conn);
      void quietly(ledger.connectionOpened(instanceId, conn), 'connection-opened');
    },
    connectionClosed(conn) {
      live.delete(conn.connectionId);
      // While shutting down the ledger keeps them: this process may exit before it has recorded
      // each disconnect, and the instances that stay sweep what it leaves.
      if (retired) return;
      void quietly(ledger.connectionClosed(instanceId, conn.connectionId), 'connection-closed');
    },
    async retire() {
      retired = true;
      clearInterval(timer);
      await running;
      await ledger.retire(instanceId).catch(() => undefined);
    },
    sweep,
    connections: () => [...live.values()],
  };
}
