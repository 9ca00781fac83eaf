/**
 * Error codes shared by server and client. The server answers every failure
 * with one of these codes and a safe, human-readable message; clients branch
 * on the code, never on the message.
 */
export const ERROR_CODES = [
  'bad_request',
  'payload_too_large',
  'unauthorized',
  'totp_required',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'invalid_invite',
  'invite_not_open_yet',
  'device_in_use',
  'not_admitted',
  'session_ended',
  'service_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Optional, safe, machine-readable detail (e.g. `retryAfterSeconds`). */
  details?: Record<string, string | number | boolean>;
}

/** Every socket command is answered with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
