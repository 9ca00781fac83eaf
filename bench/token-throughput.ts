/**
 * Tokens per second: the real path (`POST /api/join/token` for admitted
 * participants: invite, session, device lease, rate-limit check in Redis, then
 * signing) against the bare signing ceiling, under the same closed-loop load.
 * Rounds alternate between the two so drift on a shared machine hits both.
 */
import { HTTP_ROUTES } from '@alcove/shared';
import type { RedisClient } from '../server/src/adapters/redis/redis-client.ts';
import { createHttpTarget, runClosedLoop } from './keep-alive-http.ts';
import { createCpuMeter } from './process-metrics.ts';
import type { ServerProcess } from './bench-stack.ts';

export interface ThroughputOptions {
  concurrency: number;
  warmupMs: number;
  /** Measured time per target per round. */
  roundMs: number;
  rounds: number;
  /** Upper bound on requests per round, so a loop is bounded even on a fast machine. */
  maxRequestsPerRound: number;
}

export interface ThroughputFigures {
  tokens: number;
  failures: number;
  elapsedMs: number;
  tokensPerSecond: number;
  latenciesMs: number[];
  /** Server CPU (user + system) per token, in microseconds. */
  serverCpuUsPerToken: number;
  /** Share of a core the server used while measured. */
  serverCores: number;
  /** Share of a core this load generator used: near 1, the figure is the generator's, not the server's. */
  driverCores: number;
  /** Redis commands the server issued per token (whole Redis instance; MULTI/EXEC counted as commands). */
  redisCommandsPerToken: number | null;
  /** Redis CPU per token, microseconds (whole instance). */
  redisCpuUsPerToken: number | null;
}

interface RedisCounters {
  commands: number;
  cpuMs: number;
}

async function readRedisCounters(redis: RedisClient | null): Promise<RedisCounters | null> {
  if (!redis) return null;
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'mu').exec(info)?.[1] ?? Number.NaN);
  return { commands: field('total_commands_processed'), cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000 };
}

interface Accumulator {
  tokens: number;
  failures: number;
  elapsedMs: number;
  cpuMs: number;
  driverCpuMs: number;
  latenciesMs: number[];
  redisCommands: number;
  redisCpuMs: number;
  hasRedis: boolean;
}

export async function measureTokenThroughput(options: ThroughputOptions & {
  real: ServerProcess;
  ceiling: ServerProcess;
  floor: ServerProcess;
  /** `{invite, deviceId}` of admitted participants whose sockets hold their device lease. */
  bodies: readonly Buffer[];
  redis: RedisClient | null;
}): Promise<{ real: ThroughputFigures; ceiling: ThroughputFigures; floor: ThroughputFigures }> {
  if (options.bodies.length === 0) throw new Error('token throughput needs admitted participants');
  const targets = [
    { name: 'ceiling' as const, server: options.ceiling, http: createHttpTarget(options.ceiling.origin, options.concurrency), usesRedis: false },
    { name: 'floor' as const, server: options.floor, http: createHttpTarget(options.floor.origin, options.concurrency), usesRedis: false },
    { name: 'real' as const, server: options.real, http: createHttpTarget(options.real.origin, options.concurrency), usesRedis: true },
  ];
  const totals: Record<'real' | 'ceiling' | 'floor', Accumulator> = {
    real: { tokens: 0, failures: 0, elapsedMs: 0, cpuMs: 0, driverCpuMs: 0, latenciesMs: [], redisCommands: 0, redisCpuMs: 0, hasRedis: options.redis !== null },
    ceiling: { tokens: 0, failures: 0, elapsedMs: 0, cpuMs: 0, driverCpuMs: 0, latenciesMs: [], redisCommands: 0, redisCpuMs: 0, hasRedis: false },
    floor: { tokens: 0, failures: 0, elapsedMs: 0, cpuMs: 0, driverCpuMs: 0, latenciesMs: [], redisCommands: 0, redisCpuMs: 0, hasRedis: false },
  };
  const sendTo = (http: (typeof targets)[number]['http']) => async (index: number) => {
    const response = await http.post(HTTP_ROUTES.joinToken.path, options.bodies[index % options.bodies.length]!);
    return response.status === 200 && response.body.length > 0;
  };

  try {
    // Warm-up: JIT, connection pool, Redis pipelines.
    for (const target of targets) {
      await runClosedLoop({ concurrency: options.concurrency, durationMs: options.warmupMs, maxRequests: options.maxRequestsPerRound, send: sendTo(target.http) });
    }
    for (let round = 0; round < options.rounds; round += 1) {
      for (const target of targets) {
        const before = target.usesRedis ? await readRedisCounters(options.redis) : null;
        const cpu = createCpuMeter(target.server.pid);
        const driverCpu = process.cpuUsage();
        const result = await runClosedLoop({
          concurrency: options.concurrency,
          durationMs: options.roundMs,
          maxRequests: options.maxRequestsPerRound,
          send: sendTo(target.http),
        });
        const used = cpu.stop();
        const driverUsed = process.cpuUsage(driverCpu);
        const after = target.usesRedis ? await readRedisCounters(options.redis) : null;
        const total = totals[target.name];
        total.tokens += result.requests;
        total.failures += result.failures;
        total.elapsedMs += result.elapsedMs;
        total.cpuMs += used.cpuMs;
        total.driverCpuMs += (driverUsed.user + driverUsed.system) / 1000;
        total.latenciesMs.push(...result.latenciesMs);
        if (before && after) {
          total.redisCommands += after.commands - before.commands;
          total.redisCpuMs += after.cpuMs - before.cpuMs;
        }
      }
    }
  } finally {
    for (const target of targets) target.http.close();
  }

  const figures = (total: Accumulator): ThroughputFigures => ({
    tokens: total.tokens,
    failures: total.failures,
    elapsedMs: total.elapsedMs,
    tokensPerSecond: total.elapsedMs > 0 ? (total.tokens * 1000) / total.elapsedMs : 0,
    latenciesMs: total.latenciesMs,
    serverCpuUsPerToken: total.tokens > 0 ? (total.cpuMs * 1000) / total.tokens : Number.NaN,
    serverCores: total.elapsedMs > 0 ? total.cpuMs / total.elapsedMs : 0,
    driverCores: total.elapsedMs > 0 ? total.driverCpuMs / total.elapsedMs : 0,
    redisCommandsPerToken: total.hasRedis && total.tokens > 0 ? total.redisCommands / total.tokens : null,
    redisCpuUsPerToken: total.hasRedis && total.tokens > 0 ? (total.redisCpuMs * 1000) / total.tokens : null,
  });
  return { real: figures(totals.real), ceiling: figures(totals.ceiling), floor: figures(totals.floor) };
}
