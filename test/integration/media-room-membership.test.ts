/**
 * Who is in the LiveKit room is decided by the therapist, not by whoever holds a
 * token: real LiveKit participants (@livekit/rtc-node) are kicked on remove,
 * send-back and end, and a removed one cannot come back.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { RoomServiceClient, ServerError, TrackType } from 'livekit-server-sdk';
import { COMMANDS, FACTS, type MediaTokenResponse, type WatchSessionResult, HTTP_ROUTES } from '@alcove/shared';
import { livekitApiHost } from '../../server/src/adapters/livekit/room-service.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, CONSOLE_COMMAND_TIMEOUT_MS, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { DisconnectReason, joinMediaRoom, leaveAllMediaRooms, type MediaParticipant } from '../support/rtc-participant.ts';
import { eventually } from '../support/eventually.ts';

const MEDIA_EVENT_TIMEOUT_MS = 15_000;

describe('media room membership (real LiveKit participants)', function () {
  this.timeout(60_000);

  let t: TestApp;
  let therapist: TherapistClient;
  let livekit: RoomServiceClient;
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    t = await startTestApp();
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    livekit = new RoomServiceClient(livekitApiHost(t.config.livekit.url), t.config.livekit.apiKey, t.config.livekit.apiSecret);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await leaveAllMediaRooms();
  });
  after(async () => {
    await t?.close();
  });

  const requestClientToken = (invite: string, deviceId: string) => callRoute<MediaTokenResponse | { error: { code: string } }>(t.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });

  async function identitiesInRoom(roomName: string): Promise<string[]> {
    try {
      return (await livekit.listParticipants(roomName)).map((p) => p.identity);
    } catch (error) {
      if (error instanceof ServerError && error.status === 404) return []; // the room is gone
      throw error;
    }
  }

  interface InCallClient {
    participantId: string;
    invite: string;
    deviceId: string;
    socket: TypedClientSocket;
    media: MediaParticipant;
    token: MediaTokenResponse;
  }

  /**
   * A live session: the therapist in the call, and each invited client checked in,
   * admitted and in the call. Everyone encrypts end to end with one session key,
   * as Alcove's browser clients do, so a plaintext-track guard has no reason to act.
   */
  async function liveSession(kind: 'individual' | 'couple') {
    const { session, secrets, invites } = await therapist.createSession(kind);
    const sessionId = session.sessionId;
    const join = { sharedKey: randomBytes(32) };
    const therapistSocket = track(await connectTherapist(t.origin, therapist.cookie));
    const hostToken = await therapist.start(sessionId);
    const host = await joinMediaRoom(hostToken.url, hostToken.token, join);
    const clients: InCallClient[] = [];
    for (const [i, invite] of secrets.entries()) {
      const participantId = invites[i]!.participantId;
      const deviceId = newDeviceId();
      const socket = track(await connectClient(t.origin, invite, deviceId));
      expect(await command(socket, COMMANDS.checkIn, { displayName: `Client ${i + 1}` })).to.deep.include({ ok: true });
      const inCall = nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'in-call', MEDIA_EVENT_TIMEOUT_MS);
      expect(await command(therapistSocket, COMMANDS.admit, { sessionId, participantId })).to.deep.include({ ok: true });
      const response = await requestClientToken(invite, deviceId);
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      const token = response.body as MediaTokenResponse;
      const media = await joinMediaRoom(token.url, token.token, join);
      await inCall;
      clients.push({ participantId, invite, deviceId, socket, media, token });
    }
    return { sessionId, roomName: sessionId, therapistSocket, host, clients, join };
  }

  it('shows a client as in-call once LiveKit reports the participant joined', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const sessionId = session.sessionId;
    const participantId = invites[0]!.participantId;
    const therapistSocket = track(await connectTherapist(t.origin, therapist.cookie));
    const deviceId = newDeviceId();
    const client = track(await connectClient(t.origin, secrets[0]!, deviceId));
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(await command(therapistSocket, COMMANDS.admit, { sessionId, participantId })).to.deep.include({ ok: true });
    const watched = await command<WatchSessionResult>(therapistSocket, COMMANDS.watchSession, { sessionId });
    expect(watched.ok && watched.data.participants[0]!.state).to.equal('admitted');

    const inCall = nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'in-call', MEDIA_EVENT_TIMEOUT_MS);
    const token = (await requestClientToken(secrets[0]!, deviceId)).body as MediaTokenResponse;
    const media = await joinMediaRoom(token.url, token.token);
    expect(media.identity).to.equal(participantId);
    expect((await inCall).sessionId).to.equal(sessionId);
    const after = await command<WatchSessionResult>(therapistSocket, COMMANDS.watchSession, { sessionId });
    expect(after.ok && after.data.participants[0]!.state).to.equal('in-call');
  });

  it('disconnects a removed client from LiveKit, closes its socket, and keeps it out even with a token issued before removal', async () => {
    const { sessionId, roomName, therapistSocket, host, clients } = await liveSession('individual');
    const client = clients[0]!;
    // A second token, fetched while still admitted: what a client mid-reconnect would hold.
    const earlier = await requestClientToken(client.invite, client.deviceId);
    expect(earlier.status).to.equal(200);
    const staleToken = earlier.body as MediaTokenResponse;

    const closed = nextEvent(client.socket, FACTS.closed);
    const socketGone = nextEvent(client.socket, 'disconnect');
    const ack = await command(therapistSocket, COMMANDS.remove, { sessionId, participantId: client.participantId });
    expect(ack.ok && ack.data.state).to.equal('removed');

    expect(await client.media.whenDisconnected()).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
    expect(await closed).to.deep.equal({ reason: 'removed' });
    await socketGone;
    expect(await identitiesInRoom(roomName)).to.not.include(client.participantId);
    expect(host.isConnected(), 'the therapist stays in the call').to.equal(true);

    // The invite is revoked: no new token, and no new socket.
    const refused = await requestClientToken(client.invite, client.deviceId);
    expect(refused.status).to.equal(404);
    expect((refused.body as { error: { code: string } }).error.code).to.equal('invalid_invite');
    let handshake: unknown;
    await connectClient(t.origin, client.invite, client.deviceId).then(
      (s) => track(s),
      (error: { data?: unknown }) => (handshake = error.data),
    );
    expect(handshake).to.deep.include({ code: 'invalid_invite' });

    // LiveKit does not enforce revocation of a still-valid token, so it lets the
    // person in; the participant_joined webhook must have Alcove remove them again.
    const rejoin = await joinMediaRoom(staleToken.url, staleToken.token).catch(() => null);
    if (rejoin) expect(await rejoin.whenDisconnected()).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
    await eventually(async () => !(await identitiesInRoom(roomName)).includes(client.participantId), 'the rejoined participant to be removed again');
    await eventually(() => t.logs.some((l) => l.includes('"security.unadmitted-join"') && l.includes(client.participantId)), 'a security event for the rejoin');
    expect(host.isConnected()).to.equal(true);
  });

  it('disconnects every LiveKit participant and every client socket when the therapist ends the session', async () => {
    const { sessionId, roomName, therapistSocket, host, clients } = await liveSession('couple');
    expect(await identitiesInRoom(roomName)).to.have.length(3);
    const closedFacts = clients.map((c) => nextEvent(c.socket, FACTS.closed));
    const socketsGone = clients.map((c) => nextEvent(c.socket, 'disconnect'));
    const ended = nextEvent(therapistSocket, FACTS.sessionEnded);

    expect(await command(therapistSocket, COMMANDS.endSession, { sessionId })).to.deep.equal({ ok: true, data: null });

    const reasons = await Promise.all([host, ...clients.map((c) => c.media)].map((p) => p.whenDisconnected()));
    expect(reasons).to.deep.equal([DisconnectReason.ROOM_DELETED, DisconnectReason.ROOM_DELETED, DisconnectReason.ROOM_DELETED]);
    expect(await Promise.all(closedFacts)).to.deep.equal([{ reason: 'session-ended' }, { reason: 'session-ended' }]);
    await Promise.all(socketsGone);
    expect(await ended).to.deep.equal({ sessionId });
    const rooms = await livekit.listRooms([roomName]);
    expect(rooms).to.have.length(0);

    for (const c of clients) {
      const response = await requestClientToken(c.invite, c.deviceId);
      expect(response.status).to.be.oneOf([404, 410]);
      expect(response.body).to.not.have.property('token');
    }
  });

  it('takes a client sent back to the waiting room out of LiveKit and gives no token until re-admitted', async () => {
    const { sessionId, roomName, therapistSocket, host, clients } = await liveSession('individual');
    const client = clients[0]!;

    const sentBack = nextEvent(client.socket, FACTS.sentBack);
    const ack = await command(therapistSocket, COMMANDS.sendBack, { sessionId, participantId: client.participantId });
    expect(ack.ok && ack.data.state).to.equal('waiting');
    expect(await client.media.whenDisconnected()).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
    await sentBack;
    expect(client.socket.connected, 'a client sent back keeps its waiting-room connection').to.equal(true);
    expect(await identitiesInRoom(roomName)).to.not.include(client.participantId);
    expect(host.isConnected()).to.equal(true);

    const refused = await requestClientToken(client.invite, client.deviceId);
    expect(refused.status).to.equal(403);
    expect((refused.body as { error: { code: string } }).error.code).to.equal('not_admitted');

    // The token from before being sent back still passes LiveKit's own check; Alcove removes it again.
    const sneak = await joinMediaRoom(client.token.url, client.token.token).catch(() => null);
    if (sneak) expect(await sneak.whenDisconnected()).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
    await eventually(async () => !(await identitiesInRoom(roomName)).includes(client.participantId), 'the waiting client to be kept out of the room');

    const admitted = nextEvent(client.socket, FACTS.admitted);
    expect(await command(therapistSocket, COMMANDS.admit, { sessionId, participantId: client.participantId })).to.deep.include({ ok: true });
    await admitted;
    const again = await requestClientToken(client.invite, client.deviceId);
    expect(again.status).to.equal(200);
    const inCall = nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === client.participantId && f.participant.state === 'in-call', MEDIA_EVENT_TIMEOUT_MS);
    const back = await joinMediaRoom((again.body as MediaTokenResponse).url, (again.body as MediaTokenResponse).token);
    await inCall;
    expect(back.isConnected()).to.equal(true);
  });

  // A browser leaves the media room the moment its socket says "removed" or "sent back", so
  // LiveKit may still list the participant when Alcove asks it to remove them and then find
  // nobody to remove (it answers "unavailable"). That is the person gone, not LiveKit down: the
  // command succeeds and the therapist's console is told, every time.
  it('removes or sends back a client who leaves the media room on being told, and tells the therapist every time (6 rounds each)', async () => {
    const ROUNDS = 6;
    for (let round = 1; round <= ROUNDS; round++) {
      const { sessionId, therapistSocket, clients, join } = await liveSession('individual');
      const client = clients[0]!;
      const target = { sessionId, participantId: client.participantId };
      // With the app's LiveKit lines (ids and codes only), so a refusal in CI says which call failed and how.
      const why = (ack: unknown) => `${JSON.stringify(ack)}; app log: ${t.logs.filter((l) => l.includes('livekit')).slice(-3).join(' ')}`;
      const shown = (state: string) => nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === client.participantId && f.participant.state === state);

      client.socket.once(FACTS.sentBack, () => void client.media.leave());
      const waiting = shown('waiting');
      // The console's own 8 s command timeout: LiveKit may take 3-4 s to say it found nobody to remove.
      const sendBackAck = await command(therapistSocket, COMMANDS.sendBack, target, CONSOLE_COMMAND_TIMEOUT_MS);
      // The answer itself in the message: which refusal, if any, says what LiveKit did.
      expect(sendBackAck, `send back, round ${round}: ${why(sendBackAck)}`).to.deep.include({ ok: true });
      await waiting;

      // In again, then removed the same way.
      const inCall = shown('in-call');
      expect(await command(therapistSocket, COMMANDS.admit, target)).to.deep.include({ ok: true });
      const token = (await requestClientToken(client.invite, client.deviceId)).body as MediaTokenResponse;
      const media = await joinMediaRoom(token.url, token.token, join);
      await inCall;
      client.socket.once(FACTS.closed, () => void media.leave());
      const removed = shown('removed');
      const removeAck = await command(therapistSocket, COMMANDS.remove, target, CONSOLE_COMMAND_TIMEOUT_MS);
      expect(removeAck, `remove, round ${round}: ${why(removeAck)}`).to.deep.include({ ok: true });
      await removed;
      expect(t.logs.filter((l) => l.includes('"livekit.unavailable"')), 'LiveKit was never taken for down').to.deep.equal([]);
    }
  });

  it("mutes a client's real microphone track through LiveKit", async () => {
    const { sessionId, roomName, therapistSocket, clients } = await liveSession('individual');
    const client = clients[0]!;
    const trackSid = await client.media.publishMicrophone();
    await eventually(
      async () => (await livekit.getParticipant(roomName, client.participantId)).tracks.some((tr) => tr.sid === trackSid && tr.type === TrackType.AUDIO),
      'LiveKit to see the microphone track',
    );

    const told = nextEvent(client.socket, FACTS.mutedByHost);
    const ack = await command(therapistSocket, COMMANDS.mute, { sessionId, participantId: client.participantId });
    expect(ack).to.deep.equal({ ok: true, data: { mutedTracks: 1 } });
    await told;
    const info = await livekit.getParticipant(roomName, client.participantId);
    expect(info.tracks.find((tr) => tr.sid === trackSid)?.muted).to.equal(true);

    // Muting again finds nothing left to mute.
    expect(await command(therapistSocket, COMMANDS.mute, { sessionId, participantId: client.participantId })).to.deep.equal({ ok: true, data: { mutedTracks: 0 } });
  });
});
