/**
 * The Prometheus endpoint an operator alerts on: on its own port (loopback), its counters and
 * gauges follow a real session as it runs, and nothing in it names a person — no id, name,
 * email or address, whatever the session did.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { callRoute, loginTherapist, request } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { eventually } from '../support/eventually.ts';
import { metricSample as sample } from '../support/app-metrics.ts';

describe('Prometheus metrics', function () {
  this.timeout(60_000);
  let t: TestApp;
  let scrapeUrl: string;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    t = await startTestApp({ env: { METRICS_PORT: '0', WAITING_GRACE_SECONDS: '5' } });
    const port = t.app.metricsPort();
    expect(port).to.be.a('number').and.not.equal(Number(new URL(t.origin).port));
    scrapeUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  async function scrape(): Promise<string> {
    const response = await fetch(scrapeUrl);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/u);
    return response.text();
  }

  it('serves /metrics on its own loopback port only, never on the app port', async () => {
    expect(t.config.metrics?.host).to.equal('127.0.0.1');
    expect((await request(t.origin, 'GET', '/metrics')).status).to.equal(404);
    expect((await fetch(scrapeUrl.replace('/metrics', '/'))).status).to.equal(404);
    const text = await scrape();
    // Node's own series (event-loop lag among them) and Alcove's, each there from the start.
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'alcove_admissions_total', 'alcove_draining']) {
      expect(sample(text, name), name).to.be.a('number');
    }
    expect(sample(text, 'alcove_redis_errors_total', { connection: 'main' })).to.equal(0);
    expect(sample(text, 'alcove_token_issue_seconds_count', { holder: 'client' })).to.equal(0);
  });

  it('moves the counters and gauges as a couple session runs, and names nobody in any series', async () => {
    const account = await t.addTherapist('Dr. Metricseeded Therapist');
    const therapist = await loginTherapist(t.origin, account.email, account.password);
    const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    sockets.push(consoleSocket);
    const { session, secrets, invites } = await therapist.createSession('couple');
    const devices = [newDeviceId(), newDeviceId()];
    const names = ['Metricfirst Partnername', 'Metricsecond Partnername'];

    const before = await scrape();
    const admissionsBefore = sample(before, 'alcove_admissions_total')!;
    const tokensBefore = sample(before, 'alcove_token_issue_seconds_count', { holder: 'client' })!;
    expect(sample(before, 'alcove_waiting_clients')).to.equal(0);
    expect(sample(before, 'alcove_sockets', { role: 'therapist' })).to.equal(1);
    expect(sample(before, 'alcove_sockets', { role: 'client' })).to.equal(0);

    const clients = await Promise.all(secrets.map((secret, i) => connectClient(t.origin, secret, devices[i])));
    sockets.push(...clients);
    for (const [i, client] of clients.entries()) expect((await command(client, COMMANDS.checkIn, { displayName: names[i] })).ok).to.equal(true);
    const waiting = await scrape();
    expect(sample(waiting, 'alcove_waiting_clients')).to.equal(2);
    expect(sample(waiting, 'alcove_sockets', { role: 'client' })).to.equal(2);
    expect(sample(waiting, 'alcove_live_sessions')).to.equal(0);

    const admitted = nextEvent(clients[0]!, FACTS.admitted);
    expect((await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId })).ok).to.equal(true);
    await admitted;
    const afterAdmit = await scrape();
    expect(sample(afterAdmit, 'alcove_admissions_total')).to.equal(admissionsBefore + 1);
    expect(sample(afterAdmit, 'alcove_waiting_clients')).to.equal(1);
    expect(sample(afterAdmit, 'alcove_live_sessions')).to.equal(1);

    const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: devices[0] } });
    expect(token.status).to.equal(200);
    const afterToken = await scrape();
    expect(sample(afterToken, 'alcove_token_issue_seconds_count', { holder: 'client' })).to.equal(tokensBefore + 1);
    expect(sample(afterToken, 'alcove_token_issue_seconds_sum', { holder: 'client' })).to.be.above(0);
    // A refused token is no issue: the histogram counts tokens handed out, nothing else.
    expect((await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[1], deviceId: devices[1] } })).status).to.equal(403);
    expect(sample(await scrape(), 'alcove_token_issue_seconds_count', { holder: 'client' })).to.equal(tokensBefore + 1);

    const second = nextEvent(clients[1]!, FACTS.admitted);
    expect((await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[1]!.participantId })).ok).to.equal(true);
    await second;
    const allIn = await scrape();
    expect(sample(allIn, 'alcove_admissions_total')).to.equal(admissionsBefore + 2);
    expect(sample(allIn, 'alcove_waiting_clients')).to.equal(0);

    await therapist.start(session.sessionId);
    expect(sample(await scrape(), 'alcove_token_issue_seconds_count', { holder: 'therapist' })).to.be.at.least(1);
    await command(consoleSocket, COMMANDS.endSession, { sessionId: session.sessionId });
    const ended = await eventually(async () => {
      const text = await scrape();
      return sample(text, 'alcove_sockets', { role: 'client' }) === 0 ? text : null;
    }, 'the ended session to close every client socket');
    expect(sample(ended, 'alcove_live_sessions')).to.equal(0);

    const seeded = [
      session.sessionId,
      ...invites.map((i) => i.participantId),
      account.therapistId,
      account.email,
      account.displayName,
      'Metricseeded',
      ...names,
      'Partnername',
      ...devices,
      ...secrets,
      token.body.token,
      '127.0.0.1',
    ];
    for (const needle of seeded) expect(ended.includes(needle), `the scrape contains ${needle.slice(0, 12)}…`).to.equal(false);
    // Labels are closed sets of words: nothing that looks like an opaque id (long, with digits) or an address.
    const labelValues = [...ended.matchAll(/\w+="([^"]*)"/gu)].map((m) => m[1]!);
    expect(labelValues.filter((value) => /\d+\.\d+\.\d+\.\d+|@|^(?=.*\d)[A-Za-z0-9_-]{16,}$/u.test(value))).to.deep.equal([]);
  });
});
