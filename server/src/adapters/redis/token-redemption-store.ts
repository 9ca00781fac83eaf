import type { TokenRedemptionStore } from '../../tokens/token-redemption.ts';
import { TOKEN_REQUEST_SCOPE } from '../../tokens/token-redemption.ts';
import { INVITE_FAILURE_SCOPE } from '../../waiting-room/client-presence.ts';
import { RESOLVE_INVITE_LUA_FUNCTION, toResolvedInvite } from './invite-hash-store.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import { rateLimitKey } from './rate-limiter.ts';
import type { RedisClient } from './redis-client.ts';

/*
 * What a token request used to read in two round trips and four client commands (the address's
 * failure counter, the invite, the token counter as MULTI/INCR/EXPIRE/EXEC, the device lease),
 * in one script. The token counter is keyed by the participant id as it is (an opaque random id,
 * nothing personal), because the script learns the id only from the invite and Lua has no SHA-256.
 * A remaining window (TTL) is read only for a caller who is over its limit, as in rate-limiter.ts.
 * The counter's window is set by the INCR that creates it (count 1), in the same atomic script,
 * so no counter can exist without a TTL and later requests need no EXPIRE (one Redis command less
 * per token); nothing else writes these keys.
 * Every request for an invite that resolves is counted, whatever the participant's state: which
 * states may have a token is the lifecycle table's to say (participant-lifecycle.ts), not a script's.
 *
 * KEYS[1] the address's failure counter, KEYS[2] the invite.
 * ARGV: participant prefix, session prefix, token-counter prefix, lease prefix, failure limit,
 *       token limit, token window (s).
 */
const TOKEN_REDEMPTION_SCRIPT = defineLuaScript(`${RESOLVE_INVITE_LUA_FUNCTION}
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local failureTtl = 0
if failures >= tonumber(ARGV[5]) then failureTtl = redis.call('TTL', KEYS[1]) end
local participantId, participant, session = resolveInvite(KEYS[2], ARGV[1], ARGV[2])
if not participantId then return { failures, failureTtl } end
local counter = ARGV[3] .. participantId
local count = redis.call('INCR', counter)
if count == 1 then redis.call('EXPIRE', counter, ARGV[7]) end
local tokenTtl = 0
if count > tonumber(ARGV[6]) then tokenTtl = redis.call('TTL', counter) end
return { failures, failureTtl, participant, session, count, tokenTtl, redis.call('GET', ARGV[4] .. participantId) }
`);

const decision = (allowed: boolean, ttlSeconds: unknown) => ({ allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Number(ttlSeconds)) });

export function createRedisTokenRedemptionStore(redis: RedisClient, keys: RedisKeys): TokenRedemptionStore {
  return {
    async read({ inviteHash, clientIp, addressFailureLimit, tokenLimit, tokenWindowSeconds }) {
      const reply = (await TOKEN_REDEMPTION_SCRIPT.run(redis, {
        keys: [rateLimitKey(keys, INVITE_FAILURE_SCOPE, clientIp), keys.invite(inviteHash)],
        arguments: [
          keys.participant(''),
          keys.session(''),
          keys.rateLimit(TOKEN_REQUEST_SCOPE, ''),
          keys.deviceLease(''),
          String(addressFailureLimit),
          String(tokenLimit),
          String(tokenWindowSeconds),
        ],
      })) as unknown[];
      const [failures, failureTtl, participantHash, sessionHash, count, tokenTtl, holder] = reply;
      const found = participantHash === undefined ? null : toResolvedInvite(participantHash, sessionHash);
      return {
        addressBlocked: decision(Number(failures) < addressFailureLimit, failureTtl),
        found,
        tokenRate: found && count !== undefined ? decision(Number(count) <= tokenLimit, tokenTtl) : null,
        leaseHolder: typeof holder === 'string' ? holder : null,
      };
    },
  };
}
