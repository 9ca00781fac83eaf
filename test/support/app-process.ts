/**
 * The real server entry point (server/src/main.ts) in a child process, so a test can
 * see what an outsider sees: whether the process stays up, and every line it writes.
 * In-process test apps (test-app.ts) would turn a crash into a failed mocha run instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeTcpPort } from './free-port.ts';
import { livekitStack } from './livekit-stack.ts';
import { TEST_REDIS_URL } from './stack-hooks.ts';
import { randomPrefix } from './test-app.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AppProcess {
  origin: string;
  port: number;
  /** Its Redis key prefix, for tests that seed accounts directly. */
  redisPrefix: string;
  /** Every stdout and stderr line, in order, tagged with its stream. */
  lines: { stream: 'stdout' | 'stderr'; text: string }[];
  /** Resolves with the exit code (or signal name) if the process ends. */
  exited: Promise<number | string>;
  isRunning(): boolean;
  /** Sends a signal (e.g. SIGKILL, as a crash or an OOM kill would) and resolves when the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startAppProcess(env: Record<string, string> = {}): Promise<AppProcess> {
  const livekit = await livekitStack();
  const port = await freeTcpPort();
  const origin = `http://127.0.0.1:${port}`;
  const redisPrefix = env.REDIS_PREFIX ?? randomPrefix();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ALCOVE_PROFILE: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: origin,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: livekit.apiKey,
      LIVEKIT_API_SECRET: livekit.apiSecret,
      JWT_SECRET: 'test-jwt-secret-0123456789abcdef-0123456789',
      LOG_LEVEL: 'debug',
      REDIS_REQUIRE_PERSISTENCE: 'false', // see test-app.ts
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: AppProcess['lines'] = [];
  let running = true;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  let resolveStarted: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) {
        if (text === '') continue;
        lines.push({ stream, text });
        if (stream === 'stdout' && text.includes('"event":"server.started"')) resolveStarted();
      }
    });
  }
  // Never outlive the test run; the listener goes with the child (many apps start in one run).
  const killWithRun = () => child.kill('SIGKILL');
  process.once('exit', killWithRun);
  child.once('exit', () => process.off('exit', killWithRun));
  const early = await Promise.race([started.then(() => null), exited]);
  if (early !== null) throw new Error(`the app exited (${early}) before it listened:\n${lines.map((l) => l.text).join('\n')}`);
  return {
    origin,
    port,
    redisPrefix,
    lines,
    exited,
    isRunning: () => running,
    async kill(signal) {
      if (!running) return;
      child.kill(signal);
      await exited;
    },
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Lines that are not one JSON object each (a stack trace, a library's console output). */
export function unstructuredLines(app: AppProcess): string[] {
  return app.lines
    .filter(({ text }) => {
      try {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed);
      } catch {
        return true;
      }
    })
    .map(({ stream, text }) => `${stream}: ${text}`);
}
