import type { ConnectionCheckResponse } from '@alcove/shared';
import { AppError } from '../app-error.ts';
import type { RateLimiter } from '../rate-limits/rate-limit.ts';
import type { Logger } from '../observability/logger.ts';
import type { MediaRooms } from '../sessions/media-rooms.ts';
import type { MediaTokenSigner } from './media-token-service.ts';
import { createOpaqueId } from '../identifiers/opaque-id.ts';
import type { ClientPresence } from '../waiting-room/client-presence.ts';
import type { DeviceLeaseStore } from '../waiting-room/device-leases.ts';

/**
 * The check's room lives for seconds: closed by LiveKit this long after nobody joined it (a
 * browser that never got through), or this long after the checking browser left.
 */
export const CHECK_ROOM_EMPTY_TIMEOUT_SECONDS = 20;
export const CHECK_ROOM_DEPARTURE_TIMEOUT_SECONDS = 1;
/** Only the signalling connect checks a LiveKit token's expiry, and the check connects at once. */
export const CHECK_TOKEN_TTL_SECONDS = 30;
/** Each check makes a LiveKit room: a few per invite are plenty (a reload, "check again"). */
export const CHECK_LIMIT = { limit: 6, windowSeconds: 10 * 60 } as const;

export interface ConnectionCheckServiceDeps {
  leases: DeviceLeaseStore;
  clients: ClientPresence;
  rooms: MediaRooms;
  signer: MediaTokenSigner;
  rateLimiter: RateLimiter;
  logger: Logger;
  now: () => number;
  livekitUrl: string;
}

export interface ConnectionCheckService {
  /**
   * A throw-away room and a token for it, for the pre-call check of the invite holder on the
   * device that holds its lease. Nothing links the room or the identity to the person: both are
   * fresh random ids, the token carries no name and may neither publish nor subscribe.
   */
  forClient(input: { inviteSecret: string; deviceId: string; clientIp: string }): Promise<ConnectionCheckResponse>;
}

export function createConnectionCheckService(deps: ConnectionCheckServiceDeps): ConnectionCheckService {
  return {
    async forClient({ inviteSecret, deviceId, clientIp }) {
      const { participant, session } = await deps.clients.redeemInvite(inviteSecret, clientIp);
      const [rate, holder] = await Promise.all([
        deps.rateLimiter.hit('check-invite', participant.id, CHECK_LIMIT.limit, CHECK_LIMIT.windowSeconds),
        deps.leases.getDeviceLeaseHolder(participant.id),
      ]);
      if (!rate.allowed) throw AppError.rateLimited(rate.retryAfterSeconds);
      if (holder !== deviceId) throw new AppError('device_in_use');
      const roomName = createOpaqueId('check-room');
      await deps.rooms.createRoom({
        roomName,
        maxParticipants: 1,
        emptyTimeoutSeconds: CHECK_ROOM_EMPTY_TIMEOUT_SECONDS,
        departureTimeoutSeconds: CHECK_ROOM_DEPARTURE_TIMEOUT_SECONDS,
      });
      const token = await deps.signer.signConnectionCheck({ identity: createOpaqueId('check-identity'), roomName, ttlSeconds: CHECK_TOKEN_TTL_SECONDS });
      deps.logger.debug('connection check room issued', { event: 'connection-check.issued', sessionId: session.id, participantId: participant.id });
      return { token, url: deps.livekitUrl, expiresAt: deps.now() + CHECK_TOKEN_TTL_SECONDS * 1000 };
    },
  };
}
