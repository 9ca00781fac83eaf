import type { CheckResult, DoctorFacts } from './facts.ts';
import { CERT_WARN_DAYS, formatTimeLeft } from './tls-check.ts';

/** LiveKit's signalling (wss through Caddy) and its TURN over TLS on port 443 of its own name. */
export function checkLivekit(facts: DoctorFacts): CheckResult[] {
  const results: CheckResult[] = [];
  const { livekitUrl, turnDomain, turnTlsPort } = facts.settings;
  if (!livekitUrl?.startsWith('wss://')) {
    results.push({ check: 'livekit', status: 'fail', message: 'LIVEKIT_URL is not wss://: browsers on an https page refuse an unencrypted media signalling connection.' });
  } else if (!facts.livekit.ok) {
    results.push({ check: 'livekit', status: 'fail', message: `LiveKit's signalling does not answer over https (${facts.livekit.error}). Check systemctl status alcove-livekit and the LiveKit name in DNS.` });
  } else if (facts.livekit.status === 502 || facts.livekit.status === 504) {
    // Caddy answered for LiveKit's name, so the front is up and LiveKit behind it is not.
    results.push({ check: 'livekit', status: 'fail', message: `Caddy answers for LiveKit's name, but LiveKit behind it does not (${facts.livekit.status}): calls cannot start and nobody can be admitted. Check systemctl status alcove-livekit and journalctl -u alcove-livekit.` });
  } else if (facts.livekit.status !== 200) {
    results.push({ check: 'livekit', status: 'fail', message: `LiveKit answers ${facts.livekit.status} instead of 200 (406 means its own statistics are stale: it is overloaded or stuck).` });
  } else {
    results.push({ check: 'livekit', status: 'ok', message: 'LiveKit\'s signalling answers over https.' });
  }
  if (!turnDomain) {
    results.push({ check: 'turn-tls', status: 'fail', message: 'No TURN name is configured: clients behind firewalls that allow only port 443 (clinics, hospitals) would get no video.' });
  } else if (!facts.turnTls.ok) {
    results.push({ check: 'turn-tls', status: 'fail', message: `TURN over TLS on ${turnDomain}:${turnTlsPort ?? 443} does not complete a TLS handshake (${facts.turnTls.error}): clients behind strict firewalls get no video. Check that the TURN name points at the media address, that port 443 is open there and that the certificate was handed over (systemctl start alcove-turn-cert).` });
  } else if (facts.turnTls.certDaysLeft < CERT_WARN_DAYS) {
    results.push({ check: 'turn-tls', status: 'warn', message: `The TURN certificate expires in ${formatTimeLeft(facts.turnTls.certDaysLeft)}: run systemctl start alcove-turn-cert and check Caddy's log.` });
  } else {
    results.push({ check: 'turn-tls', status: 'ok', message: `TURN over TLS answers on ${turnDomain}:${turnTlsPort ?? 443} with a valid certificate.` });
  }
  return results;
}
