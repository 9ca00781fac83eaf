import type { CloseReason, WaitingRoomMessage } from '@alcove/shared';
import type { PresenceNotifier } from '../presence/presence-notifier.ts';

/**
 * What the waiting room tells people: the therapist (presence, a refused device) and the
 * clients (admitted, sent back, muted, a message, closed). The Socket.io transport implements
 * it; with the Redis streams adapter every app instance delivers.
 */
export interface WaitingRoomNotifier extends PresenceNotifier {
  deviceRefused(therapistId: string, sessionId: string, participantId: string, at: number): void;
  admitted(participantId: string, sessionId: string): void;
  sentBack(participantId: string): void;
  /** Out of the call to the hold screen, until released (`admitted` again). */
  held(participantId: string): void;
  messagePosted(sessionId: string, message: WaitingRoomMessage): void;
  mutedByHost(participantId: string): void;
  /** Tells the participant why, then disconnects every socket it has. */
  closeParticipant(participantId: string, reason: CloseReason): void;
}
