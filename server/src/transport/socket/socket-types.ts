import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@alcove/shared';
import type { SocketTokenCredentials } from '../../tokens/media-token-service.ts';
import type { ClientConnection } from '../../waiting-room/client-presence.ts';

/** `credentials`: what the handshake proved, for the token this socket may ask for once admitted (process memory only). */
export type SocketIdentity =
  | { role: 'client'; conn: ClientConnection; credentials: SocketTokenCredentials }
  | { role: 'therapist'; therapistId: string; loginId: string; token: string; expiresAt: number };

/** Nothing is kept in socket.data (the streams adapter would persist it to Redis). */
export type SocketData = Record<string, never>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type InterServerEvents = {};

export type AlcoveServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AlcoveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Socket.io room names. Built only here, only from server-side ids — never from client input. */
export const socketRooms = {
  therapist: (therapistId: string) => `therapist:${therapistId}`,
  login: (loginId: string) => `login:${loginId}`,
  participant: (participantId: string) => `participant:${participantId}`,
  sessionClients: (sessionId: string) => `session-clients:${sessionId}`,
};
