import { expect } from 'chai';
import {
  COMMANDS,
  FACTS,
  HTTP_ROUTES,
  encodeIntakeAnswers,
  generateCallKeyPair,
  newMediaKey,
  sealForTherapist,
  sealResourceList,
  wrapMediaKey,
  type KeyReadyAck,
  type KeySentFact,
} from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent } from '../support/socket-clients.ts';
import { redisEntries } from '../support/redis-dump.ts';
import { eventually } from '../support/eventually.ts';

describe('no traces', () => {
  let t: TestApp;
  after(async () => t.close());

  it('leaves no display name, email, invite secret, token, note, answer or resource in any log line or Redis key after a full couple session', async function () {
    this.timeout(30_000);
    t = await startTestApp({ env: { LOG_LEVEL: 'debug', WAITING_GRACE_SECONDS: '5' } });
    const account = await t.addTherapist('Dr. Seeded Therapistname');
    await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: 'wrong-password-seeded' } });
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    // The sealing key as the console makes it: only its public half goes to the server.
    const sealing = await generateCallKeyPair('X25519');
    await therapist.call(HTTP_ROUTES.setSealingKey, { body: { publicKey: sealing.publicKey } });
    const { session, secrets, invites } = await therapist.createSession('couple', {
      intake: { template: 'couples', questions: [{ id: 'c1', kind: 'text', prompt: 'Anything else?' }] },
    });
    const devices = [newDeviceId(), newDeviceId()];
    const names = ['Seededfirst Partnername', 'Seededsecond Partnername'];
    const clients = await Promise.all(secrets.map((secret, i) => connectClient(t.origin, secret, devices[i])));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: names[i] })));
    // What each partner writes for the therapist alone, sealed in the client as the browser does it.
    const notes = ['Seedednote one, alone first please', 'Seedednote two, about last week'];
    const answers = ['Seededanswer one, twelve years', 'Seededanswer two, lately distant'];
    for (const [i, client] of clients.entries()) {
      const binding = { sessionId: session.sessionId, participantId: invites[i]!.participantId };
      const note = await command(client, COMMANDS.sendPrivateNote, { envelope: await sealForTherapist({ ...binding, purpose: 'note' }, sealing.publicKey, new TextEncoder().encode(notes[i]!)) });
      const intake = await command(client, COMMANDS.submitIntake, { envelope: await sealForTherapist({ ...binding, purpose: 'intake' }, sealing.publicKey, encodeIntakeAnswers({ c1: answers[i]! })) });
      expect([note.ok, intake.ok]).to.deep.equal([true, true]);
    }
    await command(consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'Seeded waiting message' });
    const tokens: string[] = [];
    for (const [i, client] of clients.entries()) {
      const admitted = nextEvent(client, FACTS.admitted);
      await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[i]!.participantId });
      await admitted;
      // One partner asks over its socket (the token in the ack), the other over HTTP: neither may leave a trace.
      if (i === 0) {
        const ack = await command(client, COMMANDS.requestMediaToken, { sessionId: session.sessionId });
        expect(ack.ok).to.equal(true);
        if (ack.ok) tokens.push(ack.data.token);
      } else {
        const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[i], deviceId: devices[i] } });
        tokens.push(token.body.token);
      }
    }
    const hostToken = await therapist.start(session.sessionId);
    // The key exchange as the browsers run it: public keys announced, the media key sealed to each client.
    const [hostPair, ...clientPairs] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    const mediaKey = newMediaKey();
    await command(consoleSocket, COMMANDS.announceSessionKey, { sessionId: session.sessionId, publicKeys: [hostPair!.publicKey] });
    for (const [i, client] of clients.entries()) {
      client.on(FACTS.keySent, (fact: KeySentFact, installed: (ack: KeyReadyAck) => void) => installed({ keyIndex: fact.envelope.keyIndex }));
      await command(client, COMMANDS.announceCallKey, { publicKeys: [clientPairs[i]!.publicKey] });
      const envelope = await wrapMediaKey({ sessionId: session.sessionId, keyIndex: 0, sender: hostPair!, recipient: clientPairs[i]!.publicKey, content: { key: mediaKey, confirmedCode: '1234 5678' } });
      const sent = await command(consoleSocket, COMMANDS.sendKey, { sessionId: session.sessionId, participantId: invites[i]!.participantId, envelope });
      expect(sent).to.deep.equal({ ok: true, data: { installed: true } });
    }
    // The take-home list, sealed in the console to each client in the call.
    const resources = [{ title: 'Seededtitle Come as You Are', url: 'https://seededhost.example/book' }];
    for (const [i] of clients.entries()) {
      const envelope = await sealResourceList({ sessionId: session.sessionId, participantId: invites[i]!.participantId }, hostPair!, clientPairs[i]!.publicKey, resources);
      expect(await command(consoleSocket, COMMANDS.sendResources, { sessionId: session.sessionId, participantId: invites[i]!.participantId, envelope })).to.deep.equal({ ok: true, data: null });
    }
    await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: 'wrong' + secrets[0]!.slice(5), deviceId: devices[0] } });
    await command(consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    await command(consoleSocket, COMMANDS.endSession, { sessionId: session.sessionId });
    await callRoute(t.origin, HTTP_ROUTES.logout, { cookie: therapist.cookie });
    for (const c of clients) c.close();
    consoleSocket.close();
    // The state the checks below read: the grace period over, every participant's data erased, and
    // the Socket.io stream trimmed past the session's broadcasts (the trimmer keeps the grace period).
    const sessionData = /:(participant|session-participants|invite|participant-invite|device-lease|call-members|sealed):/u;
    const stream = `${t.config.redis.prefix}socket.io`;
    await eventually(async () => {
      const keys = await t.app.redis.keys(`${t.config.redis.prefix}*`);
      if (keys.some((key) => sessionData.test(key))) return false;
      if (!keys.includes(stream)) return true;
      const broadcasts = JSON.stringify(await t.app.redis.xRange(stream, '-', '+'));
      return !broadcasts.includes(session.sessionId) && (await t.app.redis.pTTL(stream)) > 0;
    }, 'the session data erased and its broadcasts trimmed', 20_000);

    const seeded = [
      ...names,
      'Seededfirst',
      'Seeded waiting message',
      'Therapistname',
      account.email,
      account.password,
      'wrong-password-seeded',
      ...secrets,
      ...devices,
      ...tokens,
      hostToken.token,
      therapist.cookie.split('=')[1]!,
      ...notes,
      ...answers,
      'Seedednote',
      'Seededanswer',
      'Seededtitle',
      'seededhost',
      // The media key in every spelling it could take.
      Buffer.from(mediaKey).toString('base64url'),
      Buffer.from(mediaKey).toString('base64'),
      Buffer.from(mediaKey).toString('hex'),
    ];
    expect(t.logs.length).to.be.greaterThan(10);
    const all = t.logs.join('\n');
    for (const needle of seeded) expect(all, `log contains a seeded value`).to.not.include(needle);
    // Every line is JSON.
    for (const line of t.logs) expect(() => JSON.parse(line)).to.not.throw();

    // Read back every key and value under this app's prefix.
    const redis = t.app.redis;
    const entries = await redisEntries(redis, t.config.redis.prefix);
    for (const { key } of entries) {
      // The account, and its sealing public key, are kept like the account.
      const isAccount = /:(therapist|therapist-email|therapists|therapist-sealing-key)(:|$)/u.test(key.slice(t.config.redis.prefix.length - 1));
      if (!isAccount) expect(await redis.pTTL(key), `${key} must expire`).to.be.greaterThan(0);
      // Nothing of the session itself outlives its end but the bare ended marker.
      expect(key, 'session data left behind').to.not.match(sessionData);
    }
    const stored = entries.map((e) => `${e.key} ${e.value}`).join('\n');
    // The therapist's own display name is part of their account; everything else must be gone.
    // Public keys were relayed, never kept past the session.
    for (const pair of [hostPair!, ...clientPairs]) expect(stored, 'a public key left in Redis').to.not.include(pair.publicKey.key);
    for (const needle of seeded.filter((n) => n !== 'Therapistname')) expect(stored.includes(needle) ? stored.split('\n').filter((l) => l.includes(needle)) : [], 'Redis holds a seeded value').to.deep.equal([]);
    const marker = await redis.hGetAll(`${t.config.redis.prefix}session:${session.sessionId}`);
    expect(marker.status).to.equal('ended');
  });
});
