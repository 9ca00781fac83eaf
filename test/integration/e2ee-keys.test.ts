import { expect } from 'chai';
import { COMMANDS, FACTS, KEY_READY_TIMEOUT_MS, deriveVerificationCode, type E2eeKeyFact, type KeyActivatedFact, type KeyReadyAck } from '@alcove/shared';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

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

  /** The therapist's console answering `call:key-rotated` as the browser app does, for one test. */
  const consoleReady = (fact: E2eeKeyFact, ready: (ack: KeyReadyAck) => void) => ready({ keyIndex: fact.keyIndex });
  afterEach(() => ctx.consoleSocket.off(FACTS.keyRotated, consoleReady));

  /** Resolves when the socket is disconnected (the server closes a removed person's sockets). */
  const disconnected = (socket: TypedClientSocket) => new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()));

  it('rotates the key when someone is removed, and sends the new one only to those who remain', async () => {
    const { session, clients, invites } = await coupleInCall();
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId: session.sessionId });
    const before = await command<E2eeKeyFact>(clients[0]!, COMMANDS.getCallKey, {});
    if (!before.ok) throw new Error('no key');
    const atRemoved: string[] = [];
    for (const fact of [FACTS.keyRotated, FACTS.keyActivated]) clients[1]!.on(fact, () => atRemoved.push(fact));
    ctx.consoleSocket.on(FACTS.keyRotated, consoleReady);
    clients[0]!.on(FACTS.keyRotated, consoleReady);
    const rotatedForStaying = nextEvent<E2eeKeyFact>(clients[0]!, FACTS.keyRotated);
    const rotatedForTherapist = nextEvent<E2eeKeyFact>(ctx.consoleSocket, FACTS.keyRotated, (f) => f.sessionId === session.sessionId);
    const activatedForStaying = nextEvent<KeyActivatedFact>(clients[0]!, FACTS.keyActivated);
    const removedGone = disconnected(clients[1]!);
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    const [staying, host] = await Promise.all([rotatedForStaying, rotatedForTherapist]);
    expect(staying).to.deep.equal(host);
    expect(staying.key).to.not.equal(before.data.key);
    expect(staying.keyIndex).to.equal((before.data.keyIndex + 1) % 16);
    expect(await deriveVerificationCode(staying.key)).to.not.equal(await deriveVerificationCode(before.data.key));
    expect(await activatedForStaying).to.deep.equal({ sessionId: session.sessionId, keyIndex: staying.keyIndex });
    // The removed person's sockets were closed before the new key existed: nothing reached them.
    await removedGone;
    expect(atRemoved).to.deep.equal([]);
  });

  it('switches everyone to the new key only after everyone who stays holds it', async () => {
    const { session, clients, invites } = await coupleInCall();
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId: session.sessionId });
    const events: string[] = [];
    ctx.consoleSocket.on(FACTS.keyRotated, consoleReady);
    clients[0]!.on(FACTS.keyActivated, () => events.push('activated'));
    const partnerAnswered = new Promise<E2eeKeyFact>((resolve) =>
      clients[0]!.once(FACTS.keyRotated, async (fact, ready) => {
        // A round trip on the same connection: anything the server had already sent (a premature switch) arrives before its answer.
        const inForce = await command<E2eeKeyFact>(clients[0]!, COMMANDS.getCallKey, {});
        events.push(inForce.ok && inForce.data.key === fact.key ? 'new key in force for joiners' : 'old key still given out');
        events.push('answered');
        ready({ keyIndex: fact.keyIndex });
        resolve(fact);
      }),
    );
    const activated = nextEvent<KeyActivatedFact>(clients[0]!, FACTS.keyActivated);
    const activatedForTherapist = nextEvent<KeyActivatedFact>(ctx.consoleSocket, FACTS.keyActivated, (f) => f.sessionId === session.sessionId);
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    const fact = await partnerAnswered;
    expect(await activated).to.deep.equal({ sessionId: session.sessionId, keyIndex: fact.keyIndex });
    expect(await activatedForTherapist).to.deep.equal({ sessionId: session.sessionId, keyIndex: fact.keyIndex });
    expect(events).to.deep.equal(['new key in force for joiners', 'answered', 'activated']);
  });

  it('switches after a bounded wait when a browser never answers', async () => {
    const { session, clients, invites } = await coupleInCall();
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId: session.sessionId });
    // Partner 1 receives the key but never answers (an old tab, a frozen browser); the console does not answer either.
    const rotated = nextEvent<E2eeKeyFact>(clients[0]!, FACTS.keyRotated);
    const activated = nextEvent<KeyActivatedFact>(clients[0]!, FACTS.keyActivated, () => true, KEY_READY_TIMEOUT_MS + 5000);
    const removedAt = Date.now();
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    const fact = await rotated;
    expect(await activated).to.deep.equal({ sessionId: session.sessionId, keyIndex: fact.keyIndex });
    const waitedMs = Date.now() - removedAt;
    expect(waitedMs).to.be.within(KEY_READY_TIMEOUT_MS - 50, KEY_READY_TIMEOUT_MS + 2000);
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

describe('end-to-end media keys across two app instances', () => {
  let a: TestApp;
  let b: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    const prefix = randomPrefix();
    a = await startTestApp({ prefix });
    b = await startTestApp({ prefix, receivesWebhooks: false });
    const account = await a.addTherapist();
    therapist = await loginTherapist(a.origin, account.email, account.password);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('counts the answer of a browser connected to the other instance, so the switch does not wait for the bound', async () => {
    const { session, secrets, invites } = await therapist.createSession('couple');
    const consoleOnA = track(await connectTherapist(a.origin, therapist.cookie));
    const stayingOnB = track(await connectClient(b.origin, secrets[0]!, newDeviceId()));
    const removedOnA = track(await connectClient(a.origin, secrets[1]!, newDeviceId()));
    await Promise.all([stayingOnB, removedOnA].map((c, i) => command(c, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })));
    await command(consoleOnA, COMMANDS.admitAll, { sessionId: session.sessionId });
    const ready = (fact: E2eeKeyFact, answer: (ack: KeyReadyAck) => void) => answer({ keyIndex: fact.keyIndex });
    consoleOnA.on(FACTS.keyRotated, ready);
    stayingOnB.on(FACTS.keyRotated, ready);
    const activated = nextEvent<KeyActivatedFact>(stayingOnB, FACTS.keyActivated);
    const removedAt = Date.now();
    await command(consoleOnA, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    expect((await activated).sessionId).to.equal(session.sessionId);
    expect(Date.now() - removedAt, 'ms until the switch').to.be.below(KEY_READY_TIMEOUT_MS);
  });
});
