import { Router } from 'express';
import { loginBodySchema, emptyBodySchema, totpConfirmBodySchema, type LoginResponse, type TotpConfirmResponse, type TotpSetupResponse } from '@alcove/shared';
import type { TwoFactor } from '../../auth/two-factor.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { TherapistStore } from '../../therapists/therapist-records.ts';
import { AppError } from '../../app-error.ts';
import { requireTherapist, therapistOf } from './require-therapist.ts';
import { clearSessionCookie, readSessionCookie, serializeSessionCookie } from './session-cookie.ts';
import { parseInput } from './validate.ts';

export interface AuthRoutesDeps {
  login: LoginService;
  twoFactor: TwoFactor;
  therapists: TherapistStore;
  isSecure: boolean;
  /** Disconnects the sockets of a login that just ended. */
  onLogout: (loginId: string) => void;
}

export function createAuthRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();

  router.post('/api/auth/login', async (req, res) => {
    const body = parseInput(loginBodySchema, req.body);
    const result = await deps.login.login(body.email, body.password, req.ip ?? 'unknown', {
      totpCode: body.totpCode,
      recoveryCode: body.recoveryCode,
    });
    const maxAgeSeconds = Math.max(0, Math.floor((result.expiresAt - Date.now()) / 1000));
    res.setHeader('Set-Cookie', serializeSessionCookie(deps.isSecure, result.token, maxAgeSeconds));
    const response: LoginResponse = {
      therapist: { therapistId: result.therapistId, displayName: result.displayName, twoFactorEnabled: result.twoFactorEnabled },
      expiresAt: result.expiresAt,
    };
    res.status(200).json(response);
  });

  router.post('/api/auth/logout', async (req, res) => {
    parseInput(emptyBodySchema, req.body);
    const token = readSessionCookie(req.headers.cookie, deps.isSecure);
    res.setHeader('Set-Cookie', clearSessionCookie(deps.isSecure));
    if (token) {
      try {
        const auth = await deps.login.authenticate(token);
        await deps.login.logout(token);
        deps.onLogout(auth.loginId);
      } catch (error) {
        // Logging out of an already-expired login is a success for the user.
        if (!(error instanceof AppError) || error.code !== 'unauthorized') throw error;
      }
    }
    res.status(204).end();
  });

  router.get('/api/auth/me', requireTherapist(deps.login, deps.isSecure), async (req, res) => {
    const auth = therapistOf(req);
    const therapist = await deps.therapists.get(auth.therapistId);
    if (!therapist) throw AppError.unauthorized();
    const response: LoginResponse = {
      therapist: { therapistId: therapist.id, displayName: therapist.displayName, twoFactorEnabled: therapist.totpSecret !== null },
      expiresAt: auth.expiresAt,
    };
    res.json(response);
  });

  router.post('/api/auth/totp/setup', requireTherapist(deps.login, deps.isSecure), async (req, res) => {
    parseInput(emptyBodySchema, req.body);
    const response: TotpSetupResponse = await deps.twoFactor.begin(therapistOf(req).therapistId);
    res.json(response);
  });

  router.post('/api/auth/totp/confirm', requireTherapist(deps.login, deps.isSecure), async (req, res) => {
    const body = parseInput(totpConfirmBodySchema, req.body);
    const response: TotpConfirmResponse = await deps.twoFactor.confirm(therapistOf(req).therapistId, body.totpCode);
    res.json(response);
  });

  return router;
}
