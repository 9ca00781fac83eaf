import type { RequestHandler } from 'express';
import { AppError } from '../../app-error.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for the login cookie, beside SameSite=Strict: a state-changing
 * request from a browser must come from one of our origins. Requests without an
 * Origin header (CLI, server-to-server) carry no ambient cookie risk.
 */
export function requireAllowedOrigin(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) return next(AppError.forbidden({ reason: 'origin' }));
    next();
  };
}
