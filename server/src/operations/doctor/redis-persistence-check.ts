import type { CheckResult, DoctorFacts } from './facts.ts';

/** Accounts, two-factor secrets and the audit trail live only in Redis. */
export function checkRedisPersistence(facts: DoctorFacts): CheckResult[] {
  if (!facts.redis.ok) {
    return [{ check: 'redis-persistence', status: 'fail', message: `Redis could not be asked about persistence (${facts.redis.error}). ${facts.settings.redisSentinel ? 'Check that the sentinels in REDIS_SENTINELS answer and name a primary, and REDIS_USERNAME and REDIS_PASSWORD.' : "Check systemctl status alcove-redis and REDIS_URL's user and password."}` }];
  }
  const { aofEnabled, rdbSavePoints, lastWriteOk } = facts.redis;
  if (!aofEnabled && !rdbSavePoints) {
    return [{ check: 'redis-persistence', status: 'fail', message: 'Redis keeps nothing on disk: every therapist account and the audit trail would be lost at its next restart. Turn on appendonly yes in redis.conf.' }];
  }
  if (!lastWriteOk) {
    return [{ check: 'redis-persistence', status: 'fail', message: 'Redis\'s last write to disk failed (disk full or not writable?): check its log (journalctl -u alcove-redis) and free space.' }];
  }
  if (!aofEnabled) {
    return [{ check: 'redis-persistence', status: 'warn', message: 'Redis saves only snapshots: a crash can lose the last minutes of accounts and audit events. Turn on appendonly yes.' }];
  }
  return [{ check: 'redis-persistence', status: 'ok', message: `Redis persists to disk (append-only file${rdbSavePoints ? ' and snapshots' : ''}).` }];
}
