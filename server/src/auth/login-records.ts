/** Server-side logins, so logout and idle expiry revoke a JWT before its `exp`. */
export interface LoginStore {
  create(loginId: string, therapistId: string, idleTtlSeconds: number): Promise<void>;
  /** Returns the therapist id and slides the idle expiry; null if revoked or idle-expired. */
  touch(loginId: string, idleTtlSeconds: number): Promise<string | null>;
  revoke(loginId: string): Promise<void>;
  /** Remaining idle lifetime in ms; 0 when revoked or expired. */
  ttlMs(loginId: string): Promise<number>;
}

export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** Fixed-window counters shared by every app instance. */
export interface RateLimiter {
  hit(scope: string, subject: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
  /** Reads a counter without counting: is this subject already over `limit`? */
  isBlocked(scope: string, subject: string, limit: number): Promise<RateLimitDecision>;
  reset(scope: string, subject: string): Promise<void>;
}
