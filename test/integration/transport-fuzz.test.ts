/**
 * Transport fuzzing: for a bounded time, random and mutated sequences of HTTP and
 * Engine.IO/Socket.io traffic (methods, paths, queries, headers, bodies, encodings,
 * polling and WebSocket, with and without sid and recovery fields) against the real
 * entry point in a child process. Meanwhile a legitimate client waits in its session.
 *
 * Asserted: the process stays up, no answer is a 5xx, every line it writes is one JSON
 * object, and the waiting client keeps its place and receives its own session's
 * messages and nothing else.
 *
 * Seeded: a failure prints its seed; replay it with ALCOVE_FUZZ_SEED=<seed>
 * (ALCOVE_FUZZ_MS sets the duration, 30 s by default; ALCOVE_FUZZ_VERBOSE=1 prints the figures).
 */
import { expect } from 'chai';
import { request as httpRequest, Agent } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { createClient } from 'redis';
import { io as connectIo, type Socket } from 'socket.io-client';
import { COMMANDS, FACTS, HTTP_ROUTES, SERVICE_ROUTES } from '@alcove/shared';
import { startAppProcess, unstructuredLines, type AppProcess } from '../support/app-process.ts';
import { loginTherapist, type TherapistClient, rawRoutePath } from '../support/api-client.ts';
import { command, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { TEST_REDIS_URL } from '../support/stack-hooks.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { createRedisTherapistStore } from '../../server/src/adapters/redis/therapist-store.ts';
import { createTherapistDirectory } from '../../server/src/therapists/therapist-directory.ts';
import { createRedisAuditTrail } from '../../server/src/adapters/redis/audit-stream.ts';
import { AUDIT_RETENTION_DAYS_DEFAULT } from '../../server/src/observability/audit-trail.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import type { RedisClient } from '../../server/src/adapters/redis/redis-client.ts';

const FUZZ_MS = Number(process.env.ALCOVE_FUZZ_MS ?? 30_000);
const SEED = Number(process.env.ALCOVE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 4;
const REQUEST_TIMEOUT_MS = 3_000;

/** mulberry32: small, seedable, good enough to pick fuzz cases. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { int, pick, chance, bytes };
}
type Random = ReturnType<typeof createRandom>;

interface Targets {
  origin: string;
  sessionId: string;
  participantId: string;
  /** A real recovery pid of someone else (the fuzzer does not have their invite). */
  victimPid: string;
}

const ID_MUTATIONS = ['%ZZ', '%', '%E0%A4%A', '%FF', '..', '%2e%2e', '__proto__', 'constructor', 'a'.repeat(300), '0', '-1', 'null', '%00', 'ö'];

function mutateId(r: Random, real: string): string {
  return r.chance(0.3) ? real : r.pick(ID_MUTATIONS);
}

function fuzzPath(r: Random, t: Targets): string {
  const session = mutateId(r, t.sessionId);
  const participant = mutateId(r, t.participantId);
  const base = r.pick([
    ...SERVICE_ROUTES.appPages.paths,
    SERVICE_ROUTES.health.path,
    SERVICE_ROUTES.ready.path,
    // Every route of the contract, its ids sometimes real, sometimes mangled (never encoded).
    ...new Set(Object.values(HTTP_ROUTES).map((route) => rawRoutePath(route, { sessionId: session, participantId: participant }))),
    SERVICE_ROUTES.livekitWebhook.path,
    '/socket.io/',
    '/assets/../../etc/passwd',
    '/nothing-here',
    '//api//sessions',
  ]);
  const query = r.pick(['', '?a=1', '?__proto__[x]=1', '?a[b][c][d][e][f]=1', `?${'x=1&'.repeat(200)}`, '?%ZZ', '?EIO=4&transport=polling']);
  return base + query;
}

function fuzzJsonValue(r: Random, depth = 0): unknown {
  if (depth > 3) return r.pick([null, 1, 'x', true]);
  switch (r.int(8)) {
    case 0:
      return r.pick(['', 'x'.repeat(r.int(300)), '\u200b', '\u0000', '<script>', '%ZZ', 'dr@example.org']);
    case 1:
      return r.pick([0, -1, 1e308, 2 ** 53 + 1, 3.14]);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return Array.from({ length: r.int(4) }, () => fuzzJsonValue(r, depth + 1));
    case 4:
      return { __proto__: { admin: true }, constructor: { prototype: { x: 1 } } };
    default: {
      const keys = ['email', 'password', 'kind', 'invite', 'deviceId', 'totpCode', 'sessionId', 'displayName', 'startsAt', 'x'];
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(keys), fuzzJsonValue(r, depth + 1)]));
    }
  }
}

