/**
 * A Redis Sentinel group for tests, all on loopback and on ports drawn below the ephemeral range:
 * one primary and one replica (append-only file, fsync always, as redis-process.ts) and three
 * sentinels (quorum 2) watching them, each a real `redis-server` process (`--sentinel` for the
 * sentinels: no other package). Failover is quick on purpose (the primary is taken for dead
 * after 3 s without an answer: long enough to ask for decisions meanwhile) and bounded: every wait here has a deadline and fails loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freeTcpPort } from './free-port.ts';
import { eventually } from './eventually.ts';

const START_TIMEOUT_MS = 10_000;
const TOPOLOGY_TIMEOUT_MS = 30_000;
export const SENTINEL_DOWN_AFTER_MS = 3_000;

interface Node {
  role: 'primary' | 'replica' | 'sentinel';
  port: number;
  child: ChildProcess | null;
}

export interface RedisSentinelGroup {
  /** The name the sentinels monitor the primary under. */
  name: string;
  sentinels: { host: string; port: number }[];
  /** `REDIS_SENTINELS` for the app. */
  sentinelsEnv: string;
  primaryPort: number;
  replicaPort: number;
  /** The data node's port the sentinels name as primary now (asks a sentinel). */
  currentPrimaryPort(): Promise<number | null>;
  /**
   * Waits until the replica has every write the primary has acknowledged so far: a write of our
   * own, then WAIT for one replica to confirm it (replication is ordered: what came before is
   * there too), then the replica's offset read back. State, not time.
   */
  waitForReplicaInSync(): Promise<{ primaryOffset: number; replicaOffset: number }>;
  /** Connections the sentinels have accepted so far, summed (INFO stats): what clients cost them. */
  sentinelConnectionsReceived(): Promise<number>;
  /** kill -9 the node that is primary at the start. */
  killPrimary(): void;
  /** Stops every process and deletes the data. Safe to call twice and after a failure. */
  close(): Promise<void>;
}

function waitForLine(proc: ChildProcess, marker: string, what: string): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes(marker)) {
        clearTimeout(timer);
        // Keep draining its output so a full pipe can never block it.
        proc.stdout?.resume();
        proc.stderr?.resume();
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run redis-server for ${what}: ${error.message}`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    });
  });
}

async function withClient<T>(port: number, work: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** `SENTINEL <args>` on one sentinel, as the flat reply. */
function askSentinel(port: number, args: string[]): Promise<unknown> {
  return withClient(port, (client) => client.sendCommand(['SENTINEL', ...args]));
}

/** A flat [k, v, k, v] reply (or RESP3 map) as an object. */
function asRecord(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
    return record;
  }
  return Object.fromEntries(Object.entries(reply as object).map(([k, v]) => [k, String(v)]));
}

export async function startRedisSentinelGroup(name = 'alcove-test'): Promise<RedisSentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'alcove-sentinel-'));
  const nodes: Node[] = [];
  const spawnNode = async (role: Node['role'], args: string[], marker: string): Promise<Node> => {
    const node: Node = { role, port: Number(args[args.indexOf('--port') + 1]), child: null };
    nodes.push(node);
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    node.child = proc;
    proc.once('exit', () => {
      if (node.child === proc) node.child = null;
    });
    await waitForLine(proc, marker, `the ${role} on port ${node.port}`);
    return node;
  };
  const dataArgs = (port: number, folder: string) => {
    const path = join(dir, folder);
    mkdirSync(path, { recursive: true });
    return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', `${path}`, '--logfile', '', '--daemonize', 'no'];
  };

  const close = async () => {
    await Promise.all(
      nodes.map(async (node) => {
        const proc = node.child;
        if (!proc) return;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGCONT');
        proc.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const primary = await spawnNode('primary', dataArgs(await freeTcpPort(), 'primary'), 'Ready to accept connections');
    const replica = await spawnNode('replica', [...dataArgs(await freeTcpPort(), 'replica'), '--replicaof', '127.0.0.1', String(primary.port)], 'Ready to accept connections');
    const sentinels: Node[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freeTcpPort();
      const conf = join(dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its own config file as it learns the topology: one per sentinel.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} ${SENTINEL_DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await spawnNode('sentinel', [conf, '--sentinel', '--port', String(port), '--logfile', '', '--daemonize', 'no'], '+monitor master'));
    }

    // A failover needs the sentinels to know the replica and each other (they learn it over hello messages).
    await eventually(
      async () => {
        for (const sentinel of sentinels) {
          const replicas = (await askSentinel(sentinel.port, ['REPLICAS', name])) as unknown[];
          const peers = (await askSentinel(sentinel.port, ['SENTINELS', name])) as unknown[];
          const known = replicas.map(asRecord).some((r) => Number(r.port) === replica.port && !/s_down|disconnected/u.test(r.flags ?? ''));
          if (!known || peers.length < 2) return false;
        }
        return true;
      },
      'every sentinel to know the replica and the two other sentinels',
      TOPOLOGY_TIMEOUT_MS,
    );

    return {
      name,
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      sentinelsEnv: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      primaryPort: primary.port,
      replicaPort: replica.port,
      async currentPrimaryPort() {
        for (const sentinel of sentinels) {
          if (!sentinel.child) continue;
          try {
            const reply = (await askSentinel(sentinel.port, ['GET-MASTER-ADDR-BY-NAME', name])) as string[] | null;
            if (reply) return Number(reply[1]);
          } catch {
            // the next sentinel answers
          }
        }
        return null;
      },
      async waitForReplicaInSync() {
        const primaryOffset = await withClient(primary.port, async (client) => {
          await client.set('alcove-test-sync-marker', String(Date.now()), { PX: 60_000 });
          const acknowledged = Number(await client.sendCommand(['WAIT', '1', '10000']));
          if (acknowledged < 1) throw new Error('the replica did not acknowledge the primary\'s writes within 10 s');
          return Number(/master_repl_offset:(\d+)/u.exec(await client.info('replication'))?.[1]);
        });
        const replicaOffset = await withClient(replica.port, async (client) => Number(/slave_repl_offset:(\d+)/u.exec(await client.info('replication'))?.[1]));
        return { primaryOffset, replicaOffset };
      },
      async sentinelConnectionsReceived() {
        let total = 0;
        for (const sentinel of sentinels) {
          const stats = await withClient(sentinel.port, (client) => client.info('stats'));
          total += Number(/total_connections_received:(\d+)/u.exec(stats)?.[1] ?? 0);
        }
        return total;
      },
      killPrimary() {
        primary.child?.kill('SIGKILL');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
