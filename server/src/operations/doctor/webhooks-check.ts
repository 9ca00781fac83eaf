import type { CheckResult, DoctorFacts } from './facts.ts';

/** LiveKit must tell the app who joined and left (presence, removing intruders, stopping recordings). */
export function checkWebhooks(facts: DoctorFacts): CheckResult[] {
  const { livekitWebhook, livekitApiKey } = facts.settings;
  if (!livekitWebhook) {
    return [{ check: 'webhooks', status: 'warn', message: 'livekit.yaml could not be read, so its webhook settings were not checked (run the doctor as root on the server).' }];
  }
  if (livekitWebhook.urls.length === 0) {
    return [{ check: 'webhooks', status: 'fail', message: 'LiveKit sends no webhooks (webhook.urls is empty): people who join without being admitted would not be removed, and a recording would not be stopped.' }];
  }
  if (livekitWebhook.apiKey !== livekitApiKey) {
    return [{ check: 'webhooks', status: 'fail', message: 'LiveKit signs webhooks with a different API key than the app verifies: every webhook would be rejected. Render the configuration again from one env file.' }];
  }
  if (!facts.webhook.ok) {
    return [{ check: 'webhooks', status: 'fail', message: `The webhook address does not reach the app (${facts.webhook.error}). Check Caddy's loopback webhook listener and the app instances.` }];
  }
  if (facts.webhook.status !== 401) {
    return [{ check: 'webhooks', status: 'fail', message: `An unsigned webhook was answered ${facts.webhook.status}, not 401: the address does not lead to the app's webhook endpoint.` }];
  }
  return [{ check: 'webhooks', status: 'ok', message: 'LiveKit\'s webhooks are configured and reach the app, which refuses unsigned ones.' }];
}