function fuzzBody(r: Random): Buffer | undefined {
  switch (r.int(7)) {
    case 0:
      return undefined;
    case 1:
      return r.bytes(r.int(2_000));
    case 2:
      return Buffer.from('['.repeat(r.int(5_000)));
    case 3:
      return Buffer.alloc(20_000 + r.int(10_000), 'a');
    default:
      return Buffer.from(JSON.stringify(fuzzJsonValue(r)));
  }
}

function encodeBody(r: Random, body: Buffer | undefined, headers: Record<string, string>): Buffer | undefined {
  if (!body) return body;
  const encoding = r.pick(['', '', 'gzip', 'deflate', 'br', 'gzip-broken', 'identity', 'compress', 'gzip, gzip']);
  if (encoding === '') return body;
  headers['content-encoding'] = encoding === 'gzip-broken' ? 'gzip' : encoding;
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  if (encoding === 'br') return brotliCompressSync(body);
  if (encoding === 'gzip-broken') return gzipSync(body).subarray(0, 12);
  return body;
}

interface Outcome {
  status?: number;
  error?: string;
  /** What was sent, for the failure message (never a secret: the fuzzer has none). */
  what?: string;
}

function send(t: Targets, agent: Agent, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    let req;
    try {
      const url = new URL(t.origin);
      req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent, timeout: REQUEST_TIMEOUT_MS });
    } catch (error) {
      // The client library refused to send it (e.g. an invalid header); nothing reached the server.
      return resolve({ error: `client refused: ${(error as Error).name}` });
    }
    req.on('response', (res) => {
      res.resume();
      const what = `${method} ${path.slice(0, 120)} ${JSON.stringify(headers).slice(0, 300)} body ${body?.length ?? 0} bytes`;
      res.on('end', () => resolve({ status: res.statusCode, what }));
      res.on('error', () => resolve({ status: res.statusCode, what }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.name }));
    if (body) req.write(body);
    req.end();
  });
}

function fuzzHeaders(r: Random, t: Targets): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.chance(0.8)) headers.origin = r.pick([t.origin, t.origin, 'https://evil.example', 'null', '']);
  if (r.chance(0.7)) headers['content-type'] = r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/webhook+json', 'multipart/form-data; boundary=x']);
  if (r.chance(0.3)) headers.cookie = r.pick(['alcove_session=x', 'alcove_session=eyJhbGciOiJub25lIn0.e30.', `alcove_session=${'a'.repeat(4_000)}`]);
  if (r.chance(0.3)) headers['x-forwarded-for'] = r.pick(['198.18.0.9', 'x', '1.1.1.1, 2.2.2.2', '']);
  if (r.chance(0.2)) headers.authorization = r.pick(['Bearer x', 'x'.repeat(1000)]);
  return headers;
}

/** Engine.IO / Socket.io packet text: real shapes, mutated. */
function fuzzPacket(r: Random, t: Targets): string {
  return r.pick([
    '40',
    '40{}',
    `40{"pid":"${t.victimPid}","offset":"0-0"}`,
    `40{"pid":"${t.victimPid}","offset":"1-0","invite":"${'a'.repeat(43)}","deviceId":"dev_xxxxxxxxxxxx"}`,
    '40{"pid":"x","offset":"1-0"}',
    '40{"invite":1}',
    '40/admin,{}',
    '41',
    '42["waiting-room:check-in",{"displayName":"x"}]',
    '420["participant:admit",{"sessionId":"x","participantId":"y"}]',
    '42["__proto__",{}]',
    '451-["x",{"_placeholder":true,"num":0}]',
    '461-[{"_placeholder":true,"num":0}]',
    '43',
    '44{}',
    '2',
    '3',
    '1',
    '5',
    '6',
    '4',
    '',
    '42[' + '['.repeat(500),
    '40\u001e42["x"]',
    'x'.repeat(r.int(20_000)),
  ]);
}

