import type { CheckResult, DoctorFacts } from './facts.ts';

/** Browsers reach the waiting room only over a WebSocket (wss) through the TLS front. */
export function checkWebSocket(facts: DoctorFacts): CheckResult[] {
  if (facts.websocket.ok && facts.websocket.status === 101) {
    return [{ check: 'websocket', status: 'ok', message: 'The waiting room\'s WebSocket (wss) connects.' }];
  }
  const why = facts.websocket.ok ? `the upgrade was answered ${facts.websocket.status}` : facts.websocket.error;
  return [{ check: 'websocket', status: 'fail', message: `The waiting room's WebSocket does not connect (${why}): clients would wait forever. Check that Caddy passes WebSocket upgrades and that PUBLIC_URL matches the name browsers use (the Origin check).` }];
}
