/**
 * A private redis-server for tests that stop and restart Redis, on a free port
 * and a temporary data folder. It persists every write (append-only file,
 * fsync always), so stopping and starting it is a real outage — the port
 * refuses connections — after which the data is back, as with a Redis restart
 * or failover in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './free-port.ts';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RedisProcess {
  url: string;
  port: number;
  isRunning(): boolean;
  /** Shuts Redis down (SIGTERM: it finishes the append-only file and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered — a stalled Redis. */
  pause(): void;
  /** Lets a paused Redis run again (SIGCONT). */
  resume(): void;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'alcove-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', 'always',
    '--dir', dir,
    '--logfile', '',
    '--daemonize', 'no',
  ];
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000);
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not run redis-server (is it installed?): ${error.message}`));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        if (child === proc) child = null;
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
      });
    });
    // Keep draining its output so a full pipe can never block it.
    proc.stdout?.resume();
    proc.stderr?.resume();
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    if (child === proc) child = null;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    isRunning: () => child !== null,
    stop,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async close() {
      child?.kill('SIGCONT'); // a stopped process ignores SIGTERM until it runs again
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
