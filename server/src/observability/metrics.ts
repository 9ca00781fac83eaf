/**
 * What an operator's metrics are told: counts and durations, never a name, id, email or address.
 * A label carrying one would put personal data into every scrape (and one series per person into
 * the time-series database), so labels here are closed sets of words. The domain calls this
 * interface; the prom-client implementation is in adapters/prometheus/, wired in app.ts.
 */

/** Who a media token was for. */
export type TokenHolder = 'client' | 'therapist';

/** Why another instance took over an instance's clients: it announced its shutdown, or fell silent. */
export type TakeOverCause = 'drained' | 'silent';

export interface Metrics {
  /** A therapist admitted one client from the waiting room. */
  countAdmission(): void;
  /** A media token was issued; `durationMs` from the request to the signed token. */
  observeTokenIssue(holder: TokenHolder, durationMs: number): void;
  /** A Redis connection reported an error, or a command failed or timed out (Redis unreachable or stalled). */
  countRedisError(connection: string): void;
  /** This instance took over the clients of another one (its drain, or its death). */
  countTakeOver(cause: TakeOverCause): void;
  /** This instance started draining (SIGTERM). */
  markDraining(): void;
}

/** What this instance holds right now, read when metrics are scraped. */
export interface InstanceCensus {
  /** Open Socket.io connections on this instance, by role. */
  socketsByRole(): { client: number; therapist: number };
  /** Clients connected here that are in the waiting room, and live sessions with a client connected here. */
  clientStates(): Promise<{ waiting: number; liveSessions: number }>;
}

/** For the CLI and anything else that runs without an exporter. */
export const NO_METRICS: Metrics = {
  countAdmission: () => undefined,
  observeTokenIssue: () => undefined,
  countRedisError: () => undefined,
  countTakeOver: () => undefined,
  markDraining: () => undefined,
};
