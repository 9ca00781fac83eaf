import type { Logger } from '../../observability/logger.ts';
import type { AuditEntry, AuditEvent, AuditFields, AuditTrail } from '../../observability/audit-trail.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

const FIELDS = ['therapistId', 'sessionId', 'participantId', 'reason'] as const;

/** A Redis stream, trimmed by age (MINID) at every write: entries older than the retention disappear. */
export function createRedisAuditTrail(deps: { redis: RedisClient; keys: RedisKeys; logger: Logger; now: () => number; retentionMs: number }): AuditTrail {
  const key = deps.keys.auditStream();
  return {
    record(event: AuditEvent, fields: AuditFields = {}) {
      const now = deps.now();
      const entry: Record<string, string> = { at: String(now), event };
      for (const name of FIELDS) {
        const value = fields[name];
        if (value) entry[name] = value;
      }
      return deps.redis
        .multi()
        .xAdd(key, '*', entry, { TRIM: { strategy: 'MINID', strategyModifier: '=', threshold: now - deps.retentionMs } })
        // Expires as a whole if nothing is written for a full retention period.
        .pExpire(key, deps.retentionMs)
        .exec()
        .then(
          () => undefined,
          (error: Error) => deps.logger.error('audit write failed', { event, errorName: error.name }),
        );
    },

    async list({ sinceMs = 0, limit = 10_000 }) {
      const entries = await deps.redis.xRange(key, String(Math.max(0, sinceMs)), '+', { COUNT: limit });
      return entries.map((e): AuditEntry => {
        const m = e.message as Record<string, string>;
        const out: AuditEntry = { id: e.id, at: Number(m.at), event: m.event as AuditEvent };
        for (const name of FIELDS) if (m[name]) out[name] = m[name];
        return out;
      });
    },
  };
}
