import { HTTP_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import { totpAt, stepAt } from '../../server/src/auth/totp.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, callRoute } from '../support/api-client.ts';

describe('two-factor login (TOTP)', () => {
  let t: TestApp;
  after(async () => t.close());

  it('enrols with a confirmed code, then requires a code at login, refusing replays, and accepts each recovery code once', async () => {
    t = await startTestApp();
    const account = await t.addTherapist();
    const therapist = await loginTherapist(t.origin, account.email, account.password);

    const setup = await therapist.call(HTTP_ROUTES.setUpTotp, { body: {} });
    expect(setup.status).to.equal(200);
    expect(setup.body.otpauthUri).to.match(/^otpauth:\/\/totp\/Alcove%3At_/u).and.not.include('@');
    const secret: string = setup.body.secret;
    expect((await therapist.call(HTTP_ROUTES.confirmTotp, { body: { totpCode: '000000' === totpAt(secret, stepAt(Date.now())) ? '111111' : '000000' } })).status).to.equal(400);
    const confirm = await therapist.call(HTTP_ROUTES.confirmTotp, { body: { totpCode: totpAt(secret, stepAt(Date.now())) } });
    expect(confirm.status).to.equal(200);
    const recoveryCodes: string[] = confirm.body.recoveryCodes;
    expect(recoveryCodes).to.have.length(10);
    expect((await therapist.call(HTTP_ROUTES.me)).body.therapist.twoFactorEnabled).to.equal(true);

    const login = (extra: Record<string, string>) =>
      callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: account.password, ...extra } });

    const noCode = await login({});
    expect(noCode.status).to.equal(401);
    expect(noCode.body.error.code).to.equal('totp_required');
    expect(noCode.headers.get('set-cookie')).to.equal(null);

    // The step used at enrolment is spent; the next step's code works once, then is a replay.
    const next = totpAt(secret, stepAt(Date.now()) + 1);
    const withCode = await login({ totpCode: next });
    expect(withCode.status).to.equal(200);
    expect((await login({ totpCode: next })).status).to.equal(401);

    const withRecovery = await login({ recoveryCode: recoveryCodes[0]! });
    expect(withRecovery.status).to.equal(200);
    expect((await login({ recoveryCode: recoveryCodes[0]! })).status).to.equal(401);
    // A wrong password with a right code is still a wrong password.
    const wrongPassword = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: 'nope-nope-nope', recoveryCode: recoveryCodes[1]! } });
    expect(wrongPassword.status).to.equal(401);
    expect(wrongPassword.body.error.code).to.equal('unauthorized');

    const again = await therapist.call(HTTP_ROUTES.setUpTotp, { body: {} });
    expect(again.status).to.equal(409);
  });
});
