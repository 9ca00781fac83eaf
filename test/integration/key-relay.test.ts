import { expect } from 'chai';
import {
  COMMANDS,
  FACTS,
  KEY_READY_TIMEOUT_MS,
  generateCallKeyPair,
  newMediaKey,
  E2EE_KEYRING_SIZE,
  unwrapMediaKey,
  wrapMediaKey,
  type CallKeyPair,
  type CallMembersFact,
  type KeyActivatedFact,
  type KeyReadyAck,
  type KeySentFact,
  type SendKeyResult,
} from '@alcove/shared';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { eventually } from '../support/eventually.ts';

/** The server relays public keys and sealed envelopes only: these tests speak the protocol as the browsers do. */
describe('the key relay', () => {
  const ctx = useTherapistApp();
  let consoleX: CallKeyPair;
  let consoleP: CallKeyPair;
  before(async () => {
    [consoleX, consoleP] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256')]);
  });

  async function coupleCheckedIn() {
    const created = await ctx.therapist.createSession('couple');
    const clients = await Promise.all(created.secrets.map((s) => connectClient(ctx.t.origin, s, newDeviceId()).then(ctx.track)));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })));
    const ids = created.invites.map((invite) => invite.participantId);
    return { ...created, sessionId: created.session.sessionId, clients, ids };
  }

  /** Both partners admitted, every browser announced: the console's and each client's keys are in the list. */
  async function coupleInCall() {
    const s = await coupleCheckedIn();
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId: s.sessionId });
    const pairs = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256')]);
    const hostAnnounced = await command<CallMembersFact>(ctx.consoleSocket, COMMANDS.announceSessionKey, {
      sessionId: s.sessionId,
      publicKeys: [consoleX.publicKey, consoleP.publicKey],
    });
    expect(hostAnnounced.ok, JSON.stringify(hostAnnounced)).to.equal(true);
    for (const [i, client] of s.clients.entries()) {
      const announced = await command<CallMembersFact>(client, COMMANDS.announceCallKey, { publicKeys: [pairs[i]!.publicKey] });
      expect(announced.ok, JSON.stringify(announced)).to.equal(true);
    }
    return { ...s, pairs };
  }

  const wrapFor = (sessionId: string, recipient: CallKeyPair, keyIndex = 0, key = newMediaKey()) =>
    wrapMediaKey({ sessionId, keyIndex, sender: recipient.publicKey.curve === 'X25519' ? consoleX : consoleP, recipient: recipient.publicKey, content: { key, confirmedCode: null } });

  /** Answers every envelope as the browser app does once the key is installed. */
  const installing = (socket: TypedClientSocket, received: KeySentFact[] = []) => {
    socket.on(FACTS.keySent, (fact: KeySentFact, installed: (ack: KeyReadyAck) => void) => {
      received.push(fact);
      installed({ keyIndex: fact.envelope.keyIndex });
    });
    return received;
  };

  it('keeps the members by public key and tells everyone in the call, with the names the tiles show', async () => {
    const s = await coupleCheckedIn();
    const early = await command(ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId: s.sessionId, publicKeys: [consoleX.publicKey] });
    expect(early.ok === false && early.error.code).to.equal('conflict');
    // Waiting, the key is only staged: the answer lists nobody.
    const waiting = await command(s.clients[0]!, COMMANDS.announceCallKey, { publicKeys: [consoleP.publicKey] });
    expect(waiting).to.deep.equal({ ok: true, data: { sessionId: s.sessionId, members: [] } });

    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: s.sessionId, participantId: s.ids[0] });
    await command(ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId: s.sessionId, publicKeys: [consoleX.publicKey, consoleP.publicKey] });
    const client = await generateCallKeyPair('X25519');
    // The list this announce pushes (lists pushed before it carry the key staged while waiting, and may still be on their way).
    const atTherapist = nextEvent<CallMembersFact>(ctx.consoleSocket, FACTS.members, (f) => f.sessionId === s.sessionId && f.members.some((m) => m.publicKeys.some((k) => k.key === client.publicKey.key)));
    const announced = await command<CallMembersFact>(s.clients[0]!, COMMANDS.announceCallKey, { publicKeys: [client.publicKey] });
    if (!announced.ok) throw new Error(JSON.stringify(announced));
    expect(announced.data.members.map((m) => [m.memberId, m.role, m.publicKeys])).to.deep.equal([
      ['therapist', 'therapist', [consoleX.publicKey, consoleP.publicKey]],
      [s.ids[0], 'client', [client.publicKey]],
    ]);
    expect(announced.data.members[1]!.label).to.equal('Partner 1');
    expect((await atTherapist).members).to.deep.equal(announced.data.members);
    // Only public keys are stored.
    const stored = await ctx.t.app.redis.hGetAll(`${ctx.t.config.redis.prefix}call-members:${s.sessionId}`);
    expect(Object.keys(stored).sort()).to.deep.equal(['therapist', s.ids[0]!].sort());
    expect(await ctx.t.app.redis.pTTL(`${ctx.t.config.redis.prefix}call-members:${s.sessionId}`)).to.be.greaterThan(0);
  });

  it('stages a waiting client’s key, shows it to nobody, and lists it for everyone the moment the client is admitted', async () => {
    const s = await coupleCheckedIn();
    // Partner 2 in the call with the console, partner 1 still waiting.
    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: s.sessionId, participantId: s.ids[1] });
    await command(ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId: s.sessionId, publicKeys: [consoleX.publicKey] });
    const partner2 = await generateCallKeyPair('X25519');
    // The list partner 2's announce pushes must have reached the console before anything is counted.
    const twoListed = nextEvent<CallMembersFact>(ctx.consoleSocket, FACTS.members, (f) => f.sessionId === s.sessionId && f.members.length === 2);
    await command(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [partner2.publicKey] });
    await twoListed;
    const seen = { console: [] as CallMembersFact[], partner2: [] as CallMembersFact[] };
    ctx.consoleSocket.on(FACTS.members, (f: CallMembersFact) => f.sessionId === s.sessionId && seen.console.push(f));
    s.clients[1]!.on(FACTS.members, (f: CallMembersFact) => seen.partner2.push(f));

    const staged = await generateCallKeyPair('X25519');
    expect(await command(s.clients[0]!, COMMANDS.announceCallKey, { publicKeys: [staged.publicKey] })).to.deep.equal({ ok: true, data: { sessionId: s.sessionId, members: [] } });
    const withPartner1 = (f: CallMembersFact) => f.members.some((m) => m.memberId === s.ids[0]);
    const atConsole = nextEvent<CallMembersFact>(ctx.consoleSocket, FACTS.members, (f) => f.sessionId === s.sessionId && withPartner1(f));
    const atPartner1 = nextEvent<CallMembersFact>(s.clients[0]!, FACTS.members, withPartner1);
    // Let in: partner 1's page never announces again here, yet everyone in the call sees its staged key.
    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: s.sessionId, participantId: s.ids[0] });
    const listed = await atConsole;
    expect(listed.members.map((m) => [m.memberId, m.publicKeys])).to.deep.equal([
      ['therapist', [consoleX.publicKey]],
      [s.ids[0], [staged.publicKey]],
      [s.ids[1], [partner2.publicKey]],
    ]);
    expect((await atPartner1).members).to.deep.equal(listed.members);
    await eventually(() => seen.partner2.some(withPartner1), 'partner 2 to be told');
    // Facts on one socket arrive in order: the staging itself pushed no list; the first one after it is the admission's.
    expect(seen.console.findIndex(withPartner1), 'the staging itself told the console nothing').to.equal(0);
  });

  it('stages nothing for someone who left the waiting room, and keeps nothing of someone removed while waiting', async () => {
    const s = await coupleCheckedIn();
    const pair = await generateCallKeyPair('X25519');
    await command(s.clients[0]!, COMMANDS.leave, {});
    // Back on the link without checking in again: left is not waiting.
    const back = await ctx.track(await connectClient(ctx.t.origin, s.secrets[0]!, newDeviceId()));
    const afterLeaving = await command(back, COMMANDS.announceCallKey, { publicKeys: [pair.publicKey] });
    expect(afterLeaving.ok === false && afterLeaving.error.code).to.equal('not_admitted');
    expect(await command(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [pair.publicKey] })).to.deep.include({ ok: true });
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: s.sessionId, participantId: s.ids[1] });
    const stored = await ctx.t.app.redis.hGetAll(`${ctx.t.config.redis.prefix}call-members:${s.sessionId}`);
    expect(Object.keys(stored)).to.deep.equal([]);
  });

  it('relays an envelope from the therapist to the one named participant, and answers whether it was installed', async () => {
    const s = await coupleInCall();
    const first = installing(s.clients[0]!);
    const second: string[] = [];
    s.clients[1]!.on(FACTS.keySent, () => second.push('envelope'));
    const key = newMediaKey();
    const envelope = await wrapFor(s.sessionId, s.pairs[0]!, 0, key);
    const sent = await command<SendKeyResult>(ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope });
    expect(sent).to.deep.equal({ ok: true, data: { installed: true } });
    expect(first).to.deep.equal([{ sessionId: s.sessionId, envelope }]);
    const opened = await unwrapMediaKey({ sessionId: s.sessionId, envelope: first[0]!.envelope, recipient: s.pairs[0]!, expectedSender: consoleX.publicKey });
    expect([...opened.key]).to.deep.equal([...key]);
    // A round trip on the other partner's socket: anything sent to it would have arrived first.
    await command(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [s.pairs[1]!.publicKey] });
    expect(second).to.deep.equal([]);
  });

  it('answers "not installed" after a bounded wait when the browser never answers', async () => {
    const s = await coupleInCall();
    const started = Date.now();
    const sent = await command<SendKeyResult>(ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[1], envelope: await wrapFor(s.sessionId, s.pairs[1]!) });
    expect(sent).to.deep.equal({ ok: true, data: { installed: false } });
    expect(Date.now() - started).to.be.within(KEY_READY_TIMEOUT_MS - 50, KEY_READY_TIMEOUT_MS + 2000);
  });

  it('refuses envelopes from a client, to another session, to someone not admitted, or oversize and malformed ones — and stays up', async () => {
    const s = await coupleInCall();
    const other = await coupleCheckedIn();
    const envelope = await wrapFor(s.sessionId, s.pairs[0]!);
    const cases: [string, TypedClientSocket, string, unknown, string][] = [
      ['a client sending', s.clients[0]!, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[1], envelope }, 'forbidden'],
      ['a client switching keys', s.clients[0]!, COMMANDS.activateKey, { sessionId: s.sessionId, keyIndex: 1 }, 'forbidden'],
      ['a participant of another session', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: other.ids[0], envelope }, 'not_found'],
      ['a waiting participant', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: other.sessionId, participantId: other.ids[0], envelope }, 'conflict'],
      ['an oversize envelope', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: { ...envelope, data: 'A'.repeat(4000) } }, 'bad_request'],
      ['an extra field', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: { ...envelope, key: 'plain' } }, 'bad_request'],
      ['a wrong-length public key', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: { ...envelope, to: { curve: 'X25519', key: 'A'.repeat(87) } } }, 'bad_request'],
      ['a key index off the ring', ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: { ...envelope, keyIndex: E2EE_KEYRING_SIZE } }, 'bad_request'],
      ['two keys on one curve', ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId: s.sessionId, publicKeys: [consoleX.publicKey, consoleX.publicKey] }, 'bad_request'],
      ['a private-looking key field', s.clients[0]!, COMMANDS.announceCallKey, { publicKeys: [s.pairs[0]!.publicKey], privateKey: 'x' }, 'bad_request'],
    ];
    const received: KeySentFact[] = [];
    for (const client of s.clients) client.on(FACTS.keySent, (fact: KeySentFact) => received.push(fact));
    for (const [name, socket, event, payload, code] of cases) {
      const ack = await command(socket, event, payload);
      expect(ack.ok === false && ack.error.code, name).to.equal(code);
    }
    expect(received).to.deep.equal([]);
    const still = await command(ctx.consoleSocket, COMMANDS.watchSession, { sessionId: s.sessionId });
    expect(still.ok).to.equal(true);
  });

  it('refuses an envelope for another therapist’s session', async () => {
    const s = await coupleInCall();
    const account = await ctx.t.addTherapist();
    const intruder = await loginTherapist(ctx.t.origin, account.email, account.password);
    const socket = ctx.track(await connectTherapist(ctx.t.origin, intruder.cookie));
    const ack = await command(socket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: await wrapFor(s.sessionId, s.pairs[0]!) });
    expect(ack.ok === false && ack.error.code).to.equal('not_found');
    const announce = await command(socket, COMMANDS.announceSessionKey, { sessionId: s.sessionId, publicKeys: [consoleX.publicKey] });
    expect(announce.ok === false && announce.error.code).to.equal('not_found');
  });

  it('takes a removed person out of the list, tells those who stay, and never relays them another envelope', async () => {
    const s = await coupleInCall();
    const atRemoved: unknown[] = [];
    s.clients[1]!.on(FACTS.keySent, (fact: unknown) => atRemoved.push(fact));
    // Lists sent before the removal may still be on their way; none sent after it may reach them.
    s.clients[1]!.on(FACTS.members, (fact: CallMembersFact) => {
      if (!fact.members.some((m) => m.memberId === s.ids[1])) atRemoved.push(fact);
    });
    const listForStaying = nextEvent<CallMembersFact>(s.clients[0]!, FACTS.members, (f) => !f.members.some((m) => m.memberId === s.ids[1]));
    await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: s.sessionId, participantId: s.ids[1] });
    expect((await listForStaying).members.map((m) => m.memberId)).to.deep.equal(['therapist', s.ids[0]]);
    const refused = await command(ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[1], envelope: await wrapFor(s.sessionId, s.pairs[1]!, 1) });
    expect(refused.ok === false && refused.error.code).to.equal('conflict');
    expect(atRemoved).to.deep.equal([]);
    const stored = await ctx.t.app.redis.hGetAll(`${ctx.t.config.redis.prefix}call-members:${s.sessionId}`);
    expect(Object.keys(stored)).to.not.include(s.ids[1]);
  });

  it('takes someone sent back, or who leaves, out of the list', async () => {
    const s = await coupleInCall();
    const afterSendBack = nextEvent<CallMembersFact>(ctx.consoleSocket, FACTS.members, (f) => f.sessionId === s.sessionId && f.members.length === 2);
    await command(ctx.consoleSocket, COMMANDS.sendBack, { sessionId: s.sessionId, participantId: s.ids[0] });
    expect((await afterSendBack).members.map((m) => m.memberId)).to.deep.equal(['therapist', s.ids[1]]);
    const refused = await command(ctx.consoleSocket, COMMANDS.sendKey, { sessionId: s.sessionId, participantId: s.ids[0], envelope: await wrapFor(s.sessionId, s.pairs[0]!) });
    expect(refused.ok === false && refused.error.code).to.equal('conflict');
    const afterLeave = nextEvent<CallMembersFact>(ctx.consoleSocket, FACTS.members, (f) => f.sessionId === s.sessionId && f.members.length === 1);
    await command(s.clients[1]!, COMMANDS.leave, {});
    expect((await afterLeave).members.map((m) => m.memberId)).to.deep.equal(['therapist']);
  });

  it('takes the console out of the list when it leaves its call', async () => {
    const s = await coupleInCall();
    const withoutTherapist = nextEvent<CallMembersFact>(s.clients[0]!, FACTS.members, (f) => !f.members.some((m) => m.memberId === 'therapist'));
    expect(await command(ctx.consoleSocket, COMMANDS.leaveCall, { sessionId: s.sessionId })).to.deep.equal({ ok: true, data: null });
    expect((await withoutTherapist).members.map((m) => m.memberId)).to.deep.equal(s.ids);
  });

  it('relays the switch to every admitted participant', async () => {
    const s = await coupleInCall();
    const switched = s.clients.map((c) => nextEvent<KeyActivatedFact>(c, FACTS.keyActivated));
    const ack = await command(ctx.consoleSocket, COMMANDS.activateKey, { sessionId: s.sessionId, keyIndex: 1 });
    expect(ack).to.deep.equal({ ok: true, data: null });
    for (const fact of await Promise.all(switched)) expect(fact).to.deep.equal({ sessionId: s.sessionId, keyIndex: 1 });
  });

  it('erases the member list when the session ends', async () => {
    const s = await coupleInCall();
    const key = `${ctx.t.config.redis.prefix}call-members:${s.sessionId}`;
    expect(await ctx.t.app.redis.exists(key)).to.equal(1);
    await command(ctx.consoleSocket, COMMANDS.endSession, { sessionId: s.sessionId });
    expect(await ctx.t.app.redis.exists(key)).to.equal(0);
  });
});

