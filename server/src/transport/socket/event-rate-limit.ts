/** A per-socket token bucket: a burst is fine, a flood ends the connection. */
export interface EventRateLimit {
  take(): boolean;
}

export function createEventRateLimit(options: { burst: number; refillPerSecond: number; now?: () => number }): EventRateLimit {
  const now = options.now ?? Date.now;
  let tokens = options.burst;
  let last = now();
  return {
    take() {
      const current = now();
      tokens = Math.min(options.burst, tokens + ((current - last) / 1000) * options.refillPerSecond);
      last = current;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
