import type { CheckResult, DoctorFacts } from './facts.ts';

/** Two-factor codes allow one 30 s step either way; tokens and logins expire by the clock. */
export const CLOCK_SKEW_FAIL_SECONDS = 30;
/** The Date header has one-second resolution; more than this is a clock drifting, not rounding. */
export const CLOCK_SKEW_WARN_SECONDS = 5;

export function checkClockSkew(facts: DoctorFacts): CheckResult[] {
  if (!facts.app.ok) return [];
  const dateMs = Date.parse(facts.app.headers.date ?? '');
  if (Number.isNaN(dateMs)) return [{ check: 'clock', status: 'warn', message: 'The server sent no Date header, so its clock could not be compared.' }];
  // The header is truncated to the second: compare to the middle of that second.
  const skewSeconds = Math.abs(dateMs + 500 - facts.app.localTimeMs) / 1000;
  const text = `The server's clock and this machine's differ by ${skewSeconds.toFixed(1)} s`;
  if (skewSeconds > CLOCK_SKEW_FAIL_SECONDS) return [{ check: 'clock', status: 'fail', message: `${text}: two-factor codes and short-lived tokens fail. Turn on time synchronisation (timedatectl set-ntp true) on both.` }];
  if (skewSeconds > CLOCK_SKEW_WARN_SECONDS) return [{ check: 'clock', status: 'warn', message: `${text}. Check time synchronisation (timedatectl).` }];
  return [{ check: 'clock', status: 'ok', message: `${text}.` }];
}
