import type { ErrorBody, ErrorCode } from '@alcove/shared';

/**
 * The one table of errors: each code's HTTP status and the safe English text the API returns
 * with it. The domain throws codes with details and never writes text; the browser translates
 * the code (client/src/i18n); docs/api.md lists every row (test/unit/error-table.test.ts).
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { status: number; message: string }>> = {
  bad_request: { status: 400, message: 'The request is not valid.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unauthorized: { status: 401, message: 'Please sign in.' },
  totp_required: { status: 401, message: 'Enter the 6-digit code from your authenticator app.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That cannot be done now: something just changed. Please look again.' },
  rate_limited: { status: 429, message: 'Too many attempts. Please wait a moment and try again.' },
  invalid_invite: { status: 404, message: 'This invitation link is not valid. Please ask your therapist for a new one.' },
  invite_not_open_yet: { status: 425, message: 'It is too early to check in. Please come back closer to your appointment.' },
  device_in_use: { status: 409, message: 'This invitation is already in use on another device. Close it there, or ask your therapist for help.' },
  not_admitted: { status: 403, message: 'Please wait until your therapist lets you in.' },
  session_ended: { status: 410, message: 'This session has ended.' },
  service_unavailable: { status: 503, message: 'The service is briefly unavailable. Please try again.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
};

/** Safe, machine-readable detail: constants such as `reason: 'not-waiting'`, never a person's data. */
export type ErrorDetails = NonNullable<ErrorBody['details']>;

/**
 * The one error type of the server: a code, optional details, and the status and `message`
 * the table gives that code. `cause` is for logs (and even there only its code/name is logged).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorBody['details'];

  constructor(code: ErrorCode, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(ERROR_TABLE[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = options.details;
  }

  static badRequest(details?: ErrorDetails): AppError {
    return new AppError('bad_request', { details });
  }
  static unauthorized(details?: ErrorDetails): AppError {
    return new AppError('unauthorized', { details });
  }
  static forbidden(details?: ErrorDetails): AppError {
    return new AppError('forbidden', { details });
  }
  static notFound(details?: ErrorDetails): AppError {
    return new AppError('not_found', { details });
  }
  static conflict(details?: ErrorDetails): AppError {
    return new AppError('conflict', { details });
  }
  static rateLimited(retryAfterSeconds: number): AppError {
    return new AppError('rate_limited', { details: { retryAfterSeconds } });
  }
  /** Wrong, expired and revoked invites are indistinguishable on purpose. */
  static invalidInvite(): AppError {
    return new AppError('invalid_invite');
  }
  static sessionEnded(): AppError {
    return new AppError('session_ended');
  }
  /** Redis or LiveKit did not answer; each adapter decides what counts (redis-failures.ts, room-service.ts). */
  static unavailable(cause?: unknown): AppError {
    return new AppError('service_unavailable', { cause });
  }
  /** The media server (LiveKit) is not answering: the console says so in its own words. */
  static mediaUnavailable(cause?: unknown): AppError {
    return new AppError('service_unavailable', { cause, details: { service: 'media' } });
  }

  toBody(): ErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/**
 * Turns anything thrown into an AppError without leaking a foreign message: the one path of
 * the HTTP error middleware and the socket ack wrapper. Outages are already AppErrors, since
 * the adapters classify their own failures; anything else is ours to fix.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('internal', { cause: error });
}
