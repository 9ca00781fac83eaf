/**
 * The composition root: the only place that wires real adapters to the domain.
 * `createApp(config)` returns a server that is not yet listening, so a test can
 * start the whole app on port 0.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { connectRedis, type RedisClient } from './adapters/redis/redis-client.ts';
import { createRedisKeys } from './adapters/redis/keys.ts';
import { requirePersistentRedis } from './adapters/redis/persistence-check.ts';
import { watchRedisHealth } from './adapters/redis/redis-health.ts';
import { startRedisClock } from './adapters/redis/redis-clock.ts';
import { createRedisPresenceLedger } from './adapters/redis/presence-ledger-store.ts';
import { startPresenceSweeper } from './waiting-room/presence-sweeper.ts';
import { randomBytes } from 'node:crypto';
import { createRedisSessionStore } from './adapters/redis/session-store.ts';
import { createRedisParticipantStore } from './adapters/redis/participant-store.ts';
import { createRedisInviteStore } from './adapters/redis/invite-hash-store.ts';
import { createRedisDeviceLeaseStore } from './adapters/redis/device-lease-store.ts';
import { createRedisTherapistStore } from './adapters/redis/therapist-store.ts';
import { createRedisLoginStore } from './adapters/redis/login-store.ts';
import { createRedisRateLimiter } from './adapters/redis/rate-limiter.ts';
import { createRedisTokenRedemptionStore } from './adapters/redis/token-redemption-store.ts';
import { createRedisWebhookLedger } from './adapters/redis/webhook-ledger.ts';
import { createLivekitMediaRooms } from './adapters/livekit/room-service.ts';
import { createLivekitTokenSigner } from './adapters/livekit/media-token-signer.ts';
import { createLivekitWebhookVerifier } from './adapters/livekit/webhook-verifier.ts';
import { createLoginService } from './auth/login-service.ts';
import { createSessionService } from './sessions/session-service.ts';
import { createClientPresence } from './waiting-room/client-presence.ts';
import { createHostControls } from './waiting-room/host-controls.ts';
import { createConnectionCheckService } from './tokens/connection-check-service.ts';
import { createMediaTokenService } from './tokens/media-token-service.ts';
import { createWebhookHandler } from './webhooks/webhook-handler.ts';
import { createHttpApp } from './transport/http/http-app.ts';
import { createSecurityHeaderWriter } from './transport/http/security-headers.ts';
import { createTokenFastPath } from './transport/http/token-fast-path.ts';
import { createAuthRoutes } from './transport/http/auth-routes.ts';
import { createSessionRoutes } from './transport/http/session-routes.ts';
import { createJoinRoutes, joinTokenIssuer } from './transport/http/join-routes.ts';
import { createWebhookRoutes } from './transport/http/webhook-routes.ts';
import { mountRoutes } from './transport/http/route-table.ts';
import { createClientAddress } from './transport/http/client-address.ts';
import { createHttpServer, LISTEN_BACKLOG } from './transport/http/http-server.ts';
import { createSocketNotifier } from './transport/socket/socket-notifier.ts';
import { createSocketServer } from './transport/socket/socket-server.ts';
import { createCommandTable } from './transport/socket/socket-commands.ts';
import { createWorkInFlight } from './transport/socket/work-in-flight.ts';
import { createInstanceDrain } from './transport/instance-drain.ts';
import { socketRooms, type AlcoveServer } from './transport/socket/socket-types.ts';
import type { MediaRooms } from './sessions/media-rooms.ts';
import { createRedisAuditTrail } from './adapters/redis/audit-stream.ts';
import { createCallMembers } from './encryption/call-member-relay.ts';
import { createRedisCallMemberStore } from './adapters/redis/call-member-store.ts';
import { createSealedInbox } from './encryption/sealed-inbox.ts';
import { createRedisSealedInboxStore } from './adapters/redis/sealed-inbox-store.ts';
import { createRedisSealingKeyStore } from './adapters/redis/sealing-key-store.ts';
import { createTwoFactor } from './auth/two-factor.ts';
import { SESSION_RETENTION_AFTER_CLOSE_MS } from './sessions/session-service.ts';
import type { AuditTrail } from './observability/audit-trail.ts';
import { startSocketStreamTrimmer } from './adapters/redis/socket-stream-trimmer.ts';
import { createPrometheusMetrics } from './adapters/prometheus/prometheus-metrics.ts';
import { createMetricsServer } from './transport/http/metrics-server.ts';
import { countSocketsByRole } from './transport/socket/socket-census.ts';
import { createClientCensus } from './waiting-room/client-census.ts';

export interface AppOptions {
  logger?: Logger;
  now?: () => number;
  /** Folder of the built browser app; null serves none. Defaults to client/dist or client/public. */
  staticRoot?: string | null;
}

