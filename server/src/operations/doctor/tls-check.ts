import type { CheckResult, DoctorFacts } from './facts.ts';

/** Caddy renews 30 days before expiry: under 14 days left means renewal has been failing for two weeks. */
export const CERT_WARN_DAYS = 14;

/** "6 days", or hours for short-lived certificates (Caddy's internal CA issues 12-hour ones). */
export function formatTimeLeft(days: number): string {
  return days >= 2 ? `${Math.floor(days)} days` : `${Math.max(0, Math.floor(days * 24))} hours`;
}

/** The app over https: a certificate browsers accept, not about to expire; plain http only redirects. */
export function checkTls(facts: DoctorFacts): CheckResult[] {
  const results: CheckResult[] = [];
  const { publicUrl } = facts.settings;
  if (!publicUrl?.startsWith('https://')) {
    return [{ check: 'tls', status: 'fail', message: 'PUBLIC_URL is not https://: browsers allow camera and microphone only on a secure page, and logins would travel in clear.' }];
  }
  if (!facts.app.ok) {
    results.push({ check: 'tls', status: 'fail', message: `The app does not answer over https (${facts.app.error}). Check DNS for the app's name, that Caddy runs (systemctl status alcove-caddy) and that port 443 is open.` });
  } else if (facts.app.certDaysLeft < CERT_WARN_DAYS) {
    results.push({ check: 'tls', status: 'warn', message: `The app's certificate expires in ${formatTimeLeft(facts.app.certDaysLeft)} and has not been renewed: check Caddy's log (journalctl -u alcove-caddy) and that port 80 is open for the certificate authority.` });
  } else {
    results.push({ check: 'tls', status: 'ok', message: `https works; the certificate is valid for ${Math.floor(facts.app.certDaysLeft)} more days.` });
  }
  if (!facts.plainHttp.ok) {
    // Refusing plain http entirely is as safe as redirecting it; any other failure proves nothing.
    results.push(
      facts.plainHttp.error === 'ECONNREFUSED'
        ? { check: 'http-redirect', status: 'ok', message: 'Plain http is refused.' }
        : { check: 'http-redirect', status: 'warn', message: `Plain http could not be checked (${facts.plainHttp.error}).` },
    );
  } else if ([301, 302, 307, 308].includes(facts.plainHttp.status) && facts.plainHttp.location?.startsWith('https://')) {
    results.push({ check: 'http-redirect', status: 'ok', message: 'Plain http redirects to https.' });
  } else {
    results.push({ check: 'http-redirect', status: 'fail', message: `Plain http answers ${facts.plainHttp.status} instead of redirecting to https: someone typing the address would use the app unencrypted.` });
  }
  return results;
}
