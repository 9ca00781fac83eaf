import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toAppError } from '../../app-error.ts';
import type { Logger } from '../../observability/logger.ts';

/**
 * Express, its router and body-parser report the client's mistakes as errors carrying a
 * 4xx `status` (a body that fails gzip/deflate/br decoding, `%ZZ` in a path parameter,
 * an aborted upload). They become our codes, never echoing their text; anything
 * without a 4xx status is ours to fix and stays a 500.
 */
function fromFramework(error: unknown): AppError | null {
  // Ours already (an AppError carries a `status` too).
  if (error instanceof AppError) return null;
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') return new AppError('payload_too_large');
  if (type === 'entity.parse.failed') return AppError.badRequest({ reason: 'invalid-json' });
  if (typeof type === 'string' && type.startsWith('encoding.')) return AppError.badRequest({ reason: 'encoding' });
  if (type === 'charset.unsupported') return AppError.badRequest({ reason: 'charset' });
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new AppError('payload_too_large');
    return AppError.badRequest();
  }
  return null;
}

export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(fromFramework(error) ?? error);
    const fields = { code: appError.code, status: appError.status, method: req.method, route: req.route?.path ?? 'unmatched' };
    // A 503 is an outage the adapters log once when it starts and ends (redis-health.ts, room-service.ts), not once per request.
    if (appError.code === 'service_unavailable') logger.debug('request refused: service unavailable', fields);
    else if (appError.status >= 500) {
      logger.error('request failed', { ...fields, errorName: (appError.cause as Error | undefined)?.name ?? appError.name });
    }
    if (appError.code === 'rate_limited' && appError.details?.retryAfterSeconds) {
      res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    }
    res.status(appError.status).json({ error: appError.toBody() });
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(AppError.notFound({ reason: 'no-endpoint' }));
