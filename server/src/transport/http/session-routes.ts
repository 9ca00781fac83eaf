import type { InviteLink } from '@alcove/shared';
import type { SealedInbox } from '../../encryption/sealed-inbox.ts';
import type { IssuedInvite, SessionService } from '../../sessions/session-service.ts';
import type { MediaTokenService } from '../../tokens/media-token-service.ts';
import { therapistOf } from './require-therapist.ts';
import type { RouteHandlers } from './route-table.ts';

export interface SessionRoutesDeps {
  sessions: SessionService;
  tokens: MediaTokenService;
  sealed: SealedInbox;
}

export type SessionHandlers = Pick<RouteHandlers, 'createSession' | 'listSessions' | 'getSession' | 'startSession' | 'endSession' | 'reissueInvite' | 'attachIntake' | 'getSealingKey' | 'setSealingKey'>;

const toLink = (invite: IssuedInvite): InviteLink => ({
  participantId: invite.participantId,
  slot: invite.slot,
  joinUrl: invite.joinUrl,
  expiresAt: invite.expiresAt,
});

export function createSessionRoutes(deps: SessionRoutesDeps): SessionHandlers {
  return {
    async createSession({ req, body }) {
      const { therapistId } = therapistOf(req);
      const { intake, ...input } = body;
      // Refused before anything is made: a questionnaire nobody can seal answers to is no use.
      if (intake) await deps.sealed.requireSealingKey(therapistId);
      const { session, invites } = await deps.sessions.create(therapistId, input);
      if (intake) await deps.sealed.attachIntake(await deps.sessions.getOwned(therapistId, session.sessionId), intake);
      return { session, invites: invites.map(toLink) };
    },

    async attachIntake({ req, params, body }) {
      const session = await deps.sessions.getOwned(therapistOf(req).therapistId, params.sessionId);
      return { intake: await deps.sealed.attachIntake(session, body.intake) };
    },

    async getSealingKey({ req }) {
      return { sealingKey: await deps.sealed.sealingKey(therapistOf(req).therapistId) };
    },

    async setSealingKey({ req, body }) {
      return { sealingKey: await deps.sealed.setSealingKey(therapistOf(req).therapistId, body.publicKey) };
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
