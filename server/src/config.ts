/**
 * The only reader of process.env. Every value is coerced and validated once at
 * start-up; a bad variable is named (never its value) and the process exits.
 * Secrets have defaults only in the explicit local-dev profile.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { AUDIT_RETENTION_DAYS_DEFAULT } from './observability/audit-trail.ts';

/** Dev-only defaults; identical to infra/livekit/livekit.local.yaml's keys. Never used outside ALCOVE_PROFILE=local. */
export const LOCAL_DEV_DEFAULTS = {
  LIVEKIT_API_KEY: 'alcove-local-key',
  LIVEKIT_API_SECRET: 'alcove-local-secret-not-for-production-0000',
  JWT_SECRET: 'alcove-local-jwt-secret-not-for-production-00000',
} as const;

const MIN_SECRET_CHARS = 32;
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  ALCOVE_PROFILE: z.enum(['local', 'production']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFrom(0, 65535).default(8080),
  PUBLIC_URL: z.url().optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  // A hop count or trusted subnets, never "trust everything": see parseTrustProxy.
  TRUST_PROXY: z.string().default('false'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//u).default(DEFAULT_REDIS_URL),
  // Redis Sentinel instead of one URL: `host:port,host:port,…` and the monitored primary's name.
  REDIS_SENTINELS: z.string().min(1).optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/u).optional(),
  // The data nodes' ACL user and password (the plain URL carries its own), and the sentinels' own.
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,40}$/u).default('alcove:'),
  // Accounts and the audit trail live in Redis: production refuses one that keeps nothing on disk.
  REDIS_REQUIRE_PERSISTENCE: z.enum(['true', 'false']).optional(),
  LIVEKIT_URL: z.string().regex(/^wss?:\/\//u).default('ws://127.0.0.1:7880'),
  LIVEKIT_API_KEY: z.string().min(3).optional(),
  LIVEKIT_API_SECRET: z.string().min(MIN_SECRET_CHARS).optional(),
  LIVEKIT_TOKEN_TTL_SECONDS: intFrom(60, 600).default(120),
  JWT_SECRET: z.string().min(MIN_SECRET_CHARS).optional(),
  AUTH_ABSOLUTE_HOURS: intFrom(1, 12).default(12),
  // Fractions allowed (tests use a few seconds).
  AUTH_IDLE_MINUTES: z.coerce.number().min(0.05).max(720).default(15),
  WAITING_GRACE_SECONDS: intFrom(5, 3600).default(60),
  INVITE_OPENS_BEFORE_MINUTES: intFrom(0, 24 * 60).default(30),
  INVITE_CLOSES_AFTER_MINUTES: intFrom(0, 24 * 60).default(30),
  DEFAULT_SESSION_MINUTES: intFrom(5, 240).default(50),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  AUDIT_RETENTION_DAYS: intFrom(1, 3650).default(AUDIT_RETENTION_DAYS_DEFAULT),
  MAX_SOCKETS_PER_IP: intFrom(1, 100_000).default(20),
  TOKEN_REQUESTS_PER_INVITE_PER_MINUTE: intFrom(1, 100_000).default(30),
  // A port, or `+N`: the app port plus N (one env file for several instances, alcove@<port>).
  METRICS_PORT: z.string().regex(/^\+?\d{1,5}$/u).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export interface Config {
  profile: 'local' | 'production';
  host: string;
  port: number;
  publicUrl: string;
  allowedOrigins: readonly string[];
  isSecure: boolean;
  trustProxy: TrustProxy;
  redis: RedisTarget & { prefix: string; requirePersistence: boolean };
  livekit: { url: string; apiKey: string; apiSecret: string; tokenTtlSeconds: number };
  auth: { jwtSecret: string; absoluteTtlSeconds: number; idleTtlSeconds: number };
  waitingRoom: { graceMs: number };
  sessions: { opensBeforeMs: number; closesAfterMs: number; defaultDurationMinutes: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  audit: { retentionMs: number };
  limits: { maxSocketsPerIp: number; tokenRequestsPerInvitePerMinute: number };
  /** The Prometheus endpoint's own listener; null when METRICS_PORT is unset (no exporter). */
  metrics: { host: string; port: number } | null;
}

/**
 * Where Redis is: one URL, or a Sentinel group (node-redis's own sentinel client follows its
 * failovers). `url` is the plain URL, kept for tools that need one; unused with `sentinel`.
 */
export interface RedisTarget {
  url: string;
  sentinel: RedisSentinelTarget | null;
}

export interface RedisSentinelTarget {
  /** The primary's name as the sentinels monitor it (`sentinel monitor <name> …`). */
  name: string;
  sentinels: readonly { host: string; port: number }[];
  username?: string;
  password?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
}

/** `host:port,host:port` (IPv6 in brackets: `[::1]:26379`); null when any entry is not one. */
export function parseSentinels(value: string): { host: string; port: number }[] | null {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const nodes: { host: string; port: number }[] = [];
  for (const entry of entries) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/u.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) return null;
    nodes.push({ host: match[1] ?? match[2]!, port });
  }
  return nodes.length > 0 ? nodes : null;
}

