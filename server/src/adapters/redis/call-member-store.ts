import { publicKeysSchema } from '@alcove/shared';
import type { CallMemberStore, StoredCallMember } from '../../encryption/call-member-relay.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** One hash per call: member id → `{ role, publicKeys }` as JSON. Public keys only, nothing that decrypts. */
export function createRedisCallMemberStore(redis: RedisClient, keys: RedisKeys): CallMemberStore {
  return {
    async list(sessionId) {
      const hash = await redis.hGetAll(keys.callMembers(sessionId));
      const members: StoredCallMember[] = [];
      for (const [memberId, value] of Object.entries(hash)) {
        const parsed = JSON.parse(value) as { role?: unknown; publicKeys?: unknown };
        const publicKeys = publicKeysSchema.safeParse(parsed.publicKeys);
        if ((parsed.role === 'therapist' || parsed.role === 'client') && publicKeys.success) members.push({ memberId, role: parsed.role, publicKeys: publicKeys.data });
      }
      return members;
    },
    async put(sessionId, member, expiresAt) {
      const key = keys.callMembers(sessionId);
      await redis
        .multi()
        .hSet(key, member.memberId, JSON.stringify({ role: member.role, publicKeys: member.publicKeys }))
        .pExpireAt(key, expiresAt)
        .exec();
    },
    async remove(sessionId, memberId) {
      return (await redis.hDel(keys.callMembers(sessionId), memberId)) > 0;
    },
  };
}
