import type { TherapistRecord, TherapistStore } from '../../therapists/therapist-records.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

function fromHash(hash: Record<string, string>): TherapistRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    displayName: hash.displayName ?? '',
    passwordHash: hash.passwordHash ?? '',
    disabled: hash.disabled === 'true',
    createdAt: Number(hash.createdAt),
    totpSecret: hash.totpSecret || null,
    totpPendingSecret: hash.totpPendingSecret || null,
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
          displayName: record.displayName,
          passwordHash: record.passwordHash,
          disabled: String(record.disabled),
          createdAt: String(record.createdAt),
          totpSecret: record.totpSecret ?? '',
          totpPendingSecret: record.totpPendingSecret ?? '',
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
    async setPendingTotp(therapistId, secret) {
      await redis.hSet(keys.therapist(therapistId), 'totpPendingSecret', secret);
    },
    async enableTotp(therapistId, secret, recoveryCodeHashes) {
      const tx = redis
        .multi()
        .hSet(keys.therapist(therapistId), { totpSecret: secret, totpPendingSecret: '' })
        .del(keys.therapistRecoveryCodes(therapistId));
      if (recoveryCodeHashes.length > 0) tx.sAdd(keys.therapistRecoveryCodes(therapistId), recoveryCodeHashes);
      await tx.exec();
    },
    async resetTotp(therapistId) {
      await redis
        .multi()
        .hSet(keys.therapist(therapistId), { totpSecret: '', totpPendingSecret: '' })
        .del(keys.therapistRecoveryCodes(therapistId))
        .exec();
    },
    async consumeRecoveryCode(therapistId, codeHash) {
      return (await redis.sRem(keys.therapistRecoveryCodes(therapistId), codeHash)) === 1;
    },
    async claimTotpStep(therapistId, step) {
      // Steps are accepted ±1 around now, so remembering one for 2 minutes covers the window.
      const claimed = await redis.set(keys.totpStep(therapistId, step), '1', { condition: 'NX', expiration: { type: 'EX', value: 120 } });
      return claimed === 'OK';
    },
  };
}
