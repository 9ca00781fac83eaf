/**
 * The IO half of `alcove doctor`: reads the rendered settings and probes the running deployment
 * from the operator's shell. Every probe has a timeout and turns failures into short reasons
 * (error codes, never response bodies or secrets).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import tls from 'node:tls';
import { join } from 'node:path';
import { createClient, createSentinel } from 'redis';
import { parseSentinels, type RedisSentinelTarget } from '../../config.ts';
import type { DoctorFacts, DoctorSettings, HttpsFacts, Probe } from './facts.ts';

const PROBE_TIMEOUT_MS = 5_000;

/** KEY=VALUE lines as the renderer writes them. */
export function parseEnvText(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/u)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/u.exec(line);
    if (match) env[match[1]!] = match[2]!.trim();
  }
  return env;
}

/** The webhook section of livekit.yaml (api_key and urls), read without a YAML dependency. */
export function parseLivekitWebhook(yaml: string): { apiKey: string | undefined; urls: string[] } {
  const section = /^webhook:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/mu.exec(yaml)?.[1] ?? '';
  const apiKey = /^\s+api_key:\s*(\S+)/mu.exec(section)?.[1];
  const urls = [...section.matchAll(/^\s+-\s*(\S+)/gmu)].map((m) => m[1]!);
  return { apiKey, urls };
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

function sentinelOf(app: Record<string, string>): RedisSentinelTarget | null {
  const sentinels = app.REDIS_SENTINELS ? parseSentinels(app.REDIS_SENTINELS) : null;
  if (!sentinels || !app.REDIS_SENTINEL_NAME) return null;
  return {
    name: app.REDIS_SENTINEL_NAME,
    sentinels,
    username: app.REDIS_USERNAME,
    password: app.REDIS_PASSWORD,
    sentinelUsername: app.REDIS_SENTINEL_USERNAME,
    sentinelPassword: app.REDIS_SENTINEL_PASSWORD,
  };
}

export function readSettings(configDir: string): DoctorSettings {
  const appEnvPath = join(configDir, 'app.env');
  const app = parseEnvText(readText(appEnvPath) ?? '');
  const doctor = parseEnvText(readText(join(configDir, 'doctor.env')) ?? '');
  const livekitYaml = readText(join(configDir, 'livekit.yaml')) ?? (doctor.LIVEKIT_CONFIG ? readText(doctor.LIVEKIT_CONFIG) : null);
  let appEnvMode: number | undefined;
  try {
    appEnvMode = statSync(appEnvPath).mode;
  } catch {
    appEnvMode = undefined;
  }
  return {
    publicUrl: app.PUBLIC_URL,
    livekitUrl: app.LIVEKIT_URL,
    livekitApiKey: app.LIVEKIT_API_KEY,
    livekitApiSecret: app.LIVEKIT_API_SECRET,
    jwtSecret: app.JWT_SECRET,
    redisUrl: app.REDIS_URL,
    redisSentinel: sentinelOf(app),
    trustProxy: app.TRUST_PROXY,
    turnDomain: doctor.TURN_DOMAIN,
    turnTlsPort: doctor.TURN_TLS_PORT ? Number(doctor.TURN_TLS_PORT) : undefined,
    webhookUrl: doctor.WEBHOOK_URL,
    appEnvMode,
    livekitWebhook: livekitYaml === null ? null : parseLivekitWebhook(livekitYaml),
  };
}

/** An error code (ECONNREFUSED, CERT_HAS_EXPIRED, Redis's WRONGPASS…), never a message that could echo a secret. */
const reason = (error: unknown): string => {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  const redisCode = error instanceof Error ? /^([A-Z]{3,20})\b/u.exec(error.message)?.[1] : undefined;
  return redisCode ?? (error instanceof Error ? error.name : 'unknown error');
};

const daysLeft = (validTo: string | undefined): number => (validTo ? (Date.parse(validTo) - Date.now()) / 86_400_000 : 0);

function probeHttps(url: string): Promise<Probe<HttpsFacts>> {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    const request = https.get(url, { timeout: PROBE_TIMEOUT_MS, agent: false }, (response) => {
      const receivedAt = Date.now();
      const cert = (response.socket as TLSSocket).getPeerCertificate();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
      response.resume();
      resolve({ ok: true, status: response.statusCode ?? 0, headers, certDaysLeft: daysLeft(cert.valid_to), localTimeMs: (sentAt + receivedAt) / 2 });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => resolve({ ok: false, error: reason(error) }));
  });
}

