import { publicKeyTagSchema } from '@alcove/shared';
import type { SealingKeyStore } from '../../encryption/sealed-inbox.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** The therapist's sealing *public* key and when it was made; the private key never reaches the server. */
export function createRedisSealingKeyStore(redis: RedisClient, keys: RedisKeys): SealingKeyStore {
  return {
    async get(therapistId) {
      const raw = await redis.get(keys.sealingKey(therapistId));
      if (!raw) return null;
      const stored = JSON.parse(raw) as { publicKey?: unknown; createdAt?: unknown };
      const publicKey = publicKeyTagSchema.safeParse(stored.publicKey);
      return publicKey.success && typeof stored.createdAt === 'number' ? { publicKey: publicKey.data, createdAt: stored.createdAt } : null;
    },
    async put(therapistId, key) {
      await redis.set(keys.sealingKey(therapistId), JSON.stringify(key));
    },
  };
}
