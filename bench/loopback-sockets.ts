/**
 * Real people arrive from many networks; the server caps sockets and sign-ins
 * per IP. The bench gives every simulated person their own loopback source
 * address (all of 127.0.0.0/8 reaches 127.0.0.1 on Linux), so those limits stay
 * at their production defaults and are exercised as in real life.
 */
import { io } from 'socket.io-client';
import { whenConnected, type TypedClientSocket } from '../test/support/socket-clients.ts';

/** Address blocks, so therapists, warm-up clients and surge clients never share an address. */
export const ADDRESS_BLOCK = { therapists: 1, surgeClients: 2, warmupClients: 3 } as const;

/** The `index`th loopback address of a block: 127.<block>.<hi>.<lo>, never .0 or .255. */
export function loopbackAddress(block: number, index: number): string {
  return `127.${block}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/** A Socket.io connection as the browser app makes it (websocket only, Origin set), from a chosen source address. */
export function connectFrom(origin: string, localAddress: string, options: { auth?: Record<string, unknown>; cookie?: string }): Promise<TypedClientSocket> {
  const socket: TypedClientSocket = io(origin, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: { origin, ...(options.cookie ? { cookie: options.cookie } : {}) },
    localAddress,
  } as Parameters<typeof io>[1]);
  return whenConnected(socket);
}
