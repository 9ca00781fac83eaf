import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { createRedisAuditTrail } from '../../server/src/adapters/redis/audit-stream.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent } from '../support/socket-clients.ts';
import { TEST_REDIS_URL } from '../support/stack-hooks.ts';
import { eventually } from '../support/eventually.ts';

const CLI = fileURLToPath(new URL('../../server/src/cli.ts', import.meta.url));

function exportAudit(prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'audit', 'export'], {
      env: { PATH: process.env.PATH ?? '', ALCOVE_PROFILE: 'local', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`audit export exited ${code}`))));
  });
}

describe('audit trail', () => {
  let t: TestApp;
  const prefix = randomPrefix();
  after(async () => t.close());

  it('records the security events of a session with opaque ids only, exportable with the CLI', async function () {
    this.timeout(30_000);
    t = await startTestApp({ prefix });
    const account = await t.addTherapist('Dr. Audit Seeded');
    await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: account.email, password: 'wrong-password-1' } });
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    const { session, secrets, invites } = await therapist.createSession('couple');
    const a = await connectClient(t.origin, secrets[0]!, newDeviceId());
    const b = await connectClient(t.origin, secrets[1]!, newDeviceId());
    await command(a, COMMANDS.checkIn, { displayName: 'Seeded Auditname' });
    await command(b, COMMANDS.checkIn, { displayName: 'Other Auditname' });
    const admitted = nextEvent(a, FACTS.admitted);
    await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    await admitted;
    await command(consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[1]!.participantId });
    await command(consoleSocket, COMMANDS.endSession, { sessionId: session.sessionId });
    a.close();
    consoleSocket.close();

    // Entries are written behind the commands; the session's end is the last of them.
    const exported = await eventually(async () => {
      const text = await exportAudit(prefix);
      return text.includes('"session-ended"') && text;
    }, 'the session-ended audit entry');
    const entries = exported.trim().split('\n').map((line) => JSON.parse(line) as { event: string; sessionId?: string; participantId?: string; therapistId?: string; at: number });
    const events = entries.map((e) => e.event);
    for (const expected of ['login-failed', 'login', 'session-created', 'invite-redeemed', 'checked-in', 'admitted', 'session-started', 'removed', 'session-ended']) {
      expect(events, expected).to.include(expected);
    }
    const removed = entries.find((e) => e.event === 'removed')!;
    expect(removed).to.include({ sessionId: session.sessionId, participantId: invites[1]!.participantId, therapistId: account.therapistId });
    expect(entries.map((e) => e.at)).to.deep.equal([...entries.map((e) => e.at)].sort((x, y) => x - y));
    for (const needle of ['Seeded', 'Auditname', account.email, ...secrets]) expect(exported).to.not.include(needle);
  });

  it('drops entries older than the retention period', async () => {
    const keys = createRedisKeys(randomPrefix());
    const logger = { debug() {}, info() {}, warn() {}, error() {}, security() {} };
    const trail = createRedisAuditTrail({ redis: t.app.redis, keys, logger, now: Date.now, retentionMs: 300 });
    trail.record('login', { therapistId: 't_old' });
    await eventually(async () => (await trail.list({})).length === 1, 'the first entry written');
    // The passage of time is what is under test here: outlast the retention period.
    await new Promise((resolve) => setTimeout(resolve, 500));
    trail.record('login', { therapistId: 't_new' });
    const remaining = await eventually(async () => {
      const list = await trail.list({});
      return list.some((e) => e.therapistId === 't_new') && list;
    }, 'the second entry written');
    expect(remaining.map((e) => e.therapistId)).to.deep.equal(['t_new']);
    expect(await t.app.redis.pTTL(keys.auditStream())).to.be.within(1, 300);
  });
});
