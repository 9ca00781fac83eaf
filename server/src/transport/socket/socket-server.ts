import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { SOCKET_PAYLOAD_MAX_BYTES, type Ack } from '@alcove/shared';
import { AppError, toAppError } from '../../app-error.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RedisClient } from '../../adapters/redis/redis-client.ts';
import type { ClientConnection, ClientPresence } from '../../waiting-room/client-presence.ts';
import type { PresenceSweeper } from '../../waiting-room/presence-sweeper.ts';
import { parseInput } from '../http/validate.ts';
import { authoriseBeforeRecovery } from './authorised-recovery.ts';
import { trackConnectionSlots } from './connection-slots.ts';
import { createEventRateLimit } from './event-rate-limit.ts';
import { watchLoginExpiry } from './login-expiry.ts';
import type { CommandTable } from './socket-commands.ts';
import { createHandshakeAuthoriser, roomsFor } from './socket-handshake.ts';
import { textOnlyParser } from './text-only-parser.ts';
import type { AlcoveServer, AlcoveSocket, SocketIdentity } from './socket-types.ts';

export const SOCKET_EVENT_BURST = 30;
export const SOCKET_EVENTS_PER_SECOND = 10;
/** An Engine.IO connection that has not sent Socket.io's CONNECT by then is closed. */
export const SOCKET_CONNECT_TIMEOUT_MS = 10_000;

export interface SocketServerDeps {
  logger: Logger;
  login: LoginService;
  clients: ClientPresence;
  commands: CommandTable;
  allowedOrigins: readonly string[];
  isSecure: boolean;
  graceMs: number;
  /** A Redis client for the streams adapter (it duplicates it for blocking reads). */
  adapterRedis: RedisClient;
  streamName: string;
  clientAddressOf: (request: IncomingMessage) => string;
  /** Concurrent sockets one client address may hold on this instance. */
  maxSocketsPerIp: number;
  /** Remaining idle lifetime of a login in ms (0 when gone). */
  loginTtlMs: (loginId: string) => Promise<number>;
  /** Which client connections this instance holds, in the ledger every instance sweeps. */
  liveness: Pick<PresenceSweeper, 'connectionOpened' | 'connectionClosed'>;
}

function handshakeError(error: unknown): Error {
  const appError = toAppError(error);
  const err = new Error(appError.message) as Error & { data: unknown };
  err.data = appError.toBody();
  return err;
}

