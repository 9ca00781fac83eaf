import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@alcove/shared';
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

export interface FailureResponse {
  status: number;
  body: { error: ErrorBody };
  /** Seconds, for a `Retry-After` header (rate limits). */
  retryAfterSeconds: number | null;
}

/**
 * What a failed request is answered, and its log line: the one place that decides both, for
 * Express's routes and for the token route served in front of it (token-fast-path.ts).
 */
export function describeFailure(error: unknown, logger: Logger, request: { method: string; route: string }): FailureResponse {
  const appError = toAppError(fromFramework(error) ?? error);
  const fields = { code: appError.code, status: appError.status, method: request.method, route: request.route };
  // A 503 is an outage the adapters log once when it starts and ends (redis-health.ts, room-service.ts), not once per request.
  if (appError.code === 'service_unavailable') logger.debug('request refused: service unavailable', fields);
  else if (appError.status >= 500) {
    logger.error('request failed', { ...fields, errorName: (appError.cause as Error | undefined)?.name ?? appError.name });
  }
  const retryAfterSeconds = appError.code === 'rate_limited' && appError.details?.retryAfterSeconds ? Number(appError.details.retryAfterSeconds) : null;
  return { status: appError.status, body: { error: appError.toBody() }, retryAfterSeconds };
}

export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const failure = describeFailure(error, logger, { method: req.method, route: req.route?.path ?? 'unmatched' });
    if (failure.retryAfterSeconds) res.setHeader('Retry-After', String(failure.retryAfterSeconds));
    res.status(failure.status).json(failure.body);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(AppError.notFound({ reason: 'no-endpoint' }));
