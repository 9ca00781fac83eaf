export interface TherapistRecord {
  id: string;
  email: string;
  displayName: string;
  /** `scrypt$N$r$p$salt$hash`, see auth/password-hash.ts. */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
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
}