async function fuzzPolling(r: Random, t: Targets, agent: Agent): Promise<Outcome[]> {
  const query = r.pick(['EIO=4&transport=polling', 'EIO=3&transport=polling', 'EIO=4&transport=websocket', 'EIO=9&transport=polling', 'transport=polling', 'EIO=4&transport=flashsocket']);
  const headers: Record<string, string> = r.chance(0.9) ? { origin: t.origin } : {};
  const outcomes: Outcome[] = [];
  let sid = r.pick(['', 'bogus', 'AAAAAAAAAAAAAAAAAAAA']);
  if (r.chance(0.8)) {
    const opened = await new Promise<{ status?: number; text: string }>((resolve) => {
      const url = new URL(t.origin);
      const req = httpRequest({ host: url.hostname, port: url.port, path: `/socket.io/?${query}`, headers, agent, timeout: REQUEST_TIMEOUT_MS });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ text: '' }));
      req.end();
    });
    outcomes.push({ status: opened.status });
    const match = /"sid":"([^"]+)"/u.exec(opened.text);
    if (match) sid = match[1]!;
  }
  for (let i = 0, n = 1 + r.int(4); i < n; i += 1) {
    const sidPart = sid && r.chance(0.9) ? `&sid=${sid}` : '';
    if (r.chance(0.6)) {
      const packets = Array.from({ length: 1 + r.int(3) }, () => fuzzPacket(r, t)).join('\u001e');
      const body = r.chance(0.1) ? r.bytes(r.int(100)) : Buffer.from(packets);
      outcomes.push(await send(t, agent, r.pick(['POST', 'POST', 'PUT']), `/socket.io/?EIO=4&transport=polling${sidPart}`, { ...headers, 'content-type': 'text/plain;charset=UTF-8' }, body));
    } else {
      outcomes.push(await send(t, agent, 'GET', `/socket.io/?EIO=4&transport=polling${sidPart}`, headers));
    }
  }
  return outcomes;
}

