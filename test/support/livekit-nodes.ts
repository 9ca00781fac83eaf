/**
 * LiveKit nodes in distributed mode for tests: each a real livekit-server on its own loopback
 * ports, all sharing one Redis (LiveKit's `redis:` config), which LiveKit uses to place rooms on
 * nodes and route signalling between them. `roomHost` reads LiveKit's own routing data (the
 * `room_node_map` hash) to say which node holds a room.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { createClient } from 'redis';
import { spawnLivekit, waitForLivekit } from '../../scripts/livekit.ts';
import { eventually } from './eventually.ts';
import { TEST_LIVEKIT_KEYS } from './livekit-stack.ts';

export interface LivekitNode {
  port: number;
  /** Set once it runs: LiveKit's own id for it, as in its routing data. */
  nodeId: string | null;
  /** Starts it (again: a restarted node is a new node, with a new id); resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would: no goodbye to anyone. */
  kill(): Promise<void>;
}

/** A node of the cluster whose Redis is at `redisAddress` (host:port); webhooks to `webhookUrl`. */
export function livekitNode(port: number, udpPort: number, redisAddress: string, webhookUrl: string): LivekitNode {
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-livekit-node-'));
  let child: ChildProcess | null = null;
  const node: LivekitNode = {
    port,
    nodeId: null,
    async start() {
      node.nodeId = null;
      // INFO: the start-up line carries the node's id.
      const proc = spawnLivekit({ port, udpPort, ...TEST_LIVEKIT_KEYS, webhookUrl, workDir, logLevel: 'info', redisAddress }, 'pipe');
      child = proc;
      let output = '';
      const listen = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        node.nodeId ??= /"nodeID": "(ND_[A-Za-z0-9]+)"/u.exec(output)?.[1] ?? null;
      };
      proc.stdout?.on('data', listen);
      proc.stderr?.on('data', listen);
      const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`a livekit node exited (${code}):\n${output.slice(-2000)}`))));
      exited.catch(() => undefined);
      await Promise.race([waitForLivekit(port), exited]);
      await Promise.race([eventually(() => node.nodeId, 'the node to log its id'), exited]);
    },
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await gone;
      child = null;
    },
  };
  return node;
}

/** The node LiveKit has placed a room on, from its routing data in the shared Redis. */
export async function roomHost(routing: ReturnType<typeof createClient>, roomName: string, nodes: readonly LivekitNode[]): Promise<LivekitNode | undefined> {
  const nodeId = await routing.hGet('room_node_map', roomName);
  return nodes.find((node) => node.nodeId !== null && node.nodeId === nodeId);
}
