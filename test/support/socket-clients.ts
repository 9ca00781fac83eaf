/** Real Socket.io clients (the same library the browser app uses), typed by the shared contract. */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@alcove/shared';

export type TypedClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function newDeviceId(): string {
  return `dev_${randomBytes(12).toString('base64url')}`;
}

function connect(origin: string, options: { auth?: Record<string, unknown>; cookie?: string; headers?: Record<string, string> }): TypedClientSocket {
  return io(origin, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: { origin, ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
  });
}

/** Resolves once connected; rejects with the server's connect_error data. */
export function whenConnected(socket: TypedClientSocket): Promise<TypedClientSocket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(new Error(error.message), { data: error.data }));
    });
  });
}

export function connectClient(origin: string, invite: string, deviceId = newDeviceId(), headers?: Record<string, string>): Promise<TypedClientSocket> {
  return whenConnected(connect(origin, { auth: { invite, deviceId }, headers }));
}

export function connectTherapist(origin: string, cookie: string, headers?: Record<string, string>): Promise<TypedClientSocket> {
  return whenConnected(connect(origin, { cookie, headers }));
}

/** Emits a command and resolves with its ack. */
/** How long the therapist's console waits for a command's answer (client/src/api/socket-connection.ts). */
export const CONSOLE_COMMAND_TIMEOUT_MS = 8_000;

export function command<T = any>(socket: TypedClientSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Ack<T>> {
  return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves with the next event of that name matching the predicate. */
export function nextEvent<T = any>(socket: TypedClientSocket, event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  const s = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(payload);
    };
    s.on(event, handler);
  });
}
