import type { MediaTokenResponse } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { allows } from '../presence/participant-lifecycle.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { TherapistStore } from '../therapists/therapist-records.ts';
import type { ClientConnection, ClientPresence } from '../waiting-room/client-presence.ts';
import { INVITE_FAILURE_LIMIT } from '../waiting-room/client-presence.ts';
import { hashInviteSecret } from '../sessions/invite-secret.ts';
import { TOKEN_REQUEST_WINDOW_SECONDS, type TokenRedemptionStore } from './token-redemption.ts';

/** Signs a LiveKit access token with the talk-only grant set (talk-only-grant.ts); adapters/livekit implements it. */
export interface MediaTokenSigner {
  sign(input: { identity: string; name: string; roomName: string; ttlSeconds: number }): Promise<string>;
  /** A connection-check token (tokens/connection-check-grant.ts): no name, no publish, no subscribe. */
  signConnectionCheck(input: { identity: string; roomName: string; ttlSeconds: number }): Promise<string>;
}

export interface MediaTokenServiceDeps {
  redemptions: TokenRedemptionStore;
  sessions: SessionService;
  clients: ClientPresence;
  therapists: TherapistStore;
  signer: MediaTokenSigner;
  logger: Logger;
  now: () => number;
  livekitUrl: string;
  ttlSeconds: number;
  requestsPerInvitePerMinute: number;
  metrics?: Pick<Metrics, 'observeTokenIssue'>;
}

/**
 * What a client's socket proved at its handshake, for the token it asks for over that socket once
 * admitted: the invite's hash (never the secret) and the address it connected from. The transport
 * keeps it in process memory beside the socket's identity, never in socket.data (the streams
 * adapter persists that to Redis).
 */
export interface SocketTokenCredentials {
  inviteHash: string;
  clientIp: string;
}

export interface MediaTokenService {
  /** Only an admitted participant of a live session, on the device that holds its lease, gets a token. */
  forClient(input: { inviteSecret: string; deviceId: string; clientIp: string }): Promise<MediaTokenResponse>;
  /**
   * The same token, asked for over the client's own socket (`media:request-token`) for the session
   * that socket belongs to: the same single read, the same checks in the same order, the same
   * counter — the socket's handshake is not taken as proof of anything the read re-checks.
   */
  forConnection(input: { conn: ClientConnection; credentials: SocketTokenCredentials; sessionId: string }): Promise<MediaTokenResponse>;
  /** The therapist's token; starting the session (creating the room) if needed. */
  forTherapist(therapistId: string, sessionId: string): Promise<MediaTokenResponse>;
}

/*
 * Issue latencies come from the monotonic, sub-millisecond clock, not `deps.now` (the wall clock
 * the expiry times use): a token issued in under a millisecond was recorded as 0 s, and the
 * metrics test saw a histogram sum of 0 on a fast run (Node 24, CI).
 */
export function createMediaTokenService(deps: MediaTokenServiceDeps): MediaTokenService {
  async function sign(identity: string, name: string, roomName: string): Promise<MediaTokenResponse> {
    const token = await deps.signer.sign({ identity, name, roomName, ttlSeconds: deps.ttlSeconds });
    return { token, url: deps.livekitUrl, identity, expiresAt: deps.now() + deps.ttlSeconds * 1000 };
  }

  /** Both ways a client asks (HTTP, its socket) end here: one read, every check, one signature. */
  async function issueToClient({ inviteHash, deviceId, clientIp }: { inviteHash: string; deviceId: string; clientIp: string }): Promise<MediaTokenResponse> {
    const startedMs = performance.now();
    // One round trip reads the invite, both counters and the lease; the decisions keep a handshake's order.
    const read = await deps.redemptions.read({
      inviteHash,
      clientIp,
      addressFailureLimit: INVITE_FAILURE_LIMIT.limit,
      tokenLimit: deps.requestsPerInvitePerMinute,
      tokenWindowSeconds: TOKEN_REQUEST_WINDOW_SECONDS,
    });
    const { participant, session } = await deps.clients.settleRedemption(read, clientIp);
    const rate = read.tokenRate;
    // Settled means found, and a read that found the invite always counted the request.
    if (!rate) throw AppError.invalidInvite();
    if (!rate.allowed) throw AppError.rateLimited(rate.retryAfterSeconds);
    if (!allows(participant.status, 'get-media-token') || session.status !== 'live') {
      throw new AppError('not_admitted');
    }
    if (read.leaseHolder !== deviceId) {
      throw new AppError('device_in_use');
    }
    // A token for a room LiveKit forgot (restart, crash) would be refused at join: recreate it first.
    await deps.sessions.ensureRoom(session);
    const response = await sign(participant.id, participant.displayName ?? 'Client', session.roomName);
    deps.metrics?.observeTokenIssue('client', performance.now() - startedMs);
    deps.logger.debug('media token issued', { event: 'token.issued', sessionId: session.id, participantId: participant.id });
    return response;
  }

  return {
    forClient: ({ inviteSecret, deviceId, clientIp }) => issueToClient({ inviteHash: hashInviteSecret(inviteSecret), deviceId, clientIp }),

    async forConnection({ conn, credentials, sessionId }) {
      // A socket belongs to one session: asking for another is refused before anything is read or counted.
      if (sessionId !== conn.sessionId) throw AppError.forbidden();
      return issueToClient({ inviteHash: credentials.inviteHash, deviceId: conn.deviceId, clientIp: credentials.clientIp });
    },

    async forTherapist(therapistId, sessionId) {
      const startedMs = performance.now();
      const session = await deps.sessions.start(therapistId, sessionId);
      const therapist = await deps.therapists.get(therapistId);
      if (!therapist) throw AppError.unauthorized();
      const response = await sign(session.hostIdentity, therapist.displayName, session.roomName);
      deps.metrics?.observeTokenIssue('therapist', performance.now() - startedMs);
      deps.logger.info('media token issued to therapist', { event: 'token.issued', sessionId, therapistId });
      return response;
    },
  };
}
