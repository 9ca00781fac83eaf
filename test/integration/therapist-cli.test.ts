import { HTTP_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import { startTestApp, randomPrefix, type TestApp } from '../support/test-app.ts';
import { callRoute } from '../support/api-client.ts';
import { runCli } from '../support/operator-cli.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { createRedisTherapistStore } from '../../server/src/adapters/redis/therapist-store.ts';

describe('therapist CLI', () => {
  const prefix = randomPrefix();
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ prefix });
  });
  after(async () => t.close());

  it('adds, lists, disables and re-enables a therapist, with the password from stdin', async function () {
    this.timeout(30_000);
    const env = { REDIS_PREFIX: prefix };
    const email = 'Dr.Lee@Example.Test';
    const password = 'a long enough password';
    const added = await runCli(['therapist', 'add', '--email', email, '--name', 'Dr. Lee', '--password-stdin'], env, `${password}\n`);
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.match(/^added therapist t_[A-Za-z0-9_-]+\n$/u);
    expect(added.stdout + added.stderr).to.not.include(password);

    const duplicate = await runCli(['therapist', 'add', '--email', 'dr.lee@example.test', '--name', 'Again', '--password-stdin'], env, `${password}\n`);
    expect(duplicate.code).to.equal(3);

    const list = await runCli(['therapist', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).to.have.length(1).and.to.have.nested.property('[0].displayName', 'Dr. Lee');
    expect(list.stdout).to.not.include('example.test');

    const login = () => callRoute(t.origin, HTTP_ROUTES.login, { body: { email, password } });
    expect((await login()).status).to.equal(200);
    expect((await runCli(['therapist', 'disable', '--email', email], env)).code).to.equal(0);
    expect((await login()).status).to.equal(401);
    expect((await runCli(['therapist', 'enable', '--email', email], env)).code).to.equal(0);
    expect((await login()).status).to.equal(200);
  });

  it('resets two-factor authentication for a therapist who lost their authenticator', async function () {
    this.timeout(20_000);
    const env = { REDIS_PREFIX: prefix };
    const account = await t.addTherapist();
    const therapists = createRedisTherapistStore(t.app.redis, createRedisKeys(prefix));
    await therapists.enableTotp(account.therapistId, 'JBSWY3DPEHPK3PXP', []);
    const login = () => callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: account.password } });
    expect((await login()).body.error.code).to.equal('totp_required');
    const reset = await runCli(['therapist', 'reset-2fa', '--email', account.email], env);
    expect(reset.code, reset.stderr).to.equal(0);
    expect((await login()).status).to.equal(200);
  });

  it('refuses a short password and an invalid email with a clear message', async function () {
    this.timeout(20_000);
    const short = await runCli(['therapist', 'add', '--email', 'x@example.test', '--name', 'X', '--password-stdin'], { REDIS_PREFIX: prefix }, 'short\n');
    expect(short.code).to.equal(1);
    expect(short.stderr).to.include('password must be');
    const bad = await runCli(['therapist', 'add', '--email', 'not-an-email', '--name', 'X', '--password-stdin'], { REDIS_PREFIX: prefix }, 'long enough password\n');
    expect(bad.stderr).to.include('email is not valid');
  });
});
