import { FACTS } from '@alcove/shared';
import type { Notifier } from '../../presence/notifier.ts';
import { socketRooms, type AlcoveServer } from './socket-types.ts';

/** Delivers domain facts over Socket.io; the Redis streams adapter fans them out to every instance. */
export function createSocketNotifier(getIo: () => AlcoveServer): Notifier {
  const closeRoom = (room: string, reason: Parameters<Notifier['closeParticipant']>[1]) => {
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
    keyRotated(_sessionId, therapistId, participantIds, fact) {
      const rooms = [socketRooms.therapist(therapistId), ...participantIds.map(socketRooms.participant)];
      getIo().to(rooms).emit(FACTS.keyRotated, fact);
    },
    closeSession(sessionId, reason) {
      closeRoom(socketRooms.sessionClients(sessionId), reason);
    },
  };
}
