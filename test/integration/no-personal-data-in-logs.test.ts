import { expect } from 'chai';
import { COMMANDS, FACTS } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent } from '../support/socket-clients.ts';

describe('logs carry no personal data', () => {
  let t: TestApp;
  after(async () => t.close());

  it('writes no display name, email, invite secret or token to any log line during a full couple session', async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'debug' } });
    const account = await t.addTherapist('Dr. Seeded Therapistname');
    await request(t.origin, 'POST', '/api/auth/login', { body: { email: account.email, password: 'wrong-password-seeded' } });
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    const { session, secrets, invites } = await therapist.createSession('couple');
    const devices = [newDeviceId(), newDeviceId()];
    const names = ['Seededfirst Partnername', 'Seededsecond Partnername'];
    const clients = await Promise.all(secrets.map((secret, i) => connectClient(t.origin, secret, devices[i])));
    await Promise.all(clients.map((c, i) => command(c, COMMANDS.checkIn, { displayName: names[i] })));
    await command(consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'Seeded waiting message' });
    const tokens: string[] = [];
    for (const [i, client] of clients.entries()) {
      const admitted = nextEvent(client, FACTS.admitted);
      await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[i]!.participantId });
      await admitted;
      const token = await request(t.origin, 'POST', '/api/join/token', { body: { invite: secrets[i], deviceId: devices[i] } });
      tokens.push(token.body.token);
    }
    const hostToken = await therapist.start(session.sessionId);
    await request(t.origin, 'POST', '/api/join/token', { body: { invite: 'wrong' + secrets[0]!.slice(5), deviceId: devices[0] } });
    await command(consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    await command(consoleSocket, COMMANDS.endSession, { sessionId: session.sessionId });
    await request(t.origin, 'POST', '/api/auth/logout', { cookie: therapist.cookie });
    for (const c of clients) c.close();
    consoleSocket.close();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const seeded = [
      ...names,
      'Seededfirst',
      'Seeded waiting message',
      'Therapistname',
      account.email,
      account.password,
      'wrong-password-seeded',
      ...secrets,
      ...devices,
      ...tokens,
      hostToken.token,
      therapist.cookie.split('=')[1]!,
    ];
    expect(t.logs.length).to.be.greaterThan(10);
    const all = t.logs.join('\n');
    for (const needle of seeded) expect(all, `log contains a seeded value`).to.not.include(needle);
    // Every line is JSON with only allow-listed keys.
    for (const line of t.logs) expect(() => JSON.parse(line)).to.not.throw();
  });
});
