import { expect } from 'chai';
import { TokenVerifier } from 'livekit-server-sdk';
import { COMMANDS, FACTS } from '@alcove/shared';
import { talkOnlyGrant } from '../../server/src/tokens/talk-only-grant.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

describe('admission and talk-only tokens', () => {
  let t: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    t = await startTestApp();
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => t.close());

  it('refuses a token to a client who has not been admitted', async () => {
    const { secrets } = await therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = track(await connectClient(t.origin, secrets[0]!, deviceId));
    const checkIn = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(checkIn.ok).to.equal(true);
    const response = await request(t.origin, 'POST', '/api/join/token', { body: { invite: secrets[0], deviceId } });
    expect(response.status).to.equal(403);
    expect(response.body.error.code).to.equal('not_admitted');
  });

  it('tells the therapist a client is waiting, admits them, and issues exactly the talk-only grants', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const console = track(await connectTherapist(t.origin, therapist.cookie));
    const deviceId = newDeviceId();
    const client = track(await connectClient(t.origin, secrets[0]!, deviceId));

    const waiting = nextEvent(console, FACTS.presenceUpdated, (f) => f.participant.state === 'waiting');
    const ack = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(ack).to.deep.include({ ok: true });
    const presence = await waiting;
    expect(presence.sessionId).to.equal(session.sessionId);
    expect(presence.participant).to.include({ participantId: invites[0]!.participantId, displayName: 'Alex', state: 'waiting' });

    const admittedFact = nextEvent(client, FACTS.admitted);
    const admit = await command(console, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(admit.ok).to.equal(true);
    expect(await admittedFact).to.deep.equal({ sessionId: session.sessionId });

    const before = Math.floor(Date.now() / 1000);
    const response = await request(t.origin, 'POST', '/api/join/token', { body: { invite: secrets[0], deviceId } });
    expect(response.status).to.equal(200);
    const claims = await new TokenVerifier(t.config.livekit.apiKey, t.config.livekit.apiSecret).verify(response.body.token);
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
