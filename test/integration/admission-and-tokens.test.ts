import { expect } from 'chai';
import { TokenVerifier } from 'livekit-server-sdk';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { talkOnlyGrant } from '../../server/src/tokens/talk-only-grant.ts';
import { callRoute } from '../support/api-client.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent } from '../support/socket-clients.ts';

describe('admission and talk-only tokens', () => {
  const ctx = useTherapistApp();

  it('refuses a token to a client who has not been admitted', async () => {
    const { secrets } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const checkIn = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(checkIn.ok).to.equal(true);
    const response = await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } });
    expect(response.status).to.equal(403);
    expect(response.body.error.code).to.equal('not_admitted');
  });

  it('tells the therapist a client is waiting, admits them, and issues exactly the talk-only grants', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));

    const waiting = nextEvent(ctx.consoleSocket, FACTS.presenceUpdated, (f) => f.participant.state === 'waiting');
    const ack = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(ack).to.deep.include({ ok: true });
    const presence = await waiting;
    expect(presence.sessionId).to.equal(session.sessionId);
    expect(presence.participant).to.include({ participantId: invites[0]!.participantId, displayName: 'Alex', state: 'waiting' });

    const admittedFact = nextEvent(client, FACTS.admitted);
    const admit = await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(admit.ok).to.equal(true);
    expect(await admittedFact).to.deep.equal({ sessionId: session.sessionId });

    const before = Math.floor(Date.now() / 1000);
    const response = await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } });
    expect(response.status).to.equal(200);
    const claims = await new TokenVerifier(ctx.t.config.livekit.apiKey, ctx.t.config.livekit.apiSecret).verify(response.body.token);
    expect(claims.video).to.deep.equal(talkOnlyGrant(session.sessionId));
    expect(claims.sub).to.equal(invites[0]!.participantId);
    expect(claims.name).to.equal('Alex');
    expect(claims.exp! - claims.nbf!).to.equal(120);
    expect(claims.exp).to.be.within(before + 119, before + 122);
    for (const forbidden of ['roomAdmin', 'roomCreate', 'roomList', 'roomRecord', 'recorder', 'hidden', 'agent']) {
      expect(claims.video).to.not.have.property(forbidden);
    }
    expect(claims).to.not.have.property('roomConfig');
  });
});
