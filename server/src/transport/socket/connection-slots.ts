/**
 * Concurrent Engine.IO connections per client address on this instance.
 *
 * Counted on the transport's own connection (opened once, closed exactly once by
 * Engine.IO, whatever the client does mid-handshake), not on Socket.io sockets: a
 * socket whose connection drops while its handshake is still awaiting Redis never
 * emits a close of its own, and counting it leaked the slot for good.
 */
import type { IncomingMessage } from 'node:http';
import type { AlcoveServer } from './socket-types.ts';

export interface ConnectionSlots {
  /** Open connections from the request's address, this one included once it is open. */
  countFor(request: IncomingMessage): number;
  /** All open connections, every address (tests and metrics). */
  total(): number;
}

export function trackConnectionSlots(engine: AlcoveServer['engine'], addressOf: (request: IncomingMessage) => string): ConnectionSlots {
  const open = new Map<string, number>();
  engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', listener: () => void): void }) => {
    const address = addressOf(conn.request);
    open.set(address, (open.get(address) ?? 0) + 1);
    conn.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return {
    countFor: (request) => open.get(addressOf(request)) ?? 0,
    total: () => [...open.values()].reduce((sum, n) => sum + n, 0),
  };
}
