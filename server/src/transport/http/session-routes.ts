import { Router } from 'express';
import {
  createSessionBodySchema,
  emptyBodySchema,
  participantParamsSchema,
  sessionIdParamsSchema,
  type CreateSessionResponse,
  type InviteLink,
  type ListSessionsResponse,
} from '@alcove/shared';
import type { LoginService } from '../../auth/login-service.ts';
import type { IssuedInvite, SessionService } from '../../sessions/session-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import { requireTherapist, therapistOf } from './require-therapist.ts';
import { parseInput } from './validate.ts';

export interface SessionRoutesDeps {
  login: LoginService;
  sessions: SessionService;
  tokens: MediaTokenService;
  isSecure: boolean;
}

const toLink = (invite: IssuedInvite): InviteLink => ({
  participantId: invite.participantId,
  slot: invite.slot,
  joinUrl: invite.joinUrl,
  expiresAt: invite.expiresAt,
});

export function createSessionRoutes(deps: SessionRoutesDeps): Router {
  const router = Router();
  router.use('/api/sessions', requireTherapist(deps.login, deps.isSecure));

  router.post('/api/sessions', async (req, res) => {
    const body = parseInput(createSessionBodySchema, req.body);
    const { session, invites } = await deps.sessions.create(therapistOf(req).therapistId, body);
    const response: CreateSessionResponse = { session, invites: invites.map(toLink) };
    res.status(201).json(response);
  });

  router.get('/api/sessions', async (req, res) => {
    const response: ListSessionsResponse = { sessions: await deps.sessions.list(therapistOf(req).therapistId) };
    res.json(response);
  });

  router.get('/api/sessions/:sessionId', async (req, res) => {
    const { sessionId } = parseInput(sessionIdParamsSchema, req.params);
    res.json(await deps.sessions.detail(therapistOf(req).therapistId, sessionId));
  });

  // Starting is "join the call": it creates the room if needed and returns the therapist's media token.
  router.post('/api/sessions/:sessionId/start', async (req, res) => {
    const { sessionId } = parseInput(sessionIdParamsSchema, req.params);
    parseInput(emptyBodySchema, req.body);
    res.json(await deps.tokens.forTherapist(therapistOf(req).therapistId, sessionId));
  });

  router.post('/api/sessions/:sessionId/end', async (req, res) => {
    const { sessionId } = parseInput(sessionIdParamsSchema, req.params);
    parseInput(emptyBodySchema, req.body);
    await deps.sessions.end(therapistOf(req).therapistId, sessionId);
    res.status(204).end();
  });

  router.post('/api/sessions/:sessionId/participants/:participantId/invite', async (req, res) => {
    const { sessionId, participantId } = parseInput(participantParamsSchema, req.params);
    parseInput(emptyBodySchema, req.body);
    const invite = await deps.sessions.reissueInvite(therapistOf(req).therapistId, sessionId, participantId);
    res.status(201).json(toLink(invite));
  });

  return router;
}
