import type { ParticipantStatus, PresenceSource } from '../presence/presence-view.ts';

export type { ParticipantStatus } from '../presence/presence-view.ts';

export interface ParticipantRecord extends PresenceSource {
  sessionId: string;
  disconnectedAt: number | null;
}

export type ParticipantPatch = Partial<Omit<ParticipantRecord, 'id' | 'sessionId' | 'slot'>>;

/** Persistence of participants (one per client slot of a session). Implemented on Redis. */
export interface ParticipantStore {
  getParticipant(participantId: string): Promise<ParticipantRecord | null>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;
  /**
   * Compare-and-set: applies `patch` only if the participant's status is one of
   * `from` (and, when given, its connectionId equals `ifConnectionId`).
   * Returns the updated record, or null when the condition did not hold.
   */
  transitionParticipant(
    participantId: string,
    from: readonly ParticipantStatus[],
    patch: ParticipantPatch,
    ifConnectionId?: string,
  ): Promise<ParticipantRecord | null>;
}
