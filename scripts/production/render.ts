/**
 * Renders the whole production kit for one Linux host from ONE env file
 * (infra/production/alcove.env.example): Caddyfile, livekit.yaml, redis.conf, the app's env,
 * the host firewall, the TURN certificate hand-over script and the systemd units.
 * Secrets are generated on first run into secrets.env (0600) beside the output and kept
 * on later runs; they are never printed and never written into the repository.
 *   tsx scripts/production/render.ts --env /etc/alcove/alcove.env [--out /etc/alcove]
 */
import { randomBytes, createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KIT = join(ROOT, 'infra/production');

/** What the operator sets (infra/production/alcove.env.example documents each). */
const REQUIRED = [
  'APP_DOMAIN', 'LIVEKIT_DOMAIN', 'TURN_DOMAIN', 'WEB_IP', 'MEDIA_IP', 'ACME_EMAIL', 'TLS_ISSUER', 'APP_PORTS',
  'LIVEKIT_HTTP_PORT', 'LIVEKIT_PROMETHEUS_PORT', 'REDIS_PORT', 'WEBHOOK_PORT', 'LIVEKIT_UDP_PORT', 'LIVEKIT_TCP_PORT',
  'TURN_UDP_PORT', 'TURN_TLS_PORT', 'TURN_RELAY_PORT_START', 'TURN_RELAY_PORT_END', 'INSTALL_DIR', 'CONFIG_DIR',
  'REDIS_DATA_DIR', 'CADDY_DATA_DIR', 'NODE_BIN', 'LIVEKIT_BIN', 'CADDY_BIN', 'REDIS_BIN', 'LOG_LEVEL',
] as const;
const OPTIONAL_DEFAULTS: Record<string, string> = {
  SSH_PORT: '22',
  // Loopback port where Caddy "serves" TURN_DOMAIN so it keeps that certificate renewed.
  TURN_CERT_HOLDER_PORT: '8449',
  TURN_CERT_OWNER: 'alcove-livekit:alcove-livekit',
  REDIS_SUPERVISED: 'systemd',
};
const SECRET_NAMES = ['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'JWT_SECRET', 'REDIS_PASSWORD'] as const;

export type KitEnv = Record<string, string>;

/** KEY=VALUE lines; `#` comments and blank lines ignored; no shell expansion. */
export function parseEnvFile(text: string): KitEnv {
  const env: KitEnv = {};
  for (const [index, raw] of text.split(/\r?\n/u).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/u.exec(line);
    if (!match) throw new Error(`line ${index + 1}: expected NAME=value`);
    env[match[1]!] = match[2]!.replace(/^"(.*)"$/u, '$1');
  }
  return env;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/iu;
const isPort = (value: string) => /^\d{1,5}$/u.test(value) && Number(value) > 0 && Number(value) < 65536;

/** Names every bad setting (never its value), like server/src/config.ts does. */
export function validateKitEnv(env: KitEnv): string[] {
  const bad: string[] = [];
  for (const name of REQUIRED) if (!env[name]) bad.push(name);
  for (const name of ['APP_DOMAIN', 'LIVEKIT_DOMAIN', 'TURN_DOMAIN'] as const) if (env[name] && !DOMAIN.test(env[name]!)) bad.push(name);
  for (const name of ['WEB_IP', 'MEDIA_IP'] as const) if (env[name] && !isIPv4(env[name]!)) bad.push(name);
  if (env.WEB_IP && env.WEB_IP === env.MEDIA_IP) bad.push('MEDIA_IP');
  if (env.TLS_ISSUER && !['acme', 'internal'].includes(env.TLS_ISSUER)) bad.push('TLS_ISSUER');
  for (const name of Object.keys(env)) if (name.endsWith('_PORT') && !isPort(env[name]!)) bad.push(name);
  const ports = (env.APP_PORTS ?? '').split(/\s+/u).filter(Boolean);
  if (ports.length === 0 || !ports.every(isPort)) bad.push('APP_PORTS');
  for (const name of ['TURN_RELAY_PORT_START', 'TURN_RELAY_PORT_END'] as const) if (env[name] && !isPort(env[name]!)) bad.push(name);
  if (Number(env.TURN_RELAY_PORT_START) >= Number(env.TURN_RELAY_PORT_END)) bad.push('TURN_RELAY_PORT_END');
  if (env.ACME_EMAIL && !/^[^@\s]+@[^@\s]+$/u.test(env.ACME_EMAIL)) bad.push('ACME_EMAIL');
  return [...new Set(bad)];
}

/**
 * Every IPv4 block except `ip`/32 (32 CIDRs), plus all of IPv6: the TURN relay's deny list,
 * so a TURN allocation can only ever reach the media server itself.
 */
export function cidrsExcept(ip: string): string[] {
  const value = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const blocks: string[] = [];
  for (let prefix = 1; prefix <= 32; prefix += 1) {
    const size = 2 ** (32 - prefix);
    // The sibling block at this prefix: same leading prefix-1 bits, bit `prefix` flipped.
    const base = Math.floor(value / size) * size;
    const sibling = Math.floor(value / size) % 2 === 0 ? base + size : base - size;
    blocks.push(`${[24, 16, 8, 0].map((shift) => Math.floor(sibling / 2 ** shift) % 256).join('.')}/${prefix}`);
  }
  return [...blocks, '::/0'];
}

/** The same `${NAME}` substitution as scripts/livekit.ts: a name without a value fails the render. */
export function renderTemplate(template: string, values: KitEnv, what: string): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/gu, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${what}: no value for ${name}`);
    return value;
  });
}

const secretText = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Keeps existing secrets; generates what is missing. */
export function ensureSecrets(path: string): KitEnv {
  const existing = existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : {};
  const secrets: KitEnv = {
    LIVEKIT_API_KEY: existing.LIVEKIT_API_KEY ?? `API${randomBytes(6).toString('hex')}`,
    LIVEKIT_API_SECRET: existing.LIVEKIT_API_SECRET ?? secretText(36),
    JWT_SECRET: existing.JWT_SECRET ?? secretText(36),
    REDIS_PASSWORD: existing.REDIS_PASSWORD ?? secretText(24),
  };
  const text = [
    '# Generated by scripts/production/render.ts. Keep this file secret and backed up (with the Redis backup):',
    '# JWT_SECRET signs therapist logins; the LiveKit pair signs media tokens; REDIS_PASSWORD guards accounts.',
    ...SECRET_NAMES.map((name) => `${name}=${secrets[name]}`),
    '',
  ].join('\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secrets;
}

export interface RenderedFile {
  path: string;
  text: string;
  mode: number;
}

/** Pure: the files for one host, from its settings and secrets. */
export function renderKit(settings: KitEnv, secrets: KitEnv, livekitVersion: string): RenderedFile[] {
  const env: KitEnv = { ...OPTIONAL_DEFAULTS, ...settings };
  const bad = validateKitEnv(env);
  if (bad.length > 0) throw new Error(`invalid or missing settings: ${bad.join(', ')}`);
  const ports = env.APP_PORTS!.split(/\s+/u).filter(Boolean);
  const values: KitEnv = {
    ...env,
    ...secrets,
    LIVEKIT_VERSION: livekitVersion,
    APP_UPSTREAMS: ports.map((port) => `127.0.0.1:${port}`).join(' '),
    TURN_DENY_PEER_CIDRS: `[${cidrsExcept(env.MEDIA_IP!).map((cidr) => `"${cidr}"`).join(", ")}]`,
    REDIS_PASSWORD_SHA256: createHash('sha256').update(secrets.REDIS_PASSWORD!).digest('hex'),
    CADDY_TLS_GLOBAL:
      env.TLS_ISSUER === 'internal'
        ? // Caddy's own CA; never let it touch the host's trust stores.
          '\tlocal_certs\n\tskip_install_trust'
        : `\temail ${env.ACME_EMAIL}`,
  };
  const read = (name: string) => readFileSync(join(KIT, name), 'utf8');
  const render = (name: string) => renderTemplate(read(name), values, name);
  const appEnv = [
    '# Rendered by scripts/production/render.ts: the environment of every alcove@<port> instance.',
    'ALCOVE_PROFILE=production',
    `PUBLIC_URL=https://${env.APP_DOMAIN}`,
    `LIVEKIT_URL=wss://${env.LIVEKIT_DOMAIN}`,
    `LIVEKIT_API_KEY=${secrets.LIVEKIT_API_KEY}`,
    `LIVEKIT_API_SECRET=${secrets.LIVEKIT_API_SECRET}`,
    `JWT_SECRET=${secrets.JWT_SECRET}`,
    `REDIS_URL=redis://alcove:${encodeURIComponent(secrets.REDIS_PASSWORD!)}@127.0.0.1:${env.REDIS_PORT}`,
    // Exactly one proxy (Caddy) in front: the client is the right-most X-Forwarded-For hop.
    'TRUST_PROXY=1',
    // Each instance's Prometheus endpoint on loopback at its app port + 10000 (alcove@8081 → 127.0.0.1:18081).
    'METRICS_PORT=+10000',
    `LOG_LEVEL=${env.LOG_LEVEL}`,
    '',
  ].join('\n');
  // What `alcove doctor` needs beyond the app's own settings.
  const doctorEnv = [
    '# Rendered by scripts/production/render.ts: what `alcove doctor` checks beyond app.env.',
    `TURN_DOMAIN=${env.TURN_DOMAIN}`,
    `TURN_TLS_PORT=443`,
    `MEDIA_IP=${env.MEDIA_IP}`,
    `WEBHOOK_URL=http://127.0.0.1:${env.WEBHOOK_PORT}/webhooks/livekit`,
    `LIVEKIT_CONFIG=${env.CONFIG_DIR}/livekit.yaml`,
    '',
  ].join('\n');
  const unit = (name: string): RenderedFile => ({ path: `systemd/${name}`, text: render(`systemd/${name}.template`), mode: 0o644 });
  return [
    { path: 'Caddyfile', text: render('Caddyfile.template'), mode: 0o644 },
    { path: 'livekit.yaml', text: render('livekit.yaml.template'), mode: 0o640 },
    { path: 'livekit.env', text: `LIVEKIT_KEYS=${secrets.LIVEKIT_API_KEY}: ${secrets.LIVEKIT_API_SECRET}\n`, mode: 0o600 },
    { path: 'redis.conf', text: render('redis.conf.template'), mode: 0o640 },
    { path: 'app.env', text: appEnv, mode: 0o600 },
    { path: 'doctor.env', text: doctorEnv, mode: 0o644 },
    { path: 'nftables.conf', text: render('nftables.conf.template'), mode: 0o644 },
    { path: 'turn-cert.sh', text: render('turn-cert.sh.template'), mode: 0o755 },
    unit('alcove@.service'),
    unit('alcove-livekit.service'),
    unit('alcove-redis.service'),
    unit('alcove-caddy.service'),
    unit('alcove-turn-cert.service'),
    unit('alcove-turn-cert.timer'),
  ];
}

/** Renders into `outDir` (default CONFIG_DIR); returns the written paths. */
export function renderInto(envFile: string, outDir?: string): { outDir: string; files: string[] } {
  const settings = parseEnvFile(readFileSync(envFile, 'utf8'));
  const target = resolve(outDir ?? settings.CONFIG_DIR ?? '.');
  const version = readFileSync(join(ROOT, 'infra/livekit/VERSION'), 'utf8').trim();
  // Validate before generating anything, so a typo leaves no half-made secrets behind.
  const bad = validateKitEnv({ ...OPTIONAL_DEFAULTS, ...settings });
  if (bad.length > 0) throw new Error(`invalid or missing settings in ${envFile}: ${bad.join(', ')}`);
  const secrets = ensureSecrets(join(target, 'secrets.env'));
  const files = renderKit(settings, secrets, version);
  for (const file of files) {
    const path = join(target, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text, { mode: file.mode });
    chmodSync(path, file.mode);
  }
  return { outDir: target, files: files.map((file) => file.path) };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  try {
    const { values } = parseArgs({ options: { env: { type: 'string' }, out: { type: 'string' } } });
    if (!values.env) throw new Error('usage: render.ts --env <alcove.env> [--out <dir>]');
    const { outDir, files } = renderInto(values.env, values.out);
    process.stdout.write(`rendered into ${outDir}:\n${files.map((f) => `  ${f}`).join('\n')}\n  secrets.env (generated once, kept)\n`);
  } catch (error) {
    process.stderr.write(`render: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
