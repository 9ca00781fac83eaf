/**
 * Which requests the token fast path answers and which it leaves to Express, over a real HTTP
 * server: whatever it declines must reach the fallback with nothing read from it. The issuing
 * function is a stand-in that records what it was given (the real token service is exercised
 * through this same path by every integration test that asks for a token; the comparison with
 * Express is test/integration/token-fast-path.test.ts).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { HTTP_BODY_MAX_BYTES, type MediaTokenResponse } from '@alcove/shared';
import { AppError } from '../../server/src/app-error.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import { createSecurityHeaderWriter } from '../../server/src/transport/http/security-headers.ts';
import { createTokenFastPath } from '../../server/src/transport/http/token-fast-path.ts';

const ORIGIN = 'https://alcove.example';
const FALLBACK_STATUS = 599;
const INVITE = 'i'.repeat(43);
const DEVICE = 'd_0123456789abcdef0123';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('the token fast path: what it answers and what it leaves to Express', () => {
  let server: Server;
  let port: number;
  const issued: Array<{ body: unknown; clientIp: string }> = [];
  const fallbackBodies: string[] = [];
  let refuse: AppError | null = null;

  before(async () => {
    const fastPath = createTokenFastPath({
      issue: async (body, clientIp) => {
        issued.push({ body, clientIp });
        if (refuse) throw refuse;
        return { token: 'jwt', url: 'wss://media.example', identity: 'p_1', expiresAt: 1 } satisfies MediaTokenResponse;
      },
      allowedOrigins: [ORIGIN],
      securityHeaders: createSecurityHeaderWriter({ livekitUrl: 'wss://media.example', isSecure: true }),
      clientAddressOf: (req) => req.socket.remoteAddress ?? 'unknown',
      logger: createLogger({ level: 'error', write: () => undefined }),
      accessLog: false,
    });
    server = createServer((req, res) => {
      if (fastPath(req, res)) return;
      // The fallback reads the body itself: the fast path must have left it untouched.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        fallbackBodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(FALLBACK_STATUS).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    issued.length = 0;
    fallbackBodies.length = 0;
    refuse = null;
  });

  function send(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<Answer> {
    const body = options.body ?? JSON.stringify({ invite: INVITE, deviceId: DEVICE });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (!options.chunked) headers['content-length'] ??= String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/api/join/token', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      if (options.chunked) {
        req.write(body.slice(0, 5));
        req.end(body.slice(5));
      } else req.end(body);
    });
  }

  it('answers a plain request with the token and every security header', async () => {
    const answer = await send({ headers: { origin: ORIGIN } });
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ token: 'jwt', url: 'wss://media.example', identity: 'p_1', expiresAt: 1 });
    expect(answer.headers).to.include({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    expect(answer.headers['content-security-policy']).to.include("default-src 'self'");
    expect(answer.headers['strict-transport-security']).to.match(/^max-age=63072000/u);
    expect(issued).to.deep.equal([{ body: { invite: INVITE, deviceId: DEVICE }, clientIp: '127.0.0.1' }]);
  });

  it('answers without an Origin header, with a UTF-8 charset, and with a byte-order mark, like Express', async () => {
    expect((await send({})).status).to.equal(200);
    expect((await send({ headers: { 'content-type': 'application/json; charset=UTF-8' } })).status).to.equal(200);
    expect((await send({ body: `\uFEFF${JSON.stringify({ invite: INVITE, deviceId: DEVICE })}` })).status).to.equal(200);
    expect(issued).to.have.length(3);
  });

  it('answers broken, non-object and invalid bodies with the same 400s as the route table, without issuing', async () => {
    const broken = await send({ body: '{"invite":' });
    expect(broken.status).to.equal(400);
    expect(JSON.parse(broken.body).error).to.deep.include({ code: 'bad_request', details: { reason: 'invalid-json' } });
    expect((await send({ body: '"text"' })).status).to.equal(400);
    expect((await send({ body: 'null' })).status).to.equal(400);
    const invalid = await send({ body: JSON.stringify({ invite: INVITE }) });
    expect(invalid.status).to.equal(400);
    expect(JSON.parse(invalid.body).error.details).to.include({ field: 'deviceId' });
    expect(issued).to.deep.equal([]);
  });

  it('answers a refusal with its status, its body and, when rate limited, Retry-After', async () => {
    refuse = AppError.rateLimited(42);
    const limited = await send({});
    expect(limited.status).to.equal(429);
    expect(limited.headers['retry-after']).to.equal('42');
    expect(limited.headers['cache-control']).to.equal('no-store');
    expect(JSON.parse(limited.body).error).to.deep.include({ code: 'rate_limited' });
  });

  const declined: Array<[string, Parameters<typeof send>[0]]> = [
    ['a query string', { path: '/api/join/token?x=1' }],
    ['another path', { path: '/api/join/tokens' }],
    ['another method', { method: 'PUT' }],
    ['a foreign Origin', { headers: { origin: 'https://evil.example' } }],
    ['a body that is not JSON', { headers: { 'content-type': 'text/plain' } }],
    ['another charset', { headers: { 'content-type': 'application/json; charset=latin1' } }],
    ['a compressed body', { headers: { 'content-encoding': 'gzip' } }],
    ['a chunked body', { chunked: true }],
    ['a declared length over the limit', { body: 'x'.repeat(HTTP_BODY_MAX_BYTES + 1) }],
  ];
  for (const [what, options] of declined) {
    it(`leaves ${what} to Express, unread`, async () => {
      const answer = await send(options);
      expect(answer.status).to.equal(FALLBACK_STATUS);
      expect(fallbackBodies).to.have.length(1);
      expect(issued).to.deep.equal([]);
    });
  }
});
