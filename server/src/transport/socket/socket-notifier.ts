import { FACTS, keyReadyAckSchema } from '@alcove/shared';
import type { CloseReason } from '@alcove/shared';
import type { KeyDelivery } from '../../encryption/session-keys.ts';
import type { SessionNotifier } from '../../sessions/session-service.ts';
import type { WaitingRoomNotifier } from '../../waiting-room/waiting-room-notifier.ts';
import { socketRooms, type AlcoveServer } from './socket-types.ts';

/** Everything the domain tells people, each part declared by the folder that tells it. */
export type SocketNotifier = SessionNotifier & WaitingRoomNotifier & KeyDelivery;

/** Delivers domain facts over Socket.io; the Redis streams adapter fans them out to every instance. */
export function createSocketNotifier(getIo: () => AlcoveServer): SocketNotifier {
  const closeRoom = (room: string, reason: CloseReason) => {
    const io = getIo();
    // Emit first: the adapter publishes in order, so the reason arrives before the disconnect.
    io.to(room).emit(FACTS.closed, { reason });
    io.in(room).disconnectSockets(true);
  };

  return {
    presenceChanged(therapistId, sessionId, participant) {
      getIo().to(socketRooms.therapist(therapistId)).emit(FACTS.presenceUpdated, { sessionId, participant });
    },
    deviceRefused(therapistId, sessionId, participantId, at) {
      getIo().to(socketRooms.therapist(therapistId)).emit(FACTS.deviceRefused, { sessionId, participantId, at });
    },
    sessionEnded(therapistId, sessionId) {
      getIo().to(socketRooms.therapist(therapistId)).emit(FACTS.sessionEnded, { sessionId });
    },
    admitted(participantId, sessionId) {
      getIo().to(socketRooms.participant(participantId)).emit(FACTS.admitted, { sessionId });
    },
    sentBack(participantId) {
      getIo().to(socketRooms.participant(participantId)).emit(FACTS.sentBack, {});
    },
    messagePosted(sessionId, message) {
      getIo().to(socketRooms.sessionClients(sessionId)).emit(FACTS.messagePosted, message);
    },
    mutedByHost(participantId) {
      getIo().to(socketRooms.participant(participantId)).emit(FACTS.mutedByHost, {});
    },
    closeParticipant(participantId, reason) {
      closeRoom(socketRooms.participant(participantId), reason);
    },
    keyRotated(_sessionId, therapistId, participantIds, fact, timeoutMs) {
      const rooms = [socketRooms.therapist(therapistId), ...participantIds.map(socketRooms.participant)];
      return new Promise((resolve) => {
        // On timeout Socket.io still hands over the answers that did arrive. Answers are client input: validated here.
        getIo()
          .to(rooms)
          .timeout(timeoutMs)
          .emit(FACTS.keyRotated, fact, (error: Error | null, answers: unknown[]) => {
            const ready = (answers ?? []).filter((answer) => keyReadyAckSchema.safeParse(answer).data?.keyIndex === fact.keyIndex).length;
            resolve({ ready, timedOut: error !== null });
          });
      });
    },
    keyActivated(_sessionId, therapistId, participantIds, fact) {
      getIo().to([socketRooms.therapist(therapistId), ...participantIds.map(socketRooms.participant)]).emit(FACTS.keyActivated, fact);
    },
    closeSession(sessionId, reason) {
      closeRoom(socketRooms.sessionClients(sessionId), reason);
    },
  };
}
