import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, normaliseDisplayName } from '@alcove/shared';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import { hashEmail } from './email-hash.ts';
import { hashPassword } from './password-hash.ts';
import { createOpaqueId } from '../identifiers/opaque-id.ts';
import type { AuditTrail } from '../observability/audit-trail.ts';
import type { TherapistRecord, TherapistStore } from './therapist-records.ts';

const emailSchema = z.string().trim().toLowerCase().max(254).email();

export interface TherapistSummary {
  therapistId: string;
  twoFactor: boolean;
  displayName: string;
  disabled: boolean;
  createdAt: number;
}

export interface TherapistDirectory {
  add(input: { email: string; displayName: string; password: string }): Promise<TherapistSummary>;
  list(): Promise<TherapistSummary[]>;
  setDisabled(email: string, disabled: boolean): Promise<TherapistSummary>;
  resetPassword(email: string, password: string): Promise<void>;
  /** Operator reset of two-factor authentication (lost phone and recovery codes). */
  resetTwoFactor(email: string): Promise<TherapistSummary>;
}

const summarise = (r: TherapistRecord): TherapistSummary => ({
  therapistId: r.id,
  twoFactor: r.totpSecret !== null,
  displayName: r.displayName,
  disabled: r.disabled,
  createdAt: r.createdAt,
});

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_CHARS || password.length > PASSWORD_MAX_CHARS) {
    throw AppError.badRequest({ reason: 'password-length', minChars: PASSWORD_MIN_CHARS, maxChars: PASSWORD_MAX_CHARS });
  }
}

/** The operator administers accounts with the CLI; the trail says so. */
const BY_OPERATOR = { reason: 'operator' } as const;

/** Account administration, used by the operator's CLI. Every change is audited (and awaited: the CLI exits right after). */
export function createTherapistDirectory(deps: { therapists: TherapistStore; audit: AuditTrail; now: () => number }): TherapistDirectory {
  async function findByEmail(email: string): Promise<TherapistRecord> {
    const id = await deps.therapists.findIdByEmail(hashEmail(email));
    const record = id ? await deps.therapists.get(id) : null;
    if (!record) throw AppError.notFound({ reason: 'no-therapist' });
    return record;
  }

  return {
    async add({ email, displayName, password }) {
      const parsedEmail = emailSchema.safeParse(email);
      if (!parsedEmail.success) throw AppError.badRequest({ reason: 'invalid-email' });
      const name = normaliseDisplayName(displayName);
      if (!name) throw AppError.badRequest({ reason: 'invalid-display-name' });
      checkPassword(password);
      const record: TherapistRecord = {
        id: createOpaqueId('therapist'),
        displayName: name,
        passwordHash: await hashPassword(password),
        disabled: false,
        createdAt: deps.now(),
        totpSecret: null,
        totpPendingSecret: null,
      };
      if (!(await deps.therapists.create(record, hashEmail(parsedEmail.data)))) {
        throw AppError.conflict({ reason: 'email-taken' });
      }
      await deps.audit.record('therapist-added', { therapistId: record.id, ...BY_OPERATOR });
      return summarise(record);
    },
    async list() {
      return (await deps.therapists.list()).map(summarise);
    },
    async setDisabled(email, disabled) {
      const record = await findByEmail(email);
      await deps.therapists.setDisabled(record.id, disabled);
      await deps.audit.record(disabled ? 'therapist-disabled' : 'therapist-enabled', { therapistId: record.id, ...BY_OPERATOR });
      return summarise({ ...record, disabled });
    },
    async resetPassword(email, password) {
      checkPassword(password);
      const record = await findByEmail(email);
      await deps.therapists.setPasswordHash(record.id, await hashPassword(password));
      await deps.audit.record('password-reset', { therapistId: record.id, ...BY_OPERATOR });
    },
    async resetTwoFactor(email) {
      const record = await findByEmail(email);
      await deps.therapists.resetTotp(record.id);
      await deps.audit.record('two-factor-reset', { therapistId: record.id, ...BY_OPERATOR });
      return summarise({ ...record, totpSecret: null });
    },
  };
}
