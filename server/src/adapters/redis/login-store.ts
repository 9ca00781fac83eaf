import type { LoginStore } from '../../auth/login-records.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

export function createRedisLoginStore(redis: RedisClient, keys: RedisKeys): LoginStore {
  return {
    async create(loginId, therapistId, idleTtlSeconds) {
      await redis.set(keys.login(loginId), therapistId, { expiration: { type: 'EX', value: idleTtlSeconds } });
    },
    async touch(loginId, idleTtlSeconds) {
      // GETEX reads and slides the idle expiry in one round trip.
      return redis.getEx(keys.login(loginId), { type: 'EX', value: idleTtlSeconds });
    },
    async revoke(loginId) {
      await redis.del(keys.login(loginId));
    },
    async ttlMs(loginId) {
      return Math.max(0, await redis.pTTL(keys.login(loginId)));
    },
  };
}
