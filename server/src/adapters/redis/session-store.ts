import type { SessionStore } from '../../sessions/session-records.ts';
import type { RedisKeys } from './keys.ts';
import { defineLuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { sessionFromHash, toHash } from './record-hashes.ts';

const MARK_LIVE_SCRIPT = defineLuaScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'scheduled' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'live', 'startedAt', ARGV[1])
return 1
`);

/**
 * The session aggregate. Creation and erasure also write the participant, invite and lease keys
 * (the other stores' keys, from keys.ts) in the same MULTI: a session never exists half-made or
 * half-erased.
 */
export function createRedisSessionStore(redis: RedisClient, keys: RedisKeys): SessionStore {
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
      tx.del(keys.callMembers(sessionId));
      tx.del(keys.sealedInbox(sessionId));
      // A minimal marker so late sockets and webhooks learn "ended" instead of "unknown".
      tx.hSet(keys.session(sessionId), { status: 'ended', endedAt: String(endedAt), lastMessage: '' });
      tx.pExpireAt(keys.session(sessionId), keepUntil);
      await tx.exec();
    },
  };
}
