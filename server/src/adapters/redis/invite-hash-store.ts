import type { InviteStore } from '../../sessions/invites.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { flatToHash, participantFromHash, sessionFromHash } from './record-hashes.ts';

// Invite → participant → session in one round trip (the hot path of every client
// handshake and token request). Key prefixes come from keys.ts as arguments.
const RESOLVE_INVITE_SCRIPT = defineLuaScript(`
local participantId = redis.call('GET', KEYS[1])
if not participantId then return false end
local participant = redis.call('HGETALL', ARGV[1] .. participantId)
if #participant == 0 then return false end
local sessionId
for i = 1, #participant, 2 do
  if participant[i] == 'sessionId' then sessionId = participant[i + 1] end
end
if not sessionId then return false end
return { participant, redis.call('HGETALL', ARGV[2] .. sessionId) }
`);

export function createRedisInviteStore(redis: RedisClient, keys: RedisKeys): InviteStore {
  return {
    async resolveInvite(inviteHash) {
      const result = await RESOLVE_INVITE_SCRIPT.run(redis, {
        keys: [keys.invite(inviteHash)],
        arguments: [keys.participant(''), keys.session('')],
      });
      if (!Array.isArray(result)) return null;
      const participant = participantFromHash(flatToHash(result[0]));
      const session = sessionFromHash(flatToHash(result[1]));
      return participant && session ? { participant, session } : null;
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
