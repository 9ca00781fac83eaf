/**
 * A lean HTTP/1.1 client on a keep-alive `http.Agent`: the load generator must
 * cost far less per request than the server it measures, so responses are read
 * as bytes and only parsed when the caller asks.
 */
import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  body: Buffer;
  setCookie: string[];
}

export interface HttpTarget {
  origin: string;
  agent: Agent;
  /** POSTs a prepared JSON body; `localAddress` picks a loopback source address. */
  post(path: string, body: Buffer, options?: { cookie?: string; localAddress?: string }): Promise<RawResponse>;
  postJson<T = unknown>(path: string, body: unknown, options?: { cookie?: string; localAddress?: string }): Promise<{ status: number; body: T; setCookie: string[] }>;
  close(): void;
}

/** Per-request timeout: a hung request fails the bench instead of stalling it. */
export const HTTP_REQUEST_TIMEOUT_MS = 15_000;

export function createHttpTarget(origin: string, maxSockets: number): HttpTarget {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });

  function post(path: string, body: Buffer, options: { cookie?: string; localAddress?: string } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        // A browser sends its Origin on every POST; the server checks it.
        origin,
        'content-type': 'application/json',
        'content-length': body.length,
      };
      if (options.cookie) headers.cookie = options.cookie;
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          headers,
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
          timeout: HTTP_REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'] ?? [];
            resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), setCookie });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`POST ${path} timed out after ${HTTP_REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    origin,
    agent,
    post,
    async postJson<T>(path: string, body: unknown, options?: { cookie?: string; localAddress?: string }) {
      const response = await post(path, Buffer.from(JSON.stringify(body)), options);
      const text = response.body.toString('utf8');
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T, setCookie: response.setCookie };
    },
    close() {
      agent.destroy();
    },
  };
}

export interface ClosedLoopResult {
  requests: number;
  failures: number;
  elapsedMs: number;
  perSecond: number;
  latenciesMs: number[];
}

/**
 * A closed loop: `concurrency` workers, each sending its next request when the
 * last one answers, until `durationMs` has passed or `maxRequests` were sent.
 */
export async function runClosedLoop(options: {
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  send: (index: number) => Promise<boolean>;
}): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (next < options.maxRequests && performance.now() < deadline) {
      const index = next++;
      const sent = performance.now();
      let ok = false;
      try {
        ok = await options.send(index);
      } catch {
        ok = false;
      }
      if (ok) latenciesMs.push(performance.now() - sent);
      else failures += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return { requests: latenciesMs.length, failures, elapsedMs, perSecond: (latenciesMs.length * 1000) / elapsedMs, latenciesMs };
}
