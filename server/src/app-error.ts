import type { ErrorBody, ErrorCode } from '@alcove/shared';

const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  payload_too_large: 413,
  unauthorized: 401,
  totp_required: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  invalid_invite: 404,
  invite_not_open_yet: 425,
  device_in_use: 409,
  not_admitted: 403,
  session_ended: 410,
  service_unavailable: 503,
  internal: 500,
};

/**
 * The one error type of the server. `message` is always safe to show a user;
 * `cause` is for logs (and even there only its code/name is logged).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorBody['details'];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorBody['details'] } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = options.details;
  }

  static badRequest(message = 'The request is not valid.'): AppError {
    return new AppError('bad_request', message);
  }
  static unauthorized(message = 'Please sign in.'): AppError {
    return new AppError('unauthorized', message);
  }
  static forbidden(message = 'You are not allowed to do that.'): AppError {
    return new AppError('forbidden', message);
  }
  static notFound(message = 'Not found.'): AppError {
    return new AppError('not_found', message);
  }
  static rateLimited(retryAfterSeconds: number): AppError {
    return new AppError('rate_limited', 'Too many attempts. Please wait a moment and try again.', {
      details: { retryAfterSeconds },
    });
  }
  /** Wrong, expired and revoked invites are indistinguishable on purpose. */
  static invalidInvite(): AppError {
    return new AppError('invalid_invite', 'This invitation link is not valid. Please ask your therapist for a new one.');
  }
  static sessionEnded(): AppError {
    return new AppError('session_ended', 'This session has ended.');
  }
  static unavailable(cause?: unknown): AppError {
    return new AppError('service_unavailable', 'The service is briefly unavailable. Please try again.', { cause });
  }
  /** The media server (LiveKit) is not answering: the console says so in its own words. */
  static mediaUnavailable(cause?: unknown): AppError {
    return new AppError('service_unavailable', 'The video service is not answering right now. Please try again in a moment.', {
      cause,
      details: { service: 'media' },
    });
  }

  toBody(): ErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** Foreign errors the infrastructure raises when Redis or LiveKit cannot be reached. */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'TimeoutError',
  'AbortError',
]);

/** Turns anything thrown into an AppError without leaking a foreign message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error) {
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
  }
  return new AppError('internal', 'Something went wrong on our side.', { cause: error });
}
