/**
 * The bench's appointments: therapist accounts (through the operator's
 * directory, as the CLI adds them), each signed in once over HTTP, and couple
 * sessions created through `POST /api/sessions` — the real path end to end.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { HTTP_ROUTES, type CreateSessionResponse, type LoginResponse } from '@alcove/shared';
import { createRedisKeys } from '../server/src/adapters/redis/keys.ts';
import { createRedisTherapistStore } from '../server/src/adapters/redis/therapist-store.ts';
import { createTherapistDirectory } from '../server/src/therapists/therapist-directory.ts';
import { createRedisAuditTrail } from '../server/src/adapters/redis/audit-stream.ts';
import { AUDIT_RETENTION_DAYS_DEFAULT } from '../server/src/observability/audit-trail.ts';
import { createLogger } from '../server/src/observability/logger.ts';
import type { RedisClient } from '../server/src/adapters/redis/redis-client.ts';
import type { HttpTarget } from './keep-alive-http.ts';
import { ADDRESS_BLOCK, loopbackAddress } from './loopback-sockets.ts';

export interface BenchTherapist {
  index: number;
  therapistId: string;
  cookie: string;
  /** The therapist's own loopback source address (sign-in is rate-limited per IP). */
  address: string;
}

export interface BenchInvite {
  participantId: string;
  secret: string;
}

export interface BenchSession {
  sessionId: string;
  therapist: BenchTherapist;
  invites: BenchInvite[];
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function seedTherapists(options: { redisUrl: string; redisPrefix: string; http: HttpTarget; count: number }): Promise<BenchTherapist[]> {
  const redis = createClient({ url: options.redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  const accounts: { email: string; password: string }[] = [];
  try {
    const keys = createRedisKeys(options.redisPrefix);
    const audit = createRedisAuditTrail({ redis: redis as unknown as RedisClient, keys, logger: createLogger({ level: 'warn' }), now: Date.now, retentionMs: AUDIT_RETENTION_DAYS_DEFAULT * 24 * 3600_000 });
    const directory = createTherapistDirectory({ therapists: createRedisTherapistStore(redis, keys), audit, now: Date.now });
    for (let i = 0; i < options.count; i += 1) {
      const email = `bench-therapist-${i}-${randomBytes(3).toString('hex')}@example.test`;
      const password = `pw-${randomBytes(12).toString('base64url')}`;
      await directory.add({ email, displayName: `Bench Therapist ${i}`, password });
      accounts.push({ email, password });
    }
  } finally {
    await redis.close().catch(() => undefined);
  }

  const therapists: BenchTherapist[] = [];
  await forEachLimited(accounts, 4, async (account, index) => {
    const address = loopbackAddress(ADDRESS_BLOCK.therapists, index);
    const response = await options.http.postJson<LoginResponse>(HTTP_ROUTES.login.path, account, { localAddress: address });
    if (response.status !== 200) throw new Error(`therapist login failed: HTTP ${response.status}`);
    const cookie = response.setCookie[0]?.split(';')[0];
    if (!cookie) throw new Error('therapist login set no cookie');
    therapists[index] = { index, therapistId: response.body.therapist.therapistId, cookie, address };
  });
  return therapists;
}

/** Couple sessions starting now, dealt round-robin to the therapists. */
export async function seedCoupleSessions(http: HttpTarget, therapists: readonly BenchTherapist[], count: number): Promise<BenchSession[]> {
  const sessions: BenchSession[] = [];
  const slots = Array.from({ length: count }, (_, i) => therapists[i % therapists.length]!);
  await forEachLimited(slots, 16, async (therapist, index) => {
    const response = await http.postJson<CreateSessionResponse>(HTTP_ROUTES.createSession.path, { kind: 'couple' }, { cookie: therapist.cookie, localAddress: therapist.address });
    if (response.status !== 201) throw new Error(`create session failed: HTTP ${response.status}`);
    sessions[index] = {
      sessionId: response.body.session.sessionId,
      therapist,
      invites: response.body.invites.map((invite) => ({ participantId: invite.participantId, secret: new URL(invite.joinUrl).hash.slice(1) })),
    };
  });
  return sessions;
}

/** Deletes every key of this run (all carry its random prefix); the socket.io stream too. */
export async function eraseBenchKeys(redisUrl: string, redisPrefix: string): Promise<number> {
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  let erased = 0;
  try {
    for await (const batch of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 1000 })) {
      if (batch.length > 0) erased += await redis.unlink(batch);
    }
  } finally {
    await redis.close().catch(() => undefined);
  }
  return erased;
}
