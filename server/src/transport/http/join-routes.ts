import { Router } from 'express';
import { participantTokenBodySchema } from '@alcove/shared';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import { parseInput } from './validate.ts';

/** The client's only HTTP call: the invite secret travels in the body, never in a URL. */
export function createJoinRoutes(deps: { tokens: MediaTokenService }): Router {
  const router = Router();
  router.post('/api/join/token', async (req, res) => {
    const body = parseInput(participantTokenBodySchema, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.tokens.forClient({ inviteSecret: body.invite, deviceId: body.deviceId, clientIp: req.ip ?? 'unknown' }));
  });
  return router;
}