describe('the key relay across two app instances', () => {
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

  it('carries the list, the envelope and the answer between a console on one instance and a client on the other', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const consoleOnA = track(await connectTherapist(a.origin, therapist.cookie));
    const clientOnB = track(await connectClient(b.origin, secrets[0]!, newDeviceId()));
    await command(clientOnB, COMMANDS.checkIn, { displayName: 'Across Instances' });
    await command(consoleOnA, COMMANDS.admitAll, { sessionId: session.sessionId });
    const [host, client] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    const listOnA = nextEvent<CallMembersFact>(consoleOnA, FACTS.members, (f) => f.members.length === 2);
    await command(consoleOnA, COMMANDS.announceSessionKey, { sessionId: session.sessionId, publicKeys: [host.publicKey] });
    await command(clientOnB, COMMANDS.announceCallKey, { publicKeys: [client.publicKey] });
    expect((await listOnA).members.map((m) => m.memberId)).to.deep.equal(['therapist', invites[0]!.participantId]);
    clientOnB.on(FACTS.keySent, (fact: KeySentFact, installed: (ack: KeyReadyAck) => void) => installed({ keyIndex: fact.envelope.keyIndex }));
    const envelope = await wrapMediaKey({ sessionId: session.sessionId, keyIndex: 5, sender: host, recipient: client.publicKey, content: { key: newMediaKey(), confirmedCode: null } });
    const started = Date.now();
    const sent = await command<SendKeyResult>(consoleOnA, COMMANDS.sendKey, { sessionId: session.sessionId, participantId: invites[0]!.participantId, envelope });
    expect(sent).to.deep.equal({ ok: true, data: { installed: true } });
    expect(Date.now() - started, 'ms until the answer').to.be.below(KEY_READY_TIMEOUT_MS);
  });
});
