/**
 * End-to-end encryption is not optional: a participant who publishes a track
 * without it is removed from the media room and a security event is recorded.
 * Real LiveKit, real @livekit/rtc-node participants, real track_published webhooks.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, newMediaKey, type MediaTokenResponse, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { DisconnectReason, joinMediaRoom, leaveAllMediaRooms } from '../support/rtc-participant.ts';
import { eventually } from '../support/eventually.ts';

describe('encryption enforcement (real LiveKit participants)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    t = await startTestApp();
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await leaveAllMediaRooms();
  });
  after(async () => {
    consoleSocket?.close();
    await t?.close();
  });

  async function admittedClient() {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const deviceId = newDeviceId();
    const socket = await connectClient(t.origin, secrets[0]!, deviceId);
    sockets.push(socket);
    await command(socket, COMMANDS.checkIn, { displayName: 'Encrypted Or Not' });
    const admitted = nextEvent(socket, FACTS.admitted);
    await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    await admitted;
    const token = await callRoute<MediaTokenResponse>(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } });
    return { session, participantId: invites[0]!.participantId, token: token.body };
  }

  it('removes a participant who publishes an unencrypted track, and records a security event', async () => {
    const { session, participantId, token } = await admittedClient();
    const media = await joinMediaRoom(token.url, token.token);
    await media.publishMicrophone();
    expect(await media.whenDisconnected(20_000)).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
    const line = await eventually(() => t.logs.find((l) => l.includes('security.unencrypted-track')), 'the security event in the log');
    expect(JSON.parse(line)).to.include({ security: true, sessionId: session.sessionId, participantId });
    const audit = await t.app.audit.list({});
    expect(audit.some((e) => e.event === 'encryption-failure' && e.participantId === participantId)).to.equal(true);
  });

  it('keeps a participant who publishes encrypted (with a key the server never sees)', async () => {
    const { token } = await admittedClient();
    const media = await joinMediaRoom(token.url, token.token, { sharedKey: newMediaKey() });
    await media.publishMicrophone();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the track_published webhook has long arrived by now
    expect(media.isConnected()).to.equal(true);
    expect(t.logs.filter((l) => l.includes('security.unencrypted-track'))).to.have.length(1); // only the previous test's
  });
});
