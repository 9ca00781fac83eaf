/**
 * A therapist account. The email is not stored: accounts are found by the
 * SHA-256 of the normalised email, so a Redis dump holds no addresses.
 */
export interface TherapistRecord {
  id: string;
  displayName: string;
  /** `scrypt$N$r$p$salt$hash`, see password-hash.ts. */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
  /** Base32 TOTP secret once two-factor authentication is on, else null. */
  totpSecret: string | null;
  /** A secret being enrolled, not yet confirmed with a code. */
  totpPendingSecret: string | null;
}

/** Therapist accounts: the only records Alcove keeps without an expiry. */
export interface TherapistStore {
  /** Creates the account; false if the email is already registered. */
  create(record: TherapistRecord, emailHash: string): Promise<boolean>;
  get(therapistId: string): Promise<TherapistRecord | null>;
  findIdByEmail(emailHash: string): Promise<string | null>;
  list(): Promise<TherapistRecord[]>;
  setDisabled(therapistId: string, disabled: boolean): Promise<void>;
  setPasswordHash(therapistId: string, passwordHash: string): Promise<void>;
  setPendingTotp(therapistId: string, secret: string): Promise<void>;
  /** Turns TOTP on with this secret and replaces the recovery codes (hashes). */
  enableTotp(therapistId: string, secret: string, recoveryCodeHashes: string[]): Promise<void>;
  /** Turns TOTP off and drops recovery codes (operator reset). */
  resetTotp(therapistId: string): Promise<void>;
  /** Uses a recovery code once; false if unknown or already used. */
  consumeRecoveryCode(therapistId: string, codeHash: string): Promise<boolean>;
  /** Replay protection: true the first time a TOTP time step is used. */
  claimTotpStep(therapistId: string, step: number): Promise<boolean>;
}
