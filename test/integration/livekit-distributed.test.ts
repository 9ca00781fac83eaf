/**
 * LiveKit in distributed mode: two nodes sharing a Redis, behind one front (Caddy, round-robin with
 * an active health check), rooms placed by LiveKit's own node selector. Sessions are started until
 * LiveKit's routing data shows rooms on both nodes; then, on each node's room, everything Alcove
 * does with LiveKit works whichever node a request reaches: the therapist's and a client's tokens
 * join real participants (@livekit/rtc-node), the participant-joined webhook (sent by the node that
 * holds the room) shows the client in the call, and a removal (a RoomService call through the
 * front) disconnects them from the right node.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { COMMANDS, FACTS, HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { callRoute, loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { startCaddyFront, type CaddyFront } from '../support/caddy-front.ts';
import { freeTcpPort, freeUdpPort } from '../support/free-port.ts';
import { livekitNode, roomHost, type LivekitNode } from '../support/livekit-nodes.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { DisconnectReason, joinMediaRoom, leaveAllMediaRooms } from '../support/rtc-participant.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** With LiveKit's random placement, the chance that this many rooms all land on one node of two is 2⁻¹⁵. */
const MAX_SESSIONS = 16;
const MEDIA_EVENT_TIMEOUT_MS = 15_000;

describe('LiveKit in distributed mode: two nodes, rooms placed by LiveKit', function () {
  this.timeout(120_000);
  let redis: RedisProcess;
  let routing: ReturnType<typeof createClient>;
  let nodes: LivekitNode[] = [];
  let front: CaddyFront;
  let t: TestApp;
  let therapist: TherapistClient;
  let desk: TypedClientSocket;
  const sockets: TypedClientSocket[] = [];

  before(async function () {
    this.timeout(90_000);
    redis = await startRedisProcess();
    routing = createClient({ url: redis.url });
    await routing.connect();
    const frontPort = await freeTcpPort();
    const nodePorts = [await freeTcpPort(), await freeTcpPort()];
    // The app knows one LiveKit address, the front; the nodes' webhooks come straight to it.
    t = await startTestApp({ env: { LIVEKIT_URL: `ws://127.0.0.1:${frontPort}` }, receivesWebhooks: false });
    for (const port of nodePorts) nodes.push(livekitNode(port, await freeUdpPort(), `127.0.0.1:${redis.port}`, `${t.origin}/webhooks/livekit`));
    for (const node of nodes) await node.start();
    front = await startCaddyFront(nodePorts, { port: frontPort, readyPath: '/', balance: 'round-robin' });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    desk = await connectTherapist(t.origin, therapist.cookie);
  });
  after(async function () {
    this.timeout(30_000);
    for (const socket of sockets) socket.close();
    desk?.close();
    await leaveAllMediaRooms();
    await t?.close();
    await front?.stop();
    for (const node of nodes) await node.kill();
    await routing?.quit().catch(() => undefined);
    await redis?.close();
  });

  it('places rooms on both nodes; on each, tokens join, webhooks arrive and a removal disconnects', async () => {
    // Started sessions until LiveKit's routing data shows one room on each node.
    const byNode = new Map<LivekitNode, { sessionId: string; secret: string; participantId: string }>();
    let started = 0;
    while (byNode.size < nodes.length && started < MAX_SESSIONS) {
      const { session, secrets, invites } = await therapist.createSession('individual');
      await therapist.start(session.sessionId);
      started += 1;
      const host = await roomHost(routing, session.sessionId, nodes);
      expect(host, `LiveKit placed ${session.sessionId} on one of its nodes`).to.not.equal(undefined);
      if (!byNode.has(host!)) byNode.set(host!, { sessionId: session.sessionId, secret: secrets[0]!, participantId: invites[0]!.participantId });
    }
    expect(byNode.size, `rooms on both nodes after ${started} sessions`).to.equal(2);

    for (const [node, { sessionId, secret, participantId }] of byNode) {
      const where = `the room on node ${nodes.indexOf(node) + 1}`;
      const shared = { sharedKey: randomBytes(32) };
      const hostToken = await therapist.start(sessionId);
      const host = await joinMediaRoom(hostToken.url, hostToken.token, shared);
      const deviceId = newDeviceId();
      const client = await connectClient(t.origin, secret, deviceId);
      sockets.push(client);
      expect((await command(client, COMMANDS.checkIn, { displayName: 'Noor' })).ok).to.equal(true);
      const inCall = nextEvent(desk, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'in-call', MEDIA_EVENT_TIMEOUT_MS);
      expect((await command(desk, COMMANDS.admit, { sessionId, participantId })).ok, where).to.equal(true);
      const response = await callRoute<MediaTokenResponse>(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secret, deviceId } });
      expect(response.status, `${where}: ${JSON.stringify(response.body)}`).to.equal(200);
      const media = await joinMediaRoom(response.body.url, response.body.token, shared);
      await inCall; // LiveKit's participant_joined webhook, from the node holding the room
      expect((await roomHost(routing, sessionId, nodes))?.nodeId, `${where} stayed where it was`).to.equal(node.nodeId);

      expect((await command(desk, COMMANDS.remove, { sessionId, participantId })).ok, where).to.equal(true);
      expect(await media.whenDisconnected(), where).to.equal(DisconnectReason.PARTICIPANT_REMOVED);
      expect(host.isConnected(), `${where}: the therapist stays in the call`).to.equal(true);
    }
  });
});
