import type { Request, RequestHandler } from 'express';
import { AppError } from '../../app-error.ts';
import type { AuthenticatedTherapist, LoginService } from '../../auth/login-service.ts';
import { readLoginCookie } from './login-cookie.ts';

const AUTH = Symbol('therapist');

/** Authenticates the cookie on every request (which also slides the idle expiry). */
export function requireTherapist(login: LoginService, isSecure: boolean): RequestHandler {
  return async (req, _res, next) => {
    const token = readLoginCookie(req.headers.cookie, isSecure);
    if (!token) return next(AppError.unauthorized());
    try {
      (req as unknown as Record<symbol, AuthenticatedTherapist>)[AUTH] = await login.authenticate(token);
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function therapistOf(req: Request): AuthenticatedTherapist {
  const auth = (req as unknown as Record<symbol, AuthenticatedTherapist | undefined>)[AUTH];
  if (!auth) throw AppError.unauthorized();
  return auth;
}
