/**
 * A real LiveKit server for the test run, on free loopback ports, started once.
 * Its webhooks go to a relay that forwards the exact bytes and headers to
 * whichever app a test registers, so tests on random ports receive real,
 * LiveKit-signed webhooks.
 */
import { createServer, type Server } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { spawnLivekit, waitForLivekit } from '../../scripts/livekit.ts';
import { freeTcpPort, freeUdpPort } from './free-port.ts';

export interface LivekitStack {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The livekit-server process (benches read its CPU time). */
  pid: number;
  /** Points LiveKit's webhooks at an app (its origin), or nowhere with null. */
  setWebhookTarget(origin: string | null): void;
  stop(): Promise<void>;
}

export const TEST_LIVEKIT_KEYS = {
  apiKey: 'alcove-test-key',
  apiSecret: 'alcove-test-secret-0123456789abcdef0123',
} as const;

/**
 * For investigations (the E2EE first-frame stall: forwarder, keyframe and PLI lines): LiveKit at
 * debug level, its whole output written to this file. Debug logging slows LiveKit: not for figures.
 */
const DEBUG_LOG_PATH = process.env.ALCOVE_LIVEKIT_DEBUG_LOG;

let started: Promise<LivekitStack> | undefined;

export function livekitStack(): Promise<LivekitStack> {
  started ??= startLivekitStack();
  return started;
}

async function startRelay(getTarget: () => string | null): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = getTarget();
      if (!target) {
        res.writeHead(204).end();
        return;
      }
      fetch(`${target}/webhooks/livekit`, {
        method: 'POST',
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/webhook+json',
          authorization: req.headers.authorization ?? '',
        },
        body: Buffer.concat(chunks),
      })
        .then((response) => res.writeHead(response.status).end())
        .catch(() => res.writeHead(502).end());
    });
  });
  const port = await freeTcpPort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

async function startLivekitStack(): Promise<LivekitStack> {
  let target: string | null = null;
  const relay = await startRelay(() => target);
  const port = await freeTcpPort();
  const udpPort = await freeUdpPort();
  const child: ChildProcess = spawnLivekit(
    {
      port,
      udpPort,
      ...TEST_LIVEKIT_KEYS,
      webhookUrl: `http://127.0.0.1:${relay.port}/`,
      workDir: mkdtempSync(join(tmpdir(), 'alcove-livekit-')),
      logLevel: DEBUG_LOG_PATH ? 'debug' : 'warn',
    },
    'pipe',
  );
  let output = '';
  if (DEBUG_LOG_PATH) {
    const sink = createWriteStream(DEBUG_LOG_PATH);
    child.stdout?.on('data', (d: Buffer) => sink.write(d));
    child.stderr?.on('data', (d: Buffer) => sink.write(d));
  }
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`livekit-server exited (${code}) before it was ready:\n${output}`))),
  );
  await Promise.race([waitForLivekit(port), exited]);
  exited.catch(() => undefined);
  // Never outlive the test process, even when a run is started without the root hooks.
  process.once('exit', () => child.kill('SIGTERM'));
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  relay.server.unref();

  return {
    url: `ws://127.0.0.1:${port}`,
    ...TEST_LIVEKIT_KEYS,
    pid: child.pid!,
    setWebhookTarget(origin) {
      target = origin;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => relay.server.close(() => resolve()));
    },
  };
}