export function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): AlcoveServer {
  const allowed = new Set(deps.allowedOrigins);
  let countFor: (request: IncomingMessage) => number = () => 0;
  const io: AlcoveServer = new Server(httpServer, {
    serveClient: false,
    parser: textOnlyParser,
    maxHttpBufferSize: SOCKET_PAYLOAD_MAX_BYTES,
    connectTimeout: SOCKET_CONNECT_TIMEOUT_MS,
    // Engine.IO asks only on a handshake (no sid yet). The `cors` option blocks nothing
    // server-side: the Origin is enforced here. Raw connections are capped at twice the
    // socket limit, so an address cannot hold open connections that never say who they are.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin !== undefined && allowed.has(origin) && countFor(req) < 2 * deps.maxSocketsPerIp);
    },
    connectionStateRecovery: { maxDisconnectionDuration: deps.graceMs, skipMiddlewares: false },
    adapter: createAdapter(deps.adapterRedis, {
      streamName: deps.streamName,
      maxLen: 10_000,
      channelPrefix: deps.streamName,
      sessionKeyPrefix: `${deps.streamName}-session:`,
    }),
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });

  // Engine.IO's polling transport answers any method but GET and POST with a bare 500;
  // its middlewares run on every request, so those are refused here as the 4xx they are.
  io.engine.use((req: IncomingMessage, res: ServerResponse, next: (error?: Error) => void) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    res.writeHead(405, { allow: 'GET, POST', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: AppError.badRequest({ reason: 'method' }).toBody() }));
  });

  const slots = trackConnectionSlots(io.engine, deps.clientAddressOf);
  countFor = slots.countFor;

  /**
   * The client's connection is gone: keep the place for the grace period, then let it go. The
   * deadline lives in Redis (presence-sweeper.ts), so it holds even if this instance dies next.
   */
  const clientGone = (conn: ClientConnection) => {
    deps.liveness.connectionClosed(conn);
    deps.clients
      .disconnected(conn)
      .catch((error: Error) => deps.logger.warn('could not record disconnect', { participantId: conn.participantId, errorName: error.name }));
  };

  const admissionOf = authoriseBeforeRecovery(io, {
    logger: deps.logger,
    authorise: createHandshakeAuthoriser({ login: deps.login, clients: deps.clients, isSecure: deps.isSecure, clientAddressOf: deps.clientAddressOf }),
    admitAddress: (request) =>
      slots.countFor(request) > deps.maxSocketsPerIp
        ? AppError.rateLimited(10)
        : null,
    onClosedBeforeConnect: (identity) => {
      if (identity.role === 'client') clientGone(identity.conn);
    },
  });

  // Identities stay in process memory, not in socket.data: the streams adapter persists
  // socket.data to Redis for recovery, and a login token has no business there.
  const identities = new WeakMap<AlcoveSocket, SocketIdentity>();
  io.use((socket, next) => {
    const admission = admissionOf(socket);
    if (!admission) return next(handshakeError(new Error('socket created outside the guarded factory')));
    if (!admission.ok) return next(handshakeError(admission.error));
    identities.set(socket, admission.identity);
    next();
  });

  io.on('connection', (socket) => {
    const identity = identities.get(socket);
    const admission = admissionOf(socket);
    if (!identity || !admission?.ok) return void socket.disconnect(true);
    // From here the socket's own disconnect event handles the connection going away.
    admission.settle();
    const rate = createEventRateLimit({ burst: SOCKET_EVENT_BURST, refillPerSecond: SOCKET_EVENTS_PER_SECOND });
    let flooded = false;
    const flood = () => {
      // One line per throttled socket: the events already in flight would otherwise each log one.
      if (flooded) return;
      flooded = true;
      deps.logger.warn('socket flood, disconnecting', { event: 'socket.flood', socketRole: identity.role });
      socket.disconnect(true);
    };

    void socket.join(roomsFor(identity));
    if (identity.role === 'client') {
      const { conn } = identity;
      deps.liveness.connectionOpened(conn);
      const heartbeat = setInterval(() => {
        deps.clients.heartbeat(conn).catch((error: Error) => deps.logger.warn('lease renewal failed', { participantId: conn.participantId, errorName: error.name }));
      }, Math.max(1000, Math.floor(deps.graceMs / 3)));
      heartbeat.unref();
      socket.on('disconnect', () => {
        clearInterval(heartbeat);
        clientGone(conn);
      });
    } else {
      watchLoginExpiry(io, socket, { loginId: identity.loginId, absoluteExpiresAt: identity.expiresAt, ttlMs: deps.loginTtlMs });
    }

    socket.onAny((event: string, ...args: unknown[]) => {
      if (!rate.take()) return flood();
      if (Object.hasOwn(deps.commands, event)) return;
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ ok: false, error: AppError.badRequest({ reason: 'unknown-command' }).toBody() } satisfies Ack<never>);
    });

    for (const [event, spec] of Object.entries(deps.commands)) {
      socket.on(event as never, (async (payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return; // every command must carry an ack
        const reply = ack as (result: Ack<unknown>) => void;
        try {
          if (spec.role !== identity.role) throw AppError.forbidden();
          const input = parseInput(spec.schema, payload);
          let data: unknown;
          if (spec.role === 'client' && identity.role === 'client') {
            data = await spec.run(identity.conn, input);
          } else if (spec.role === 'therapist' && identity.role === 'therapist') {
            // Re-checks the login on every command: logout and idle expiry take effect at once.
            const therapist = await deps.login.authenticate(identity.token);
            data = await spec.run(therapist, input);
          }
          reply({ ok: true, data: data ?? null });
          if (spec.closesSocket) socket.disconnect(true);
        } catch (error) {
          const appError = toAppError(error);
          if (appError.status >= 500 && appError.code !== 'service_unavailable') {
            deps.logger.error('socket command failed', { event, code: appError.code, errorName: (appError.cause as Error | undefined)?.name });
          }
          reply({ ok: false, error: appError.toBody() });
          if (appError.code === 'unauthorized') socket.disconnect(true);
        }
      }) as never);
    }
  });

  return io;
}
