import { Router } from 'express';
import { participantTokenBodySchema } from '@alcove/shared';
import type { ConnectionCheckService } from '../../tokens/connection-check-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import { parseInput } from './validate.ts';

/** The client's HTTP calls: the invite secret travels in the body, never in a URL. */
export function createJoinRoutes(deps: { tokens: MediaTokenService; checks: ConnectionCheckService }): Router {
  const router = Router();
  router.post('/api/join/token', async (req, res) => {
    const body = parseInput(participantTokenBodySchema, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.tokens.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }));
  });
  // The pre-call connection check: a throw-away room, before the client waits (not after admission).
  router.post('/api/join/connection-check', async (req, res) => {
    const body = parseInput(participantTokenBodySchema, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.checks.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }));
  });
  return router;
}
