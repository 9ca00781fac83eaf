/**
 * The stack under test, on free loopback ports: the pinned LiveKit server, the
 * Alcove app in its own Node process, and the bare token-signing ceiling in
 * another. Every process started here is stopped here, by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { spawnLivekit, waitForLivekit } from '../scripts/livekit.ts';
import { freeTcpPort, freeUdpPort } from '../test/support/free-port.ts';
import type { ChildMessage, DriverMessage, ProcessSample } from './child-messages.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const SAMPLE_TIMEOUT_MS = 10_000;
/** A snapshot of a few hundred MiB of heap takes seconds on a loaded machine. */
const SNAPSHOT_TIMEOUT_MS = 180_000;

export const BENCH_LIVEKIT_KEYS = {
  apiKey: 'alcove-bench-key',
  apiSecret: 'alcove-bench-secret-0123456789abcdef-0123',
} as const;

export interface ServerProcess {
  pid: number;
  origin: string;
  sample(options?: { collectGarbage?: boolean; resetLoopDelay?: boolean }): Promise<ProcessSample>;
  /** Writes a V8 heap snapshot of the process to `path` (bench/summarise-heap.ts reads two). */
  heapSnapshot(path: string): Promise<string>;
  stop(): Promise<void>;
}

export interface BenchStack {
  redisPrefix: string;
  livekitUrl: string;
  tokenTtlSeconds: number;
  /** The first app process (of `apps`); replaced by `restartApps`. */
  app: ServerProcess;
  /** Every app instance, all sharing Redis (the Socket.io Redis streams adapter joins them). */
  apps: ServerProcess[];
  /** Bare signing on one Express route: the ceiling issue 15's goal is set against. */
  ceiling: ServerProcess;
  /** Bare signing on Node's own HTTP server: nothing but the exchange and the signature. */
  floor: ServerProcess;
  /**
   * Stops every app instance and starts fresh ones on the same ports (all state
   * is in Redis, so nothing is lost). The bench seeds through one process and
   * measures another, so the seeding's memory (scrypt at sign-in takes 32 MiB
   * per login) does not hide in the RSS baseline.
   */
  restartApps(): Promise<ServerProcess[]>;
  /** Every process this stack runs, by name (to tell the bench's CPU from other load). */
  processes(): Record<string, number>;
  /** Where the processes' logs (and CPU profiles, when asked) are written. */
  workDir: string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  redisUrl: string;
  workDir: string;
  /** Write V8 CPU profiles of both servers into workDir (node --cpu-prof). */
  cpuProfile: boolean;
  /** Extra V8/Node flags for the app instances only (not the ceiling), e.g. `--max-semi-space-size=4`. */
  appNodeFlags?: readonly string[];
  /** How many app instances to run side by side (default 1). */
  instances?: number;
  /**
   * Ports chosen up front: a proxy in front of the instances (the drain bench) must know them,
   * and they must know its origin (`PUBLIC_URL`, Origin checks) and trust it (`TRUST_PROXY`).
   */
  front?: { publicUrl: string };
}

