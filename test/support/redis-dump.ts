/**
 * Every key under a prefix read back with its whole value: what the no-plaintext checks search
 * (a note, an answer, a resource, a name or a key must appear in none of them).
 */
import type { RedisClient } from '../../server/src/adapters/redis/redis-client.ts';

export interface RedisEntry {
  key: string;
  /** The value of any Redis type, as JSON text. */
  value: string;
}

export async function redisEntries(redis: RedisClient, prefix: string): Promise<RedisEntry[]> {
  const entries: RedisEntry[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    let value: unknown;
    if (type === 'string') value = await redis.get(key);
    else if (type === 'hash') value = await redis.hGetAll(key);
    else if (type === 'set') value = await redis.sMembers(key);
    else if (type === 'zset') value = await redis.zRange(key, 0, -1);
    else if (type === 'stream') value = await redis.xRange(key, '-', '+');
    else if (type === 'list') value = await redis.lRange(key, 0, -1);
    else throw new Error(`redis-dump: no reader for ${type} (${key}); add one so nothing goes unsearched`);
    entries.push({ key, value: JSON.stringify(value) });
  }
  return entries;
}

/** All entries as one text, one `key value` line each. */
export async function dumpRedis(redis: RedisClient, prefix: string): Promise<string> {
  return (await redisEntries(redis, prefix)).map((e) => `${e.key} ${e.value}`).join('\n');
}