function fuzzWebSocket(r: Random, t: Targets): Promise<Outcome[]> {
  const query = r.pick(['EIO=4&transport=websocket', 'EIO=3&transport=websocket', 'EIO=4&transport=polling', 'transport=websocket']);
  return new Promise((resolve) => {
    const outcomes: Outcome[] = [];
    const ws = new WebSocket(`${t.origin.replace('http', 'ws')}/socket.io/?${query}`, {
      headers: r.chance(0.9) ? { origin: t.origin } : {},
      handshakeTimeout: REQUEST_TIMEOUT_MS,
    });
    const done = setTimeout(() => ws.terminate(), REQUEST_TIMEOUT_MS);
    ws.on('unexpected-response', (_req, res) => {
      outcomes.push({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(done);
      resolve(outcomes);
    });
    ws.once('message', () => {
      const n = 1 + r.int(5);
      for (let i = 0; i < n && ws.readyState === WebSocket.OPEN; i += 1) {
        if (r.chance(0.1)) ws.send(r.bytes(1 + r.int(200)));
        else ws.send(fuzzPacket(r, t));
      }
      if (r.chance(0.5)) ws.terminate();
      else ws.close();
    });
  });
}

async function fuzzHttp(r: Random, t: Targets, agent: Agent): Promise<Outcome[]> {
  const headers = fuzzHeaders(r, t);
  const body = encodeBody(r, fuzzBody(r), headers);
  const method = r.pick(['GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']);
  return [await send(t, agent, method, fuzzPath(r, t), headers, body)];
}

describe('transport fuzzing against the real entry point', function () {
  this.timeout(FUZZ_MS + 60_000);
  let app: AppProcess;
  let redis: RedisClient;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;

  before(async () => {
    // Per-address socket cap raised: the fuzzer and the legitimate client share 127.0.0.1 here.
    app = await startAppProcess({ MAX_SOCKETS_PER_IP: '500', LOG_LEVEL: 'info' });
    redis = createClient({ url: TEST_REDIS_URL }) as unknown as RedisClient;
    await redis.connect();
    const keys = createRedisKeys(app.redisPrefix);
    const audit = createRedisAuditTrail({ redis, keys, logger: createLogger({ level: 'warn' }), now: Date.now, retentionMs: AUDIT_RETENTION_DAYS_DEFAULT * 24 * 3600_000 });
    const directory = createTherapistDirectory({ therapists: createRedisTherapistStore(redis, keys), audit, now: Date.now });
    await directory.add({ email: 'fuzz@example.test', displayName: 'Dr. Fuzz', password: 'fuzz-password-123456' });
    therapist = await loginTherapist(app.origin, 'fuzz@example.test', 'fuzz-password-123456');
    consoleSocket = await connectTherapist(app.origin, therapist.cookie);
  });
  after(async () => {
    consoleSocket?.close();
    await app?.stop();
    await redis?.close();
  });

  it(`stays up, answers no 5xx, logs only JSON, and the waiting client keeps its place and its own packets (seed ${SEED})`, async () => {
    const mine = await therapist.createSession('individual');
    const other = await therapist.createSession('individual');
    const client = connectIo(app.origin, {
      transports: ['websocket'],
      auth: { invite: mine.secrets[0], deviceId: newDeviceId() },
      extraHeaders: { origin: app.origin },
      forceNew: true,
    }) as unknown as TypedClientSocket;
    const received: string[] = [];
    (client as unknown as Socket).io.on('packet', (packet: { type: number; data?: unknown }) => {
      if (packet.type === 2) received.push(JSON.stringify(packet.data));
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const checkedIn = await command(client, COMMANDS.checkIn, { displayName: 'Patient Waiting' });
    expect(checkedIn.ok).to.equal(true);
    const waitingSince = checkedIn.ok ? checkedIn.data.waitingSince : null;
    const firstMessage = nextEvent(client, FACTS.messagePosted);
    await command(consoleSocket, COMMANDS.postMessage, { sessionId: mine.session.sessionId, text: 'mine-0' });
    await firstMessage;
    const victimPid = (client as unknown as { _pid: string })._pid;

    const targets: Targets = { origin: app.origin, sessionId: mine.session.sessionId, participantId: mine.invites[0]!.participantId, victimPid };
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    let requests = 0;
    const deadline = Date.now() + FUZZ_MS;
    const worker = async (index: number) => {
      const r = createRandom(SEED + index);
      const agent = new Agent({ keepAlive: r.chance(0.5), maxSockets: 4 });
      try {
        while (Date.now() < deadline && app.isRunning()) {
          const kind = r.int(10);
          const outcomes = kind < 5 ? await fuzzHttp(r, targets, agent) : kind < 8 ? await fuzzPolling(r, targets, agent) : await fuzzWebSocket(r, targets);
          for (const outcome of outcomes) {
            requests += 1;
            if (outcome.status === undefined) continue;
            statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
            if (outcome.status >= 500) serverErrors.push(`worker ${index}: ${outcome.status} for ${outcome.what ?? 'a socket handshake'}`);
          }
        }
      } finally {
        agent.destroy();
      }
    };
    // While the fuzzers run, the therapist keeps talking to both waiting rooms.
    const messages = (async () => {
      let i = 1;
      while (Date.now() < deadline && app.isRunning()) {
        await command(consoleSocket, COMMANDS.postMessage, { sessionId: other.session.sessionId, text: `other-${i}` });
        await command(consoleSocket, COMMANDS.postMessage, { sessionId: mine.session.sessionId, text: `mine-${i}` });
        i += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return i;
    })();
    await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
    const sent = await messages;

    const context = `seed ${SEED}; ${requests} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
    if (process.env.ALCOVE_FUZZ_VERBOSE) process.stdout.write(`      fuzz: ${context}\n`);
    expect(app.isRunning(), `process exited (${context})`).to.equal(true);
    expect(serverErrors, context).to.deep.equal([]);
    expect(unstructuredLines(app), context).to.deep.equal([]);
    expect(requests, context).to.be.greaterThan(100);

    // The last message reaches the client, then everything it got is checked.
    const last = nextEvent(client, FACTS.messagePosted, (m) => m.text === 'mine-final', 10_000);
    await command(consoleSocket, COMMANDS.postMessage, { sessionId: mine.session.sessionId, text: 'mine-final' });
    await last;
    const texts = received.map((packet) => (JSON.parse(packet) as [string, { text?: string }])[1]?.text).filter(Boolean);
    expect(texts.filter((text) => text!.startsWith('other-')), context).to.deep.equal([]);
    for (let i = 0; i < sent; i += 1) expect(texts, `${context}; message mine-${i}`).to.include(`mine-${i}`);
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: mine.session.sessionId } });
    expect(detail.body.participants[0].state, context).to.equal('waiting');
    expect(detail.body.participants[0].waitingSince, context).to.equal(waitingSince);
    client.close();
  });
});
