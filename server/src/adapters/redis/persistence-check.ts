/**
 * Whether a Redis keeps anything on disk. Accounts, two-factor secrets and the audit
 * trail live there, so a production start against a Redis that persists nothing
 * would lose the practice at its next restart: refused at start-up, naming the fix.
 */
import { ConfigError } from '../../config.ts';
import type { RedisClient } from './redis-client.ts';

export type Persistence = { aof: boolean; rdb: boolean } | 'unknown';

export async function readPersistence(redis: RedisClient): Promise<Persistence> {
  try {
    const [appendonly, save] = await Promise.all([redis.configGet('appendonly'), redis.configGet('save')]);
    return { aof: appendonly.appendonly === 'yes', rdb: (save.save ?? '').trim() !== '' };
  } catch {
    // Managed services often rename or refuse CONFIG.
    return 'unknown';
  }
}

export async function requirePersistentRedis(redis: RedisClient): Promise<void> {
  const persistence = await readPersistence(redis);
  if (persistence !== 'unknown' && (persistence.aof || persistence.rdb)) return;
  const what =
    persistence === 'unknown'
      ? 'Redis does not say whether it keeps data on disk (CONFIG is not allowed).'
      : 'Redis keeps nothing on disk (appendonly no, no save points): therapist accounts and the audit trail would be lost at its next restart.';
  throw new ConfigError(
    ['REDIS_REQUIRE_PERSISTENCE'],
    `${what} Turn on the append-only file (appendonly yes, appendfsync everysec) — or, for a managed Redis that persists but hides CONFIG, set REDIS_REQUIRE_PERSISTENCE=false.`,
  );
}
