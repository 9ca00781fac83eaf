import { AppError } from '../app-error.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { TherapistStore } from '../therapists/therapist-records.ts';
import { createRecoveryCodes, hashRecoveryCode } from './recovery-codes.ts';
import { createTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

export interface TwoFactorEnrolment {
  /** Base32 secret for manual entry, and the otpauth:// URI for a QR code. */
  secret: string;
  otpauthUri: string;
}

export interface TwoFactor {
  /** Starts enrolment: a new secret, pending until confirmed with a code. */
  begin(therapistId: string): Promise<TwoFactorEnrolment>;
  /** Confirms with a current code; turns TOTP on and returns the recovery codes, shown once. */
  confirm(therapistId: string, totpCode: string): Promise<{ recoveryCodes: string[] }>;
}

export function createTwoFactor(deps: { therapists: TherapistStore; audit: AuditTrail; now: () => number }): TwoFactor {
  return {
    async begin(therapistId) {
      const therapist = await deps.therapists.get(therapistId);
      if (!therapist) throw AppError.unauthorized();
      if (therapist.totpSecret) throw AppError.conflict({ reason: 'totp-already-on' });
      const secret = createTotpSecret();
      await deps.therapists.setPendingTotp(therapistId, secret);
      deps.audit.record('two-factor-setup-started', { therapistId });
      return { secret, otpauthUri: otpauthUri(secret, therapistId) };
    },

    async confirm(therapistId, totpCode) {
      const therapist = await deps.therapists.get(therapistId);
      if (!therapist) throw AppError.unauthorized();
      if (therapist.totpSecret) throw AppError.conflict({ reason: 'totp-already-on' });
      if (!therapist.totpPendingSecret) throw AppError.conflict({ reason: 'totp-not-started' });
      const step = verifyTotp(therapist.totpPendingSecret, totpCode, deps.now());
      if (step === null) throw AppError.badRequest({ reason: 'wrong-code' });
      await deps.therapists.claimTotpStep(therapistId, step);
      const recoveryCodes = createRecoveryCodes();
      await deps.therapists.enableTotp(therapistId, therapist.totpPendingSecret, recoveryCodes.map(hashRecoveryCode));
      deps.audit.record('two-factor-enabled', { therapistId });
      return { recoveryCodes };
    },
  };
}
