/**
 * Time alone with one partner: the therapist holds the other partner of a couple. Spoken as the
 * browsers speak it (sockets, the token route, signed webhooks); the media proof is
 * test/e2e/couple-hold.test.ts.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES, generateCallKeyPair, type CallMembersFact } from '@alcove/shared';
import { callRoute, loginTherapist } from '../support/api-client.ts';
import { eventually } from '../support/eventually.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { postWebhook, signWebhook, webhookBody } from '../support/webhook-signer.ts';

/** The ack as sent, read loosely: each test checks `ok`, `data` or `error` as it expects. */
const send = async (socket: TypedClientSocket, name: string, payload: unknown): Promise<any> => command(socket, name, payload);

describe('holding one partner of a couple', () => {
  const ctx = useTherapistApp();
  /** A console socket per test: each test sends more commands than one socket's rate allows in a second. */
  let host: TypedClientSocket;
  beforeEach(async () => {
    host = ctx.track(await connectTherapist(ctx.t.origin, ctx.therapist.cookie));
  });

  /** A live couple session with both partners admitted and announced in the call. */
  async function coupleInCall() {
    const created = await ctx.therapist.createSession('couple');
    const sessionId = created.session.sessionId;
    const devices = created.secrets.map(() => newDeviceId());
    const clients = await Promise.all(created.secrets.map((s, i) => connectClient(ctx.t.origin, s, devices[i]).then(ctx.track)));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })));
    expect((await send(host, COMMANDS.admitAll, { sessionId })).data.admitted).to.have.length(2);
    const consoleKeys = await generateCallKeyPair('X25519');
    await send(host, COMMANDS.announceSessionKey, { sessionId, publicKeys: [consoleKeys.publicKey] });
    for (const client of clients) {
      const pair = await generateCallKeyPair('X25519');
      expect((await send(client, COMMANDS.announceCallKey, { publicKeys: [pair.publicKey] })).ok).to.equal(true);
    }
    const ids = created.invites.map((i) => i.participantId);
    const token = (i: number) => callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: created.secrets[i], deviceId: devices[i] } });
    return { sessionId, clients, ids, secrets: created.secrets, devices, token };
  }

  const audited = async (event: string, participantId: string) => (await ctx.t.app.audit.list({})).filter((e) => e.event === event && e.participantId === participantId);

  it('takes the held partner out of the call: told, out of the member list, refused a token and a key, shown as held', async () => {
    const s = await coupleInCall();
    const heldFact = nextEvent(s.clients[1]!, FACTS.held);
    const membersWithoutKai = nextEvent<CallMembersFact>(host, FACTS.members, (f) => f.sessionId === s.sessionId && !f.members.some((m) => m.memberId === s.ids[1]));
    const presence = nextEvent(host, FACTS.presenceUpdated, (f) => f.participant.participantId === s.ids[1] && f.participant.state === 'held');
    const held = await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[1] });
    expect(held.ok, JSON.stringify(held)).to.equal(true);
    expect(held.data.state).to.equal('held');
    await Promise.all([heldFact, membersWithoutKai, presence]);

    const refused = await s.token(1);
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('not_admitted');
    expect((await s.token(0)).status).to.equal(200);
    const pair = await generateCallKeyPair('X25519');
    expect((await send(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [pair.publicKey] })).error.code).to.equal('not_admitted');
    const sendKey = await send(host, COMMANDS.sendKey, {
      sessionId: s.sessionId,
      participantId: s.ids[1],
      envelope: { v: 1, keyIndex: 0, from: 'a'.repeat(43), to: 'b'.repeat(43), iv: 'c'.repeat(16), data: 'd'.repeat(64) },
    });
    expect(sendKey.error?.code).to.be.oneOf(['conflict', 'bad_request']);
    expect((await send(host, COMMANDS.mute, { sessionId: s.sessionId, participantId: s.ids[1] })).error.code).to.equal('conflict');

    // An old token used to get back into the media room is answered by eviction.
    const joined = webhookBody({ event: 'participant_joined', room: { name: s.sessionId }, participant: { identity: s.ids[1]! } });
    await postWebhook(ctx.t.origin, joined, await signWebhook(joined, { apiKey: ctx.t.config.livekit.apiKey, apiSecret: ctx.t.config.livekit.apiSecret }));
    await eventually(async () => (await audited('unadmitted-join-removed', s.ids[1]!)).length === 1, 'the held partner evicted from the media room');
    expect(await audited('held', s.ids[1]!)).to.have.length(1);
    const [entry] = await audited('held', s.ids[1]!);
    expect(Object.keys(entry!).sort()).to.deep.equal(['at', 'event', 'id', 'participantId', 'sessionId', 'therapistId']);
  });

  it('keeps a held partner held across a reload and a new connection, and admit-all does not release them', async () => {
    const s = await coupleInCall();
    await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[0] });
    s.clients[0]!.close();
    const again = ctx.track(await connectClient(ctx.t.origin, s.secrets[0]!, s.devices[0]));
    const checkIn = await send(again, COMMANDS.checkIn, { displayName: 'Partner 1' });
    expect(checkIn.data.state).to.equal('held');
    expect((await send(host, COMMANDS.admitAll, { sessionId: s.sessionId })).data.admitted).to.deep.equal([]);
    expect((await send(host, COMMANDS.admit, { sessionId: s.sessionId, participantId: s.ids[0] })).error.code).to.equal('conflict');
    expect((await send(host, COMMANDS.sendBack, { sessionId: s.sessionId, participantId: s.ids[0] })).error.code).to.equal('conflict');
    const watched = await send(host, COMMANDS.watchSession, { sessionId: s.sessionId });
    expect(watched.data.participants.map((p: { state: string }) => p.state)[0]).to.equal('held');
    expect((await s.token(0)).body.error.code).to.equal('not_admitted');
  });

  it('holds one partner at a time, and releases into the call: admitted, a token, a key again', async () => {
    const s = await coupleInCall();
    await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[1] });
    expect((await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[0] })).error.code).to.equal('conflict');
    expect((await send(host, COMMANDS.release, { sessionId: s.sessionId, participantId: s.ids[0] })).error.code).to.equal('conflict');
    const admitted = nextEvent(s.clients[1]!, FACTS.admitted);
    const released = await send(host, COMMANDS.release, { sessionId: s.sessionId, participantId: s.ids[1] });
    expect(released.data.state).to.be.oneOf(['admitted', 'reconnecting']);
    expect(await admitted).to.deep.equal({ sessionId: s.sessionId });
    expect((await s.token(1)).status).to.equal(200);
    const pair = await generateCallKeyPair('X25519');
    const announced = await send(s.clients[1]!, COMMANDS.announceCallKey, { publicKeys: [pair.publicKey] });
    expect((announced.data as CallMembersFact).members.map((m) => m.memberId)).to.include(s.ids[1]);
    expect(await audited('released', s.ids[1]!)).to.have.length(1);
    // Either partner, as often as needed.
    for (const i of [0, 1, 0]) {
      expect((await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[i] })).data.state).to.equal('held');
      expect((await send(host, COMMANDS.release, { sessionId: s.sessionId, participantId: s.ids[i] })).ok).to.equal(true);
    }
    expect(await audited('held', s.ids[0]!)).to.have.length(2);
  });

  it('never holds both partners when two holds race (two consoles at once)', async () => {
    const s = await coupleInCall();
    const second = ctx.track(await connectTherapist(ctx.t.origin, ctx.therapist.cookie));
    for (let round = 0; round < 4; round += 1) {
      const answers = await Promise.all([
        send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[0] }),
        send(second, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[1] }),
      ]);
      const participants: { participantId: string; state: string }[] = (await send(host, COMMANDS.watchSession, { sessionId: s.sessionId })).data.participants;
      const held = participants.filter((p) => p.state === 'held');
      expect(held.length, JSON.stringify(answers)).to.be.at.most(1);
      // The answers tell the truth: a hold that was undone is refused, and nobody refused is held.
      answers.forEach((answer, i) => expect(answer.ok, JSON.stringify(answer)).to.equal(held.some((p) => p.participantId === s.ids[i])));
      // Whoever was not held is still in the call as before.
      for (const p of participants.filter((x) => x.state !== 'held')) expect(p.state).to.be.oneOf(['admitted', 'in-call']);
      for (const p of held) expect((await send(second, COMMANDS.release, { sessionId: s.sessionId, participantId: p.participantId })).ok).to.equal(true);
    }
  });

  it('lets a held partner leave, be removed, or have the session ended', async () => {
    const leaving = await coupleInCall();
    await send(host, COMMANDS.hold, { sessionId: leaving.sessionId, participantId: leaving.ids[0] });
    const left = nextEvent(host, FACTS.presenceUpdated, (f) => f.participant.participantId === leaving.ids[0] && f.participant.state === 'left');
    await send(leaving.clients[0]!, COMMANDS.leave, {});
    await left;

    const removing = await coupleInCall();
    await send(host, COMMANDS.hold, { sessionId: removing.sessionId, participantId: removing.ids[1] });
    const closed = nextEvent(removing.clients[1]!, FACTS.closed);
    expect((await send(host, COMMANDS.remove, { sessionId: removing.sessionId, participantId: removing.ids[1] })).data.state).to.equal('removed');
    expect(await closed).to.deep.equal({ reason: 'removed' });

    const ending = await coupleInCall();
    await send(host, COMMANDS.hold, { sessionId: ending.sessionId, participantId: ending.ids[0] });
    const ended = nextEvent(ending.clients[0]!, FACTS.closed);
    expect((await send(host, COMMANDS.endSession, { sessionId: ending.sessionId })).ok).to.equal(true);
    expect(await ended).to.deep.equal({ reason: 'session-ended' });
  });

  it('refuses hold in an individual session: there is nobody else to hold', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, newDeviceId()));
    await send(client, COMMANDS.checkIn, { displayName: 'Alex' });
    await send(host, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    const refused = await send(host, COMMANDS.hold, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(refused.error).to.include({ code: 'conflict' });
    expect(refused.error.details).to.deep.equal({ reason: 'individual-session' });
  });

  it('lets neither a client nor another therapist hold, release or address a participant', async () => {
    const s = await coupleInCall();
    for (const name of [COMMANDS.hold, COMMANDS.release]) {
      const fromClient = await send(s.clients[0]!, name, { sessionId: s.sessionId, participantId: s.ids[1] });
      expect(fromClient.error.code, `${name} from a client`).to.equal('forbidden');
    }
    const account = await ctx.t.addTherapist();
    const other = await loginTherapist(ctx.t.origin, account.email, account.password);
    const otherConsole = ctx.track(await connectTherapist(ctx.t.origin, other.cookie));
    expect((await send(otherConsole, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[1] })).error.code).to.equal('not_found');
    // A participant of another session of the same therapist is "not found", like an unknown one.
    const elsewhere = await ctx.therapist.createSession('couple');
    expect((await send(host, COMMANDS.hold, { sessionId: elsewhere.session.sessionId, participantId: s.ids[1] })).error.code).to.equal('not_found');
    for (const payload of [{ sessionId: s.sessionId }, { sessionId: s.sessionId, participantId: s.ids[1], extra: 1 }, { sessionId: s.sessionId, participantId: 'x'.repeat(500) }]) {
      expect((await send(host, COMMANDS.hold, payload)).error.code).to.equal('bad_request');
    }
    await send(host, COMMANDS.hold, { sessionId: s.sessionId, participantId: s.ids[1] });
    expect((await send(otherConsole, COMMANDS.release, { sessionId: s.sessionId, participantId: s.ids[1] })).error.code).to.equal('not_found');
    expect((await send(s.clients[1]!, COMMANDS.release, { sessionId: s.sessionId, participantId: s.ids[1] })).error.code).to.equal('forbidden');
    const watched = await send(host, COMMANDS.watchSession, { sessionId: s.sessionId });
    expect(watched.data.participants.find((p: { participantId: string }) => p.participantId === s.ids[1]).state).to.equal('held');
  });
});
