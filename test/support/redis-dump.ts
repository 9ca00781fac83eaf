/** Every key under a prefix with its whole value, as one text: what a no-plaintext check searches. */
import type { RedisClient } from '../../server/src/adapters/redis/redis-client.ts';

export async function dumpRedis(redis: RedisClient, prefix: string): Promise<string> {
  const lines: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    let value: unknown;
    if (type === 'string') value = await redis.get(key);
    else if (type === 'hash') value = await redis.hGetAll(key);
    else if (type === 'set') value = await redis.sMembers(key);
    else if (type === 'zset') value = await redis.zRange(key, 0, -1);
    else if (type === 'stream') value = await redis.xRange(key, '-', '+');
    else if (type === 'list') value = await redis.lRange(key, 0, -1);
    lines.push(`${key} ${JSON.stringify(value)}`);
  }
  return lines.join('\n');
}
