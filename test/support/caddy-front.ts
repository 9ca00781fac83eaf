/**
 * Debian's Caddy as the proxy in front of several app instances or LiveKit nodes, on loopback:
 * what a deploy or a dead node looks like from a browser. Its upstream choice is made deterministic for tests (`first`:
 * every connection goes to the first instance that accepts), and a refused connect moves on to
 * the next one, as `lb_try_duration` does in the production Caddyfile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.ts';
import { freeTcpPort } from './free-port.ts';

export interface CaddyFront {
  origin: string;
  stop(): Promise<void>;
}

export interface CaddyFrontOptions {
  /** When the instances behind must know the front's origin before it starts (their PUBLIC_URL). */
  port?: number;
  /** What answers 200 once an upstream is up: the app's `/healthz` (default), LiveKit's `/`. */
  readyPath?: string;
}

export async function startCaddyFront(upstreamPorts: readonly number[], options: CaddyFrontOptions = {}): Promise<CaddyFront> {
  const port = options.port ?? (await freeTcpPort());
  const dir = mkdtempSync(join(tmpdir(), 'alcove-caddy-'));
  const config = join(dir, 'Caddyfile');
  writeFileSync(
    config,
    [
      '{',
      '\tadmin off',
      '\tauto_https off',
      '}',
      `http://127.0.0.1:${port} {`,
      `\treverse_proxy ${upstreamPorts.map((p) => `127.0.0.1:${p}`).join(' ')} {`,
      '\t\tlb_policy first',
      '\t\tlb_try_duration 5s',
      '\t\tlb_try_interval 100ms',
      // A refused connect takes that instance out for a while (passive health), so `first` moves on.
      '\t\tfail_duration 30s',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
  const lines: string[] = [];
  const child: ChildProcess = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const exited = await eventually(async () => {
      if (child.exitCode !== null) return 'exited';
      return fetch(`${origin}${options.readyPath ?? '/healthz'}`).then((r) => r.ok && 'answering', () => false);
    }, 'Caddy answering in front of its upstreams');
    if (exited === 'exited') throw new Error(`caddy exited (${child.exitCode}):\n${lines.join('')}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, stop };
}
