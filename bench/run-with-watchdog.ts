/**
 * How every bench script ends: its exit code, a watchdog so a hung run never outlives its
 * bound, and one line on failure (never a stack).
 */
export function runWithWatchdog(main: () => Promise<number>, watchdogMs: number, progress: (message: string) => void): void {
  const watchdog = setTimeout(() => {
    progress(`watchdog: still running after ${Math.round(watchdogMs / 1000)} s, giving up`);
    process.exit(2);
  }, watchdogMs);
  main().then(
    (code) => {
      clearTimeout(watchdog);
      process.exit(code);
    },
    (error: unknown) => {
      clearTimeout(watchdog);
      progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