export interface App {
  httpServer: HttpServer;
  /** The Express app inside `httpServer` (tests walk its routes: test/integration/http-route-table.test.ts). */
  http: Express;
  io: AlcoveServer;
  logger: Logger;
  redis: RedisClient;
  rooms: MediaRooms;
  audit: AuditTrail;
  listen(port?: number, host?: string): Promise<number>;
  /** The Prometheus endpoint's port once listening; null when METRICS_PORT is unset. */
  metricsPort(): number | null;
  close(): Promise<void>;
}

function defaultStaticRoot(): string | null {
  for (const folder of ['../../client/dist', '../../client/public']) {
    const path = fileURLToPath(new URL(folder, import.meta.url));
    if (existsSync(`${path}/index.html`)) return path;
  }
  return null;
}

export async function createApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const now = options.now ?? Date.now;
  const prometheus = createPrometheusMetrics();
  const { metrics } = prometheus;
  const redis = await connectRedis(config.redis, logger, 'main', { metrics });
  if (config.redis.requirePersistence) {
    try {
      await requirePersistentRedis(redis);
    } catch (error) {
      await redis.close();
      throw error;
    }
  }
  // Waits out a Redis outage rather than failing fast: see RedisConnectOptions (test/integration/redis-outage.test.ts).
  const adapterRedis = await connectRedis(config.redis, logger, 'socket-adapter', { queueWhileOffline: true, metrics });
  const keys = createRedisKeys(config.redis.prefix);
  const redisHealth = watchRedisHealth(redis, logger);

  const redisClock = await startRedisClock(redis);
  // One store per aggregate; a session's creation and erasure span them in one transaction (session-store.ts).
  const sessionStore = createRedisSessionStore(redis, keys);
  const participants = createRedisParticipantStore(redis, keys, redisClock);
  const invites = createRedisInviteStore(redis, keys);
  const leases = createRedisDeviceLeaseStore(redis, keys);
  const audit = createRedisAuditTrail({ redis, keys, logger, now, retentionMs: config.audit.retentionMs });
  const therapists = createRedisTherapistStore(redis, keys);
  const rateLimiter = createRedisRateLimiter(redis, keys);
  const rooms = createLivekitMediaRooms(config.livekit, logger);
  const signer = createLivekitTokenSigner(config.livekit);

  const httpServer = createHttpServer();
  const clientAddress = createClientAddress(config.trustProxy);
  let io: AlcoveServer | undefined;
  const notifier = createSocketNotifier(() => {
    if (!io) throw new Error('socket server not ready');
    return io;
  });

  const logins = createRedisLoginStore(redis, keys);
  const login = createLoginService({
    therapists,
    logins,
    rateLimiter,
    logger,
    audit,
    now,
    jwtSecret: config.auth.jwtSecret,
    absoluteTtlSeconds: config.auth.absoluteTtlSeconds,
    idleTtlSeconds: config.auth.idleTtlSeconds,
  });
  const callMembers = createCallMembers({
    store: createRedisCallMemberStore(redis, keys),
    sessionStore,
    participants,
    therapists,
    relay: notifier,
    logger,
    expiresAtFor: (session) => session.closesAt + SESSION_RETENTION_AFTER_CLOSE_MS,
  });
  const sealed = createSealedInbox({
    keys: createRedisSealingKeyStore(redis, keys),
    store: createRedisSealedInboxStore(redis, keys),
    sessionStore,
    participants,
    notifier,
    logger,
    audit,
    now,
    expiresAtFor: (session) => session.closesAt + SESSION_RETENTION_AFTER_CLOSE_MS,
  });
  const sessions = createSessionService({
    sessionStore,
    participants,
    invites,
    rooms,
    notifier,
    logger,
    audit,
    now,
    publicUrl: config.publicUrl,
    ...config.sessions,
  });
  const presenceLedger = createRedisPresenceLedger(redis, keys);
  const clients = createClientPresence({ sessionStore, participants, invites, leases, deadlines: presenceLedger, notifier, members: callMembers, rateLimiter, logger, audit, now, graceMs: config.waitingRoom.graceMs, mediaUrl: config.livekit.url });
  const presenceSweeper = startPresenceSweeper({ ledger: presenceLedger, clients, logger, now, instanceId: `i_${randomBytes(12).toString('base64url')}`, metrics });
  const host = createHostControls({ sessionStore, participants, invites, sessions, rooms, notifier, logger, audit, members: callMembers, now, metrics });
  const tokens = createMediaTokenService({
    redemptions: createRedisTokenRedemptionStore(redis, keys),
    sessions,
    clients,
    therapists,
    signer,
    logger,
    now,
    livekitUrl: config.livekit.url,
    ttlSeconds: config.livekit.tokenTtlSeconds,
    requestsPerInvitePerMinute: config.limits.tokenRequestsPerInvitePerMinute,
    metrics,
  });
  const checks = createConnectionCheckService({ leases, clients, rooms, signer, rateLimiter, logger, now, livekitUrl: config.livekit.url });
  const handleWebhook = createWebhookHandler({ sessionStore, participants, sessions, rooms, notifier, ledger: createRedisWebhookLedger(redis, keys), logger, audit, now });

  const workInFlight = createWorkInFlight();
  const instanceDrain = createInstanceDrain({
    httpServer,
    io: () => {
      if (!io) throw new Error('socket server not ready');
      return io;
    },
    work: workInFlight,
    logger,
  });

  const accessLog = config.logLevel === 'debug';
  const securityHeaders = createSecurityHeaderWriter({ livekitUrl: config.livekit.url, isSecure: config.isSecure });
  const app = createHttpApp({
    logger,
    allowedOrigins: config.allowedOrigins,
    securityHeaders,
    trustProxy: clientAddress.trust,
    rawRoutes: [createWebhookRoutes({ verify: createLivekitWebhookVerifier(config.livekit), handle: handleWebhook })],
    apiRoutes: [
      mountRoutes(
        {
          ...createAuthRoutes({
            login,
            twoFactor: createTwoFactor({ therapists, audit, now }),
            therapists,
            isSecure: config.isSecure,
            onLogout: (loginId) => {
              io?.in(socketRooms.login(loginId)).disconnectSockets(true);
            },
          }),
          ...createSessionRoutes({ sessions, tokens, sealed }),
          ...createJoinRoutes({ tokens, checks }),
        },
        { login, isSecure: config.isSecure },
      ),
    ],
    staticRoot: options.staticRoot === undefined ? defaultStaticRoot() : options.staticRoot,
    // A draining instance is not ready whatever Redis says: the proxy's health check takes it out.
    isReady: async () => !instanceDrain.isDraining() && (await redisHealth.check()),
    accessLog,
  });
  // The media-token route's plain requests are answered in front of Express (token-fast-path.ts).
  const tokenFastPath = createTokenFastPath({
    issue: joinTokenIssuer(tokens),
    allowedOrigins: config.allowedOrigins,
    securityHeaders,
    clientAddressOf: clientAddress.of,
    logger,
    accessLog,
  });
  // Express first: Socket.io then wraps it and keeps /socket.io/ to itself. Attached the other
  // way round, both answered a polling request and Engine.IO's second writeHead crashed the process.
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!tokenFastPath(req, res)) app(req, res);
  });

  io = createSocketServer(httpServer, {
    logger,
    login,
    clients,
    commands: createCommandTable({ clients, host, sessions, members: callMembers, sealed, tokens }),
    allowedOrigins: config.allowedOrigins,
    isSecure: config.isSecure,
    graceMs: config.waitingRoom.graceMs,
    adapterRedis,
    streamName: keys.socketStream(),
    clientAddressOf: clientAddress.of,
    maxSocketsPerIp: config.limits.maxSocketsPerIp,
    loginTtlMs: (loginId) => logins.ttlMs(loginId),
    liveness: presenceSweeper,
    workInFlight,
    isDraining: instanceDrain.isDraining,
  });
  const socketServer = io;
  prometheus.setCensus({
    socketsByRole: () => countSocketsByRole(socketServer),
    clientStates: createClientCensus({ connections: () => presenceSweeper.connections(), participants, sessionStore }),
  });
  const metricsServer = config.metrics ? createMetricsServer(() => prometheus.render()) : null;
  let metricsPort: number | null = null;
  // Recovery needs the stream for the grace period only; a little slack for slow reconnects.
  const stopTrimmer = startSocketStreamTrimmer({ redis, streamKey: keys.socketStream(), keepMs: config.waitingRoom.graceMs + 1_000, logger });

  return {
    httpServer,
    http: app,
    io: socketServer,
    logger,
    redis,
    rooms,
    audit,
    async listen(port = config.port, hostname = config.host) {
      const listening = await new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, hostname, LISTEN_BACKLOG, () => {
          httpServer.off('error', reject);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
      if (metricsServer && config.metrics) metricsPort = await metricsServer.listen(config.metrics.port, config.metrics.host);
      return listening;
    },
    metricsPort: () => metricsPort,
    async close() {
      metrics.markDraining();
      // Sockets move elsewhere (instance-drain.ts), then any instance sweeps what is left of ours.
      await instanceDrain.drain();
      await presenceSweeper.retire();
      stopTrimmer();
      redisHealth.stop();
      redisClock.stop();
      // io.close() also closes the HTTP server and every WebSocket (server.close() alone would not).
      await new Promise<void>((resolve) => socketServer.close(() => resolve()));
      await Promise.allSettled([redis.close(), adapterRedis.close(), metricsServer?.close()]);
    },
  };
}
