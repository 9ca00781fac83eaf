import type { InviteLink } from '@alcove/shared';
import type { IssuedInvite, SessionService } from '../../sessions/session-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import { therapistOf } from './require-therapist.ts';
import type { RouteHandlers } from './route-table.ts';

export interface SessionRoutesDeps {
  sessions: SessionService;
  tokens: MediaTokenService;
}

export type SessionHandlers = Pick<RouteHandlers, 'createSession' | 'listSessions' | 'getSession' | 'startSession' | 'endSession' | 'reissueInvite'>;

const toLink = (invite: IssuedInvite): InviteLink => ({
  participantId: invite.participantId,
  slot: invite.slot,
  joinUrl: invite.joinUrl,
  expiresAt: invite.expiresAt,
});

export function createSessionRoutes(deps: SessionRoutesDeps): SessionHandlers {
  return {
    async createSession({ req, body }) {
      const { session, invites } = await deps.sessions.create(therapistOf(req).therapistId, body);
      return { session, invites: invites.map(toLink) };
    },

    async listSessions({ req }) {
      return { sessions: await deps.sessions.list(therapistOf(req).therapistId) };
    },

    getSession: ({ req, params }) => deps.sessions.detail(therapistOf(req).therapistId, params.sessionId),

    // Starting is "join the call": it creates the room if needed and returns the therapist's media token.
    startSession: ({ req, params }) => deps.tokens.forTherapist(therapistOf(req).therapistId, params.sessionId),

    async endSession({ req, params }) {
      await deps.sessions.end(therapistOf(req).therapistId, params.sessionId);
      return null;
    },

    async reissueInvite({ req, params }) {
      return toLink(await deps.sessions.reissueInvite(therapistOf(req).therapistId, params.sessionId, params.participantId));
    },
  };
}
