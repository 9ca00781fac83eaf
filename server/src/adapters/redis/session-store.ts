import { CONNECTION_VERDICTS, type ConnectionVerdict } from '@alcove/shared';
import type { ParticipantPatch, ParticipantRecord, ParticipantStatus, SessionRecord, SessionStore } from '../../sessions/session-records.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import { REDIS_COMMAND_TIMEOUT_MS, type RedisClient } from './redis-client.ts';
import type { RedisClock } from './redis-clock.ts';
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

const ACQUIRE_LEASE_SCRIPT = defineLuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

const RELEASE_LEASE_SCRIPT = defineLuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const MARK_LIVE_SCRIPT = defineLuaScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'scheduled' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'live', 'startedAt', ARGV[1])
return 1
`);

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

type Hash = Record<string, string>;

const encode = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
const optionalNumber = (value: string | undefined): number | null => (value ? Number(value) : null);
const optionalString = (value: string | undefined): string | null => (value ? value : null);

function toHash(record: object): Hash {
  const hash: Hash = {};
  for (const [key, value] of Object.entries(record)) hash[key] = encode(value);
  return hash;
}

function sessionFromHash(hash: Hash): SessionRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    therapistId: hash.therapistId ?? '',
    kind: hash.kind === 'couple' ? 'couple' : 'individual',
    status: (hash.status as SessionRecord['status']) ?? 'ended',
    roomName: hash.roomName ?? '',
    hostIdentity: hash.hostIdentity ?? '',
    clientSlots: Number(hash.clientSlots),
    createdAt: Number(hash.createdAt),
    startsAt: Number(hash.startsAt),
    durationMinutes: Number(hash.durationMinutes),
    opensAt: Number(hash.opensAt),
    closesAt: Number(hash.closesAt),
    startedAt: optionalNumber(hash.startedAt),
    endedAt: optionalNumber(hash.endedAt),
    lastMessage: hash.lastMessage ? (JSON.parse(hash.lastMessage) as SessionRecord['lastMessage']) : null,
  };
}

function participantFromHash(hash: Hash): ParticipantRecord | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    sessionId: hash.sessionId ?? '',
    slot: Number(hash.slot),
    status: (hash.status as ParticipantStatus) ?? 'left',
    displayName: optionalString(hash.displayName),
    waitingSince: optionalNumber(hash.waitingSince),
    admittedAt: optionalNumber(hash.admittedAt),
    connectionId: optionalString(hash.connectionId),
    disconnectedAt: optionalNumber(hash.disconnectedAt),
    inCall: hash.inCall === 'true',
    connectionCheck: (CONNECTION_VERDICTS as readonly string[]).includes(hash.connectionCheck ?? '') ? (hash.connectionCheck as ConnectionVerdict) : null,
    updatedAt: Number(hash.updatedAt),
  };
}

function flatToHash(flat: unknown): Hash {
  const hash: Hash = {};
  if (!Array.isArray(flat)) return hash;
  for (let i = 0; i + 1 < flat.length; i += 2) hash[String(flat[i])] = String(flat[i + 1]);
  return hash;
}

export function createRedisSessionStore(redis: RedisClient, keys: RedisKeys, clock: RedisClock): SessionStore {
  return {
    async createSession({ session, participants, invites, expiresAt }) {
      const tx = redis.multi();
      tx.hSet(keys.session(session.id), toHash(session));
      tx.pExpireAt(keys.session(session.id), expiresAt);
      tx.zAdd(keys.therapistSessions(session.therapistId), { score: session.startsAt, value: session.id });
      // The index lives as long as its longest-lived session.
      tx.pExpireAt(keys.therapistSessions(session.therapistId), expiresAt, 'NX');
      tx.pExpireAt(keys.therapistSessions(session.therapistId), expiresAt, 'GT');
      for (const participant of participants) {
        tx.hSet(keys.participant(participant.id), toHash(participant));
        tx.pExpireAt(keys.participant(participant.id), expiresAt);
        tx.sAdd(keys.sessionParticipants(session.id), participant.id);
      }
      tx.pExpireAt(keys.sessionParticipants(session.id), expiresAt);
      for (const invite of invites) {
        tx.set(keys.invite(invite.hash), invite.participantId, { expiration: { type: 'PXAT', value: session.closesAt } });
        tx.set(keys.participantInvite(invite.participantId), invite.hash, { expiration: { type: 'PXAT', value: session.closesAt } });
      }
      await tx.exec();
    },

    async getSession(sessionId) {
      return sessionFromHash(await redis.hGetAll(keys.session(sessionId)));
    },

    async listSessionIds(therapistId) {
      return redis.zRange(keys.therapistSessions(therapistId), 0, -1);
    },

    async patchSession(sessionId, patch) {
      // Only patch a session that still exists, never resurrect an expired one.
      if ((await redis.exists(keys.session(sessionId))) === 0) return;
      await redis.hSet(keys.session(sessionId), toHash(patch));
    },

    async markLive(sessionId, startedAt) {
      const result = await MARK_LIVE_SCRIPT.run(redis, { keys: [keys.session(sessionId)], arguments: [String(startedAt)] });
      return result === 1;
    },

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

    async acquireDeviceLease(participantId, deviceId, ttlMs) {
      const result = await ACQUIRE_LEASE_SCRIPT.run(redis, {
        keys: [keys.deviceLease(participantId)],
        arguments: [deviceId, String(ttlMs)],
      });
      return result === 1;
    },

    async releaseDeviceLease(participantId, deviceId) {
      await RELEASE_LEASE_SCRIPT.run(redis, { keys: [keys.deviceLease(participantId)], arguments: [deviceId] });
    },

    async getDeviceLeaseHolder(participantId) {
      return redis.get(keys.deviceLease(participantId));
    },

    async eraseSession(sessionId, endedAt, keepUntil) {
      const ids = await redis.sMembers(keys.sessionParticipants(sessionId));
      const inviteHashes = ids.length > 0 ? await redis.mGet(ids.map((id) => keys.participantInvite(id))) : [];
      const tx = redis.multi();
      for (const hash of inviteHashes) if (hash) tx.del(keys.invite(hash));
      for (const id of ids) {
        tx.del(keys.participantInvite(id));
        tx.del(keys.deviceLease(id));
        tx.del(keys.participant(id));
      }
      tx.del(keys.sessionParticipants(sessionId));
      tx.del(keys.e2eeKey(sessionId));
      // A minimal marker so late sockets and webhooks learn "ended" instead of "unknown".
      tx.hSet(keys.session(sessionId), { status: 'ended', endedAt: String(endedAt), lastMessage: '' });
      tx.pExpireAt(keys.session(sessionId), keepUntil);
      await tx.exec();
    },
  };
}
