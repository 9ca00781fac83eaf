import type { WebhookLedger } from '../../webhooks/webhook-handler.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

// LiveKit retries a failed delivery ~5 times over ~15 s with the same id.
const WEBHOOK_ID_TTL_SECONDS = 600;

export function createRedisWebhookLedger(redis: RedisClient, keys: RedisKeys): WebhookLedger {
  return {
    async claim(webhookId) {
      const result = await redis.set(keys.webhook(webhookId), '1', { condition: 'NX', expiration: { type: 'EX', value: WEBHOOK_ID_TTL_SECONDS } });
      return result === 'OK';
    },
  };
}