function probePlainHttp(host: string): Promise<DoctorFacts['plainHttp']> {
  return new Promise((resolve) => {
    const request = http.get({ host, port: 80, path: '/', timeout: PROBE_TIMEOUT_MS, agent: false }, (response) => {
      response.resume();
      resolve({ ok: true, status: response.statusCode ?? 0, location: response.headers.location });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => resolve({ ok: false, error: reason(error) }));
  });
}

/** A real WebSocket upgrade of Socket.io's endpoint (no client library: this runs with plain node). */
function probeWebSocket(publicUrl: string): Promise<DoctorFacts['websocket']> {
  return new Promise((resolve) => {
    const url = new URL('/socket.io/?EIO=4&transport=websocket', publicUrl);
    const request = https.request(url, {
      timeout: PROBE_TIMEOUT_MS,
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        Origin: new URL(publicUrl).origin,
      },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ ok: true, status: response.statusCode ?? 0 });
    });
    request.on('response', (response) => {
      response.resume();
      resolve({ ok: true, status: response.statusCode ?? 0 });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => resolve({ ok: false, error: reason(error) }));
    request.end();
  });
}

function probeTlsHandshake(host: string, port: number): Promise<DoctorFacts['turnTls']> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername: host, timeout: PROBE_TIMEOUT_MS }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve({ ok: true, certDaysLeft: daysLeft(cert.valid_to) });
    });
    socket.on('timeout', () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.on('error', (error) => resolve({ ok: false, error: reason(error) }));
  });
}

function probeWebhook(url: string): Promise<DoctorFacts['webhook']> {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.request(url, { method: 'POST', timeout: PROBE_TIMEOUT_MS, agent: false, headers: { 'Content-Type': 'application/webhook+json' } }, (response) => {
      response.resume();
      resolve({ ok: true, status: response.statusCode ?? 0 });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => resolve({ ok: false, error: reason(error) }));
    request.end('{}');
  });
}

/** The primary the sentinels name, asked through node-redis's sentinel client as the app does. */
function sentinelProbeClient(target: RedisSentinelTarget) {
  return createSentinel({
    name: target.name,
    sentinelRootNodes: target.sentinels.map((node) => ({ ...node })),
    // One discovery round, not the client's patient retries (nor its console output): the doctor reports, it does not wait.
    maxCommandRediscovers: 0,
    nodeClientOptions: {
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      disableOfflineQueue: true,
      socket: { connectTimeout: PROBE_TIMEOUT_MS, reconnectStrategy: false },
    },
    sentinelClientOptions: {
      ...(target.sentinelUsername !== undefined && { username: target.sentinelUsername }),
      ...(target.sentinelPassword !== undefined && { password: target.sentinelPassword }),
      socket: { connectTimeout: PROBE_TIMEOUT_MS },
    },
  });
}

async function probeRedis(where: string | RedisSentinelTarget): Promise<DoctorFacts['redis']> {
  const client =
    typeof where === 'string'
      ? createClient({ url: where, disableOfflineQueue: true, socket: { connectTimeout: PROBE_TIMEOUT_MS, reconnectStrategy: false } })
      : sentinelProbeClient(where);
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), 2 * PROBE_TIMEOUT_MS);
    });
    await Promise.race([client.connect(), deadline]);
    const info = await client.info('persistence');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'mu').exec(info)?.[1]?.trim();
    let rdbSavePoints: boolean;
    try {
      rdbSavePoints = ((await client.configGet('save')).save ?? '').trim() !== '';
    } catch {
      // CONFIG may be refused (a managed Redis): a successful last snapshot shows snapshots are on.
      rdbSavePoints = field('rdb_last_bgsave_status') === 'ok' && field('rdb_last_save_time') !== '0';
    }
    return {
      ok: true,
      aofEnabled: field('aof_enabled') === '1',
      rdbSavePoints,
      lastWriteOk: field('rdb_last_bgsave_status') !== 'err' && field('aof_last_write_status') !== 'err',
    };
  } catch (error) {
    return { ok: false, error: reason(error) };
  } finally {
    clearTimeout(timer);
    await client.destroy();
  }
}

const missing = (what: string): { ok: false; error: string } => ({ ok: false, error: `${what} is not configured` });

export async function gatherFacts(configDir: string): Promise<DoctorFacts> {
  const settings = readSettings(configDir);
  const publicUrl = settings.publicUrl;
  const livekitHttps = settings.livekitUrl?.replace(/^ws/u, 'http');
  const [app, plainHttp, websocket, livekit, turnTls, webhook, redis] = await Promise.all([
    publicUrl ? probeHttps(publicUrl) : missing('PUBLIC_URL'),
    publicUrl ? probePlainHttp(new URL(publicUrl).hostname) : missing('PUBLIC_URL'),
    publicUrl?.startsWith('https://') ? probeWebSocket(publicUrl) : missing('an https PUBLIC_URL'),
    livekitHttps?.startsWith('https://') ? probeHttps(livekitHttps) : missing('a wss LIVEKIT_URL'),
    settings.turnDomain ? probeTlsHandshake(settings.turnDomain, settings.turnTlsPort ?? 443) : missing('TURN_DOMAIN'),
    settings.webhookUrl ? probeWebhook(settings.webhookUrl) : missing('WEBHOOK_URL'),
    settings.redisSentinel ? probeRedis(settings.redisSentinel) : settings.redisUrl ? probeRedis(settings.redisUrl) : missing('REDIS_URL'),
  ]);
  return { settings, app, plainHttp, websocket, livekit, turnTls, webhook, redis };
}
