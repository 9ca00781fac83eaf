import { createClient, createSentinel } from 'redis';
import type { RedisSentinelTarget, RedisTarget } from '../../config.ts';
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

const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, RECONNECT_MAX_DELAY_MS);

/**
 * A node-redis client that fails closed: while Redis is unreachable commands
 * are rejected at once (no offline queue), so admission and token issuance
 * answer "unavailable" instead of hanging or acting on stale memory.
 *
 * The one way every part of the app (its main connection, the Socket.io adapter's, the CLI)
 * reaches Redis: a plain URL, or a Sentinel group (`target.sentinel`, see connectSentinel).
 */
export async function connectRedis(target: string | RedisTarget, logger: Logger, name = 'main', options: RedisConnectOptions = {}): Promise<RedisClient> {
  const where: RedisTarget = typeof target === 'string' ? { url: target, sentinel: null } : target;
  if (where.sentinel) return connectSentinel(where.sentinel, logger, name, options);
  const client = createClient({
    url: where.url,
    disableOfflineQueue: !options.queueWhileOffline,
    commandsQueueMaxLength: 10_000,
    pingInterval: 10_000,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy,
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

/**
 * node-redis v5's own Sentinel client: it asks the sentinels for the primary, follows their
 * `switch-master` announcements and rediscovers the primary when its connection drops, retrying
 * a command on the new primary (never a failover of our own). While no primary answers — the
 * seconds between a primary's death and the sentinels' promotion — a command waits inside the
 * client, so the same reply deadline applies: it fails closed with `service_unavailable` after
 * REDIS_COMMAND_TIMEOUT_MS, exactly as against a stalled single Redis.
 *
 * The result is used as a RedisClient: the sentinel has every command the stores use (its
 * non-sticky command set), `multi()`, `withCommandOptions()` and `close()`; what the Socket.io
 * streams adapter needs beyond that (`duplicate()` for its blocking reads and subscriptions,
 * `disconnect()`, `sendCommand(args)` for PUBSUB NUMSUB) is added here. Covered by
 * test/integration/redis-sentinel-failover.test.ts.
 */
async function connectSentinel(target: RedisSentinelTarget, logger: Logger, name: string, options: RedisConnectOptions): Promise<RedisClient> {
  const create = () =>
    createSentinel({
      name: target.name,
      sentinelRootNodes: target.sentinels.map((node) => ({ host: node.host, port: node.port })),
      nodeClientOptions: {
        ...(target.username !== undefined && { username: target.username }),
        ...(target.password !== undefined && { password: target.password }),
        disableOfflineQueue: !options.queueWhileOffline,
        commandsQueueMaxLength: 10_000,
        pingInterval: 10_000,
        socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy },
      },
      sentinelClientOptions: {
        ...(target.sentinelUsername !== undefined && { username: target.sentinelUsername }),
        ...(target.sentinelPassword !== undefined && { password: target.sentinelPassword }),
        socket: { connectTimeout: CONNECT_TIMEOUT_MS },
      },
      // A switch-master message missed (the sentinel connection itself dropped) is caught by this rescan.
      scanInterval: SENTINEL_RESCAN_MS,
    });
  type Sentinel = ReturnType<typeof create>;
  let healthy = true;
  const watch = (sentinel: Sentinel, connection: string) => {
    // Without error listeners node-redis would crash the process on a blip.
    const onError = (error: unknown) => {
      options.metrics?.countRedisError(name);
      if (healthy) logger.warn('redis connection error', { reason: connection, errorName: error instanceof Error ? error.name : 'Error' });
      healthy = false;
    };
    sentinel.on('error', onError);
    sentinel.on('client-error', (event: { error?: unknown }) => onError(event.error));
    sentinel.on('topology-change', (event: { type?: string }) => {
      if (event.type !== 'MASTER_CHANGE') return;
      logger.info('redis primary (re)discovered through the sentinels', { event: 'redis.primary-changed', reason: connection });
      healthy = true;
    });
    return sentinel;
  };
  /** What the Socket.io streams adapter calls, in the shape it calls it (it was written for a client). */
  const asClient = (sentinel: Sentinel): RedisClient => {
    const facade: Sentinel = Object.create(sentinel);
    const duplicates: Sentinel[] = [];
    Object.assign(facade, {
      sendCommand: (args: string[], commandOptions?: object) => sentinel.sendCommand(false, args, commandOptions),
      duplicate: () => {
        const duplicate = watch(create(), `${name}-duplicate`);
        duplicates.push(duplicate);
        return asClient(duplicate);
      },
      disconnect: () => sentinel.destroy(),
      // The adapter lets its blocking reader go only once its read returns; closing is now, for all of them.
      close: async () => {
        await Promise.allSettled(duplicates.splice(0).map((d) => d.destroy()));
        await sentinel.close();
      },
    });
    return facade as unknown as RedisClient;
  };
  const sentinel = watch(create(), name);
  await sentinel.connect();
  if (!options.queueWhileOffline) guardSentinel(sentinel, REDIS_COMMAND_TIMEOUT_MS, () => options.metrics?.countRedisError(name));
  return asClient(sentinel);
}

/** How often the sentinel client re-reads the topology even without an announcement. */
const SENTINEL_RESCAN_MS = 5_000;

/** Every command, transaction and pipeline of a sentinel client goes through its `_execute`: one place for the reply deadline. */
function guardSentinel(sentinel: object, defaultMs: number, onUnavailable: () => void): void {
  const internals = ((sentinel as { _self?: unknown })._self ?? sentinel) as { _execute(isReadonly: unknown, fn: unknown): Promise<unknown> };
  const execute = internals._execute.bind(internals);
  internals._execute = (isReadonly, fn) => withinMs(() => execute(isReadonly, fn), defaultMs, onUnavailable);
}
