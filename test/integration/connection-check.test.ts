/**
 * The pre-call connection check's two edges: POST /api/join/connection-check (a throw-away LiveKit
 * room and a token that can do nothing but connect) and `connection-check:report` (a verdict kept
 * with the participant's presence and shown to the therapist).
 */
import { expect } from 'chai';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { connectionCheckGrant } from '../../server/src/tokens/connection-check-grant.ts';
import { CHECK_LIMIT, CHECK_TOKEN_TTL_SECONDS } from '../../server/src/tokens/connection-check-service.ts';
import { callRoute } from '../support/api-client.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent } from '../support/socket-clients.ts';


describe('the pre-call connection check', () => {
  const ctx = useTherapistApp();
  const rooms = () => new RoomServiceClient(ctx.t.config.livekit.url.replace(/^ws/u, 'http'), ctx.t.config.livekit.apiKey, ctx.t.config.livekit.apiSecret);

  it('gives the invite holder a throw-away room and a nameless token that may neither publish nor subscribe', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const before = Math.floor(Date.now() / 1000);
    const response = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: secrets[0], deviceId } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(Object.keys(response.body).sort()).to.deep.equal(['expiresAt', 'token', 'url']);
    expect(response.body.url).to.equal(ctx.t.config.livekit.url);

    const claims = await new TokenVerifier(ctx.t.config.livekit.apiKey, ctx.t.config.livekit.apiSecret).verify(response.body.token);
    const room = claims.video!.room!;
    expect(room).to.match(/^c_[A-Za-z0-9_-]{22}$/u);
    expect(room).to.not.equal(session.sessionId);
    expect(claims.video).to.deep.equal(connectionCheckGrant(room));
    // An identity that names nobody and is not the participant's.
    expect(claims.sub).to.match(/^k_[A-Za-z0-9_-]{22}$/u);
    expect(claims.sub).to.not.equal(invites[0]!.participantId);
    expect(claims).to.not.have.property('name');
    expect(claims.exp! - claims.nbf!).to.equal(CHECK_TOKEN_TTL_SECONDS);
    expect(claims.exp).to.be.within(before + CHECK_TOKEN_TTL_SECONDS - 1, before + CHECK_TOKEN_TTL_SECONDS + 2);

    // The room exists (auto_create is off), for one participant, and closes itself when empty.
    const [created] = await rooms().listRooms([room]);
    expect(created?.maxParticipants).to.equal(1);
    expect(created?.emptyTimeout).to.be.within(1, 30);
    expect(created?.departureTimeout).to.be.within(1, 5);
    await rooms().deleteRoom(room);
  });

  it('refuses bad bodies with a 400, a wrong invite and another device with their own codes', async () => {
    const { secrets } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    for (const body of [{}, { invite: secrets[0] }, { invite: secrets[0], deviceId, extra: 1 }, { invite: 'not a secret!', deviceId }, { invite: secrets[0], deviceId: 42 }]) {
      const response = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body });
      expect(response.status, JSON.stringify(body)).to.equal(400);
      expect(response.body.error.code).to.equal('bad_request');
    }
    const wrong = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: 'A'.repeat(43), deviceId } });
    expect(wrong.body.error.code).to.equal('invalid_invite');
    expect(wrong.status).to.be.within(400, 499);
    // The invite is in use by the connected device: another one gets no check room.
    const other = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: secrets[0], deviceId: newDeviceId() } });
    expect(other.body.error.code).to.equal('device_in_use');
    expect(other.status).to.be.within(400, 499);
  });

  it('limits how many check rooms one invite can make', async () => {
    const { secrets } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const made: string[] = [];
    for (let i = 0; i < CHECK_LIMIT.limit; i += 1) {
      const response = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: secrets[0], deviceId } });
      expect(response.status).to.equal(200);
      made.push((await new TokenVerifier(ctx.t.config.livekit.apiKey, ctx.t.config.livekit.apiSecret).verify(response.body.token)).video!.room!);
    }
    const refused = await callRoute(ctx.t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: secrets[0], deviceId } });
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('rate_limited');
    for (const room of made) await rooms().deleteRoom(room);
  });

  it('keeps a reported verdict with the participant and shows it to the therapist', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('couple');
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[1]!, newDeviceId()));
    // Reported before check-in: kept, and seen by the therapist once the person checks in.
    expect(await command(client, COMMANDS.reportConnection, { verdict: 'slower-path' })).to.deep.equal({ ok: true, data: null });
    const waiting = nextEvent(ctx.consoleSocket, FACTS.presenceUpdated, (f) => f.participant.state === 'waiting');
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Kai' })).ok).to.equal(true);
    expect((await waiting).participant).to.include({ participantId: invites[1]!.participantId, connectionCheck: 'slower-path' });
    // A new check (e.g. after moving to another network) replaces it at once.
    const updated = nextEvent(ctx.consoleSocket, FACTS.presenceUpdated, (f) => f.participant.connectionCheck === 'blocked');
    expect((await command(client, COMMANDS.reportConnection, { verdict: 'blocked' })).ok).to.equal(true);
    expect((await updated).participant.participantId).to.equal(invites[1]!.participantId);
    const watched: any = await command(ctx.consoleSocket, COMMANDS.watchSession, { sessionId: session.sessionId });
    const seen = Object.fromEntries(watched.data.participants.map((p: { participantId: string; connectionCheck: string | null }) => [p.participantId, p.connectionCheck]));
    expect(seen).to.deep.equal({ [invites[0]!.participantId]: null, [invites[1]!.participantId]: 'blocked' });
  });

  it('answers a bad report with bad_request and changes nothing; a therapist cannot report', async () => {
    const { session, secrets } = await ctx.therapist.createSession('individual');
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, newDeviceId()));
    for (const payload of [{}, { verdict: 'great' }, { verdict: 'ready', path: 'udp' }, { verdict: ['ready'] }, 'ready', null]) {
      const ack: any = await command(client, COMMANDS.reportConnection, payload);
      expect(ack.ok, JSON.stringify(payload)).to.equal(false);
      expect(ack.error.code).to.equal('bad_request');
    }
    const fromTherapist = await command(ctx.consoleSocket, COMMANDS.reportConnection, { verdict: 'ready' });
    expect(fromTherapist.ok).to.equal(false);
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Alex' })).ok).to.equal(true);
    const watched: any = await command(ctx.consoleSocket, COMMANDS.watchSession, { sessionId: session.sessionId });
    expect(watched.data.participants[0].connectionCheck).to.equal(null);
  });
});
