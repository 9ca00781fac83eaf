/**
 * The HTTP server with timeouts sized for what Alcove receives: JSON bodies of at
 * most 16 KiB. Node's defaults (headers 60 s, whole request 300 s, checked every
 * 30 s) let a slow-loris client hold a connection for minutes with a byte at a time.
 */
import { createServer, type Server } from 'node:http';

export const HTTP_TIMEOUTS = {
  /** Request line and headers must arrive within this. */
  headersMs: 5_000,
  /** The whole request, body included. 16 KiB in 10 s is 13 kbit/s: any phone manages. */
  requestMs: 10_000,
  /**
   * Idle time before a kept-alive connection is closed. A reverse proxy in front must
   * close its idle upstream connections sooner than this (Caddy: `keepalive 4s`), or it
   * may reuse one at the moment Node closes it and answer 502.
   */
  keepAliveMs: 5_000,
  /** How often Node checks the two limits above; they are this much late at worst. */
  checkIntervalMs: 1_000,
} as const;

/**
 * Connections the kernel holds for us while we are busy, capped by net.core.somaxconn (4096 on
 * current kernels). Node's default, 511, overflowed in a surge of arrivals (`npm run bench`): a
 * full queue drops the handshake, and the browser's next SYN comes 1, 3, 7… seconds later, so a
 * half-second burst cost some people 15 s. Queued, they wait only as long as the burst lasts.
 */
export const LISTEN_BACKLOG = 4096;

export function createHttpServer(): Server {
  const server = createServer({
    headersTimeout: HTTP_TIMEOUTS.headersMs,
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
    connectionsCheckingInterval: HTTP_TIMEOUTS.checkIntervalMs,
  });
  return server;
}
