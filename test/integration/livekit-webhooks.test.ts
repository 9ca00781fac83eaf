/**
 * LiveKit's webhooks are trusted only when signed with our API secret over the
 * exact body; each delivery id is acted on once; recording is an incident; and
 * the media server closing a room ends the session.
 */
import { expect } from 'chai';
import { eventually } from '../support/eventually.ts';
import { EgressStatus, RoomServiceClient } from 'livekit-server-sdk';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { livekitApiHost } from '../../server/src/adapters/livekit/room-service.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { postWebhook, signWebhook, webhookBody } from '../support/webhook-signer.ts';

describe('LiveKit webhooks', () => {
  let t: TestApp;
  let therapist: TherapistClient;
  let keys: { apiKey: string; apiSecret: string };
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    t = await startTestApp();
    keys = { apiKey: t.config.livekit.apiKey, apiSecret: t.config.livekit.apiSecret };
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => t?.close());

  /** A started session (its LiveKit room exists) with one client waiting. */
  async function liveSessionWithWaitingClient() {
    const { session, secrets, invites } = await therapist.createSession('individual');
    await therapist.start(session.sessionId);
    const deviceId = newDeviceId();
    const client = track(await connectClient(t.origin, secrets[0]!, deviceId));
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Alex' })).to.deep.include({ ok: true });
    return { sessionId: session.sessionId, participantId: invites[0]!.participantId, invite: secrets[0]!, deviceId, client };
  }

  const logLines = (pattern: string) => t.logs.filter((line) => line.includes(pattern));
  const sessionStatus = async (sessionId: string) => (await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } })).body.status as string;

  it('refuses unsigned, badly signed and tampered webhooks with 401 and acts on none of them', async () => {
    const { sessionId, client } = await liveSessionWithWaitingClient();
    let closed = false;
    client.on(FACTS.closed, () => (closed = true));
    const finished = webhookBody({ event: 'room_finished', room: { name: sessionId } });
    const harmless = webhookBody({ event: 'room_started', room: { name: 'some-other-room' } });

    const attempts: Array<[string, string | undefined]> = [
      ['no signature', undefined],
      ['not a JWT', 'not-a-jwt'],
      ['signed with another secret', await signWebhook(finished, { apiKey: keys.apiKey, apiSecret: 'an-attackers-secret-0123456789abcdef' })],
      ['signed with an unknown key', await signWebhook(finished, { apiKey: 'someone-else', apiSecret: keys.apiSecret })],
      ['a valid signature of another body', await signWebhook(harmless, keys)],
      ['a valid signature of the same body with one byte changed', await signWebhook(finished.replace('room_finished', 'room_finishee'), keys)],
    ];
    for (const [label, authorization] of attempts) {
      const response = await postWebhook(t.origin, finished, authorization);
      expect(response.status, label).to.equal(401);
      expect(response.body.error.code, label).to.equal('unauthorized');
    }
    expect(await sessionStatus(sessionId)).to.equal('live');
    expect(client.connected).to.equal(true);
    expect(closed).to.equal(false);

    // The same body, correctly signed, is acted on: the refusals above were the signature's doing.
    // (room_finished ends a session only once nobody is connected to it any more.)
    client.close();
    await eventually(async () => (await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } })).body.participants[0].state !== 'waiting', 'the client to be seen gone');
    const accepted = await postWebhook(t.origin, finished, await signWebhook(finished, keys));
    expect(accepted).to.deep.equal({ status: 200, body: { ok: true, outcome: 'handled' } });
    expect(await sessionStatus(sessionId)).to.equal('ended');
  });

  it('acts on a webhook delivered twice with the same id only once', async () => {
    const { sessionId, participantId } = await liveSessionWithWaitingClient();
    // A waiting (not admitted) client showing up in the media room is removed and logged as a security event.
    const joined = webhookBody({ event: 'participant_joined', room: { name: sessionId }, participant: { identity: participantId } });
    const authorization = await signWebhook(joined, keys);
    const events = () => logLines('"security.unadmitted-join"').filter((l) => l.includes(participantId)).length;

    expect(await postWebhook(t.origin, joined, authorization)).to.deep.equal({ status: 200, body: { ok: true, outcome: 'handled' } });
    expect(events()).to.equal(1);
    expect(await postWebhook(t.origin, joined, authorization)).to.deep.equal({ status: 200, body: { ok: true, outcome: 'duplicate' } });
    expect(events()).to.equal(1);

    // Deduplication is by delivery id, not content: a new event with the same content is acted on.
    const again = webhookBody({ event: 'participant_joined', room: { name: sessionId }, participant: { identity: participantId } });
    expect(await postWebhook(t.origin, again, await signWebhook(again, keys))).to.deep.equal({ status: 200, body: { ok: true, outcome: 'handled' } });
    expect(events()).to.equal(2);
  });

  it('treats a recording (egress) of an Alcove room as a security incident and tries to stop it', async () => {
    const { sessionId } = await liveSessionWithWaitingClient();
    const egressId = `EG_${Date.now().toString(36)}`;
    const started = webhookBody({ event: 'egress_started', egressInfo: { egressId, roomName: sessionId, status: EgressStatus.EGRESS_STARTING } });

    const response = await postWebhook(t.origin, started, await signWebhook(started, keys));
    expect(response).to.deep.equal({ status: 200, body: { ok: true, outcome: 'handled' } });

    const blocked = logLines('"security.egress-blocked"').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(blocked).to.have.length(1);
    expect(blocked[0]).to.include({ security: true, webhookEvent: 'egress_started', sessionId, egressId });
    // Alcove never deploys LiveKit's egress service, so this LiveKit answers the
    // stop request with an error ("egress not connected"). The attempt — and its
    // failure, logged as a security event too — is what can be checked here.
    const stopFailed = logLines('"security.egress-stop-failed"').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stopFailed).to.have.length(1);
    expect(stopFailed[0]).to.include({ security: true, egressId });
  });

  it('keeps a session whose room LiveKit closed while someone is connected, and ends it once the room closes with nobody left', async () => {
    const { sessionId, invite, deviceId, client } = await liveSessionWithWaitingClient();
    const therapistSocket = track(await connectTherapist(t.origin, therapist.cookie));
    const livekit = new RoomServiceClient(livekitApiHost(t.config.livekit.url), keys.apiKey, keys.apiSecret);

    // Closed behind Alcove's back (an operator, a LiveKit restart) while the client waits:
    // a media failure never ends a session, the room is recreated when next needed.
    const lost = eventually(() => logLines('"event":"session.room-lost"').some((line) => line.includes(sessionId)), 'the lost room to be noticed');
    await livekit.deleteRoom(sessionId);
    await lost;
    expect(await sessionStatus(sessionId)).to.equal('live');
    expect(client.connected).to.equal(true);
    expect((await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId }, body: {} })).status).to.equal(200);
    expect((await livekit.listRooms([sessionId])).map((r) => r.name)).to.deep.equal([sessionId]);

    // Once nobody is connected, LiveKit closing the room (its empty-room timeout) ends the session.
    const ended = nextEvent(therapistSocket, FACTS.sessionEnded, (f) => f.sessionId === sessionId, 15_000);
    client.close();
    await eventually(async () => (await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } })).body.participants[0].state !== 'waiting', 'the client to be seen gone');
    await livekit.deleteRoom(sessionId);
    await ended;
    expect(await sessionStatus(sessionId)).to.equal('ended');
    const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
    // Ending erases the invites, so the answer is "not valid" (or "ended"), never a token.
    expect(token.status).to.be.oneOf([404, 410]);
    expect(token.body).to.not.have.property('token');
  });
});
