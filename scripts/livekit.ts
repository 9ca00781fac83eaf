/**
 * Renders the loopback-only LiveKit config and runs the pinned livekit-server.
 * Used by the local stack (`start-local.sh`) and by the integration test harness.
 *   tsx scripts/livekit.ts path            prints the binary the project uses
 *   tsx scripts/livekit.ts run             runs it in the foreground with env settings
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LIVEKIT_VERSION = readFileSync(join(ROOT, 'infra/livekit/VERSION'), 'utf8').trim();

export interface LivekitOptions {
  port: number;
  udpPort: number;
  apiKey: string;
  apiSecret: string;
  webhookUrl: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where the rendered config and log go. */
  workDir: string;
  /**
   * LiveKit's distributed mode: nodes sharing this Redis (`host:port`) route signalling and
   * rooms among themselves and place each room on one of them. Without it: one node, no Redis.
   */
  redisAddress?: string;
}

/** The project-local binary installed by scripts/setup.sh (or one on PATH, checked there). */
export function livekitBinary(): string {
  const local = join(ROOT, '.local/bin', `livekit-server-${LIVEKIT_VERSION}`);
  if (existsSync(local)) return local;
  throw new Error(`livekit-server ${LIVEKIT_VERSION} is not installed: run "npm run setup"`);
}

export function renderLivekitConfig(options: LivekitOptions): string {
  const values: Record<string, string> = {
    LIVEKIT_PORT: String(options.port),
    LIVEKIT_UDP_PORT: String(options.udpPort),
    LIVEKIT_API_KEY: options.apiKey,
    LIVEKIT_WEBHOOK_URL: options.webhookUrl,
    LIVEKIT_LOG_LEVEL: options.logLevel ?? 'warn',
  };
  const template = readFileSync(join(ROOT, 'infra/livekit/livekit.yaml.template'), 'utf8');
  const rendered = template.replace(/\$\{([A-Z_]+)\}/gu, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`livekit config: no value for ${name}`);
    return value;
  });
  return options.redisAddress ? `${rendered}redis:\n  address: ${options.redisAddress}\n` : rendered;
}

export function spawnLivekit(options: LivekitOptions, stdio: 'inherit' | 'ignore' | 'pipe' = 'pipe'): ChildProcess {
  mkdirSync(options.workDir, { recursive: true });
  const configPath = join(options.workDir, 'livekit.yaml');
  writeFileSync(configPath, renderLivekitConfig(options), { mode: 0o600 });
  return spawn(livekitBinary(), ['--config', configPath], {
    // Keys through the environment: they never touch the rendered file.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LIVEKIT_KEYS: `${options.apiKey}: ${options.apiSecret}` },
    stdio: ['ignore', stdio, stdio],
  });
}

/** Waits until LiveKit answers HTTP on its port. */
export async function waitForLivekit(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`LiveKit did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const command = process.argv[2];
  if (command === 'path') {
    process.stdout.write(livekitBinary() + '\n');
  } else if (command === 'run') {
    const env = process.env;
    const child = spawnLivekit(
      {
        port: Number(env.LIVEKIT_PORT ?? 7880),
        udpPort: Number(env.LIVEKIT_UDP_PORT ?? 7882),
        apiKey: env.LIVEKIT_API_KEY ?? '',
        apiSecret: env.LIVEKIT_API_SECRET ?? '',
        webhookUrl: env.LIVEKIT_WEBHOOK_URL ?? 'http://127.0.0.1:8080/webhooks/livekit',
        logLevel: (env.LIVEKIT_LOG_LEVEL as LivekitOptions['logLevel']) ?? 'warn',
        workDir: join(ROOT, '.local/livekit'),
      },
      'inherit',
    );
    const stop = () => child.kill('SIGTERM');
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    child.on('exit', (code) => process.exit(code ?? 1));
  } else {
    process.stderr.write('usage: tsx scripts/livekit.ts <path|run>\n');
    process.exit(64);
  }
}
