import type { InviteStore, ResolvedInvite } from '../../sessions/invites.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { flatToHash, participantFromHash, sessionFromHash } from './record-hashes.ts';

/**
 * Invite → participant → session, as a Lua function other scripts include (token-redemption-store.ts):
 * returns the participant id, its hash and its session's hash, or nil. Key prefixes come
 * from keys.ts as arguments.
 */
export const RESOLVE_INVITE_LUA_FUNCTION = `
local function resolveInvite(inviteKey, participantPrefix, sessionPrefix)
  local participantId = redis.call('GET', inviteKey)
  if not participantId then return nil end
  local participant = redis.call('HGETALL', participantPrefix .. participantId)
  if #participant == 0 then return nil end
  local sessionId
  for i = 1, #participant, 2 do
    if participant[i] == 'sessionId' then sessionId = participant[i + 1] end
  end
  if not sessionId then return nil end
  return participantId, participant, redis.call('HGETALL', sessionPrefix .. sessionId)
end
`;

/** The participant and session hashes a resolving script returned, as records (null when either is gone). */
export function toResolvedInvite(participantHash: unknown, sessionHash: unknown): ResolvedInvite | null {
  const participant = participantFromHash(flatToHash(participantHash));
  const session = sessionFromHash(flatToHash(sessionHash));
  return participant && session ? { participant, session } : null;
}

// The hot path of every client handshake: one round trip.
const RESOLVE_INVITE_SCRIPT = defineLuaScript(`${RESOLVE_INVITE_LUA_FUNCTION}
local _, participant, session = resolveInvite(KEYS[1], ARGV[1], ARGV[2])
if not participant then return false end
return { participant, session }
`);

export function createRedisInviteStore(redis: RedisClient, keys: RedisKeys): InviteStore {
  return {
    async resolveInvite(inviteHash) {
      const result = await RESOLVE_INVITE_SCRIPT.run(redis, {
        keys: [keys.invite(inviteHash)],
        arguments: [keys.participant(''), keys.session('')],
      });
      return Array.isArray(result) ? toResolvedInvite(result[0], result[1]) : null;
    },

    async replaceInvite(participantId, inviteHash, expiresAt) {
      const previous = await redis.get(keys.participantInvite(participantId));
      const tx = redis.multi();
      if (previous) tx.del(keys.invite(previous));
      tx.set(keys.invite(inviteHash), participantId, { expiration: { type: 'PXAT', value: expiresAt } });
      tx.set(keys.participantInvite(participantId), inviteHash, { expiration: { type: 'PXAT', value: expiresAt } });
      await tx.exec();
    },

    async revokeInvite(participantId) {
      const previous = await redis.get(keys.participantInvite(participantId));
      const tx = redis.multi();
      if (previous) tx.del(keys.invite(previous));
      tx.del(keys.participantInvite(participantId));
      await tx.exec();
    },
  };
}