/**
 * Which reverse proxies may tell us the client's address (X-Forwarded-For). The client
 * address is the right-most hop that is not trusted, so a client cannot choose it.
 */
export type TrustProxy = false | { hops: number } | { subnets: readonly string[] };

/** proxy-addr's named ranges. */
const TRUSTED_SUBNET_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_PROXY_HOPS = 10;

function isSubnet(entry: string): boolean {
  if (TRUSTED_SUBNET_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/u.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** `false`/`0`, a hop count (`1` behind one proxy), or subnets (`127.0.0.1, 10.0.0.0/8, loopback`). `true` is refused. */
export function parseTrustProxy(value: string): TrustProxy | null {
  const text = value.trim();
  if (text === 'false' || text === '0') return false;
  if (/^\d+$/u.test(text)) {
    const hops = Number(text);
    return hops <= MAX_PROXY_HOPS ? { hops } : null;
  }
  const subnets = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (subnets.length === 0 || !subnets.every(isSubnet)) return null;
  return { subnets: Object.freeze(subnets) };
}

/**
 * `8090` (that port; `0` picks a free one), `+10000` (the app port plus 10000), unset (no
 * exporter). null when the result is no port, or is the app's own port.
 */
export function parseMetricsPort(value: string | undefined, appPort: number): number | null | undefined {
  if (value === undefined) return undefined;
  const port = value.startsWith('+') ? appPort + Number(value.slice(1)) : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  if (port !== 0 && port === appPort) return null;
  return port;
}

export class ConfigError extends Error {
  constructor(
    readonly variables: string[],
    message = `Invalid or missing configuration: ${variables.join(', ')}`,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    throw new ConfigError(names);
  }
  const e = parsed.data;
  const isLocal = e.ALCOVE_PROFILE === 'local';
  const secret = (name: keyof typeof LOCAL_DEV_DEFAULTS): string | undefined => e[name] ?? (isLocal ? LOCAL_DEV_DEFAULTS[name] : undefined);

  const missing: string[] = [];
  const apiKey = secret('LIVEKIT_API_KEY');
  const apiSecret = secret('LIVEKIT_API_SECRET');
  const jwtSecret = secret('JWT_SECRET');
  if (!apiKey) missing.push('LIVEKIT_API_KEY');
  if (!apiSecret) missing.push('LIVEKIT_API_SECRET');
  if (!jwtSecret) missing.push('JWT_SECRET');
  if (!isLocal) {
    if (!e.PUBLIC_URL) missing.push('PUBLIC_URL');
    for (const name of Object.keys(LOCAL_DEV_DEFAULTS) as (keyof typeof LOCAL_DEV_DEFAULTS)[]) {
      if (e[name] === LOCAL_DEV_DEFAULTS[name]) missing.push(name);
    }
  }

  let sentinel: RedisSentinelTarget | null = null;
  if (e.REDIS_SENTINELS !== undefined) {
    const sentinels = parseSentinels(e.REDIS_SENTINELS);
    if (!sentinels) missing.push('REDIS_SENTINELS');
    if (!e.REDIS_SENTINEL_NAME) missing.push('REDIS_SENTINEL_NAME');
    // One source of truth: a URL beside the sentinels would be silently ignored.
    if (e.REDIS_URL !== DEFAULT_REDIS_URL) missing.push('REDIS_URL', 'REDIS_SENTINELS');
    if (sentinels && e.REDIS_SENTINEL_NAME) {
      sentinel = Object.freeze({
        name: e.REDIS_SENTINEL_NAME,
        sentinels: Object.freeze(sentinels.map((node) => Object.freeze(node))),
        username: e.REDIS_USERNAME,
        password: e.REDIS_PASSWORD,
        sentinelUsername: e.REDIS_SENTINEL_USERNAME,
        sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
      });
    }
  } else {
    // Without sentinels these would be ignored: the plain URL carries its own user and password.
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (e[name] !== undefined) missing.push(name);
    }
  }

  const metricsPort = parseMetricsPort(e.METRICS_PORT, e.PORT);
  if (metricsPort === null) missing.push('METRICS_PORT');

  const trustProxy = parseTrustProxy(e.TRUST_PROXY);
  if (trustProxy === null) missing.push('TRUST_PROXY');

  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/u, '');
  let allowedOrigins: string[] = [];
  try {
    allowedOrigins = [new URL(publicUrl).origin];
    for (const origin of (e.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      allowedOrigins.push(new URL(origin).origin);
    }
  } catch {
    missing.push('ALLOWED_ORIGINS');
  }
  if (missing.length > 0) throw new ConfigError([...new Set(missing)]);

  return Object.freeze({
    profile: e.ALCOVE_PROFILE,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    allowedOrigins: Object.freeze([...new Set(allowedOrigins)]),
    isSecure: publicUrl.startsWith('https://'),
    trustProxy: trustProxy ? Object.freeze(trustProxy) : false,
    redis: { url: e.REDIS_URL, sentinel, prefix: e.REDIS_PREFIX, requirePersistence: (e.REDIS_REQUIRE_PERSISTENCE ?? (isLocal ? 'false' : 'true')) === 'true' },
    livekit: { url: e.LIVEKIT_URL, apiKey: apiKey!, apiSecret: apiSecret!, tokenTtlSeconds: e.LIVEKIT_TOKEN_TTL_SECONDS },
    auth: {
      jwtSecret: jwtSecret!,
      absoluteTtlSeconds: e.AUTH_ABSOLUTE_HOURS * 3600,
      idleTtlSeconds: Math.max(1, Math.round(e.AUTH_IDLE_MINUTES * 60)),
    },
    waitingRoom: { graceMs: e.WAITING_GRACE_SECONDS * 1000 },
    sessions: {
      opensBeforeMs: e.INVITE_OPENS_BEFORE_MINUTES * 60_000,
      closesAfterMs: e.INVITE_CLOSES_AFTER_MINUTES * 60_000,
      defaultDurationMinutes: e.DEFAULT_SESSION_MINUTES,
    },
    logLevel: e.LOG_LEVEL,
    audit: { retentionMs: e.AUDIT_RETENTION_DAYS * 24 * 3600_000 },
    limits: { maxSocketsPerIp: e.MAX_SOCKETS_PER_IP, tokenRequestsPerInvitePerMinute: e.TOKEN_REQUESTS_PER_INVITE_PER_MINUTE },
    metrics: metricsPort === undefined || metricsPort === null ? null : Object.freeze({ host: e.METRICS_HOST, port: metricsPort }),
  });
}
