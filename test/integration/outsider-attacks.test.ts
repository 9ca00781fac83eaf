/**
 * The six holes an outsider found with no account and no invite (issue 7), each
 * replayed exactly as found. The remote crash runs against the real entry point in
 * a child process, so "the process exits" is what the test would see.
 */
import { expect } from 'chai';
import { connect as connectTcp, type Socket as TcpSocket } from 'node:net';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { io as connectIo, type Socket } from 'socket.io-client';
import { COMMANDS, FACTS, HTTP_ROUTES, SERVICE_ROUTES } from '@alcove/shared';
import { startAppProcess, unstructuredLines, type AppProcess } from '../support/app-process.ts';
import { request, rawRoutePath } from '../support/api-client.ts';
import { eventually } from '../support/eventually.ts';
import { useTherapistApp } from '../support/therapist-fixture.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { socketRooms } from '../../server/src/transport/socket/socket-types.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';

const MAX_SOCKETS_PER_IP = 4;

/** One Engine.IO polling handshake, as a browser's Socket.io would open it. */
async function openPolling(origin: string): Promise<string> {
  const response = await fetch(`${origin}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  expect(response.status).to.equal(200);
  const body = await response.text();
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

/** Resolves when the server closes the TCP connection (or rejects after the bound). */
function whenClosedByServer(socket: TcpSocket, boundMs: number): Promise<{ afterMs: number; reply: string }> {
  const started = Date.now();
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${boundMs} ms`)), boundMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: Date.now() - started, reply });
    });
  });
}

/** A raw Socket.io client that records every packet, those before CONNECT included. */
function recordingClient(origin: string, auth: Record<string, unknown>): { socket: Socket; packets: { type: number; data?: unknown }[] } {
  const socket = connectIo(origin, { transports: ['websocket'], reconnection: false, forceNew: true, auth, extraHeaders: { origin } });
  const packets: { type: number; data?: unknown }[] = [];
  socket.io.on('packet', (packet: { type: number; data?: unknown }) => packets.push(packet));
  return { socket, packets };
}

