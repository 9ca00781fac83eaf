import type { RateLimitDecision } from '../rate-limits/rate-limit.ts';
import type { ResolvedInvite } from '../sessions/invites.ts';

/** The token-request counter's scope (per participant: an invite may ask this often per window). */
export const TOKEN_REQUEST_SCOPE = 'token-invite';
export const TOKEN_REQUEST_WINDOW_SECONDS = 60;

export interface TokenRedemptionRead {
  /** The address's failed-redemption counter, read without counting. */
  addressBlocked: RateLimitDecision;
  found: ResolvedInvite | null;
  /** This participant's token requests, counted by this read; null when the invite was not found. */
  tokenRate: RateLimitDecision | null;
  /** Which device holds the participant's lease; null when none (or nothing was found). */
  leaseHolder: string | null;
}

/**
 * Everything a media-token request reads, in one Redis round trip: it is the hot path of every
 * join and every two-minute refresh. The checks on what it returns stay in media-token-service.ts,
 * in the same order as on a handshake.
 */
export interface TokenRedemptionStore {
  read(input: {
    inviteHash: string;
    clientIp: string;
    addressFailureLimit: number;
    tokenLimit: number;
    tokenWindowSeconds: number;
  }): Promise<TokenRedemptionRead>;
}
