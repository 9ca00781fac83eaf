import type { ParticipantRecord, ParticipantStore } from '../../sessions/participant-records.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import { REDIS_COMMAND_TIMEOUT_MS, type RedisClient } from './redis-client.ts';
import type { RedisClock } from './redis-clock.ts';
import { flatToHash, participantFromHash, toHash, type Hash } from './record-hashes.ts';
import { AppError } from '../../app-error.ts';

// Compare-and-set on a participant hash, so two app instances (or a therapist
// and a reconnecting client) can never overwrite each other's transition.
const TRANSITION_SCRIPT = defineLuaScript(`
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == status then allowed = true end
end
if not allowed then return false end
if ARGV[2] == '1' and redis.call('HGET', KEYS[1], 'connectionId') ~= ARGV[3] then return false end
-- Run after the caller gave up (Redis was stalled): change nothing, the caller was told it failed.
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[4]) then return -1 end
if #ARGV > 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 5)) end
return redis.call('HGETALL', KEYS[1])
`);

export function createRedisParticipantStore(redis: RedisClient, keys: RedisKeys, clock: RedisClock): ParticipantStore {
  return {
    async getParticipant(participantId) {
      return participantFromHash(await redis.hGetAll(keys.participant(participantId)));
    },

    async listParticipants(sessionId) {
      const ids = await redis.sMembers(keys.sessionParticipants(sessionId));
      if (ids.length === 0) return [];
      const tx = redis.multi();
      for (const id of ids) tx.hGetAll(keys.participant(id));
      const hashes = (await tx.exec()) as unknown as Hash[];
      return hashes
        .map(participantFromHash)
        .filter((p): p is ParticipantRecord => p !== null)
        .sort((a, b) => a.slot - b.slot);
    },

    async transitionParticipant(participantId, from, patch, ifConnectionId) {
      const fields = Object.entries(toHash(patch)).flat();
      const result = await TRANSITION_SCRIPT.run(redis, {
        keys: [keys.participant(participantId)],
        arguments: [from.join(','), ifConnectionId === undefined ? '0' : '1', ifConnectionId ?? '', String(clock.deadline(REDIS_COMMAND_TIMEOUT_MS)), ...fields],
      });
      if (result === -1) throw AppError.unavailable(new Error('transition ran after its deadline'));
      return result ? participantFromHash(flatToHash(result)) : null;
    },
  };
}
