/**
 * Typed Socket.io connections for both roles. WebSocket only: one request, no
 * long-polling URLs, and the browser sends our Origin, which the server checks.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ErrorBody, ServerToClientEvents } from '@alcove/shared';

export type AlcoveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const COMMAND_TIMEOUT_MS = 8000;

export function connectAsClient(invite: string, deviceId: string): AlcoveSocket {
  return io({ path: '/socket.io', transports: ['websocket'], auth: { invite, deviceId }, reconnectionDelayMax: 4000 });
}

export function connectAsTherapist(): AlcoveSocket {
  return io({ path: '/socket.io', transports: ['websocket'], auth: {}, withCredentials: true, reconnectionDelayMax: 4000 });
}

type CommandName = keyof ClientToServerEvents;
type PayloadOf<E extends CommandName> = Parameters<ClientToServerEvents[E]>[0];
type ResultOf<E extends CommandName> = Parameters<ClientToServerEvents[E]>[1] extends (ack: Ack<infer R>) => void ? R : never;

export class CommandError extends Error {
  constructor(readonly body: ErrorBody | { code: 'timeout'; message: string }) {
    super(body.code);
    this.name = 'CommandError';
  }
}

/** Sends a command and resolves with its data, or rejects with the server's error code. */
export async function sendCommand<E extends CommandName>(socket: AlcoveSocket, event: E, payload: PayloadOf<E>): Promise<ResultOf<E>> {
  let ack: Ack<ResultOf<E>>;
  try {
    ack = (await (socket as unknown as Socket).timeout(COMMAND_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<ResultOf<E>>;
  } catch {
    throw new CommandError({ code: 'timeout', message: 'no answer' });
  }
  if (!ack.ok) throw new CommandError(ack.error);
  return ack.data;
}

/** The `connect_error` code the server sent with a refused handshake, if any. */
export function handshakeErrorCode(error: Error & { data?: unknown }): string | null {
  const data = error.data as Partial<ErrorBody> | undefined;
  return typeof data?.code === 'string' ? data.code : null;
}
