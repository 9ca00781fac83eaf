import type { CheckResult, DoctorFacts } from './facts.ts';

/** Half a year: shorter lets a browser forget it and try plain http again between visits. */
export const HSTS_MIN_SECONDS = 180 * 24 * 3600;

/** The headers the app sends itself; their absence means something in front strips or replaces them. */
export function checkSecurityHeaders(facts: DoctorFacts): CheckResult[] {
  if (!facts.app.ok) return [];
  const headers = facts.app.headers;
  const problems: string[] = [];
  const hsts = /max-age=(\d+)/u.exec(headers['strict-transport-security'] ?? '');
  if (!hsts) problems.push('no Strict-Transport-Security (HSTS)');
  else if (Number(hsts[1]) < HSTS_MIN_SECONDS) problems.push(`HSTS max-age is only ${hsts[1]} s`);
  const csp = headers['content-security-policy'] ?? '';
  if (!csp.includes("default-src 'self'")) problems.push('no Content-Security-Policy with default-src \'self\'');
  if (!csp.includes("frame-ancestors 'none'")) problems.push("no frame-ancestors 'none' (clickjacking)");
  if ((headers['x-content-type-options'] ?? '') !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if ((headers['referrer-policy'] ?? '') !== 'no-referrer') problems.push('no Referrer-Policy: no-referrer');
  if (problems.length === 0) return [{ check: 'security-headers', status: 'ok', message: 'HSTS, CSP, nosniff and no-referrer are sent.' }];
  return [{ check: 'security-headers', status: 'fail', message: `Missing security headers: ${problems.join('; ')}. Is the request reaching the app through Caddy as rendered, with nothing else in between?` }];
}
