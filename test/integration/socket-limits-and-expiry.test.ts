import { expect } from 'chai';
import { eventually } from '../support/eventually.ts';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

describe('socket limits and login expiry', () => {
  let t: TestApp;
  const IDLE_SECONDS = 3;
  before(async () => {
    t = await startTestApp({ env: { AUTH_IDLE_MINUTES: String(IDLE_SECONDS / 60), MAX_SOCKETS_PER_IP: '4' } });
  });
  after(async () => t.close());

  it('disconnects an idle therapist’s sockets within a second of the idle timeout', async function () {
    this.timeout(15_000);
    const account = await t.addTherapist();
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const socket = await connectTherapist(t.origin, therapist.cookie);
    const started = Date.now();
    const expired = nextEvent(socket, FACTS.loginExpired, () => true, 10_000);
    const disconnected = new Promise<number>((resolve) => socket.once('disconnect', () => resolve(Date.now())));
    await expired;
    const at = await disconnected;
    expect(at - started).to.be.within(IDLE_SECONDS * 1000 - 500, IDLE_SECONDS * 1000 + 1000);
    expect((await therapist.call(HTTP_ROUTES.listSessions)).status).to.equal(401);
  });

  it('counts an active call as activity: keep-alives postpone the idle logout', async function () {
    this.timeout(15_000);
    const account = await t.addTherapist();
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const socket = await connectTherapist(t.origin, therapist.cookie);
    let expired = false;
    socket.on(FACTS.loginExpired, () => (expired = true));
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const ack = await command(socket, COMMANDS.keepAlive, {});
      expect(ack.ok).to.equal(true);
    }
    expect(expired).to.equal(false);
    expect(socket.connected).to.equal(true);
    socket.close();
  });

  it('caps concurrent sockets per IP and frees the slot on disconnect', async () => {
    const account = await t.addTherapist();
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const { secrets } = await therapist.createSession('individual');
    const open: TypedClientSocket[] = [];
    for (let i = 0; i < 4; i += 1) open.push(await connectTherapist(t.origin, therapist.cookie));
    const refused = await connectClient(t.origin, secrets[0]!, newDeviceId()).then(
      () => 'connected',
      (e: { data?: { code?: string } }) => e.data?.code,
    );
    expect(refused).to.equal('rate_limited');
    open.pop()!.close();
    // Once the server has counted the closed socket out, a new one is let in.
    const client = await eventually(() => connectClient(t.origin, secrets[0]!, newDeviceId()).catch(() => undefined), 'a connection to be let in after one closed');
    expect(client.connected).to.equal(true);
    client.close();
    for (const s of open) s.close();
  });
});
