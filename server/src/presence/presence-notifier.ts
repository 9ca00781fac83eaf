import type { ParticipantPresence } from '@alcove/shared';

/**
 * Tells the therapist's screens that a participant's presence changed. Owned here, below every
 * folder that changes presence (waiting room, webhooks); the Socket.io transport implements it.
 */
export interface PresenceNotifier {
  presenceChanged(therapistId: string, sessionId: string, presence: ParticipantPresence): void;
}
