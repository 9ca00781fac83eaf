import type { SessionKeyStore, StoredSessionKey } from '../../encryption/session-keys.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

const ROTATE_SCRIPT = defineLuaScript(`
local index = redis.call('HGET', KEYS[1], 'keyIndex')
if not index then return false end
local next = tonumber(index) + 1
redis.call('HSET', KEYS[1], 'key', ARGV[1], 'keyIndex', next)
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return next
`);

export function createRedisSessionKeyStore(redis: RedisClient, keys: RedisKeys): SessionKeyStore {
  const read = async (sessionId: string): Promise<StoredSessionKey | null> => {
    const hash = await redis.hGetAll(keys.e2eeKey(sessionId));
    return hash.key ? { key: hash.key, keyIndex: Number(hash.keyIndex) } : null;
  };
  return {
    get: read,
    async createIfAbsent(sessionId, key, expiresAt) {
      const k = keys.e2eeKey(sessionId);
      const [created] = (await redis
        .multi()
        .hSetNX(k, 'key', key.key)
        .hSetNX(k, 'keyIndex', String(key.keyIndex))
        .pExpireAt(k, expiresAt)
        .exec()) as unknown as [number];
      if (created === 1) return key;
      return (await read(sessionId)) ?? key;
    },
    async rotate(sessionId, key, expiresAt) {
      const index = await ROTATE_SCRIPT.run(redis, { keys: [keys.e2eeKey(sessionId)], arguments: [key, String(expiresAt)] });
      return typeof index === 'number' ? { key, keyIndex: index } : null;
    },
  };
}
