import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, toAppError } from '../../app-error.ts';
import type { Logger } from '../../observability/logger.ts';

/** body-parser's errors carry a `type`; map them to our codes without echoing their text. */
function fromBodyParser(error: unknown): AppError | null {
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') return new AppError('payload_too_large', 'The request body is too large.');
  if (type === 'entity.parse.failed') return AppError.badRequest('The request body is not valid JSON.');
  if (typeof type === 'string' && type.startsWith('encoding.')) return AppError.badRequest('Unsupported body encoding.');
  if (type === 'charset.unsupported') return AppError.badRequest('Unsupported body charset.');
  return null;
}

export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = fromBodyParser(error) ?? toAppError(error);
    const fields = { code: appError.code, status: appError.status, method: req.method, route: req.route?.path ?? 'unmatched' };
    if (appError.status >= 500) {
      logger.error('request failed', { ...fields, errorName: (appError.cause as Error | undefined)?.name ?? appError.name });
    }
    if (appError.code === 'rate_limited' && appError.details?.retryAfterSeconds) {
      res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    }
    res.status(appError.status).json({ error: appError.toBody() });
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(AppError.notFound('No such endpoint.'));
