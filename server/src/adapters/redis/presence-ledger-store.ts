import type { ClientConnection } from '../../waiting-room/client-presence.ts';
import type { PresenceLedger } from '../../waiting-room/presence-ledger.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** Ledger keys are refreshed on every write; a day of silence means no instance is left to care. */
const LEDGER_TTL_MS = 24 * 3600_000;

// ZRANGEBYSCORE then ZREM in one step: whoever removes a member owns it.
const CLAIM_DUE_SCRIPT = defineLuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for i = 1, #due, 2 do
  if due[i] ~= ARGV[3] and redis.call('ZREM', KEYS[1], due[i]) == 1 then
    claimed[#claimed + 1] = due[i]
    claimed[#claimed + 1] = due[i + 1]
  end
end
return claimed
`);

const TAKE_HASH_SCRIPT = defineLuaScript(`
local all = redis.call('HVALS', KEYS[1])
redis.call('DEL', KEYS[1])
return all
`);

function parseConnection(json: string): ClientConnection | null {
  try {
    const value = JSON.parse(json) as Partial<ClientConnection>;
    if (typeof value.participantId !== 'string' || typeof value.connectionId !== 'string') return null;
    return value as ClientConnection;
  } catch {
    return null;
  }
}

export function createRedisPresenceLedger(redis: RedisClient, keys: RedisKeys): PresenceLedger {
  // Only opaque ids go in: no names, no invite secrets (see no-traces.test.ts).
  const encode = (conn: ClientConnection) =>
    JSON.stringify({ participantId: conn.participantId, sessionId: conn.sessionId, therapistId: conn.therapistId, deviceId: conn.deviceId, connectionId: conn.connectionId });

  return {
    async beat(instanceId, atMs) {
      const [added] = await redis.multi().zAdd(keys.instances(), { score: atMs, value: instanceId }).pExpire(keys.instances(), LEDGER_TTL_MS).exec();
      return Number(added) === 0;
    },
    async retire(instanceId) {
      await redis.zAdd(keys.instances(), { score: 0, value: instanceId });
    },
    async connectionOpened(instanceId, conn) {
      const key = keys.instanceConnections(instanceId);
      await redis.multi().hSet(key, conn.connectionId, encode(conn)).pExpire(key, LEDGER_TTL_MS).exec();
    },
    async connectionClosed(instanceId, connectionId) {
      await redis.hDel(keys.instanceConnections(instanceId), connectionId);
    },
    async claimDeadInstances(beforeMs, self) {
      const claimed = (await CLAIM_DUE_SCRIPT.run(redis, { keys: [keys.instances()], arguments: [String(beforeMs), '20', self] })) as string[];
      const dead: { instanceId: string; lastBeatMs: number }[] = [];
      for (let i = 0; i < claimed.length; i += 2) dead.push({ instanceId: claimed[i]!, lastBeatMs: Number(claimed[i + 1]) });
      return dead;
    },
    async takeConnections(instanceId) {
      const values = (await TAKE_HASH_SCRIPT.run(redis, { keys: [keys.instanceConnections(instanceId)], arguments: [] })) as string[];
      return values.map(parseConnection).filter((conn): conn is ClientConnection => conn !== null);
    },
    async addDeadline(conn, atMs) {
      await redis.multi().zAdd(keys.presenceDeadlines(), { score: atMs, value: encode(conn) }).pExpire(keys.presenceDeadlines(), LEDGER_TTL_MS).exec();
    },
    async claimDueDeadlines(nowMs, limit) {
      const claimed = (await CLAIM_DUE_SCRIPT.run(redis, { keys: [keys.presenceDeadlines()], arguments: [String(nowMs), String(limit), ''] })) as string[];
      const due: ClientConnection[] = [];
      for (let i = 0; i < claimed.length; i += 2) {
        const conn = parseConnection(claimed[i]!);
        if (conn) due.push(conn);
      }
      return due;
    },
  };
}
