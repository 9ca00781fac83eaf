/**
 * Debian's Caddy as the proxy in front of several app instances or LiveKit nodes, on loopback:
 * what a deploy or a dead node looks like from a browser. A refused connect moves on to the next
 * upstream, as `lb_try_duration` does in the production Caddyfile; how upstreams are chosen is
 * the test's (`CaddyFrontOptions.balance`).
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
  /**
   * `first` (default): every connection to the first upstream that accepts it, so a test knows
   * where its people are; a refused connect takes that upstream out for 2 s. `round-robin`: as the
   * production Caddyfile balances, with an active health check on `readyPath` every second — for
   * upstreams that fail requests they cannot serve (LiveKit nodes routing to a dead one), which
   * passive health would count against a node that is fine.
   */
  balance?: 'first' | 'round-robin';
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
      '\t\tlb_try_duration 5s',
      '\t\tlb_try_interval 100ms',
      ...(options.balance === 'round-robin'
        ? ['\t\tlb_policy round_robin', `\t\thealth_uri ${options.readyPath ?? '/healthz'}`, '\t\thealth_interval 1s', '\t\thealth_timeout 1s']
        : // Briefly, so an upstream that comes back (a restarted instance) is used again within seconds.
          ['\t\tlb_policy first', '\t\tfail_duration 2s']),
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
