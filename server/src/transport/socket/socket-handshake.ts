/**
 * Who a Socket.io handshake is: a client by invite, or a therapist by login cookie.
 * Runs before Socket.io builds the socket (see authorised-recovery.ts), so nothing
 * is delivered and no room is joined until the current credentials say so.
 */
import type { IncomingMessage } from 'node:http';
import { participantHandshakeSchema } from '@alcove/shared';
import { AppError } from '../../app-error.ts';
import type { LoginService } from '../../auth/login-service.ts';
import { hashInviteSecret } from '../../sessions/invite-secret.ts';
import type { ClientPresence } from '../../waiting-room/client-presence.ts';
import { readLoginCookie } from '../http/login-cookie.ts';
import { parseInput } from '../http/validate.ts';
import { socketRooms, type SocketIdentity } from './socket-types.ts';

export interface HandshakeDeps {
  login: LoginService;
  clients: ClientPresence;
  isSecure: boolean;
  clientAddressOf: (request: IncomingMessage) => string;
}

export interface Handshake {
  /** `auth` without Socket.io's own recovery fields (`pid`, `offset`). */
  credentials: Record<string, unknown>;
  recovery: { pid: string; offset: string } | null;
}

/** Splits Socket.io's recovery fields from ours; anything else is validated strictly later. */
export function splitHandshake(auth: unknown): Handshake {
  const { pid, offset, ...credentials } = (auth && typeof auth === 'object' ? auth : {}) as Record<string, unknown>;
  const recovery = typeof pid === 'string' && typeof offset === 'string' ? { pid, offset } : null;
  return { credentials, recovery };
}

export function createHandshakeAuthoriser(deps: HandshakeDeps) {
  return async function authorise(credentials: Record<string, unknown>, request: IncomingMessage, connectionId: string): Promise<SocketIdentity> {
    if ('invite' in credentials) {
      const parsed = parseInput(participantHandshakeSchema, credentials);
      const clientIp = deps.clientAddressOf(request);
      const conn = await deps.clients.connect({ inviteSecret: parsed.invite, deviceId: parsed.deviceId, connectionId, clientIp });
      return { role: 'client', conn, credentials: { inviteHash: hashInviteSecret(parsed.invite), clientIp } };
    }
    if (Object.keys(credentials).length > 0) throw AppError.badRequest({ reason: 'handshake-fields' });
    const token = readLoginCookie(request.headers.cookie, deps.isSecure);
    if (!token) throw AppError.unauthorized();
    const therapist = await deps.login.authenticate(token);
    return { role: 'therapist', therapistId: therapist.therapistId, loginId: therapist.loginId, token, expiresAt: therapist.expiresAt };
  };
}

/** The only rooms a socket with this identity may be in (besides its own id). */
export function roomsFor(identity: SocketIdentity): string[] {
  return identity.role === 'client'
    ? [socketRooms.participant(identity.conn.participantId), socketRooms.sessionClients(identity.conn.sessionId)]
    : [socketRooms.therapist(identity.therapistId), socketRooms.login(identity.loginId)];
}
