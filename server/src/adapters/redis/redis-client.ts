import { createClient } from 'redis';
import type { Logger } from '../../observability/logger.ts';

export type RedisClient = ReturnType<typeof createClient>;

const CONNECT_TIMEOUT_MS = 2_000;
const RECONNECT_MAX_DELAY_MS = 2_000;

export interface RedisConnectOptions {
  /**
   * Queue commands (up to the cap) while disconnected instead of rejecting them.
   * Only for the Socket.io streams adapter: its stream reader retries a failed
   * XREAD at once, with no delay, so on a fail-fast client a Redis outage turns
   * into a promise loop that starves the event loop and freezes the whole app.
   */
  queueWhileOffline?: boolean;
}

/**
 * A node-redis client that fails closed: while Redis is unreachable commands
 * are rejected at once (no offline queue), so admission and token issuance
 * answer "unavailable" instead of hanging or acting on stale memory.
 */
export async function connectRedis(url: string, logger: Logger, name = 'main', options: RedisConnectOptions = {}): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: !options.queueWhileOffline,
    commandsQueueMaxLength: 10_000,
    pingInterval: 10_000,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, RECONNECT_MAX_DELAY_MS),
    },
  });
  let healthy = true;
  // Without an error listener node-redis would crash the process on a blip.
  client.on('error', (error: Error) => {
    if (healthy) logger.warn('redis connection error', { reason: name, errorName: error.name });
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) logger.info('redis connection restored', { reason: name });
    healthy = true;
  });
  await client.connect();
  return client;
}
