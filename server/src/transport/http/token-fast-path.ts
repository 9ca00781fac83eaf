/**
 * `POST /api/join/token` in front of Express: the hot path of every join and every two-minute
 * refresh, answered with the same checks, headers and bodies as the route table's, without
 * Express's router, request wrappers and body-parser (a tenth of the CPU a token costs, by the
 * bench's profile; docs/architecture.md).
 *
 * Only the plain request takes it: exactly this path with no query, a JSON body in UTF-8 with a
 * declared length within the limit, no content or transfer encoding, and an allowed or absent
 * Origin. Anything else is left to Express untouched (nothing is read from it), so
 * every unusual request gets the one canonical answer. test/integration/token-fast-path.test.ts
 * sends the same requests both ways and compares status, headers and body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_BODY_MAX_BYTES, HTTP_ROUTE_SCHEMAS, HTTP_ROUTES } from '@alcove/shared';
import { AppError } from '../../app-error.ts';
import type { Logger } from '../../observability/logger.ts';
import { logWhenAnswered } from './access-log.ts';
import { describeFailure } from './error-middleware.ts';
import type { SecurityHeaderWriter } from './security-headers.ts';
import type { joinTokenIssuer } from './join-routes.ts';
import { parseInput } from './validate.ts';

export interface TokenFastPathDeps {
  issue: ReturnType<typeof joinTokenIssuer>;
  allowedOrigins: readonly string[];
  securityHeaders: SecurityHeaderWriter;
  clientAddressOf(request: IncomingMessage): string;
  logger: Logger;
  /** The access log's line, as Express's routes get it (LOG_LEVEL=debug). */
  accessLog: boolean;
}

/** Answers the request and returns true, or returns false having touched nothing. */
export type TokenFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const ROUTE = HTTP_ROUTES.joinToken;
const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/iu;
const DECIMAL = /^[0-9]{1,6}$/u;
const UTF8_BOM = '\uFEFF';

function isPlain(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  if (req.method !== ROUTE.method || req.url !== ROUTE.path) return false;
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) return false;
  const length = headers['content-length'];
  if (length === undefined || !DECIMAL.test(length)) return false;
  const bytes = Number(length);
  if (bytes === 0 || bytes > HTTP_BODY_MAX_BYTES) return false;
  const origin = headers.origin;
  return origin === undefined || allowed.has(origin);
}

/** Express's `res.json`, as the route table and error middleware send it. */
function sendJson(res: ServerResponse, status: number, body: unknown, retryAfterSeconds: number | null = null): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  if (retryAfterSeconds) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

/** The body as Express's strict JSON parser takes it: an object or an array, or "invalid-json". */
function parseJson(raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.startsWith(UTF8_BOM) ? raw.slice(1) : raw);
  } catch {
    throw AppError.badRequest({ reason: 'invalid-json' });
  }
  if (typeof parsed !== 'object' || parsed === null) throw AppError.badRequest({ reason: 'invalid-json' });
  return parsed;
}

export function createTokenFastPath(deps: TokenFastPathDeps): TokenFastPath {
  const allowed = new Set(deps.allowedOrigins);
  const schema = HTTP_ROUTE_SCHEMAS.joinToken.body;

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    try {
      const body = parseInput(schema, parseJson(raw));
      const result = await deps.issue(body, deps.clientAddressOf(req));
      sendJson(res, ROUTE.status, result);
    } catch (error) {
      const failure = describeFailure(error, deps.logger, { method: ROUTE.method, route: ROUTE.path });
      sendJson(res, failure.status, failure.body, failure.retryAfterSeconds);
    }
  }

  return (req, res) => {
    if (!isPlain(req, allowed)) return false;
    if (deps.accessLog) logWhenAnswered(deps.logger, req, res, () => ROUTE.path);
    deps.securityHeaders(res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone before its body arrived gets nothing; the server's request timeout bounds a slow one.
    req.on('error', () => undefined);
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      // Nothing a request does may end the process: an answer that cannot be written ends its connection.
      answer(req, res, raw).catch(() => res.destroy());
    });
    return true;
  };
}
