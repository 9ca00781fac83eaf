import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../app-error.ts';
import type { Logger } from '../observability/logger.ts';
import { createOpaqueId } from '../identifiers/opaque-id.ts';
import type { TherapistStore } from '../therapists/therapist-records.ts';
import { hashEmail } from '../therapists/email-hash.ts';
import type { LoginStore } from './login-records.ts';
import type { RateLimiter } from '../rate-limits/rate-limit.ts';
import { createDecoyHash, verifyPassword } from '../therapists/password-hash.ts';
import { hashRecoveryCode } from './recovery-codes.ts';
import { verifyTotp } from './totp.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';

const ISSUER = 'alcove';
const AUDIENCE = 'alcove-console';
const ALGORITHM = 'HS256';

export const LOGIN_LIMITS = {
  perIp: { limit: 20, windowSeconds: 15 * 60 },
  perAccount: { limit: 5, windowSeconds: 15 * 60 },
} as const;

export interface LoginServiceDeps {
  therapists: TherapistStore;
  logins: LoginStore;
  rateLimiter: RateLimiter;
  logger: Logger;
  audit: AuditTrail;
  now: () => number;
  jwtSecret: string;
  absoluteTtlSeconds: number;
  idleTtlSeconds: number;
}

export interface LoginResult {
  token: string;
  therapistId: string;
  displayName: string;
  twoFactorEnabled: boolean;
  expiresAt: number;
}

export interface AuthenticatedTherapist {
  therapistId: string;
  loginId: string;
  expiresAt: number;
}

export interface SecondFactor {
  totpCode?: string;
  recoveryCode?: string;
}

export interface LoginService {
  login(email: string, password: string, clientIp: string, secondFactor?: SecondFactor): Promise<LoginResult>;
  /** Verifies the JWT and the server-side login; slides the idle expiry. */
  authenticate(token: string): Promise<AuthenticatedTherapist>;
  logout(token: string): Promise<void>;
}

export function createLoginService(deps: LoginServiceDeps): LoginService {
  // A key object made once. Handed a string, jsonwebtoken first tries it as a PEM public key and
  // catches the failure on every call: 1 ms of CPU per console command, a tenth of the app's CPU
  // in a surge of admissions (measured with `npm run bench -- --cpu-prof`).
  const signingKey = createSecretKey(Buffer.from(deps.jwtSecret, 'utf8'));
  let decoyHash: Promise<string> | undefined;
  const wrongCredentials = () => AppError.unauthorized({ reason: 'wrong-credentials' });

  function verifyJwt(token: string): { sub: string; jti: string; exp: number } {
    try {
      const claims = jwt.verify(token, signingKey, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: 5,
      });
      if (typeof claims !== 'object' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
        throw new Error('claims');
      }
      return { sub: claims.sub, jti: claims.jti, exp: claims.exp };
    } catch {
      throw AppError.unauthorized({ reason: 'login-expired' });
    }
  }

  return {
    async login(email, password, clientIp, secondFactor = {}) {
      const emailHash = hashEmail(email);
      for (const [scope, subject, rule] of [
        ['login-ip', clientIp, LOGIN_LIMITS.perIp],
        ['login-account', emailHash, LOGIN_LIMITS.perAccount],
      ] as const) {
        const decision = await deps.rateLimiter.hit(scope, subject, rule.limit, rule.windowSeconds);
        if (!decision.allowed) throw AppError.rateLimited(decision.retryAfterSeconds);
      }

      const therapistId = await deps.therapists.findIdByEmail(emailHash);
      const therapist = therapistId ? await deps.therapists.get(therapistId) : null;
      // Always run one scrypt so timing does not tell a wrong email from a wrong password.
      const stored = therapist?.passwordHash ?? (await (decoyHash ??= createDecoyHash()));
      const passwordOk = await verifyPassword(password, stored);
      if (!therapist || !passwordOk || therapist.disabled) {
        deps.logger.info('login refused', { event: 'auth.login-failed' });
        deps.audit.record('login-failed', { therapistId: therapist?.id, reason: 'credentials' });
        throw wrongCredentials();
      }
      if (therapist.totpSecret) {
        if (secondFactor.totpCode) {
          const step = verifyTotp(therapist.totpSecret, secondFactor.totpCode, deps.now());
          // A code is good once: a replayed (e.g. shoulder-surfed) code is refused.
          if (step === null || !(await deps.therapists.claimTotpStep(therapist.id, step))) {
            deps.audit.record('login-failed', { therapistId: therapist.id, reason: 'totp' });
            throw AppError.unauthorized({ reason: 'wrong-code' });
          }
        } else if (secondFactor.recoveryCode) {
          if (!(await deps.therapists.consumeRecoveryCode(therapist.id, hashRecoveryCode(secondFactor.recoveryCode)))) {
            deps.audit.record('login-failed', { therapistId: therapist.id, reason: 'recovery-code' });
            throw AppError.unauthorized({ reason: 'wrong-recovery-code' });
          }
        } else {
          throw new AppError('totp_required');
        }
      }
      await deps.rateLimiter.reset('login-account', emailHash);

      // A fresh login id at every login: the login identifier rotates (no fixation).
      const loginId = createOpaqueId('login');
      const nowSeconds = Math.floor(deps.now() / 1000);
      const exp = nowSeconds + deps.absoluteTtlSeconds;
      const token = jwt.sign({ sub: therapist.id, jti: loginId, iat: nowSeconds, exp }, signingKey, {
        algorithm: ALGORITHM,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      await deps.logins.create(loginId, therapist.id, Math.min(deps.idleTtlSeconds, deps.absoluteTtlSeconds));
      deps.logger.info('therapist signed in', { event: 'auth.login', therapistId: therapist.id });
      deps.audit.record('login', { therapistId: therapist.id, reason: secondFactor.recoveryCode ? 'recovery-code' : therapist.totpSecret ? 'totp' : 'password' });
      return { token, therapistId: therapist.id, displayName: therapist.displayName, twoFactorEnabled: therapist.totpSecret !== null, expiresAt: exp * 1000 };
    },

    async authenticate(token) {
      const claims = verifyJwt(token);
      const therapistId = await deps.logins.touch(claims.jti, deps.idleTtlSeconds);
      if (therapistId !== claims.sub) throw AppError.unauthorized({ reason: 'login-expired' });
      const therapist = await deps.therapists.get(therapistId);
      if (!therapist || therapist.disabled) {
        await deps.logins.revoke(claims.jti);
        throw AppError.unauthorized();
      }
      return { therapistId, loginId: claims.jti, expiresAt: claims.exp * 1000 };
    },

    async logout(token) {
      const claims = verifyJwt(token);
      await deps.logins.revoke(claims.jti);
      deps.logger.info('therapist signed out', { event: 'auth.logout', therapistId: claims.sub });
      deps.audit.record('logout', { therapistId: claims.sub });
    },
  };
}
