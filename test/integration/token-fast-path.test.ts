/**
 * The media-token route answered in front of Express (token-fast-path.ts) and by the route table
 * behind it must be one route: for each request, the same status, the same headers and the same
 * body (a token's own bytes aside). A query string sends the same request to Express, which
 * matches the route by its path alone, while the fast path takes only the bare path
 * (test/unit/token-fast-path.test.ts proves which requests it takes).
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { request, type ApiResponse } from '../support/api-client.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, newDeviceId, nextEvent } from '../support/socket-clients.ts';

const TOKEN_LIMIT = 6;
const PATH = HTTP_ROUTES.joinToken.path;
const VIA_EXPRESS = `${PATH}?via=express`;
/** Differ by nature between two answers: the clock, and a token's length with its timestamps. */
const VARYING_HEADERS = new Set(['date', 'content-length']);

function headersOf(response: ApiResponse): Record<string, string> {
  const kept: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!VARYING_HEADERS.has(name)) kept[name] = value;
  });
  return kept;
}

describe('the media-token route in front of Express answers exactly as the route table does', () => {
  const ctx = useTherapistApp({ env: { TOKEN_REQUESTS_PER_INVITE_PER_MINUTE: String(TOKEN_LIMIT) } });

  async function admittedClient() {
    const { session, secrets, invites } = await ctx.therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, deviceId));
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Client' })).to.deep.include({ ok: true });
    const admitted = nextEvent(client, FACTS.admitted);
    expect(await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId })).to.deep.include({ ok: true });
    await admitted;
    return { invite: secrets[0]!, deviceId, participantId: invites[0]!.participantId };
  }

  /** The same request both ways; returns both answers after checking they agree. */
  async function bothWays(options: { body?: unknown; rawBody?: string; headers?: Record<string, string> }) {
    const [direct, express] = [await request(ctx.t.origin, 'POST', PATH, options), await request(ctx.t.origin, 'POST', VIA_EXPRESS, options)];
    expect(direct.status, 'status').to.equal(express.status);
    expect(headersOf(direct), 'headers').to.deep.equal(headersOf(express));
    return { direct, express };
  }

  it('issues the same token answer, headers included', async () => {
    const client = await admittedClient();
    const { direct, express } = await bothWays({ body: { invite: client.invite, deviceId: client.deviceId } });
    expect(direct.status).to.equal(200);
    expect(Object.keys(direct.body as object).sort()).to.deep.equal(Object.keys(express.body as object).sort());
    expect(direct.body).to.deep.include({ identity: client.participantId, url: (express.body as { url: string }).url });
    expect(headersOf(direct)).to.include({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
    expect(headersOf(direct)['content-security-policy']).to.be.a('string');
  });

  it('refuses broken, non-object and invalid bodies with the same 400 and the same words', async () => {
    for (const rawBody of ['{"invite":', '"text"', 'null', '[]', '{}', '{"invite":"x","deviceId":"y","extra":1}']) {
      const { direct, express } = await bothWays({ rawBody, headers: { 'content-type': 'application/json' } });
      expect(direct.status, rawBody).to.equal(400);
      expect(direct.body, rawBody).to.deep.equal(express.body);
    }
  });

  it('refuses an unknown invite, another device and too many requests the same way, Retry-After included', async () => {
    const client = await admittedClient();
    const unknown = await bothWays({ body: { invite: 'u'.repeat(43), deviceId: client.deviceId } });
    expect(unknown.direct.status).to.equal(404);
    expect(unknown.direct.body).to.deep.equal(unknown.express.body);
    const otherDevice = await bothWays({ body: { invite: client.invite, deviceId: newDeviceId() } });
    expect(otherDevice.direct.status).to.equal(409);
    expect(otherDevice.direct.body).to.deep.equal(otherDevice.express.body);
    // Two requests counted above; two per pair from here until the limit is passed.
    for (let asked = 2; asked < TOKEN_LIMIT; asked += 2) expect((await bothWays({ body: { invite: client.invite, deviceId: client.deviceId } })).direct.status).to.equal(200);
    const limited = await bothWays({ body: { invite: client.invite, deviceId: client.deviceId } });
    expect(limited.direct.status).to.equal(429);
    expect(limited.direct.headers.get('retry-after')).to.match(/^[0-9]+$/u);
    expect((limited.direct.body as { error: { code: string } }).error.code).to.equal((limited.express.body as { error: { code: string } }).error.code);
  });

  it('answers a foreign Origin with the same 403, and logs each answer on the access log', async () => {
    const client = await admittedClient();
    const foreign = await bothWays({ body: { invite: client.invite, deviceId: client.deviceId }, headers: { origin: 'https://evil.example' } });
    expect(foreign.direct.status).to.equal(403);
    expect(foreign.direct.body).to.deep.equal(foreign.express.body);
    const lines = ctx.t.logs.filter((l) => l.includes('"http request"') && l.includes(`"route":"${PATH}"`));
    expect(lines.length, 'access log lines for the token route').to.be.greaterThan(0);
  });
});
