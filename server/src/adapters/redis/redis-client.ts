import { createClient } from 'redis';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { classifyRedisFailure } from './redis-failures.ts';

export type RedisClient = ReturnType<typeof createClient>;

const CONNECT_TIMEOUT_MS = 2_000;
const RECONNECT_MAX_DELAY_MS = 2_000;
/**
 * Every command on the request path gives up after this: a stalled Redis (paused, swapping,
 * a failover in progress) fails closed with 503 in 1.5 s instead of hanging a token request,
 * a check-in or an admit past the console's 8 s patience.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;

export interface RedisConnectOptions {
  /**
   * Queue commands (up to the cap) while disconnected instead of rejecting them.
   * Only for the Socket.io streams adapter: its stream reader retries a failed
   * XREAD at once, with no delay, so on a fail-fast client a Redis outage turns
   * into a promise loop that starves the event loop and freezes the whole app.
   */
  queueWhileOffline?: boolean;
  /** Counts connection errors and failed or timed-out commands (alcove_redis_errors_total). */
  metrics?: Pick<Metrics, 'countRedisError'>;
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
    options.metrics?.countRedisError(name);
    if (healthy) logger.warn('redis connection error', { reason: name, errorName: error.name });
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) logger.info('redis connection restored', { reason: name });
    healthy = true;
  });
  await client.connect();
  // Not on the adapter's connection: its XREAD blocks by design, and its errors stay inside Socket.io.
  if (!options.queueWhileOffline) guardCommands(client, REDIS_COMMAND_TIMEOUT_MS, () => options.metrics?.countRedisError(name));
  return client;
}

/** node-redis's own timeout does not help here: it stops only at the write, never waits on a reply. */
class RedisReplyTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** The reply within `timeoutMs`; an outage (or no reply in time) rejects as `service_unavailable`. */
function withinMs<T>(call: () => Promise<T>, timeoutMs: number, onUnavailable: () => void): Promise<T> {
  const fail = (error: unknown): unknown => {
    const classified = classifyRedisFailure(error);
    if (classified !== error || error instanceof RedisReplyTimeoutError) onUnavailable();
    return classified;
  };
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(new RedisReplyTimeoutError(timeoutMs))), timeoutMs);
    new Promise<T>((settle) => settle(call())).then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(fail(error))),
    );
  });
}

/**
 * Classifies every failure of a command, transaction or pipeline (redis-failures.ts), and
 * rejects every one that has no reply after `defaultMs`
 * (or its own `timeout` command option, e.g. the readiness probe's). The command stays
 * in node-redis's reply queue, so replies keep their order when Redis answers late; a
 * write that may still run late must guard itself (see redis-clock.ts).
 */
function guardCommands(client: RedisClient, defaultMs: number, onUnavailable: () => void): void {
  // Typed command methods and multi() call through `_self`, the client behind node-redis's facade.
  const internals = ((client as unknown as { _self?: unknown })._self ?? client) as {
    sendCommand(args: unknown, options?: { timeout?: number }): Promise<unknown>;
    _executeMulti(...args: unknown[]): Promise<unknown>;
    _executePipeline(...args: unknown[]): Promise<unknown>;
  };
  const send = internals.sendCommand.bind(internals);
  const multi = internals._executeMulti.bind(internals);
  const pipeline = internals._executePipeline.bind(internals);
  internals.sendCommand = (args, options) => withinMs(() => send(args, options), options?.timeout ?? defaultMs, onUnavailable);
  internals._executeMulti = (...args) => withinMs(() => multi(...args), defaultMs, onUnavailable);
  internals._executePipeline = (...args) => withinMs(() => pipeline(...args), defaultMs, onUnavailable);
}
