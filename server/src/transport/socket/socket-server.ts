import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { FACTS, participantHandshakeSchema, SOCKET_PAYLOAD_MAX_BYTES, type Ack } from '@alcove/shared';
import { AppError, toAppError } from '../../app-error.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RedisClient } from '../../adapters/redis/redis-client.ts';
import type { ClientPresence } from '../../waiting-room/client-presence.ts';
import { readSessionCookie } from '../http/session-cookie.ts';
import { parseInput } from '../http/validate.ts';
import { createEventRateLimit } from './event-rate-limit.ts';
import type { CommandTable } from './socket-commands.ts';
import { socketRooms, type AlcoveServer, type AlcoveSocket, type SocketIdentity } from './socket-types.ts';

export const SOCKET_EVENT_BURST = 30;
export const SOCKET_EVENTS_PER_SECOND = 10;

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
  trustProxy: boolean;
  /** Concurrent sockets one IP may hold on this instance. */
  maxSocketsPerIp: number;
  /** Remaining idle lifetime of a login in ms (0 when gone). */
  loginTtlMs: (loginId: string) => Promise<number>;
}

function handshakeError(error: unknown): Error {
  const appError = toAppError(error);
  const err = new Error(appError.message) as Error & { data: unknown };
  err.data = appError.toBody();
  return err;
}

function clientIpOf(socket: AlcoveSocket, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = socket.handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return socket.handshake.address;
}

export function createSocketServer(httpServer: HttpServer, deps: SocketServerDeps): AlcoveServer {
  const allowed = new Set(deps.allowedOrigins);
  const io: AlcoveServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: SOCKET_PAYLOAD_MAX_BYTES,
    // The `cors` option blocks nothing server-side: the Origin is enforced here.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin !== undefined && allowed.has(origin));
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

  // Identities stay in process memory, not in socket.data: the streams adapter persists
  // socket.data to Redis for recovery, and a login token has no business there.
  const identities = new WeakMap<AlcoveSocket, SocketIdentity>();
  const socketsPerIp = new Map<string, number>();
  io.use((socket, next) => {
    const ip = clientIpOf(socket, deps.trustProxy);
    const count = socketsPerIp.get(ip) ?? 0;
    if (count >= deps.maxSocketsPerIp) return next(handshakeError(new AppError('rate_limited', 'Too many connections from this network.', { details: { retryAfterSeconds: 10 } })));
    socketsPerIp.set(ip, count + 1);
    socket.conn.once('close', () => {
      const left = (socketsPerIp.get(ip) ?? 1) - 1;
      if (left <= 0) socketsPerIp.delete(ip);
      else socketsPerIp.set(ip, left);
    });
    next();
  });

  io.use(async (socket, next) => {
    try {
      // socket.io-client adds `pid` and `offset` to `auth` when it reconnects for connection-state
      // recovery; they belong to Socket.io, not to us, so they are set aside before strict validation.
      const { pid: _pid, offset: _offset, ...auth } = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      let identity: SocketIdentity;
      if (auth && typeof auth === 'object' && 'invite' in auth) {
        const parsed = parseInput(participantHandshakeSchema, auth);
        const conn = await deps.clients.connect({
          inviteSecret: parsed.invite,
          deviceId: parsed.deviceId,
          connectionId: socket.id,
          clientIp: clientIpOf(socket, deps.trustProxy),
        });
        identity = { role: 'client', conn };
      } else {
        if (Object.keys(auth).length > 0) throw AppError.badRequest('Unexpected handshake fields.');
        const token = readSessionCookie(socket.handshake.headers.cookie, deps.isSecure);
        if (!token) throw AppError.unauthorized();
        const therapist = await deps.login.authenticate(token);
        identity = { role: 'therapist', therapistId: therapist.therapistId, loginId: therapist.loginId, token, expiresAt: therapist.expiresAt };
      }
      identities.set(socket, identity);
      next();
    } catch (error) {
      next(handshakeError(error));
    }
  });

  io.on('connection', (socket) => {
    const identity = identities.get(socket);
    if (!identity) return void socket.disconnect(true);
    const rate = createEventRateLimit({ burst: SOCKET_EVENT_BURST, refillPerSecond: SOCKET_EVENTS_PER_SECOND });
    const flood = () => {
      deps.logger.warn('socket flood, disconnecting', { event: 'socket.flood', socketRole: identity.role });
      socket.disconnect(true);
    };

    if (identity.role === 'client') {
      const { conn } = identity;
      void socket.join([socketRooms.participant(conn.participantId), socketRooms.sessionClients(conn.sessionId)]);
      const heartbeat = setInterval(() => {
        deps.clients.heartbeat(conn).catch((error: Error) => deps.logger.warn('lease renewal failed', { participantId: conn.participantId, errorName: error.name }));
      }, Math.max(1000, Math.floor(deps.graceMs / 3)));
      heartbeat.unref();
      socket.on('disconnect', () => {
        clearInterval(heartbeat);
        deps.clients
          .disconnected(conn)
          .catch((error: Error) => deps.logger.warn('could not record disconnect', { participantId: conn.participantId, errorName: error.name }));
        setTimeout(() => {
          deps.clients.expireIfGone(conn).catch(() => undefined);
        }, deps.graceMs + 250).unref();
      });
    } else {
      void socket.join([socketRooms.therapist(identity.therapistId), socketRooms.login(identity.loginId)]);
      watchLoginExpiry(socket, identity.loginId, identity.expiresAt);
    }

    socket.onAny((event: string, ...args: unknown[]) => {
      if (!rate.take()) return flood();
      if (Object.hasOwn(deps.commands, event)) return;
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ ok: false, error: AppError.badRequest('Unknown command.').toBody() } satisfies Ack<never>);
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
          if (appError.status >= 500) deps.logger.error('socket command failed', { event, code: appError.code, errorName: (appError.cause as Error | undefined)?.name });
          reply({ ok: false, error: appError.toBody() });
          if (appError.code === 'unauthorized') socket.disconnect(true);
        }
      }) as never);
    }
  });

  /**
   * Disconnects a therapist's socket within a second of its login ending by
   * idle timeout or absolute expiry. The check sleeps until the login's current
   * deadline and re-reads it, since activity elsewhere may have slid it.
   */
  function watchLoginExpiry(socket: AlcoveSocket, loginId: string, absoluteExpiresAt: number): void {
    let timer: NodeJS.Timeout | undefined;
    const expire = () => {
      // With connection-state recovery, emits travel through the adapter; disconnecting through
      // it too keeps the order, so the reason arrives before the disconnect.
      io.to(socket.id).emit(FACTS.loginExpired, {});
      io.in(socket.id).disconnectSockets();
    };
    const check = async () => {
      const remainingAbsolute = absoluteExpiresAt - Date.now();
      let remainingIdle: number;
      try {
        remainingIdle = await deps.loginTtlMs(loginId);
      } catch {
        remainingIdle = 5_000; // Redis blip: look again shortly rather than log someone out.
      }
      if (!socket.connected) return;
      const remaining = Math.min(remainingAbsolute, remainingIdle);
      if (remaining <= 0) return expire();
      timer = setTimeout(() => void check(), Math.min(remaining + 50, 2 ** 31 - 1));
      timer.unref();
    };
    socket.on('disconnect', () => clearTimeout(timer));
    void check();
  }

  return io;
}
