import { expect } from 'chai';
import { COMMANDS, FACTS, deriveVerificationCode, type E2eeKeyFact } from '@alcove/shared';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent } from '../support/socket-clients.ts';

describe('end-to-end media keys', () => {
  const ctx = useTherapistApp();

  async function coupleInCall() {
    const created = await ctx.therapist.createSession('couple');
    const clients = await Promise.all(created.secrets.map((s) => connectClient(ctx.t.origin, s, newDeviceId()).then(ctx.track)));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })));
    return { ...created, clients };
  }

  it('gives the key only to admitted participants and the therapist, never before the session starts', async () => {
    const { session, clients, invites } = await coupleInCall();
    const early = await command(ctx.consoleSocket, COMMANDS.getSessionKey, { sessionId: session.sessionId });
    expect(early.ok === false && early.error.code).to.equal('conflict');
    const waitingAsk = await command(clients[0]!, COMMANDS.getCallKey, {});
    expect(waitingAsk.ok === false && waitingAsk.error.code).to.equal('not_admitted');

    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    const admittedKey = await command<E2eeKeyFact>(clients[0]!, COMMANDS.getCallKey, {});
    const hostKey = await command<E2eeKeyFact>(ctx.consoleSocket, COMMANDS.getSessionKey, { sessionId: session.sessionId });
    const stillWaiting = await command(clients[1]!, COMMANDS.getCallKey, {});
    expect(admittedKey.ok && hostKey.ok).to.equal(true);
    if (!admittedKey.ok || !hostKey.ok) return;
    expect(admittedKey.data).to.deep.equal(hostKey.data);
    expect(admittedKey.data.key).to.match(/^[A-Za-z0-9_-]{43}$/u);
    expect(stillWaiting.ok === false && stillWaiting.error.code).to.equal('not_admitted');
    // Keys are per session.
    const other = await coupleInCall();
    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: other.session.sessionId, participantId: other.invites[0]!.participantId });
    const otherKey = await command<E2eeKeyFact>(other.clients[0]!, COMMANDS.getCallKey, {});
    expect(otherKey.ok && otherKey.data.key).to.not.equal(admittedKey.data.key);
  });

  it('rotates the key when someone is removed, and sends the new one only to those who remain', async () => {
    const { session, clients, invites } = await coupleInCall();
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId: session.sessionId });
    const before = await command<E2eeKeyFact>(clients[0]!, COMMANDS.getCallKey, {});
    if (!before.ok) throw new Error('no key');
    let removedGotKey = false;
    clients[1]!.on(FACTS.keyRotated, () => (removedGotKey = true));
    const rotatedForStaying = nextEvent<E2eeKeyFact>(clients[0]!, FACTS.keyRotated);
    const rotatedForTherapist = nextEvent<E2eeKeyFact>(ctx.consoleSocket, FACTS.keyRotated, (f) => f.sessionId === session.sessionId);
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    const [staying, host] = await Promise.all([rotatedForStaying, rotatedForTherapist]);
    expect(staying).to.deep.equal(host);
    expect(staying.key).to.not.equal(before.data.key);
    expect(staying.keyIndex).to.equal((before.data.keyIndex + 1) % 16);
    expect(await deriveVerificationCode(staying.key)).to.not.equal(await deriveVerificationCode(before.data.key));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(removedGotKey).to.equal(false);
  });

  it('deletes the key from Redis when the session ends', async () => {
    const { session } = await coupleInCall();
    await ctx.therapist.start(session.sessionId);
    const key = `${ctx.t.config.redis.prefix}e2ee-key:${session.sessionId}`;
    expect(await ctx.t.app.redis.exists(key)).to.equal(1);
    expect(await ctx.t.app.redis.pTTL(key)).to.be.greaterThan(0);
    await command(ctx.consoleSocket, COMMANDS.endSession, { sessionId: session.sessionId });
    expect(await ctx.t.app.redis.exists(key)).to.equal(0);
  });

  it('derives the same 8-digit verification code from the same key everywhere', async () => {
    const code = await deriveVerificationCode('a-test-key');
    expect(code).to.match(/^\d{4} \d{4}$/u);
    expect(await deriveVerificationCode('a-test-key')).to.equal(code);
    expect(await deriveVerificationCode('another-key')).to.not.equal(code);
  });
});
