/**
 * The practice's server, started in its namespace from the production kit itself: the env file is
 * rendered by scripts/production/render.ts exactly as on a real host (TLS_ISSUER=internal, paths
 * under a private work directory), the kit's firewall is loaded, and Redis, Caddy, LiveKit and two
 * built app instances run with the rendered files. Only the supervisor differs: this module stands
 * in for systemd (same commands, same environment files).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvFile, renderInto } from '../../scripts/production/render.ts';
import { livekitBinary } from '../../scripts/livekit.ts';
import { MEDIA_IP, NAMES, SERVER_NS, WEB_IP, runIn } from './network.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_PORTS = [8081, 8082] as const;
const LIVEKIT_HTTP_PORT = 7880;
/** Where each rehearsal file keeps its services' logs (one folder per file). */
export const LOGS_KEPT_DIR = join(ROOT, 'artifacts/rehearsal-logs');

export interface ServerStack {
  workDir: string;
  configDir: string;
  /** Caddy's internal CA root: what browsers in the rehearsal are told to trust. */
  caRootPath: string;
  secrets: Record<string, string>;
  therapist: { email: string; password: string };
  /** The app's environment as rendered (for the CLI and the doctor). */
  appEnv: Record<string, string>;
  /**
   * Stops one service as systemd would: SIGTERM (`systemctl stop`), SIGKILL after 10 s as
   * TimeoutStopSec does; or SIGKILL at once (a crash, an OOM kill).
   */
  stopService(name: RestartableService, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again with the same command and environment, and resolves once it answers. */
  startService(name: RestartableService): Promise<void>;
  /** `alcove doctor` run on the server, as the operator runs it (the built CLI, the kit's config). */
  runDoctor(): { code: number; stdout: string; stderr: string };
  /** The last lines of every service's log (LiveKit's warnings and errors only): what a failed wait prints. */
  logTails(lines?: number): string;
  stop(): Promise<void>;
}

/** The services a rehearsal takes down and brings back: the TLS front and the media server. */
export type RestartableService = 'caddy' | 'livekit';
const STOP_TIMEOUT_MS = 10_000;

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000, process?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    if (process && process.exitCode !== null) throw new Error(`rehearsal: exited (${process.exitCode}) before ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`rehearsal: ${what} did not happen within ${timeoutMs} ms`);
}

const httpCodeInServer = (url: string, extra: string[] = []): string =>
  runIn(SERVER_NS, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', ...extra, url]).stdout;

function findCaddyCert(caddyData: string, name: string): string | null {
  const certificates = join(caddyData, 'certificates');
  if (!existsSync(certificates)) return null;
  for (const issuer of readdirSync(certificates)) {
    const path = join(certificates, issuer, name, `${name}.crt`);
    if (existsSync(path)) return path;
  }
  return null;
}

/** LiveKit logs every packet path at INFO; what explains a failure is in its warnings and errors. */
const QUIET_LOG_FILTER: Readonly<Record<string, RegExp>> = { 'livekit.log': /\t(WARN|ERROR)\t/u };

function tailsOf(logs: string, lines = 15): string {
  return readdirSync(logs)
    .map((file) => {
      const kept = readFileSync(join(logs, file), 'utf8')
        .split('\n')
        .filter((line) => line !== '' && (QUIET_LOG_FILTER[file]?.test(line) ?? true));
      return `--- ${file}\n${kept.slice(-lines).map((line) => line.slice(0, 400)).join('\n')}`;
    })
    .join('\n');
}

export async function startServerStack(name: string): Promise<ServerStack> {
  const logsKept = join(LOGS_KEPT_DIR, name);
  // The client bundle must exist (npm run setup builds it); the server is built as production runs it.
  if (!existsSync(join(ROOT, 'client/dist/index.html'))) throw new Error('client/dist is missing: run "npm run setup" first');
  const build = spawnSync('bash', [join(ROOT, 'scripts/production/build-server.sh')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`server build failed:\n${build.stdout}${build.stderr}`);

  const workDir = mkdtempSync(join(tmpdir(), 'alcr-'));
  const configDir = join(workDir, 'etc');
  const caddyData = join(workDir, 'caddy');
  const redisData = join(workDir, 'redis');
  const logs = join(workDir, 'logs');
  for (const dir of [configDir, caddyData, redisData, logs]) mkdirSync(dir, { recursive: true, mode: 0o700 });

  const envFile = join(workDir, 'alcove.env');
  writeFileSync(
    envFile,
    [
      `APP_DOMAIN=${NAMES.app}`,
      `LIVEKIT_DOMAIN=${NAMES.livekit}`,
      `TURN_DOMAIN=${NAMES.turn}`,
      `WEB_IP=${WEB_IP}`,
      `MEDIA_IP=${MEDIA_IP}`,
      'ACME_EMAIL=it@alcove.test',
      'TLS_ISSUER=internal',
      `APP_PORTS=${APP_PORTS.join(' ')}`,
      `LIVEKIT_HTTP_PORT=${LIVEKIT_HTTP_PORT}`,
      'LIVEKIT_PROMETHEUS_PORT=6789',
      'REDIS_PORT=6379',
      'WEBHOOK_PORT=8079',
      'LIVEKIT_UDP_PORT=7882',
      'LIVEKIT_TCP_PORT=7881',
      'TURN_UDP_PORT=3478',
      'TURN_TLS_PORT=443',
      'TURN_RELAY_PORT_START=30000',
      'TURN_RELAY_PORT_END=30999',
      `INSTALL_DIR=${ROOT}`,
      `CONFIG_DIR=${configDir}`,
      `REDIS_DATA_DIR=${redisData}`,
      `CADDY_DATA_DIR=${caddyData}`,
      `NODE_BIN=${process.execPath}`,
      `LIVEKIT_BIN=${livekitBinary()}`,
      'CADDY_BIN=/usr/bin/caddy',
      'REDIS_BIN=/usr/bin/redis-server',
      'LOG_LEVEL=info',
      // Differences from a systemd host: no sd_notify here, and everything runs as root.
      'REDIS_SUPERVISED=no',
      'TURN_CERT_OWNER=root:root',
      '',
    ].join('\n'),
  );
  renderInto(envFile, configDir);
  const secrets = parseEnvFile(readFileSync(join(configDir, 'secrets.env'), 'utf8'));
  const appEnv = parseEnvFile(readFileSync(join(configDir, 'app.env'), 'utf8'));

  const children: ChildProcess[] = [];
  const services = new Map<string, { command: string; args: string[]; env: Record<string, string>; child: ChildProcess }>();
  const start = (name: string, command: string, args: string[], env: Record<string, string>): ChildProcess => {
    const out = openSync(join(logs, `${name}.log`), 'a');
    // `ip netns exec` execs the command itself, so the child's pid is the service's.
    const child = spawn('ip', ['netns', 'exec', SERVER_NS, command, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir, ...env },
      stdio: ['ignore', out, out],
    });
    children.push(child);
    services.set(name, { command, args, env, child });
    return child;
  };
  const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  const stopService = async (name: RestartableService, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const service = services.get(name);
    if (!service || !isRunning(service.child)) return;
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill(signal);
    const timer = setTimeout(() => service.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const stop = async () => {
    for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // The services' logs outlive the run (git-ignored artifacts/) for diagnosing a failure; they hold
    // no secrets (the app's fields are allow-listed, LiveKit and Caddy never print keys). The work
    // directory, with the generated secrets and Redis data, is removed.
    rmSync(logsKept, { recursive: true, force: true });
    cpSync(logs, logsKept, { recursive: true });
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    // The kit's own host firewall, as on a real server.
    const firewall = runIn(SERVER_NS, 'nft', ['-f', join(configDir, 'nftables.conf')]);
    if (firewall.code !== 0) throw new Error(`server firewall: ${firewall.stderr}`);

    start('redis', '/usr/bin/redis-server', [join(configDir, 'redis.conf')], {});
    await waitFor('Redis answering with the alcove user', () =>
      runIn(SERVER_NS, 'redis-cli', ['--no-auth-warning', '-u', appEnv.REDIS_URL!, 'ping']).stdout.trim() === 'PONG',
    );

    start('caddy', '/usr/bin/caddy', ['run', '--config', join(configDir, 'Caddyfile'), '--adapter', 'caddyfile'], {
      XDG_DATA_HOME: caddyData,
      XDG_CONFIG_HOME: join(caddyData, 'config'),
    });
    await waitFor('Caddy issuing the TURN certificate', () => findCaddyCert(caddyData, NAMES.turn) !== null);
    const caRootPath = join(caddyData, 'pki/authorities/local/root.crt');
    await waitFor('Caddy writing its CA root', () => existsSync(caRootPath));
    const handOver = runIn(SERVER_NS, 'sh', [join(configDir, 'turn-cert.sh')]);
    if (handOver.code !== 0) throw new Error(`turn-cert.sh: ${handOver.stderr}`);

    const livekitEnv = parseEnvFile(readFileSync(join(configDir, 'livekit.env'), 'utf8'));
    const livekit = start('livekit', livekitBinary(), ['--config', join(configDir, 'livekit.yaml')], { LIVEKIT_KEYS: livekitEnv.LIVEKIT_KEYS! });
    const livekitAnswers = () => httpCodeInServer(`http://127.0.0.1:${LIVEKIT_HTTP_PORT}/`) === '200';
    await waitFor('LiveKit answering on loopback', livekitAnswers, 30_000, livekit);

    // The app reaches LiveKit's API by its public name through Caddy; Node trusts the rehearsal's CA.
    for (const port of APP_PORTS) {
      start(`app-${port}`, process.execPath, [join(ROOT, 'dist/server/main.js')], {
        ...appEnv,
        HOST: '127.0.0.1',
        PORT: String(port),
        NODE_ENV: 'production',
        NODE_EXTRA_CA_CERTS: caRootPath,
      });
    }
    for (const port of APP_PORTS) await waitFor(`app instance ${port} ready`, () => httpCodeInServer(`http://127.0.0.1:${port}/readyz`) === '200');
    const appThroughCaddy = () => httpCodeInServer(`https://${NAMES.app}/readyz`, ['--cacert', caRootPath]) === '200';
    await waitFor('the app answering through Caddy', appThroughCaddy);
    const startService = async (name: RestartableService) => {
      const service = services.get(name);
      if (!service) throw new Error(`rehearsal: no service ${name}`);
      if (isRunning(service.child)) return;
      const child = start(name, service.command, service.args, service.env);
      if (name === 'caddy') await waitFor('the app answering through Caddy again', appThroughCaddy, 30_000, child);
      else await waitFor('LiveKit answering on loopback again', livekitAnswers, 30_000, child);
    };

    const therapist = { email: 'dr.rehearsal@alcove.test', password: randomBytes(18).toString('base64url') };
    const add = runIn(
      SERVER_NS,
      'env',
      [...Object.entries(appEnv).map(([k, v]) => `${k}=${v}`), process.execPath, join(ROOT, 'dist/server/cli.js'), 'therapist', 'add', '--email', therapist.email, '--name', 'Dr. Rehearsal', '--password-stdin'],
      `${therapist.password}\n`,
    );
    if (add.code !== 0) throw new Error(`therapist add failed: ${add.stderr}`);

    const runDoctor = () =>
      runIn(SERVER_NS, 'env', [
        `NODE_EXTRA_CA_CERTS=${caRootPath}`,
        `PATH=${process.env.PATH ?? ''}`,
        process.execPath,
        join(ROOT, 'dist/server/cli.js'),
        'doctor',
        '--config-dir',
        configDir,
      ]);
    return { workDir, configDir, caRootPath, secrets, therapist, appEnv, stopService, startService, runDoctor, logTails: (lines) => tailsOf(logs, lines), stop };
  } catch (error) {
    const tail = tailsOf(logs, 15);
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`);
  }
}
