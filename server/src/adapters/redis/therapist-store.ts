import type { TherapistRecord, TherapistStore } from '../../therapists/therapist-records.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

function fromHash(hash: Record<string, string>): TherapistRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    email: hash.email ?? '',
    displayName: hash.displayName ?? '',
    passwordHash: hash.passwordHash ?? '',
    disabled: hash.disabled === 'true',
    createdAt: Number(hash.createdAt),
  };
}

export function createRedisTherapistStore(redis: RedisClient, keys: RedisKeys): TherapistStore {
  return {
    async create(record, emailHash) {
      const claimed = await redis.set(keys.therapistByEmail(emailHash), record.id, { condition: 'NX' });
      if (claimed !== 'OK') return false;
      await redis
        .multi()
        .hSet(keys.therapist(record.id), {
          id: record.id,
          email: record.email,
          displayName: record.displayName,
          passwordHash: record.passwordHash,
          disabled: String(record.disabled),
          createdAt: String(record.createdAt),
        })
        .sAdd(keys.therapists(), record.id)
        .exec();
      return true;
    },
    async get(therapistId) {
      return fromHash(await redis.hGetAll(keys.therapist(therapistId)));
    },
    async findIdByEmail(emailHash) {
      return redis.get(keys.therapistByEmail(emailHash));
    },
    async list() {
      const ids = await redis.sMembers(keys.therapists());
      const records = await Promise.all(ids.map(async (id) => fromHash(await redis.hGetAll(keys.therapist(id)))));
      return records.filter((r): r is TherapistRecord => r !== null).sort((a, b) => a.createdAt - b.createdAt);
    },
    async setDisabled(therapistId, disabled) {
      await redis.hSet(keys.therapist(therapistId), 'disabled', String(disabled));
    },
    async setPasswordHash(therapistId, passwordHash) {
      await redis.hSet(keys.therapist(therapistId), 'passwordHash', passwordHash);
    },
  };
}
