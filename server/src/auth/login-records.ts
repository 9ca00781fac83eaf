/** Server-side logins, so logout and idle expiry revoke a JWT before its `exp`. */
export interface LoginStore {
  create(loginId: string, therapistId: string, idleTtlSeconds: number): Promise<void>;
  /** Returns the therapist id and slides the idle expiry; null if revoked or idle-expired. */
  touch(loginId: string, idleTtlSeconds: number): Promise<string | null>;
  revoke(loginId: string): Promise<void>;
  /** Remaining idle lifetime in ms; 0 when revoked or expired. */
  ttlMs(loginId: string): Promise<number>;
}
