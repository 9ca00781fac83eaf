/**
 * A key staged while waiting (issue 15 item 1) against the therapist's action landing at the worst
 * moment: after the stage checked that the client waits, before its write is in Redis.
 *
 * The app runs whole (real Redis, real LiveKit) and the therapist acts over the console socket, as
 * always. Only the staging itself runs here, in the test, with the same domain code over the same
 * Redis, because that is the one place the interleaving can be forced: its store's write is held
 * until the therapist's command has been answered. Nothing in it is a stand-in — each store is the
 * app's Redis store — except the relay, which records what the staging would tell people.
 */
import { expect } from 'chai';
import { COMMANDS, generateCallKeyPair, type CallMember, type CallMembersFact, type PublicKeyTag } from '@alcove/shared';
import { AppError } from '../../server/src/app-error.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { createRedisCallMemberStore } from '../../server/src/adapters/redis/call-member-store.ts';
import { createRedisParticipantStore } from '../../server/src/adapters/redis/participant-store.ts';
import { createRedisSessionStore } from '../../server/src/adapters/redis/session-store.ts';
import { createRedisTherapistStore } from '../../server/src/adapters/redis/therapist-store.ts';
import { startRedisClock, type RedisClock } from '../../server/src/adapters/redis/redis-clock.ts';
import { createCallMembers, type CallMemberStore, type KeyRelay } from '../../server/src/encryption/call-member-relay.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId } from '../support/socket-clients.ts';

describe('a key staged while waiting, with the therapist acting in between', () => {
  const ctx = useTherapistApp();
  let clock: RedisClock;
  before(async () => {
    clock = await startRedisClock(ctx.t.app.redis);
  });
  after(() => clock?.stop());

  /** The staging as the app does it, over the app's Redis; `beforeWrite` runs once, after the stage's checks and before its write. */
  function stagingWith(beforeWrite: () => Promise<void>) {
    const redis = ctx.t.app.redis;
    const keys = createRedisKeys(ctx.t.config.redis.prefix);
    const store = createRedisCallMemberStore(redis, keys);
    let pending: (() => Promise<void>) | null = beforeWrite;
    const heldStore: CallMemberStore = {
      ...store,
      async put(sessionId, member, expiresAt) {
        const run = pending;
        pending = null;
        if (run) await run();
        await store.put(sessionId, member, expiresAt);
      },
    };
    const told: { participantIds: string[]; members: CallMember[] }[] = [];
    const relay: KeyRelay = {
      membersChanged: (_therapistId, participantIds, fact) => void told.push({ participantIds, members: fact.members }),
      keySent: async () => false,
      resourcesSent: () => undefined,
      switchKey: () => undefined,
    };
    const members = createCallMembers({
      store: heldStore,
      sessionStore: createRedisSessionStore(redis, keys),
      participants: createRedisParticipantStore(redis, keys, clock),
      therapists: createRedisTherapistStore(redis, keys),
      relay,
      logger: createLogger({ level: 'error', write: () => undefined }),
      expiresAtFor: () => Date.now() + 60 * 60_000,
    });
    return { members, told, stored: (sessionId: string) => store.list(sessionId) };
  }

  async function clientWaiting() {
    const created = await ctx.therapist.createSession('individual');
    const client = ctx.track(await connectClient(ctx.t.origin, created.secrets[0]!, newDeviceId()));
    const checkedIn = await command(client, COMMANDS.checkIn, { displayName: 'Robin' });
    expect(checkedIn.ok, JSON.stringify(checkedIn)).to.equal(true);
    const publicKey: PublicKeyTag = (await generateCallKeyPair('X25519')).publicKey;
    return { sessionId: created.session.sessionId, participantId: created.invites[0]!.participantId, publicKey };
  }

  it('admitted after the stage checked and before it wrote: the stage itself lists the key to the call', async () => {
    const { sessionId, participantId, publicKey } = await clientWaiting();
    // The console's own key, so the list has someone to tell.
    const consoleKey = (await generateCallKeyPair('X25519')).publicKey;
    const staging = stagingWith(async () => {
      const admitted = await command(ctx.consoleSocket, COMMANDS.admit, { sessionId, participantId });
      expect(admitted.ok, JSON.stringify(admitted)).to.equal(true);
      const announced = await command<CallMembersFact>(ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId, publicKeys: [consoleKey] });
      expect(announced.ok, JSON.stringify(announced)).to.equal(true);
      // The admission looked for a staged key and found none: the write below is not in Redis yet.
      expect(announced.ok && announced.data.members.map((m) => m.memberId)).to.not.include(participantId);
    });

    const answer = await staging.members.announceClient(participantId, sessionId, [publicKey]);

    const listed = answer.find((m) => m.memberId === participantId);
    expect(listed?.publicKeys, 'the answer is the list with the staged key').to.deep.equal([publicKey]);
    expect(staging.told, 'the call was told once').to.have.length(1);
    expect(staging.told[0]!.participantIds).to.deep.equal([participantId]);
    expect(staging.told[0]!.members.find((m) => m.memberId === participantId)?.publicKeys).to.deep.equal([publicKey]);
  });

  it('removed after the stage checked and before it wrote: the key is taken out again and the stage is refused', async () => {
    const { sessionId, participantId, publicKey } = await clientWaiting();
    const staging = stagingWith(async () => {
      const removed = await command(ctx.consoleSocket, COMMANDS.remove, { sessionId, participantId });
      expect(removed.ok, JSON.stringify(removed)).to.equal(true);
    });

    const refusal = await staging.members.announceClient(participantId, sessionId, [publicKey]).then(
      () => null,
      (error: unknown) => error,
    );

    expect(refusal).to.be.instanceOf(AppError);
    expect((refusal as AppError).code).to.equal('not_admitted');
    expect((await staging.stored(sessionId)).map((m) => m.memberId), 'nothing of the removed client is kept').to.not.include(participantId);
    expect(staging.told, 'nobody was told anything').to.deep.equal([]);
  });
});
