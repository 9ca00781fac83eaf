import { expect } from 'chai';
import { io as connectIo } from 'socket.io-client';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { loginTherapist, callRoute } from '../support/api-client.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { eventually } from '../support/eventually.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent } from '../support/socket-clients.ts';

const GRACE_SECONDS = 5;

describe('waiting room and presence', () => {
  const ctx = useTherapistApp({ env: { WAITING_GRACE_SECONDS: String(GRACE_SECONDS) } });

  it('shows each partner of a couple separately, and lets them be admitted one at a time', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('couple');
    expect(invites.map((i) => i.slot)).to.deep.equal([1, 2]);
    const first = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    const second = ctx.track(await connectClient(ctx.t.origin, secrets[1]!));
    await command(first, COMMANDS.checkIn, { displayName: 'Sam' });
    await command(second, COMMANDS.checkIn, { displayName: 'Robin' });

    const watch = await command(ctx.consoleSocket, COMMANDS.watchSession, { sessionId: session.sessionId });
    expect(watch.ok).to.equal(true);
    if (!watch.ok) return;
    expect(watch.data.participants.map((p: { displayName: string; state: string }) => [p.displayName, p.state])).to.deep.equal([
      ['Sam', 'waiting'],
      ['Robin', 'waiting'],
    ]);

    let secondAdmitted = false;
    second.on(FACTS.admitted, () => (secondAdmitted = true));
    const firstAdmitted = nextEvent(first, FACTS.admitted);
    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    await firstAdmitted;
    const detail = await ctx.therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
    expect(detail.body.participants.map((p: { state: string }) => p.state)).to.deep.equal(['admitted', 'waiting']);
    expect(secondAdmitted).to.equal(false);
  });

  it('never shows a client the other clients in the waiting room', async () => {
    const { session, secrets } = await ctx.therapist.createSession('couple');
    const first = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    const received: string[] = [];
    first.onAny((event) => received.push(event));
    await command(first, COMMANDS.checkIn, { displayName: 'Sam' });
    const second = ctx.track(await connectClient(ctx.t.origin, secrets[1]!));
    await command(second, COMMANDS.checkIn, { displayName: 'Robin' });
    // The message is the last thing sent to this socket: anything about Robin would have come before it.
    const posted = nextEvent(first, FACTS.messagePosted);
    await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'Running five minutes late' });
    await posted;
    expect(received).to.deep.equal([FACTS.messagePosted]);
  });

  it('delivers the therapist message to waiting clients and to clients who arrive later', async () => {
    const { session, secrets } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    const posted = nextEvent(client, FACTS.messagePosted);
    const ack = await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'Running five minutes late' });
    expect(ack.ok).to.equal(true);
    expect((await posted).text).to.equal('Running five minutes late');
    client.close();
    const again = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const checkIn = await command(again, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(checkIn.ok && checkIn.data.lastMessage?.text).to.equal('Running five minutes late');
  });

  it('keeps a waiting client’s place across a reload on the same device', async () => {
    const { secrets, invites } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = await connectClient(ctx.t.origin, secrets[0]!, deviceId);
    const first = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(first.ok).to.equal(true);
    if (!first.ok) return;
    const reconnecting = nextEvent(ctx.consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === invites[0]!.participantId && f.participant.state === 'reconnecting');
    client.close();
    await reconnecting;
    const reloaded = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const second = await command(reloaded, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(second.ok && second.data.waitingSince).to.equal(first.data.waitingSince);
    expect(second.ok && second.data.state).to.equal('waiting');
  });

  it('recovers a dropped connection in place (Socket.io connection-state recovery re-runs the handshake)', async () => {
    const { session, secrets } = await ctx.therapist.createSession('individual');
    const socket = connectIo(ctx.t.origin, {
      transports: ['websocket'],
      auth: { invite: secrets[0], deviceId: newDeviceId() },
      extraHeaders: { origin: ctx.t.origin },
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const first = await command(socket as never, COMMANDS.checkIn, { displayName: 'Alex' });
      // A broadcast gives the client a stream offset to recover from.
      const posted = new Promise((resolve) => socket.once(FACTS.messagePosted, resolve));
      await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'Nearly ready' });
      await posted;
      // Drop the transport under the socket, as a network blip would; the client reconnects by itself
      // and sends Socket.io's own recovery fields (pid, offset) in its handshake.
      const back = new Promise<boolean>((resolve) => socket.once('connect', () => resolve(socket.recovered)));
      socket.io.engine.close();
      expect(await back).to.equal(true);
      const again = await command(socket as never, COMMANDS.checkIn, { displayName: 'Alex' });
      expect(again.ok && first.ok && again.data.waitingSince).to.equal(first.ok && first.data.waitingSince);
      const detail = await ctx.therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
      expect(detail.body.participants[0].state).to.equal('waiting');
    } finally {
      socket.close();
    }
  });

  it('refuses a second device with the same invite while the first is active, and tells the therapist', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    const told = nextEvent(ctx.consoleSocket, FACTS.deviceRefused, (f) => f.sessionId === session.sessionId);
    const refused = await connectClient(ctx.t.origin, secrets[0]!).then(
      () => null,
      (error: { data?: { code?: string } }) => error.data,
    );
    expect(refused?.code).to.equal('device_in_use');
    expect((await told).participantId).to.equal(invites[0]!.participantId);
  });

  it('shows a client who does not come back within the grace period as left, and gives them their place back when they return', async function () {
    this.timeout(GRACE_SECONDS * 1000 + 10_000);
    const { secrets, invites } = await ctx.therapist.createSession('individual');
    const client = await connectClient(ctx.t.origin, secrets[0]!);
    const first = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    if (!first.ok) throw new Error(first.error.code);
    const left = nextEvent(
      ctx.consoleSocket,
      FACTS.presenceUpdated,
      (f) => f.participant.participantId === invites[0]!.participantId && f.participant.state === 'left',
      GRACE_SECONDS * 1000 + 5000,
    );
    client.close();
    // The therapist is told they are gone, and no longer sees them as waiting since anything.
    expect((await left).participant.waitingSince).to.equal(null);
    // After the grace period another device may use the invite, and the place comes with it: the
    // server cannot tell a closed page from an outage of the front, only a deliberate Leave.
    const back = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    const again = await command(back, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(again.ok && again.data.state).to.equal('waiting');
    expect(again.ok && again.data.waitingSince).to.equal(first.data.waitingSince);
  });

  it('puts a client who left on purpose at the back when they check in again', async () => {
    const { secrets } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = await connectClient(ctx.t.origin, secrets[0]!, deviceId);
    const first = await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    if (!first.ok) throw new Error(first.error.code);
    await eventually(() => Date.now() > first.data.waitingSince, 'the clock moving past the first check-in');
    expect((await command(client, COMMANDS.leave, {})).ok).to.equal(true);
    client.close();
    const back = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    const again = await command(back, COMMANDS.checkIn, { displayName: 'Alex' });
    expect(again.ok && again.data.waitingSince).to.be.above(first.data.waitingSince);
  });

  it('refuses therapist commands sent by a client', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    for (const [event, payload] of [
      [COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId }],
      [COMMANDS.admitAll, { sessionId: session.sessionId }],
      [COMMANDS.endSession, { sessionId: session.sessionId }],
      [COMMANDS.watchSession, { sessionId: session.sessionId }],
    ] as const) {
      const ack = await command(client, event, payload);
      expect(ack, event).to.deep.equal({ ok: false, error: { code: 'forbidden', message: 'You are not allowed to do that.' } });
    }
    const detail = await ctx.therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
    expect(detail.body.status).to.equal('scheduled');
    expect(detail.body.participants[0].state).to.equal('waiting');
  });

  it('never lets an invite for one session touch another session', async () => {
    const a = await ctx.therapist.createSession('individual');
    const b = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const clientA = ctx.track(await connectClient(ctx.t.origin, a.secrets[0]!, deviceId));
    await command(clientA, COMMANDS.checkIn, { displayName: 'Alex' });
    const clientB = ctx.track(await connectClient(ctx.t.origin, b.secrets[0]!));
    await command(clientB, COMMANDS.checkIn, { displayName: 'Blake' });
    await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: b.session.sessionId, participantId: b.invites[0]!.participantId });
    // A's invite, even with B admitted, yields nothing.
    const token = await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: a.secrets[0], deviceId } });
    expect(token.status).to.equal(403);
    expect(token.body.error.code).to.equal('not_admitted');
    // A therapist command naming B's participant under A's session is "not found".
    const crossed = await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: a.session.sessionId, participantId: b.invites[0]!.participantId });
    expect(crossed.ok === false && crossed.error.code).to.equal('not_found');
  });

  it('does not let one therapist see or control another therapist’s session', async () => {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    const otherAccount = await ctx.t.addTherapist('Dr. Other');
    const other = await loginTherapist(ctx.t.origin, otherAccount.email, otherAccount.password);
    const otherSocket = ctx.track(await connectTherapist(ctx.t.origin, other.cookie));
    expect((await other.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } })).status).to.equal(404);
    expect((await other.call(HTTP_ROUTES.endSession, { params: { sessionId: session.sessionId }, body: {} })).status).to.equal(404);
    const admit = await command(otherSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(admit.ok === false && admit.error.code).to.equal('not_found');
    const list = await other.call(HTTP_ROUTES.listSessions);
    expect(list.body.sessions).to.deep.equal([]);
  });
});
