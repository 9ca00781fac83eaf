import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.ts';

/**
 * One debug line per request once it is answered: method, route pattern, status and duration
 * only — never URLs, bodies or headers. `route` is asked at the end (Express knows it only then).
 */
export function logWhenAnswered(logger: Logger, req: IncomingMessage, res: ServerResponse, route: () => string): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    logger.debug('http request', { method: req.method, route: route(), status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10 });
  });
}