describe('outsider attacks (no account, no invite)', function () {
  this.timeout(30_000);

  describe('the remote crash over Engine.IO polling', () => {
    let app: AppProcess;
    before(async () => {
      app = await startAppProcess();
    });
    after(async () => app?.stop());

    it('survives a polling CONNECT packet: only Engine.IO answers /socket.io/, the process stays up and logs only JSON', async () => {
      const sid = await openPolling(app.origin);
      const post = await fetch(`${app.origin}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
        method: 'POST',
        headers: { origin: app.origin, 'content-type': 'text/plain;charset=UTF-8' },
        body: '40',
      });
      expect(post.status).to.equal(200);
      expect(await post.text()).to.equal('ok');
      // The long-poll carries Socket.io's answer: no cookie, no invite → a CONNECT_ERROR packet.
      const poll = await fetch(`${app.origin}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { headers: { origin: app.origin } });
      expect(poll.status).to.equal(200);
      expect(await poll.text()).to.match(/^44\{"message":"Please sign in\."/u);
      // Then the same again, a few times, to prove nothing accumulates.
      for (let i = 0; i < 5; i += 1) {
        const again = await openPolling(app.origin);
        await fetch(`${app.origin}/socket.io/?EIO=4&transport=polling&sid=${again}`, { method: 'POST', headers: { origin: app.origin }, body: '40' });
        await fetch(`${app.origin}/socket.io/?EIO=4&transport=polling&sid=${again}`, { headers: { origin: app.origin } });
      }
      expect((await fetch(`${app.origin}/healthz`)).status).to.equal(200);
      expect(app.isRunning()).to.equal(true);
      expect(unstructuredLines(app)).to.deep.equal([]);
    });
  });

  describe('against a running app', () => {
    const ctx = useTherapistApp({ env: { MAX_SOCKETS_PER_IP: String(MAX_SOCKETS_PER_IP), WAITING_GRACE_SECONDS: '30' } });

    it('frees every per-address socket slot when recovery handshakes are dropped mid-flight', async () => {
      const url = `${ctx.t.origin.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
      for (let i = 0; i < MAX_SOCKETS_PER_IP * 3; i += 1) {
        await new Promise<void>((resolve) => {
          const ws = new WebSocket(url, { headers: { origin: ctx.t.origin } });
          ws.once('message', () => {
            ws.send('40{"pid":"x","offset":"1-0"}');
            ws.terminate(); // the TCP connection goes at once, the server is mid-handshake
          });
          ws.once('close', () => resolve());
          ws.once('error', () => resolve());
        });
      }
      // The console socket of the fixture is the only connection left once the server has seen every close.
      await eventually(() => ctx.t.app.io.engine.clientsCount === 1, 'the dropped connections to close on the server');
      const open: TypedClientSocket[] = [];
      try {
        for (let i = 0; i < MAX_SOCKETS_PER_IP - 1; i += 1) open.push(await connectTherapist(ctx.t.origin, ctx.therapist.cookie));
        expect(open.every((s) => s.connected)).to.equal(true);
        // And the limit still holds.
        const refused = await connectTherapist(ctx.t.origin, ctx.therapist.cookie).then(
          (s) => (s.close(), 'connected'),
          (e: { data?: { code?: string } }) => e.data?.code,
        );
        expect(refused).to.equal('rate_limited');
      } finally {
        for (const s of open) s.close();
      }
    });

    /** A waiting client that has a Socket.io recovery session (pid + stream offset) and then loses its connection. */
    async function clientWithDroppedSession(sessionId: string, invite: string) {
      const client = await connectClient(ctx.t.origin, invite);
      await command(client, COMMANDS.checkIn, { displayName: 'Dropped Client' });
      const posted = nextEvent(client, FACTS.messagePosted);
      await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId, text: 'Starting soon' });
      await posted;
      const internals = client as unknown as { _pid: string; _lastOffset: string };
      const recovery = { pid: internals._pid, offset: internals._lastOffset };
      expect(recovery.pid).to.be.a('string');
      expect(recovery.offset).to.be.a('string');
      client.io.engine.close(); // a dropped transport: the server keeps the session for recovery
      const sessionKey = `${createRedisKeys(ctx.t.config.redis.prefix).socketStream()}-session:${recovery.pid}`;
      await eventually(async () => (await ctx.t.app.redis.exists(sessionKey)) === 1, 'the recovery session to be stored');
      client.close();
      return recovery;
    }

    it('delivers nothing to a removed client reconnecting with its old pid and offset', async () => {
      const { session, secrets, invites } = await ctx.therapist.createSession('individual');
      const recovery = await clientWithDroppedSession(session.sessionId, secrets[0]!);
      const removed = await command(ctx.consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
      expect(removed.ok).to.equal(true);
      await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: session.sessionId, text: 'After the removal' });

      const { socket, packets } = recordingClient(ctx.t.origin, { invite: secrets[0], deviceId: newDeviceId(), ...recovery });
      const error = await new Promise<{ data?: { code?: string } }>((resolve) => socket.once('connect_error', resolve));
      socket.close();
      expect(error.data?.code).to.equal('invalid_invite');
      // CONNECT_ERROR (4) is all it got: no event (2), no CONNECT (0).
      expect(packets.map((p) => p.type)).to.deep.equal([4]);
    });

    it('never hands another session’s rooms or packets to an old pid presented with a different valid invite', async () => {
      const first = await ctx.therapist.createSession('couple');
      const recovery = await clientWithDroppedSession(first.session.sessionId, first.secrets[0]!);
      const second = await ctx.therapist.createSession('individual');

      const { socket, packets } = recordingClient(ctx.t.origin, { invite: second.secrets[0], deviceId: newDeviceId(), ...recovery });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        expect(socket.recovered).to.equal(false);
        const inFirst = await ctx.t.app.io.in(socketRooms.sessionClients(first.session.sessionId)).fetchSockets();
        expect(inFirst.map((s) => s.id)).to.not.include(socket.id);

        // Stream order: the first session's message is published before the second's, so had the
        // socket been in the first session's room, it would have arrived first.
        await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: first.session.sessionId, text: 'For the first session only' });
        const own = nextEvent(socket as unknown as TypedClientSocket, FACTS.messagePosted);
        await command(ctx.consoleSocket, COMMANDS.postMessage, { sessionId: second.session.sessionId, text: 'For the second session' });
        expect((await own).text).to.equal('For the second session');
        const texts = packets.filter((p) => p.type === 2).map((p) => JSON.stringify(p.data));
        expect(texts.join('\n')).to.not.include('Starting soon').and.not.include('For the first session only');
      } finally {
        socket.close();
      }
    });

    it('answers 400, not 500, to bodies that fail decompression and to malformed percent-encoding', async () => {
      const before = ctx.t.logs.length;
      const garbage = 'not compressed at all';
      for (const encoding of ['gzip', 'deflate', 'br']) {
        for (const path of [HTTP_ROUTES.login.path, HTTP_ROUTES.joinToken.path, SERVICE_ROUTES.livekitWebhook.path]) {
          const response = await request(ctx.t.origin, 'POST', path, {
            rawBody: garbage,
            headers: { 'content-type': path === SERVICE_ROUTES.livekitWebhook.path ? 'application/webhook+json' : 'application/json', 'content-encoding': encoding },
          });
          expect(response.status, `${encoding} ${path}`).to.be.within(400, 499);
          expect(response.body.error.code, `${encoding} ${path}`).to.be.oneOf(['bad_request', 'unauthorized']);
        }
      }
      // A truncated gzip stream (valid header, no end) too.
      const truncated = gzipSync(Buffer.from('{"email":"a@b.c","password":"x"}')).subarray(0, 15);
      const cut = await fetch(`${ctx.t.origin}${HTTP_ROUTES.login.path}`, {
        method: 'POST',
        headers: { origin: ctx.t.origin, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: truncated,
      });
      expect(cut.status).to.equal(400);
      for (const id of ['%ZZ', '%E0%A4%A', '%FF', '%', 'a%2']) {
        const response = await request(ctx.t.origin, 'GET', rawRoutePath(HTTP_ROUTES.getSession, { sessionId: id }), { cookie: ctx.therapist.cookie });
        expect(response.status, id).to.equal(400);
        expect(response.body.error.code, id).to.equal('bad_request');
      }
      const errors = ctx.t.logs.slice(before).filter((line) => JSON.parse(line).level === 'error');
      expect(errors).to.deep.equal([]);
    });

    it('refuses display names that would show as blank in the console', async () => {
      const { secrets } = await ctx.therapist.createSession('individual');
      const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
      for (const blank of ['\u200b', '\u200c\u200d', '\u2060', '\u3164', '\u2800\u2800', '\u{e0041}\u{e0042}', '\u206a\u206f']) {
        const ack = await command(client, COMMANDS.checkIn, { displayName: blank });
        expect(ack.ok, JSON.stringify(blank)).to.equal(false);
        if (!ack.ok) expect(ack.error.code).to.equal('bad_request');
      }
      expect((await command(client, COMMANDS.checkIn, { displayName: 'Ana ❤️' })).ok).to.equal(true);
    });

    it('closes a connection that sends a binary attachment, and only that one', async () => {
      const { secrets } = await ctx.therapist.createSession('individual');
      const client = ctx.track(await connectClient(ctx.t.origin, secrets[0]!));
      const gone = new Promise<string>((resolve) => client.once('disconnect', (reason) => resolve(reason)));
      (client as unknown as Socket).emit(COMMANDS.checkIn, { displayName: Buffer.alloc(15_000) }, () => undefined);
      expect(await gone).to.be.oneOf(['transport close', 'io server disconnect', 'transport error']);
      expect(ctx.consoleSocket.connected).to.equal(true);
    });

    it('closes connections that send headers or a body too slowly (slow loris)', async function () {
      this.timeout(30_000);
      const { port } = new URL(ctx.t.origin);
      const slowHeaders = connectTcp(Number(port), '127.0.0.1');
      slowHeaders.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const trickle = connectTcp(Number(port), '127.0.0.1');
      trickle.write(`POST ${HTTP_ROUTES.login.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${ctx.t.origin}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n`);
      const drip = setInterval(() => trickle.write('x'), 500);
      try {
        const [headers, body] = await Promise.all([whenClosedByServer(slowHeaders, 12_000), whenClosedByServer(trickle, 20_000)]);
        // Node answers 408 when it gives up on a request; either way the connection is gone.
        expect(headers.afterMs).to.be.below(12_000);
        expect(body.afterMs).to.be.below(20_000);
        expect(body.reply === '' || body.reply.startsWith('HTTP/1.1 408')).to.equal(true);
      } finally {
        clearInterval(drip);
        slowHeaders.destroy();
        trickle.destroy();
      }
    });
  });

  describe('behind one reverse proxy (TRUST_PROXY=1)', () => {
    const ctx = useTherapistApp({ env: { TRUST_PROXY: '1', MAX_SOCKETS_PER_IP: '2' } });

    it('keys per-address limits on the right-most untrusted hop, which a client cannot choose', async () => {
      // What the proxy forwards: whatever the client claimed, then the address the proxy saw.
      const via = (claimed: string, seen: string) => ({ 'x-forwarded-for': `${claimed}, ${seen}` });
      const { secrets } = await ctx.therapist.createSession('couple');
      // The fixture's console socket came without the header: it counts for the proxy's own address.
      const first = ctx.track(await connectClient(ctx.t.origin, secrets[0]!, newDeviceId(), via('203.0.113.1', '198.18.0.10')));
      expect(first.connected).to.equal(true);
      const sameAddress = ctx.track(await connectTherapist(ctx.t.origin, ctx.therapist.cookie, via('203.0.113.2', '198.18.0.10')));
      expect(sameAddress.connected).to.equal(true);
      // A different claimed left-most address does not buy a third slot on the same real address…
      const refused = await connectClient(ctx.t.origin, secrets[1]!, newDeviceId(), via('203.0.113.3', '198.18.0.10')).then(
        (s) => (s.close(), 'connected'),
        (e: { data?: { code?: string } }) => e.data?.code,
      );
      expect(refused).to.equal('rate_limited');
      // …and someone else behind the same proxy is not locked out by it.
      const neighbour = ctx.track(await connectClient(ctx.t.origin, secrets[1]!, newDeviceId(), via('198.18.0.10', '198.18.0.11')));
      expect(neighbour.connected).to.equal(true);
    });
  });
});

