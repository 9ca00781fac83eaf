import { HTTP_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, callRoute } from '../support/api-client.ts';
import { connectTherapist } from '../support/socket-clients.ts';

describe('therapist login', () => {
  let t: TestApp;
  let account: Awaited<ReturnType<TestApp['addTherapist']>>;

  before(async () => {
    t = await startTestApp();
    account = await t.addTherapist();
  });
  after(async () => t.close());

  it('sets an httpOnly, SameSite=Strict login cookie and answers /me', async () => {
    const response = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: account.password } });
    expect(response.status).to.equal(200);
    expect(response.body.therapist).to.deep.equal({ therapistId: account.therapistId, displayName: account.displayName, twoFactorEnabled: false });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).to.match(/^alcove_session=/u);
    expect(cookie).to.include('HttpOnly').and.include('SameSite=Strict').and.include('Path=/');
    const maxAge = Number(/Max-Age=(\d+)/u.exec(cookie)?.[1]);
    expect(maxAge).to.be.within(12 * 3600 - 5, 12 * 3600);
    const me = await callRoute(t.origin, HTTP_ROUTES.me, { cookie: cookie.split(';')[0] });
    expect(me.status).to.equal(200);
    expect(me.body.therapist.therapistId).to.equal(account.therapistId);
  });

  it('gives a wrong email and a wrong password the same answer', async () => {
    const wrongPassword = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: 'not-the-password' } });
    const wrongEmail = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: 'nobody@example.test', password: 'not-the-password' } });
    expect(wrongPassword.status).to.equal(401);
    expect(wrongEmail.status).to.equal(401);
    expect(wrongEmail.body).to.deep.equal(wrongPassword.body);
  });

  it('revokes the login server-side on logout, and disconnects the console socket', async () => {
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const socket = await connectTherapist(t.origin, therapist.cookie);
    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const logout = await callRoute(t.origin, HTTP_ROUTES.logout, { cookie: therapist.cookie });
    expect(logout.status).to.equal(204);
    expect(logout.headers.get('set-cookie')).to.include('Max-Age=0');
    await disconnected;
    // The old cookie is dead even though its JWT has not expired.
    expect((await callRoute(t.origin, HTTP_ROUTES.me, { cookie: therapist.cookie })).status).to.equal(401);
    expect((await therapist.call(HTTP_ROUTES.listSessions)).status).to.equal(401);
  });

  it('keeps a server-side login record that expires after the idle timeout and slides with use', async () => {
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const { jti } = jwt.decode(therapist.cookie.split('=')[1]!) as { jti: string };
    const key = `${t.config.redis.prefix}login:${jti}`;
    await t.app.redis.expire(key, 100);
    await therapist.call(HTTP_ROUTES.listSessions);
    expect(await t.app.redis.ttl(key)).to.be.within(15 * 60 - 2, 15 * 60);
    await t.app.redis.del(key); // what idle expiry does
    expect((await therapist.call(HTTP_ROUTES.listSessions)).status).to.equal(401);
  });

  it('rotates the login id at every login', async () => {
    const a = await loginTherapist(t.origin, account.email, account.password);
    const b = await loginTherapist(t.origin, account.email, account.password);
    const jtiOf = (cookie: string) => (jwt.decode(cookie.split('=')[1]!) as { jti: string }).jti;
    expect(jtiOf(a.cookie)).to.not.equal(jtiOf(b.cookie));
  });

  it('refuses forged, re-signed and wrongly addressed login tokens', async () => {
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const token = therapist.cookie.split('=')[1]!;
    const claims = jwt.decode(token) as jwt.JwtPayload;
    const forged = [
      jwt.sign({ ...claims }, 'some-other-secret-0123456789abcdef0123456789'),
      jwt.sign({ ...claims, aud: 'livekit' }, t.config.auth.jwtSecret),
      jwt.sign({ ...claims, iss: 'someone-else' }, t.config.auth.jwtSecret),
      jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, t.config.auth.jwtSecret),
      `${token.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: 't_someone' })).toString('base64url')}.${token.split('.')[2]}`,
      jwt.sign({ ...claims }, '', { algorithm: 'none' } as jwt.SignOptions),
    ];
    for (const bad of forged) {
      const response = await callRoute(t.origin, HTTP_ROUTES.me, { cookie: `alcove_session=${bad}` });
      expect(response.status, bad).to.equal(401);
    }
  });

  it('locks an account after repeated wrong passwords, whatever the IP', async () => {
    const victim = await t.addTherapist();
    let last = 0;
    for (let i = 0; i < 6; i += 1) {
      last = (await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: victim.email, password: 'wrong-password!' } })).status;
    }
    expect(last).to.equal(429);
    // Even the right password is refused while the account is rate-limited.
    const right = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: victim.email, password: victim.password } });
    expect(right.status).to.equal(429);
    expect(Number(right.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('refuses a disabled therapist', async () => {
    const disabled = await t.addTherapist();
    const therapist = await loginTherapist(t.origin, disabled.email, disabled.password);
    await t.app.redis.hSet(`${t.config.redis.prefix}therapist:${disabled.therapistId}`, 'disabled', 'true');
    expect((await therapist.call(HTTP_ROUTES.listSessions)).status).to.equal(401);
    expect((await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: disabled.email, password: disabled.password } })).status).to.equal(401);
  });
});
