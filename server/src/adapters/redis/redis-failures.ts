import { AppError } from '../../app-error.ts';

/** What node-redis (and our reply timeout) raise when Redis cannot be reached or does not answer. */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'TimeoutError',
  'AbortError',
]);

/**
 * Redis unreachable, closed or stalled becomes `service_unavailable` here, in the adapter, so
 * every caller fails closed with a 503. Redis's own answers (an error reply such as NOSCRIPT,
 * which lua-script.ts handles) pass through unchanged.
 */
export function classifyRedisFailure(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (
    UNAVAILABLE_ERROR_NAMES.has(error.name) ||
    // node-redis's error classes leave `name` as "Error" (e.g. "The client is offline" while Redis is down).
    UNAVAILABLE_ERROR_NAMES.has(error.constructor.name) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    /offline queue|client is closed|The client is closed|Socket closed/iu.test(error.message)
  ) {
    return AppError.unavailable(error);
  }
  return error;
}
