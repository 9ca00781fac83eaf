/**
 * Fixed-window counters shared by every app instance. Logins, invite redemptions and
 * media tokens all count against it, so it sits below the folders that use it.
 */
export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export interface RateLimiter {
  hit(scope: string, subject: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
  /** Reads a counter without counting: is this subject already over `limit`? */
  isBlocked(scope: string, subject: string, limit: number): Promise<RateLimitDecision>;
  reset(scope: string, subject: string): Promise<void>;
}
