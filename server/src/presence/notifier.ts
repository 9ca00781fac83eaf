import type { CloseReason, ParticipantPresence, WaitingRoomMessage } from '@alcove/shared';
import type { KeyDelivery } from '../encryption/session-keys.ts';

/**
 * How the domain tells people what happened. The Socket.io transport
 * implements it; with the Redis streams adapter every app instance delivers.
 */
export interface Notifier extends KeyDelivery {
  presenceChanged(therapistId: string, sessionId: string, presence: ParticipantPresence): void;
  deviceRefused(therapistId: string, sessionId: string, participantId: string, at: number): void;
  sessionEnded(therapistId: string, sessionId: string): void;
  admitted(participantId: string, sessionId: string): void;
  sentBack(participantId: string): void;
  messagePosted(sessionId: string, message: WaitingRoomMessage): void;
  mutedByHost(participantId: string): void;
  /** Tells the participant why, then disconnects every socket it has. */
  closeParticipant(participantId: string, reason: CloseReason): void;
  closeSession(sessionId: string, reason: CloseReason): void;
}
