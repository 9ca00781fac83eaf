import { createHash } from 'node:crypto';
import type { RateLimiter } from '../../auth/login-records.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

// Subjects (IP addresses, emails) are hashed: a rate-limit key must not hold personal data.
const hashSubject = (subject: string): string => createHash('sha256').update(subject).digest('base64url').slice(0, 22);

export function createRedisRateLimiter(redis: RedisClient, keys: RedisKeys): RateLimiter {
  return {
    async hit(scope, subject, limit, windowSeconds) {
      const key = keys.rateLimit(scope, hashSubject(subject));
      const [count, ttl] = (await redis
        .multi()
        .incr(key)
        .expire(key, windowSeconds, 'NX')
        .ttl(key)
        .exec()) as unknown as [number, number, number];
      return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
    },
    async isBlocked(scope, subject, limit) {
      const key = keys.rateLimit(scope, hashSubject(subject));
      const [count, ttl] = (await redis.multi().get(key).ttl(key).exec()) as unknown as [string | null, number];
      return { allowed: Number(count ?? 0) < limit, retryAfterSeconds: Math.max(1, ttl) };
    },
    async reset(scope, subject) {
      await redis.del(keys.rateLimit(scope, hashSubject(subject)));
    },
  };
}
