/**
 * What this instance is doing for its sockets — commands being run, a closed connection's
 * bookkeeping (presence, grace deadline) — so a drain lets it finish before Redis is closed:
 * a command is answered, and a client that went is recorded as gone, never left "waiting".
 */
export interface WorkInFlight {
  /** Counts `work` as in flight until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves true once none is running, or false after `timeoutMs` with some still running. */
  settled(timeoutMs: number): Promise<boolean>;
}

export function createWorkInFlight(): WorkInFlight {
  let running = 0;
  let waiters: (() => void)[] = [];

  return {
    track(work) {
      running += 1;
      return work.finally(() => {
        running -= 1;
        if (running === 0) {
          for (const wake of waiters) wake();
          waiters = [];
        }
      });
    },
    settled(timeoutMs) {
      if (running === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
