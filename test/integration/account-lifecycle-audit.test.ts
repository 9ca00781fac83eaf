/**
 * HIPAA audit controls: a therapist's whole account lifecycle — added by the operator,
 * signed in, two-factor enrolment, signed out, password and two-factor reset, disabled,
 * re-enabled, signed in again — leaves exactly one audit entry per security event, in
 * order, with opaque ids only: no email, name, password, TOTP secret or recovery code.
 */
import { expect } from 'chai';
import { HTTP_ROUTES } from '@alcove/shared';
import { callRoute, loginTherapist } from '../support/api-client.ts';
import { eventually } from '../support/eventually.ts';
import { runCli } from '../support/operator-cli.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { stepAt, totpAt } from '../../server/src/auth/totp.ts';
import type { AuditEntry } from '../../server/src/observability/audit-trail.ts';

describe('audit trail of an account lifecycle', () => {
  const prefix = randomPrefix();
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ prefix, receivesWebhooks: false });
  });
  after(async () => t?.close());

  it('records every security event of a therapist account, and nothing personal', async function () {
    this.timeout(60_000);
    const env = { REDIS_PREFIX: prefix };
    const email = 'Dr.Lifecycle-Seeded@Example.Test';
    const name = 'Dr. Seeded Lifecycle';
    const firstPassword = 'first seeded password 1';
    const secondPassword = 'second seeded password 2';
    const cli = async (args: string[], stdin = '') => {
      const result = await runCli(['therapist', ...args, '--email', email], env, stdin);
      expect(result.code, `${args[0]}: ${result.stderr}`).to.equal(0);
      return result;
    };

    const added = await cli(['add', '--name', name, '--password-stdin'], `${firstPassword}\n`);
    const therapistId = /t_[A-Za-z0-9_-]+/u.exec(added.stdout)![0];

    const therapist = await loginTherapist(t.origin, email, firstPassword);
    const setup = await therapist.call<{ secret: string; otpauthUri: string }>(HTTP_ROUTES.setUpTotp, { body: {} });
    expect(setup.status).to.equal(200);
    const confirm = await therapist.call<{ recoveryCodes: string[] }>(HTTP_ROUTES.confirmTotp, { body: { totpCode: totpAt(setup.body.secret, stepAt(Date.now())) } });
    expect(confirm.status).to.equal(200);
    expect((await callRoute(t.origin, HTTP_ROUTES.logout, { body: {}, cookie: therapist.cookie })).status).to.equal(204);

    await cli(['reset-password', '--password-stdin'], `${secondPassword}\n`);
    await cli(['reset-2fa']);
    await cli(['disable']);
    await cli(['enable']);
    // Two-factor is off again after the reset: the new password alone signs in.
    await loginTherapist(t.origin, email, secondPassword);

    const expected = [
      ['therapist-added', 'operator'],
      ['login', 'password'],
      ['two-factor-setup-started', undefined],
      ['two-factor-enabled', undefined],
      ['logout', undefined],
      ['password-reset', 'operator'],
      ['two-factor-reset', 'operator'],
      ['therapist-disabled', 'operator'],
      ['therapist-enabled', 'operator'],
      ['login', 'password'],
    ];
    // The logout and the logins record without holding up their answer: wait for the last one.
    const entries = await eventually(async () => {
      const all = await t.app.audit.list({});
      return all.length >= expected.length ? all : null;
    }, 'every lifecycle event in the audit trail');
    expect(entries.map((e) => [e.event, e.reason])).to.deep.equal(expected);
    for (const entry of entries) {
      expect(entry.therapistId, entry.event).to.equal(therapistId);
      expect(Object.keys(entry).sort(), entry.event).to.satisfy((keys: string[]) => keys.every((k) => ['id', 'at', 'event', 'therapistId', 'reason'].includes(k)));
    }
    expect(entries.map((e: AuditEntry) => e.at)).to.deep.equal([...entries.map((e) => e.at)].sort((a, b) => a - b));

    const stored = JSON.stringify(entries);
    const personal = [email, email.toLowerCase(), 'Seeded', 'Lifecycle', firstPassword, secondPassword, setup.body.secret, ...confirm.body.recoveryCodes];
    for (const needle of personal) expect(stored, needle).to.not.include(needle);
  });
});
