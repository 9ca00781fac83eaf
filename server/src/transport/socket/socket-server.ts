import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { SOCKET_PAYLOAD_MAX_BYTES } from '@alcove/shared';
import { AppError, toAppError } from '../../app-error.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RedisClient } from '../../adapters/redis/redis-client.ts';
import type { ClientPresence } from '../../waiting-room/client-presence.ts';
import type { PresenceSweeper } from '../../waiting-room/presence-sweeper.ts';
import { authoriseBeforeRecovery } from './authorised-recovery.ts';
import { trackConnectionSlots } from './connection-slots.ts';
import { createClientLiveness } from './client-liveness.ts';
import { dispatchCommands } from './command-dispatch.ts';
import type { WorkInFlight } from './work-in-flight.ts';
import { watchLoginExpiry } from './login-expiry.ts';
import type { CommandTable } from './socket-commands.ts';
import { createHandshakeAuthoriser, roomsFor } from './socket-handshake.ts';
import { textOnlyParser } from './text-only-parser.ts';
import type { AlcoveServer, AlcoveSocket, SocketIdentity } from './socket-types.ts';

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
  /** Commands and disconnect bookkeeping under way, which a drain waits for. */
  workInFlight: WorkInFlight;
  /** While the instance drains, no new connection is taken: the browser retries, through the proxy, elsewhere. */
  isDraining: () => boolean;
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
      callback(null, !deps.isDraining() && origin !== undefined && allowed.has(origin) && countFor(req) < 2 * deps.maxSocketsPerIp);
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

  const clientLiveness = createClientLiveness({ clients: deps.clients, liveness: deps.liveness, logger: deps.logger, graceMs: deps.graceMs, inFlight: deps.workInFlight });

  const admissionOf = authoriseBeforeRecovery(io, {
    logger: deps.logger,
    authorise: createHandshakeAuthoriser({ login: deps.login, clients: deps.clients, isSecure: deps.isSecure, clientAddressOf: deps.clientAddressOf }),
    admitAddress: (request) =>
      slots.countFor(request) > deps.maxSocketsPerIp
        ? AppError.rateLimited(10)
        : null,
    onClosedBeforeConnect: (identity) => {
      if (identity.role === 'client') clientLiveness.gone(identity.conn);
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
    void socket.join(roomsFor(identity));
    if (identity.role === 'client') {
      clientLiveness.watch(socket, identity.conn);
    } else {
      watchLoginExpiry(io, socket, { loginId: identity.loginId, absoluteExpiresAt: identity.expiresAt, ttlMs: deps.loginTtlMs });
    }

    dispatchCommands(socket, identity, { commands: deps.commands, login: deps.login, logger: deps.logger, inFlight: deps.workInFlight });
  });

  return io;
}
