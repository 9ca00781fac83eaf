/**
 * Every deploy stops an instance with SIGTERM while people wait. Behind the real proxy (Caddy,
 * as in production), the instance drains: it stops taking connections, lets commands finish,
 * closes its sockets as a network blip, and exits 0 within 10 s; the waiting client and the
 * therapist's console reconnect by themselves through the proxy to the instance that stays,
 * the client keeps its place (same `waitingSince`, never shown as gone) and can be admitted.
 */
import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { COMMANDS, FACTS, HTTP_ROUTES, type PresenceUpdatedFact } from '@alcove/shared';
import { startAppProcess, type AppProcess } from '../support/app-process.ts';
import { startCaddyFront, type CaddyFront } from '../support/caddy-front.ts';
import { loginTherapist } from '../support/api-client.ts';
import { eventually } from '../support/eventually.ts';
import { freeTcpPort } from '../support/free-port.ts';
import { command, connectClient, connectTherapist, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';

/** What main.ts allows a stop before it gives up and exits 1. */
const STOP_LIMIT_MS = 10_000;

/** The browser app's reconnection (client/src/api/socket-connection.ts): on by default, capped at 4 s. */
function reconnectsLikeTheBrowser(socket: TypedClientSocket): TypedClientSocket {
  socket.io.reconnection(true);
  socket.io.reconnectionDelayMax(4_000);
  return socket;
}

describe('an instance stopped with SIGTERM behind the proxy (a deploy)', function () {
  this.timeout(60_000);
  const prefix = randomPrefix();
  let front: CaddyFront;
  let leaving: AppProcess;
  let staying: TestApp;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    const frontPort = await freeTcpPort();
    const env = { PUBLIC_URL: `http://127.0.0.1:${frontPort}`, WAITING_GRACE_SECONDS: '30' };
    leaving = await startAppProcess({ ...env, REDIS_PREFIX: prefix });
    staying = await startTestApp({ prefix, env });
    front = await startCaddyFront([leaving.port, Number(new URL(staying.origin).port)], { port: frontPort });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await front?.stop();
    await leaving?.stop();
    await staying?.close();
  });

  it('moves the waiting client and the console to the instance that stays, place kept, and exits 0', async () => {
    const account = await staying.addTherapist();
    const therapist = await loginTherapist(front.origin, account.email, account.password);
    const desk = reconnectsLikeTheBrowser(await connectTherapist(front.origin, therapist.cookie));
    sockets.push(desk);
    const { session, secrets, invites } = await therapist.createSession('individual');
    const participantId = invites[0]!.participantId;
    const client = reconnectsLikeTheBrowser(await connectClient(front.origin, secrets[0]!));
    sockets.push(client);
    const seen: PresenceUpdatedFact[] = [];
    desk.on(FACTS.presenceUpdated, (fact) => seen.push(fact));
    const waiting = nextEvent<PresenceUpdatedFact>(desk, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'waiting');
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Deploy Day' })).ok).to.equal(true);
    const before = (await waiting).participant;
    // `first`: everything went to the instance we stop (proved below by both sockets being cut).
    const cut = (socket: TypedClientSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const back = (socket: TypedClientSocket) => new Promise<void>((resolve) => (socket.io as unknown as Socket['io']).once('reconnect', () => resolve()));
    const [clientCut, deskCut, clientBack, deskBack] = [cut(client), cut(desk), back(client), back(desk)];

    const stoppedAt = Date.now();
    await leaving.kill('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    expect(await leaving.exited, 'exit code').to.equal(0);
    expect(stopMs).to.be.below(STOP_LIMIT_MS);
    // A transport close, which the browser's client treats as a blip, not "io server disconnect".
    expect(await clientCut).to.equal('transport close');
    expect(await deskCut).to.equal('transport close');
    await Promise.all([clientBack, deskBack]);
    const movedMs = Date.now() - stoppedAt;
    const drained = leaving.lines.find(({ text }) => text.includes('"event":"server.drained"'));
    expect(drained?.text, 'the drain was logged').to.match(/"count":2\b/u);

    // The browser checks in again on every connect (join-journey.ts): the same place.
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Deploy Day' })).ok).to.equal(true);
    const detail = await eventually(async () => {
      const response = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
      const participant = response.body.participants[0];
      return participant?.state === 'waiting' ? participant : null;
    }, 'the client shown waiting again');
    expect(detail.waitingSince).to.equal(before.waitingSince);
    expect(seen.filter((f) => f.participant.participantId === participantId).map((f) => f.participant.state)).to.not.include.members(['left', 'removed']);

    // And the therapist, on the instance that stays, admits them.
    const admitted = nextEvent(client, FACTS.admitted, () => true, 10_000);
    expect((await command(desk, COMMANDS.admit, { sessionId: session.sessionId, participantId })).ok).to.equal(true);
    await admitted;
    process.stdout.write(`      SIGTERM → exit ${stopMs} ms; → both sockets back through the proxy ${movedMs} ms\n`);
  });
});
