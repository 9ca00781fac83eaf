import { createHash } from 'node:crypto';

/** Emails are looked up by hash so the lookup key itself carries no address. */
export function hashEmail(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}
