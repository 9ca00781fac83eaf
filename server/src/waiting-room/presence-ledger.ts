import type { ClientConnection } from './client-connection.ts';

/**
 * Where presence deadlines and instance liveness are kept, shared by every app
 * instance (Redis), so that no client's presence depends on the process that held
 * its socket: if that process dies or drains, any other one finishes the job.
 * Every `claim…` hands each item to exactly one caller across all instances.
 */
export interface PresenceLedger {
  /**
   * This instance is alive at `atMs`. False when the ledger did not know it any more: another
   * instance took it for dead (a long pause) and swept its connections.
   */
  beat(instanceId: string, atMs: number): Promise<boolean>;
  /** This instance is going away: its connections are to be swept at once. */
  retire(instanceId: string): Promise<void>;
  connectionOpened(instanceId: string, conn: ClientConnection): Promise<void>;
  connectionClosed(instanceId: string, connectionId: string): Promise<void>;
  /** Instances silent since before `beforeMs` (other than `self`), with their last beat; each claimed once. */
  claimDeadInstances(beforeMs: number, self: string): Promise<{ instanceId: string; lastBeatMs: number }[]>;
  /** The connections a dead instance held, removed from the ledger as they are returned. */
  takeConnections(instanceId: string): Promise<ClientConnection[]>;
  addDeadline(conn: ClientConnection, atMs: number): Promise<void>;
  /** Deadlines due at `nowMs`, each claimed once. */
  claimDueDeadlines(nowMs: number, limit: number): Promise<ClientConnection[]>;
}
