import express, { Router } from 'express';
import { SERVICE_ROUTES } from '@alcove/shared';
import type { WebhookHandler, WebhookVerifier } from '../../webhooks/webhook-handler.ts';

const WEBHOOK_BODY_MAX_BYTES = 64 * 1024;

/** Must be mounted before any JSON parser: the signature covers the exact raw bytes. */
export function createWebhookRoutes(deps: { verify: WebhookVerifier; handle: WebhookHandler }): Router {
  const router = Router();
  router.post(
    SERVICE_ROUTES.livekitWebhook.path,
    express.raw({ type: ['application/webhook+json', 'application/json'], limit: WEBHOOK_BODY_MAX_BYTES }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const event = await deps.verify(raw, req.headers.authorization);
      const outcome = await deps.handle(event);
      res.status(200).json({ ok: true, outcome });
    },
  );
  return router;
}
