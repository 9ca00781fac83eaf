import { expect } from 'chai';
import {
  COMMANDS,
  FACTS,
  generateCallKeyPair,
  openResourceList,
  sealResourceList,
  type CallKeyPair,
  type CallMembersFact,
  type ResourcesSentFact,
} from '@alcove/shared';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

const TITLE = 'Come as You Are — chapter 3';
const LINK = 'https://example.org/take-home/sensate-focus';

/** The take-home list travels sealed from the console to one admitted client; the server only checks its shape. */
describe('the take-home resource relay', () => {
  const ctx = useTherapistApp();
  let host: CallKeyPair;
  before(async () => {
    host = await generateCallKeyPair('X25519');
  });

  async function coupleInCall() {
    const created = await ctx.therapist.createSession('couple');
    const clients = await Promise.all(created.secrets.map((s) => connectClient(ctx.t.origin, s, newDeviceId()).then(ctx.track)));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })));
    const sessionId = created.session.sessionId;
    const ids = created.invites.map((invite) => invite.participantId);
    await command(ctx.consoleSocket, COMMANDS.admitAll, { sessionId });
    await command<CallMembersFact>(ctx.consoleSocket, COMMANDS.announceSessionKey, { sessionId, publicKeys: [host.publicKey] });
    const pairs = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    for (const [i, client] of clients.entries()) await command(client, COMMANDS.announceCallKey, { publicKeys: [pairs[i]!.publicKey] });
    return { sessionId, ids, clients, pairs };
  }

  const sealFor = (sessionId: string, participantId: string, recipient: CallKeyPair, sender = host) =>
    sealResourceList({ sessionId, participantId }, sender, recipient.publicKey, [{ title: TITLE, url: LINK }]);

  it('relays the sealed list to the one named participant, who opens it; the other partner hears nothing', async () => {
    const s = await coupleInCall();
    const toOther: ResourcesSentFact[] = [];
    s.clients[1]!.on(FACTS.resourcesSent, (fact: ResourcesSentFact) => toOther.push(fact));
    const arriving = nextEvent<ResourcesSentFact>(s.clients[0]!, FACTS.resourcesSent, (f) => f.sessionId === s.sessionId);
    const ack = await command(ctx.consoleSocket, COMMANDS.sendResources, { sessionId: s.sessionId, participantId: s.ids[0], envelope: await sealFor(s.sessionId, s.ids[0]!, s.pairs[0]!) });
    expect(ack).to.deep.equal({ ok: true, data: null });
    const fact = await arriving;
    expect(await openResourceList({ sessionId: s.sessionId, participantId: s.ids[0]! }, fact.envelope, s.pairs[0]!, host.publicKey)).to.deep.equal([{ title: TITLE, url: LINK }]);
    // Sam's socket got nothing: a round trip on it proves anything emitted earlier has arrived.
    await command(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [s.pairs[1]!.publicKey] });
    expect(toOther).to.deep.equal([]);
  });

  it('refuses a client sending resources to another participant, oversized or wrong-shaped envelopes, and anyone not in the call — and keeps nothing', async () => {
    const s = await coupleInCall();
    const envelope = await sealFor(s.sessionId, s.ids[1]!, s.pairs[1]!);
    const fromSam = await sealFor(s.sessionId, s.ids[0]!, s.pairs[0]!, s.pairs[1]!);
    const cases: [string, TypedClientSocket, unknown, string][] = [
      ['a client addressing the other partner', s.clients[0]!, { sessionId: s.sessionId, participantId: s.ids[1], envelope }, 'forbidden'],
      ['a client claiming to be the console', s.clients[1]!, { sessionId: s.sessionId, participantId: s.ids[0], envelope: { ...fromSam, from: host.publicKey } }, 'forbidden'],
      ['an oversize envelope', ctx.consoleSocket, { sessionId: s.sessionId, participantId: s.ids[1], envelope: { ...envelope, data: `${envelope.data}AAAA` } }, 'bad_request'],
      ['a short envelope', ctx.consoleSocket, { sessionId: s.sessionId, participantId: s.ids[1], envelope: { ...envelope, data: envelope.data.slice(0, 100) } }, 'bad_request'],
      ['plaintext beside it', ctx.consoleSocket, { sessionId: s.sessionId, participantId: s.ids[1], envelope: { ...envelope, resources: [{ title: TITLE, url: LINK }] } }, 'bad_request'],
      ['plaintext instead of it', ctx.consoleSocket, { sessionId: s.sessionId, participantId: s.ids[1], resources: [{ title: TITLE, url: LINK }] }, 'bad_request'],
      ['another version', ctx.consoleSocket, { sessionId: s.sessionId, participantId: s.ids[1], envelope: { ...envelope, v: 2 } }, 'bad_request'],
      ['a participant who is not in the session', ctx.consoleSocket, { sessionId: s.sessionId, participantId: 'p_nobody', envelope }, 'not_found'],
    ];
    const received: ResourcesSentFact[] = [];
    for (const client of s.clients) client.on(FACTS.resourcesSent, (fact: ResourcesSentFact) => received.push(fact));
    for (const [name, socket, payload, code] of cases) {
      const ack = await command(socket, COMMANDS.sendResources, payload);
      expect(ack.ok === false && ack.error.code, name).to.equal(code);
    }
    // Sent back to the waiting room: out of the call, so no list either.
    await command(ctx.consoleSocket, COMMANDS.sendBack, { sessionId: s.sessionId, participantId: s.ids[1] });
    const waiting = await command(ctx.consoleSocket, COMMANDS.sendResources, { sessionId: s.sessionId, participantId: s.ids[1], envelope });
    expect(waiting.ok === false && waiting.error.code).to.equal('conflict');
    expect(received).to.deep.equal([]);

    // A relay keeps nothing: no Redis value holds the envelope's ciphertext, let alone the title or link.
    const redis = ctx.t.app.redis;
    for (const key of await redis.keys(`${ctx.t.config.redis.prefix}*`)) {
      const type = await redis.type(key);
      let value: unknown = type;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hGetAll(key);
      else if (type === 'set') value = await redis.sMembers(key);
      else if (type === 'zset') value = await redis.zRange(key, 0, -1);
      else if (type === 'list') value = await redis.lRange(key, 0, -1);
      else if (type === 'stream') value = await redis.xRange(key, '-', '+');
      expect(JSON.stringify(value), key).to.not.contain(envelope.data.slice(0, 40)).and.not.contain('example.org').and.not.contain('Come as You Are');
    }
  });
});
