/**
 * Webhooks signed exactly as LiveKit signs them: the body is protobuf-JSON of a
 * `WebhookEvent`; `Authorization` is an API-key JWT whose `sha256` claim is the
 * base64 SHA-256 of the exact body bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AccessToken, WebhookEvent, type WebhookEventNames } from 'livekit-server-sdk';

export { WebhookEvent };

export const WEBHOOK_CONTENT_TYPE = 'application/webhook+json';

export function newWebhookId(): string {
  return `EV_${randomBytes(9).toString('base64url')}`;
}

/** A LiveKit-style webhook body; `id` and `createdAt` are filled in when missing. */
export function webhookBody(fields: ConstructorParameters<typeof WebhookEvent>[0] & { event: WebhookEventNames }): string {
  const event = new WebhookEvent({ id: newWebhookId(), createdAt: BigInt(Math.floor(Date.now() / 1000)), ...fields });
  // livekit-server-sdk's WebhookEvent subclass resets `event` to "" after the
  // protobuf constructor has copied the fields in, so it is set again here.
  event.event = fields.event;
  return event.toJsonString();
}

export async function signWebhook(body: string, keys: { apiKey: string; apiSecret: string }): Promise<string> {
  const token = new AccessToken(keys.apiKey, keys.apiSecret, { ttl: 60 });
  token.sha256 = createHash('sha256').update(body, 'utf8').digest('base64');
  return token.toJwt();
}

export interface WebhookResponse {
  status: number;
  body: any;
}

/** Posts like LiveKit does: no Origin, the raw body, the signature (if any) in Authorization. */
export async function postWebhook(origin: string, body: string, authorization?: string): Promise<WebhookResponse> {
  const headers: Record<string, string> = { 'content-type': WEBHOOK_CONTENT_TYPE };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(`${origin}/webhooks/livekit`, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}
