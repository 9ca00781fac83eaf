import { hash } from 'node:crypto';
import type { RateLimiter } from '../../rate-limits/rate-limit.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

// Subjects (IP addresses, emails) are hashed: a rate-limit key must not hold personal data.
const hashSubject = (subject: string): string => hash('sha256', subject, 'base64url').slice(0, 22);

/** The counter key of `subject` in `scope`, for scripts that read a counter in the same round trip as other keys. */
export const rateLimitKey = (keys: RedisKeys, scope: string, subject: string): string => keys.rateLimit(scope, hashSubject(subject));

export function createRedisRateLimiter(redis: RedisClient, keys: RedisKeys): RateLimiter {
  return {
    async hit(scope, subject, limit, windowSeconds) {
      const key = rateLimitKey(keys, scope, subject);
      const [count] = (await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as unknown as [number, number];
      if (count <= limit) return { allowed: true, retryAfterSeconds: 0 };
      // The remaining window is read only for a caller who is refused.
      return { allowed: false, retryAfterSeconds: Math.max(1, await redis.ttl(key)) };
    },
    async isBlocked(scope, subject, limit) {
      const key = rateLimitKey(keys, scope, subject);
      // Runs before every invite redemption (each client handshake and token
      // request): one GET on the common path; the TTL is read only to answer a blocked caller.
      const count = Number((await redis.get(key)) ?? 0);
      if (count < limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, await redis.ttl(key)) };
    },
    async reset(scope, subject) {
      await redis.del(rateLimitKey(keys, scope, subject));
    },
  };
}
