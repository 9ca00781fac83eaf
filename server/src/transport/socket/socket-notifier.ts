import { FACTS, keyReadyAckSchema } from '@alcove/shared';
import type { CloseReason } from '@alcove/shared';
import type { KeyRelay } from '../../encryption/call-member-relay.ts';
import type { SealedInboxNotifier } from '../../encryption/sealed-inbox.ts';
import type { SessionNotifier } from '../../sessions/session-service.ts';
import type { WaitingRoomNotifier } from '../../waiting-room/waiting-room-notifier.ts';
import { socketRooms, type AlcoveServer } from './socket-types.ts';

/** Everything the domain tells people, each part declared by the folder that tells it. */
export type SocketNotifier = SessionNotifier & WaitingRoomNotifier & KeyRelay & SealedInboxNotifier;

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
    held(participantId) {
      getIo().to(socketRooms.participant(participantId)).emit(FACTS.held, {});
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
    membersChanged(therapistId, participantIds, fact) {
      getIo().to([socketRooms.therapist(therapistId), ...participantIds.map(socketRooms.participant)]).emit(FACTS.members, fact);
    },
    keySent(participantId, fact, timeoutMs) {
      return new Promise((resolve) => {
        // Answers are client input: validated here. A browser says it holds the key at the envelope's index.
        getIo()
          .to(socketRooms.participant(participantId))
          .timeout(timeoutMs)
          .emit(FACTS.keySent, fact, (_error: Error | null, answers: unknown[]) => {
            resolve((answers ?? []).some((answer) => keyReadyAckSchema.safeParse(answer).data?.keyIndex === fact.envelope.keyIndex));
          });
      });
    },
    resourcesSent(participantId, fact) {
      getIo().to(socketRooms.participant(participantId)).emit(FACTS.resourcesSent, fact);
    },
    switchKey(participantIds, fact) {
      getIo().to(participantIds.map(socketRooms.participant)).emit(FACTS.keyActivated, fact);
    },
    // The therapist's room only: the other partner's sockets never hear that a note exists.
    sealedArrived(therapistId, purpose, fact) {
      getIo().to(socketRooms.therapist(therapistId)).emit(purpose === 'note' ? FACTS.privateNoteReceived : FACTS.intakeSubmitted, fact);
    },
    intakeChanged(sessionId) {
      getIo().to(socketRooms.sessionClients(sessionId)).emit(FACTS.intakeChanged, {});
    },
    closeSession(sessionId, reason) {
      closeRoom(socketRooms.sessionClients(sessionId), reason);
    },
  };
}
