import { hash, randomBytes } from 'node:crypto';
import { INVITE_SECRET_BYTES } from '@alcove/shared';

/** 256 random bits; only ever shown once, in the join URL fragment. */
export function createInviteSecret(): string {
  return randomBytes(INVITE_SECRET_BYTES).toString('base64url');
}

/**
 * Invites are stored only as this hash, so a Redis dump cannot be used to join. The one-shot
 * `crypto.hash` (same SHA-256, same hex) skips the Hash object createHash builds: this runs on
 * every token request and handshake.
 */
export function hashInviteSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}
