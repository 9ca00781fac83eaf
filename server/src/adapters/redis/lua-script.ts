import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.ts';

export interface LuaScript {
  run(redis: RedisClient, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * A Lua script called by its SHA1 (EVALSHA), so the hot path does not ship and
 * hash the script text on every call; loaded with EVAL the first time Redis
 * does not know it (after a restart, or on a fresh server).
 */
export function defineLuaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, options) {
      try {
        return await redis.evalSha(sha, options);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.eval(source, options);
      }
    },
  };
}