const started = new Set<ChildProcess>();
// If the driver dies, it takes what it started with it (by pid, nothing else).
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, request: () => void, graceMs: number): Promise<void> {
  const exited = exitOf(child);
  request();
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

async function startNodeServer(name: string, script: string, port: number, env: Record<string, string>, options: BenchStackOptions, nodeFlags: readonly string[] = []): Promise<ServerProcess> {
  const log = openSync(join(options.workDir, `${name}.log`), 'a');
  const nodeArgs = ['--import', 'tsx', '--expose-gc'];
  // One file per thread (tsx's loader runs in a worker); the main thread's is the big one.
  if (options.cpuProfile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(options.workDir, 'profiles', name)}`);
  nodeArgs.push(...nodeFlags);
  // node itself (not the tsx CLI, which would add a parent process) so the pid is the server's.
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bench', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', ...env, PORT: String(port) },
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  started.add(child);

  const waiters: ((sample: ProcessSample) => void)[] = [];
  const snapshotWaiters: ((path: string) => void)[] = [];
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS} ms (see ${name}.log)`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready (see ${join(options.workDir, `${name}.log`)})`));
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'sample') {
        waiters.shift()?.(message.sample);
      } else if (message.type === 'heap-snapshot') {
        snapshotWaiters.shift()?.(message.path);
      }
    });
  });
  const listening = await ready;
  const send = (message: DriverMessage) => child.send(message);

  return {
    pid: child.pid!,
    origin: `http://127.0.0.1:${listening}`,
    sample({ collectGarbage = false, resetLoopDelay = false } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not answer a sample within ${SAMPLE_TIMEOUT_MS} ms`)), SAMPLE_TIMEOUT_MS);
        waiters.push((sample) => {
          clearTimeout(timer);
          resolve(sample);
        });
        send({ type: 'sample', collectGarbage, resetLoopDelay });
      });
    },
    heapSnapshot(path) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not write its heap snapshot within ${SNAPSHOT_TIMEOUT_MS} ms`)), SNAPSHOT_TIMEOUT_MS);
        snapshotWaiters.push((written) => {
          clearTimeout(timer);
          resolve(written);
        });
        send({ type: 'heap-snapshot', path });
      });
    },
    stop: () => stopChild(child, () => (child.connected ? send({ type: 'stop' }) : child.kill('SIGTERM')), 15_000),
  };
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const redisPrefix = `alcove-bench-${randomBytes(6).toString('hex')}:`;
  const tokenTtlSeconds = 120;

  // The apps' ports are chosen first so LiveKit's webhooks can go straight to the first one.
  const appPorts: number[] = [];
  for (let i = 0; i < (options.instances ?? 1); i += 1) appPorts.push(await freeTcpPort());
  const appPort = appPorts[0]!;
  const livekitPort = await freeTcpPort();
  const livekit = spawnLivekit(
    {
      port: livekitPort,
      udpPort: await freeUdpPort(),
      ...BENCH_LIVEKIT_KEYS,
      webhookUrl: `http://127.0.0.1:${appPort}/webhooks/livekit`,
      workDir: join(options.workDir, 'livekit'),
      logLevel: 'warn',
    },
    'ignore',
  );
  started.add(livekit);
  const livekitExited = new Promise<never>((_, reject) => livekit.once('exit', (code) => reject(new Error(`livekit-server exited (${code}) before it was ready`))));
  await Promise.race([waitForLivekit(livekitPort), livekitExited]);
  livekitExited.catch(() => undefined);
  const livekitUrl = `ws://127.0.0.1:${livekitPort}`;

  // One secret for every instance and restart: a login made on one is valid on all.
  const jwtSecret = `bench-jwt-${randomBytes(24).toString('hex')}`;
  const appEnv = (port: number) => ({
    ALCOVE_PROFILE: 'production',
    HOST: '127.0.0.1',
    PUBLIC_URL: options.front?.publicUrl ?? `http://127.0.0.1:${port}`,
    // Behind the bench's proxy each person's own loopback address arrives in X-Forwarded-For.
    ...(options.front ? { TRUST_PROXY: 'loopback' } : {}),
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: redisPrefix,
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: BENCH_LIVEKIT_KEYS.apiKey,
    LIVEKIT_API_SECRET: BENCH_LIVEKIT_KEYS.apiSecret,
    LIVEKIT_TOKEN_TTL_SECONDS: String(tokenTtlSeconds),
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'info',
    // The bench measures on the machine's throwaway Redis, which keeps nothing on disk.
    REDIS_REQUIRE_PERSISTENCE: 'false',
    // The throughput rounds ask for tokens for the same invites thousands of
    // times a minute, which the per-invite limit (default 30/min) would refuse.
    // Raising the threshold keeps the work identical: the counter is still hit
    // on every request. Every other limit stays at its production default.
    TOKEN_REQUESTS_PER_INVITE_PER_MINUTE: '100000',
  });
  const appName = (index: number) => (index === 0 ? 'app' : `app${index + 1}`);
  const startApps = () => Promise.all(appPorts.map((port, index) => startNodeServer(appName(index), 'server-process.ts', port, appEnv(port), options, options.appNodeFlags)));
  let apps = await startApps();
  const signingEnv = {
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: BENCH_LIVEKIT_KEYS.apiKey,
    LIVEKIT_API_SECRET: BENCH_LIVEKIT_KEYS.apiSecret,
    LIVEKIT_TOKEN_TTL_SECONDS: String(tokenTtlSeconds),
  };
  const ceiling = await startNodeServer('ceiling', 'ceiling-server.ts', await freeTcpPort(), { ...signingEnv, CEILING_HTTP: 'express' }, options);
  const floor = await startNodeServer('floor', 'ceiling-server.ts', await freeTcpPort(), { ...signingEnv, CEILING_HTTP: 'node' }, options);

  const stack: BenchStack = {
    redisPrefix,
    livekitUrl,
    tokenTtlSeconds,
    app: apps[0]!,
    apps,
    ceiling,
    floor,
    workDir: options.workDir,
    processes: () => ({ ...Object.fromEntries(apps.map((app, index) => [appName(index), app.pid])), ceiling: ceiling.pid, floor: floor.pid, livekit: livekit.pid ?? 0 }),
    async restartApps() {
      await Promise.all(apps.map((app) => app.stop()));
      apps = await startApps();
      stack.apps = apps;
      stack.app = apps[0]!;
      return apps;
    },
    async stop() {
      await Promise.allSettled([...apps.map((app) => app.stop()), ceiling.stop(), floor.stop()]);
      await stopChild(livekit, () => livekit.kill('SIGTERM'), 10_000);
    },
  };
  return stack;
}
