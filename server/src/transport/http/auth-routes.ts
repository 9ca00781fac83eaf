import type { LoginResponse } from '@alcove/shared';
import type { TwoFactor } from '../../auth/two-factor.ts';
import type { LoginService } from '../../auth/login-service.ts';
import type { TherapistStore } from '../../therapists/therapist-records.ts';
import { AppError } from '../../app-error.ts';
import { therapistOf } from './require-therapist.ts';
import type { RouteHandlers } from './route-table.ts';
import { clearLoginCookie, readLoginCookie, serializeLoginCookie } from './login-cookie.ts';

export interface AuthRoutesDeps {
  login: LoginService;
  twoFactor: TwoFactor;
  therapists: TherapistStore;
  isSecure: boolean;
  /** Disconnects the sockets of a login that just ended. */
  onLogout: (loginId: string) => void;
}

export type AuthHandlers = Pick<RouteHandlers, 'login' | 'logout' | 'me' | 'setUpTotp' | 'confirmTotp'>;

export function createAuthRoutes(deps: AuthRoutesDeps): AuthHandlers {
  return {
    async login({ body, req, res }) {
      const result = await deps.login.login(body.email, body.password, req.ip ?? 'unknown', {
        totpCode: body.totpCode,
        recoveryCode: body.recoveryCode,
      });
      const maxAgeSeconds = Math.max(0, Math.floor((result.expiresAt - Date.now()) / 1000));
      res.setHeader('Set-Cookie', serializeLoginCookie(deps.isSecure, result.token, maxAgeSeconds));
      return {
        therapist: { therapistId: result.therapistId, displayName: result.displayName, twoFactorEnabled: result.twoFactorEnabled },
        expiresAt: result.expiresAt,
      };
    },

    async logout({ req, res }) {
      const token = readLoginCookie(req.headers.cookie, deps.isSecure);
      res.setHeader('Set-Cookie', clearLoginCookie(deps.isSecure));
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
      return null;
    },

    async me({ req }) {
      const auth = therapistOf(req);
      const therapist = await deps.therapists.get(auth.therapistId);
      if (!therapist) throw AppError.unauthorized();
      const response: LoginResponse = {
        therapist: { therapistId: therapist.id, displayName: therapist.displayName, twoFactorEnabled: therapist.totpSecret !== null },
        expiresAt: auth.expiresAt,
      };
      return response;
    },

    setUpTotp: ({ req }) => deps.twoFactor.begin(therapistOf(req).therapistId),

    confirmTotp: ({ req, body }) => deps.twoFactor.confirm(therapistOf(req).therapistId, body.totpCode),
  };
}
